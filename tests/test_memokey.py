"""The batch memo key keeps exactly what the encodings can see of the date of service and the sites."""

from __future__ import annotations

import datetime as dt
import random
import re
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from fluorologic.contract.encounter import parse_encounter
from fluorologic.engine.encodings import encodings_dir
from fluorologic.engine.fastpath.memokey import date_thresholds, memo_key
from fluorologic.engine.fastpath.multisolve import BatchSolver
from fluorologic.engine.solver import Engine

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.generate import generate  # noqa: E402


def _rules_using(predicate: str) -> set[str]:
    """The rules of the encodings (comments dropped, whitespace squeezed) that use ``predicate``."""
    pattern = re.compile(rf"(?<![a-z_]){predicate}\(")
    found = set()
    for path in sorted(encodings_dir().glob("*.lp")):
        text = re.sub(r"%.*", "", path.read_text("utf-8"))
        for stm in re.split(r"(?<=[^.])\.\s", text):
            stm = " ".join(stm.split())
            if pattern.search(stm) and not stm.startswith("#defined"):
                found.add(f"{path.name}: {stm}")
    return found


def test_the_date_of_service_is_only_compared_with_the_rule_dates_the_key_knows():
    """A tripwire: a new use of dos/1 must be reflected in memokey._DATED (and this list)."""
    assert {r for r in _rules_using("dos") if not r.startswith("input.lp")} == {
        "in_force.lp: code_out_of_force(C,before,D) :- code_effective(C,D), dos(T), T < D",
        "in_force.lp: code_out_of_force(C,after,D) :- code_deleted(C,D), dos(T), T > D",
        "in_force.lp: attr(C,A,V) :- attr_dated(C,A,V,F,E), dos(T), F <= T, T <= E",
        "in_force.lp: attr_lapsed(C,A,V,F,E) :- attr_dated(C,A,V,F,E), dos(T), T < F",
        "in_force.lp: attr_lapsed(C,A,V,F,E) :- attr_dated(C,A,V,F,E), dos(T), T > E",
        "in_force.lp: rules_not_in_force(unseen,D) :- code_known_from(C,D), line(_,C,_), dos(T), T < D, "
        "not code_out_of_force(C,_,_)",
        "in_force.lp: rules_not_in_force(before,F) :- data_covers(F,_), dos(T), T < F",
        "in_force.lp: rules_not_in_force(after,L) :- data_covers(_,L), dos(T), T > L",
        "in_force.lp: aoc(P,A,T,R) :- aoc_dated(P,A,T,F,E,R), dos(D), F <= D, D <= E",
        "in_force.lp: ptp_in_force(C1,C2,I,R) :- ptp(C1,C2,I,Del,R), I != 9, dos(T), T <= Del",
        "in_force.lp: ptp_lapsed(C1,C2,Del,R) :- ptp(C1,C2,I,Del,R), I != 9, dos(T), T > Del",
        "in_force.lp: mue_in_force(C,N,Mai,R) :- mue(C,N,Mai,Eff,R), dos(T), T >= Eff",
        "opps_in_force.lp: ptp_in_force(C1,C2,I,R) :- institutional, ptp_opps(C1,C2,I,F,L,R), dos(T), F <= T, "
        "T <= L",
        "opps_in_force.lp: ptp_lapsed(C1,C2,L,R) :- institutional, ptp_opps(C1,C2,_,_,L,R), dos(T), T > L",
        "opps_in_force.lp: aoc(P,A,Ty,R) :- institutional, aoc_opps(P,A,Ty,F,L,R), dos(T), F <= T, T <= L",
        "opps_in_force.lp: addon(A) :- institutional, addon_opps(A,F,L), dos(T), F <= T, T <= L",
        "opps_in_force.lp: si_of(C,SI,A,R) :- institutional, opps_si(C,SI,A,F,L,R), dos(T), F <= T, T <= L",
        "opps_in_force.lp: apc_rate(A,Cents,R) :- institutional, apc_pay(A,Cents,F,L,R), dos(T), F <= T, T <= L",
        "opps_in_force.lp: opps_release(V,Q) :- institutional, oce_version(V,Q,F,L), dos(T), F <= T, T <= L",
    }


