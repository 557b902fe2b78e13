"""The integer edge to clingo (fluorologic.engine.fastpath.rawsym) agrees with clingo's public Python API."""

from __future__ import annotations

import clingo
from hypothesis import given
from hypothesis import strategies as st

from fluorologic.engine.fastpath.rawsym import RawSymbols, add_facts, shown_reps, symbol
from fluorologic.engine.terms import atom_symbol, const

_names = st.sampled_from(["line", "fee", "attr", "ptp", "dos"])
_leaf = st.one_of(st.integers(-(2**31), 2**31 - 1), st.text(max_size=12),
                  st.sampled_from(["facility", "global", "spinal"]).map(const))
_terms = st.recursive(_leaf, lambda inner: st.tuples(inner, inner), max_leaves=4)


@given(_names, st.lists(_terms, max_size=5).map(tuple), st.integers(0, 300))
def test_atoms_equal_the_public_symbols(name, args, k):
    raw = RawSymbols()
    assert symbol(raw.atom(name, args)) == atom_symbol((name, args))
    keyed = symbol(raw.atom(name, args, raw.term(k)))
    assert keyed == clingo.Function(name, [clingo.Number(k), *atom_symbol((name, args)).arguments])
    assert raw.unkey(raw.atom(name, args, raw.term(k))) == (k, raw.atom(name, args))


def test_terms_are_remembered_and_equal_symbols_are_equal_integers():
    raw, other = RawSymbols(), RawSymbols()
    assert raw.term("77002") == other.term("77002") == clingo.String("77002")._rep
    assert raw.term(const("global")) == clingo.Function("global", [])._rep
    assert raw.term("global") != raw.term(const("global"))  # a string is not a constant
    assert raw.term(("pfs", 3)) == clingo.Function("", [clingo.String("pfs"), clingo.Number(3)])._rep


def test_facts_in_and_shown_atoms_out_match_the_public_api():
    raw = RawSymbols()
    ctl = clingo.Control(["--warn=none"], logger=lambda _c, _m: None)
    ctl.add("base", [], "#defined line/3. #show. #show code/2. #show n/1. code(K,C) :- line(K,C,_). "
                        "n(X) :- X = #count { K : line(K,_,_) }.")
    with ctl.backend() as backend:
        add_facts(backend, [raw.atom("line", (code, 1), raw.term(k)) for k, code in enumerate(["20610", "77002"])])
    ctl.ground([("base", [])])
    with ctl.solve(yield_=True) as handle:
        model = next(iter(handle))
        public = sorted(model.symbols(shown=True))
        reps = shown_reps(model)
    assert sorted(symbol(r) for r in reps) == public
    pairs = sorted(raw.unkey(r) for r in reps if symbol(r).name == "code")
    assert [(k, str(symbol(a))) for k, a in pairs] == [(0, 'code("20610")'), (1, 'code("77002")')]
