"""The engine: facts, clingo, decode.

The reference path a newcomer reads first: input facts (facts, terms; opps_facts for a hospital's claim), the
encodings loaded once per thread (encodings), the one-encounter solver (solver), pricing, one record per input
item (records) and the Result decoded from the shown atoms (decode, solution). What exists only for speed (the
rule-part cache, the keyed batch solver, raw symbols, the memo key and the Result memo) is in
:mod:`fluorologic.engine.fastpath`. Uses the contract, the rule data and the note reader; knows nothing of
pools, HTTP or pages.
"""