def test_sites_are_only_compared_for_equality_in_the_batch_program():
    """A tripwire: a site is read by node_site/2, which only separate_site/1 compares (S != S'), and by the
    pairing of a guidance line with its procedure (targets.lp), which joins two lines' sites or negates one."""
    assert {r for r in _rules_using("site") if not r.startswith(("explain.lp", "input.lp"))} == {
        "modifiers.lp: node_site(l(L),S) :- site(L,S)",
        "targets.lp: site_paired(G,L) :- line(G,C,_), code_kind(C,(guidance;fluoroscopy)), site(G,S), site(L,S), "
        "may_guide(L,G)",
        "targets.lp: guides_elsewhere(G,L) :- paired_by_site(G), line(L,_,_), L != G, site(L,S), not site(G,S)"}
    assert _rules_using("node_site") == {
        "modifiers.lp: node_site(l(L),S) :- site(L,S)",
        "modifiers.lp: separate_site(N') :- needs_bypass(N',N), node_site(N',S), node_site(N,S'), S != S'",
    }


@pytest.fixture(scope="module")
def engine():
    return Engine()


def _same_class_date(day: dt.date, thresholds: tuple[int, ...], rng: random.Random) -> dt.date | None:
    """Another date with the same memo key as ``day`` (none if ``day`` is itself a rule date)."""
    number = day.year * 10000 + day.month * 100 + day.day
    if number in thresholds:
        return None
    for i in range(50):  # near dates first: fee periods are quarters
        reach = 45 if i < 25 else 400
        other = day + dt.timedelta(days=rng.randint(-reach, reach))
        try:
            other_number = other.year * 10000 + other.month * 100 + other.day
        except OverflowError:  # pragma: no cover
            continue
        if memo_key([("dos", (other_number,))], thresholds) == memo_key([("dos", (number,))], thresholds):
            return other
    return None


def test_dates_and_sites_with_the_same_key_give_the_same_atoms(engine):
    rng = random.Random(5)
    solver = BatchSolver(engine, memo_size=0)  # solve every variant: nothing is remembered
    originals, variants = [], []
    for raw in generate(120, seed=23):
        enc = parse_encounter(raw, engine.places)
        part = solver.cache.rule_part(enc)
        other = _same_class_date(enc.date_of_service, part.thresholds, rng)
        if other is None:
            continue
        # Other site texts, in the same order and of the same class: the same suffix on each.
        lines = tuple(replace(ln, site=ln.site + " !") if ln.site else ln for ln in enc.lines)
        variant = replace(enc, date_of_service=other, lines=lines)
        if solver.cache.rule_part(variant).number != part.number:  # another fee period: another rule part
            continue
        own = solver.cache.own_facts
        assert memo_key(own(variant).terms, part.thresholds) == memo_key(own(enc).terms, part.thresholds)
        originals.append(enc)
        variants.append(variant)
    assert len(originals) >= 60
    for a, b in zip(solver.solve_encounters(originals), solver.solve_encounters(variants), strict=True):
        assert a.atoms == b.atoms, a.encounter.encounter_id


def test_a_rule_date_itself_is_its_own_class():
    dates = date_thresholds([("ptp", ("20610", "77002", 1, 20100331, ("ptp", 0))),
                             ("mue", ("77002", 1, 3, 20240701, ("mue", 1))), ("code", ("20610",))])
    assert dates == (20100331, 20240701)
    keys = [memo_key([("dos", (d,))], dates) for d in (20100330, 20100331, 20100401, 20240701, 20240702)]
    assert len(set(keys)) == 5


def test_the_memo_answers_another_date_of_the_same_class(engine):
    solver = BatchSolver(engine)
    enc = parse_encounter({"encounter_id": "m1", "date_of_service": "2024-08-14", "place_of_service": "11",
                           "lines": [{"code": "20610", "site": "left knee"}, {"code": "77002"}]}, engine.places)
    later = replace(enc, encounter_id="m2", date_of_service=dt.date(2024, 9, 3))
    first = solver.solve_encounters([enc])[0]
    hits = solver.memo_hits
    second = solver.solve_encounters([later])[0]
    assert solver.memo_hits == hits + 1 and second.atoms == first.atoms
    assert solver.results([later])[0]["encounter_id"] == "m2"
