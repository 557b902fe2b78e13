"""The clingo answer and the independent python-constraint formulation agree on small encounters."""

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from fluorologic import testing as ft
from fluorologic.engine.solver import Engine
from fluorologic.quality.crosscheck import crosscheck
from fluorologic.rules.ruledata import OPEN_END, CodeRow, PtpRow, RuleData

DATA = RuleData.embedded()


@pytest.fixture(scope="session")
def engine():
    return Engine()


def engine_summary(res):
    billable = [{k: v for k, v in b.items() if k != "pricing"} for b in res["billable"]]
    return {"billable": billable, "expected": res["totals"]["expected"], "conflict": ft.has_conflict(res)}


@given(raw=ft.encounters(DATA, max_lines=6))
def test_crosscheck_agrees_with_clingo_on_the_embedded_data(engine, raw):
    cc = crosscheck(raw, DATA)
    event(f"{len(cc.billable)} billable")
    assert cc.summary() == engine_summary(engine.solve(raw))


@given(raw=ft.encounters(DATA, max_lines=6, codes=["20610", "27093", "62273", "62322", "64483", "64484", "20606",
                                                   "27245", "76000", "77002", "77003", "77012"]))
def test_crosscheck_agrees_on_the_fluoroscopy_codes(engine, raw):
    assert crosscheck(raw, DATA).summary() == engine_summary(engine.solve(raw))


@given(raw=ft.encounters(DATA, max_lines=5, codes=["20600", "20605", "20610", "27096", "64483", "64484", "64490",
                                                   "64493", "64635", "64633", "72240", "72265", "73525", "77003"]))
def test_crosscheck_agrees_on_bilateral_and_multiple_procedures(engine, raw):
    """§40.6 and §40.7 restated in Python (fractions) agree with the encodings to the cent."""
    cc = crosscheck(raw, DATA)
    event("bilateral" if any("50" in b["modifiers"] for b in cc.billable) else "no 50")
    assert cc.summary() == engine_summary(engine.solve(raw))


@given(st.data())
def test_crosscheck_agrees_on_synthetic_rule_bases(data):
    base = data.draw(ft.rule_bases())
    raw = data.draw(ft.synthetic_encounters(base))
    cc = crosscheck(raw, base.data)
    event("conflict" if cc.conflict else f"{cc.stable_sets} stable sets")
    assert cc.summary() == engine_summary(Engine(base.data).solve(raw))


@given(st.data())
def test_both_report_the_conflict_of_an_odd_cycle(data):
    base = data.draw(ft.rule_bases(cycles=True))
    raw = data.draw(ft.synthetic_encounters(base, max_lines=6))
    cc = crosscheck(raw, base.data)
    event("conflict" if cc.conflict else "stable")
    assert cc.summary() == engine_summary(Engine(base.data).solve(raw))


def _three_cycle(indicator):
    codes = [CodeRow(c, "procedure", "nonspinal", "synthetic", None, None, "test") for c in ("10001", "10002", "10003")]
    ptp = [PtpRow(a, b, None, OPEN_END, indicator, "cycle", "SYN", "test")
           for a, b in (("10001", "10002"), ("10002", "10003"), ("10003", "10001"))]
    return RuleData(codes=codes, attrs=[], ptp=ptp, mue=[], aoc=[], inclusive=[], fees=[], label="cycle")


@pytest.mark.parametrize("indicator", [0, 1])
def test_a_pure_odd_cycle_is_a_conflict_for_both(indicator):
    data = _three_cycle(indicator)
    raw = {"encounter_id": "c3", "date_of_service": "2024-08-01", "place_of_service": "11",
           "lines": [{"code": "10001"}, {"code": "10002"}, {"code": "10003"}]}
    res = Engine(data).solve(raw)
    cc = crosscheck(raw, data)
    assert cc.conflict and ft.has_conflict(res)
    assert cc.summary() == engine_summary(res)
    # a documented distinct service on every line bypasses indicator-1 edits, so the cycle is gone
    distinct = {**raw, "lines": [{**ln, "distinct": True} for ln in raw["lines"]]}
    assert crosscheck(distinct, data).conflict is (indicator == 0)
    assert ft.has_conflict(Engine(data).solve(distinct)) is (indicator == 0)
