"""The engine: facts, clingo, decode.

The engine: input facts (facts, factcache, memokey, terms), the encodings loaded once per thread
(encodings), the one-encounter solver (solver) and the keyed batch solver (multisolve, keyed, rawsym,
symorder; liveprogram for one encounter alone), the canonical Result memo (resultmemo), one record per
input item (records) and the Result decoded from the shown atoms (decode, solution). Uses the contract, the
rule data and the note reader; knows nothing of pools, HTTP or pages.
"""
