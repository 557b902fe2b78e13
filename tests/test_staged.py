"""The batch path's two stages (search, then pricing) give the answers of the whole program."""

from __future__ import annotations

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from fluorologic import testing as ft
from fluorologic.contract.encounter import parse_encounter
from fluorologic.engine.fastpath.multisolve import BatchSolver
from fluorologic.engine.fastpath.staged import OPEN, PRICING_FILES, stages
from fluorologic.engine.solver import Engine


@pytest.fixture(scope="module")
def engine():
    return Engine()


def test_the_search_carries_no_pricing_rule_and_shows_what_pricing_reads():
    st = stages()
    assert "mp_item" not in st.search and "bil_halves" not in st.search  # the pricing files are left out
    assert "{ billed(N) }" not in st.pricing  # the pricing stage has no choice
    assert {("billed", 1), ("final_units", 2), ("final_mod", 2), ("both_sides", 2)} <= st.interface
    assert {("fee", 5), ("bilateral_ind", 2), ("mult_proc_ind", 2)} <= st.facts
    for name, arity in st.interface:
        assert f"#show {name}/{arity}." in st.search
    assert f"#show {OPEN}/0." in st.search
    assert len(PRICING_FILES) == 4


# Two encounters whose codes edit each other both ways on the date (NCCI PTP practitioner rows 0582T/62322 and
# 62322/0582T, both in force in 2021; 0213T/20552 and 20552/0213T in 2016): two stable sets, so the amount
# chooses and the encounter is solved with the whole program; the third has one stable set (RT + LT of 64483
# become one 50 line at 150%, 77003 is included), priced by the pricing stage.
CYCLE = [
    {"encounter_id": "c1", "date_of_service": "2021-06-01", "place_of_service": "11",
     "lines": [{"code": "62322"}, {"code": "0582T"}]},
    {"encounter_id": "c2", "date_of_service": "2016-06-01", "place_of_service": "11",
     "lines": [{"code": "20552"}, {"code": "0213T"}]},
    {"encounter_id": "n1", "date_of_service": "2024-08-01", "place_of_service": "11",
     "lines": [{"code": "64483", "modifiers": ["RT"]}, {"code": "64483", "modifiers": ["LT"]}, {"code": "77003"}]},
]


def test_an_encounter_whose_amount_chooses_is_solved_with_the_whole_program(engine):
    batch = BatchSolver(engine, memo_size=0)
    encs = [parse_encounter(e) for e in CYCLE]
    got = batch.results(encs)
    assert batch.reopened == 2
    for enc, raw, res in zip(encs, CYCLE, got, strict=True):
        assert res == engine.solve(raw), enc.encounter_id
    assert [(b["code"], b["modifiers"], b["amount"]) for b in got[2]["billable"]] == [("64483", ["50"], 369.5)]
    assert got[0]["excluded"][0]["reason"] == "ptp_bundled"


def test_a_batch_of_payment_cases_equals_the_one_encounter_path(engine):
    base = {"date_of_service": "2024-08-01", "place_of_service": "11"}
    cases = [
        [{"code": "64483", "units": 2}],
        [{"code": "64483", "modifiers": ["50"]}, {"code": "64484", "units": 2}],
        [{"code": "20610", "modifiers": ["RT"]}, {"code": "20610", "modifiers": ["LT"]}],
        [{"code": "64483"}, {"code": "64493"}, {"code": "77003"}],
        [{"code": "20610"}, {"code": "20605"}, {"code": "20600"}],
        [{"code": "64490", "modifiers": ["50"]}],
        [{"code": "99214", "modifiers": ["25"]}, {"code": "64483"}],
        [{"code": "77002", "units": 2}, {"code": "76000"}],
    ]
    raws = [dict(base, encounter_id=f"p{i}", lines=lines) for i, lines in enumerate(cases)]
    raws += [dict(r, encounter_id=r["encounter_id"] + "f", place_of_service="22") for r in raws]
    batch = BatchSolver(engine, memo_size=0)
    got = batch.results([parse_encounter(r) for r in raws])
    assert batch.reopened == 0
    for raw, res in zip(raws, got, strict=True):
        assert res == engine.solve(raw), raw["encounter_id"]
    assert any(a["rule"] == "multiple_procedure" for r in got for b in r["billable"]
               for a in (b.get("pricing") or {}).get("adjustments", []))


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_synthetic_rule_bases_with_cycles_answer_as_the_whole_program(data):
    """Random rule bases with even and odd cycles of edits: a batch answers as one encounter at a time."""
    base = data.draw(ft.rule_bases(cycles=True))
    raws = [dict(data.draw(ft.synthetic_encounters(base, max_lines=6)), encounter_id=f"s{i}") for i in range(4)]
    engine = Engine(base.data)
    batch = engine.solve_many(raws)
    event(f"{engine.batch.reopened} of 4 solved with the whole program")
    assert batch == [engine.solve(raw) for raw in raws]
