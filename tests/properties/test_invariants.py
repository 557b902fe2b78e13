"""Invariants of every result, as hypothesis properties over the embedded data and synthetic rule bases."""

import copy
import json
import random

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from fluorologic import testing as ft
from fluorologic.contract.render import to_json
from fluorologic.engine.encodings import rule_ids
from fluorologic.engine.solver import Engine
from fluorologic.rules.ruledata import RuleData

DATA = RuleData.embedded()


@pytest.fixture(scope="session")
def engine():
    return Engine()


@given(raw=ft.encounters(DATA))
def test_billable_and_excluded_partition_the_claimed_units(engine, raw):
    ft.assert_units_partition(raw, engine.solve(raw))


@given(raw=ft.encounters(DATA))
def test_no_billed_pair_is_an_active_edit_unless_bypassed(engine, raw):
    # the real 2024Q3 edits hold odd cycles (rules check lists them); there the least-violating set is exempt
    res = engine.solve(raw)
    event("rule_conflict" if ft.has_conflict(res) else "stable")
    ft.assert_no_active_edit(raw, res, DATA)


@given(raw=ft.encounters(DATA, codes=["20600", "20610", "62323", "64483", "77002", "77003", "76000", "22840",
                                      "64484"]))
def test_units_never_exceed_the_mue(engine, raw):
    for ln in raw["lines"]:
        ln["units"] = ln.get("units", 1) * 3
    ft.assert_within_mue(raw, engine.solve(raw), DATA)


@given(raw=ft.encounters(DATA))
def test_an_add_on_is_never_billable_without_an_eligible_primary(engine, raw):
    ft.assert_addon_has_primary(engine.solve(raw), DATA)


@given(raw=ft.encounters(DATA, codes=["20610", "62273", "64483", "27093", "76000", "77002", "77003"]))
def test_76000_is_not_billable_with_77002_or_77003(engine, raw):
    res = engine.solve(raw)
    billable = {b["code"] for b in res["billable"]}
    if "76000" in billable and billable & {"77002", "77003"}:
        event("76000 billed beside specific guidance (distinct service)")
    ft.assert_general_fluoroscopy_superseded(raw, res, DATA)
    distinct_76000 = any(ln["code"] == "76000" and ln.get("distinct") for ln in raw["lines"])
    if not distinct_76000:
        assert not ("76000" in billable and billable & {"77002", "77003"})


@given(raw=ft.encounters(DATA, codes=["62273", "64483", "62322", "77003", "77002", "76000"]))
def test_77003_is_never_billable_for_more_than_one_unit(engine, raw):
    res = engine.solve(raw)
    assert sum(b["units"] for b in res["billable"] if b["code"] == "77003") <= 1
    ft.assert_once_per_session(res, DATA)


@given(raw=ft.encounters(DATA))
def test_every_exclusion_cites_an_existing_rule(engine, raw):
    res = engine.solve(raw)
    ft.assert_reasons_cite_rules(res)
    assert all(a["rule"] in rule_ids() for a in res["audit"])
    ft.assert_totals(res)


@given(raw=ft.encounters(DATA), seed=st.randoms(use_true_random=False))
def test_the_result_does_not_depend_on_line_order(engine, raw, seed):
    shuffled = copy.deepcopy(raw)
    seed.shuffle(shuffled["lines"])
    for ln in shuffled["lines"]:
        if "modifiers" in ln:
            ln["modifiers"] = list(reversed(ln["modifiers"]))
    assert to_json(engine.solve(shuffled)) == to_json(engine.solve(raw))


@given(raw=ft.encounters(DATA, with_documentation=False), doc=ft.documentation())
def test_adding_documentation_never_removes_a_billable_code(engine, raw, doc):
    before = {b["code"] for b in engine.solve(raw)["billable"]}
    after = {b["code"] for b in engine.solve({**raw, "documentation": doc})["billable"]}
    assert before <= after


@given(raw=ft.hostile_encounters(DATA))
def test_hostile_input_gives_an_error_record_never_an_exception(engine, raw):
    rec = engine.solve_record(raw)
    json.dumps(rec)
    if "error" in rec:
        event("error record")
        assert set(rec) == {"encounter_id", "error"} and rec["error"]["field"] and rec["error"]["message"]
        return
    event("solved")
    claimed = {ln["code"] for ln in raw.get("lines") or []}
    assert {b["code"] for b in rec["billable"]} <= claimed | {a["code"] for a in rec["added"]}
    assert rec["encounter_id"] == raw["encounter_id"]
    ft.assert_invariants(raw, rec, DATA)


@given(code=st.sampled_from(ft.ASP_LOOKING), where=st.sampled_from(["encounter_id", "site", "indication"]))
def test_asp_looking_strings_stay_data(engine, code, where):
    raw = {"encounter_id": "asp", "date_of_service": "2024-08-01", "place_of_service": "11",
           "lines": [{"code": "20610", "site": "left knee"}], "documentation": {}}
    if where == "site":
        raw["lines"].append({"code": "77002", "site": code})
    elif where == "indication":
        raw["documentation"]["indication"] = code
    else:
        raw["encounter_id"] = code[:64] or "x"
    rec = engine.solve_record(raw)
    assert "error" not in rec
    assert {b["code"] for b in rec["billable"]} <= {"20610", "77002"}
    bad = engine.solve_record({**raw, "lines": [{"code": code}]})
    assert bad["error"]["field"] == "lines[0].code"


@given(st.data())
def test_invariants_hold_on_synthetic_rule_bases(data):
    base = data.draw(ft.rule_bases())
    raw = data.draw(ft.synthetic_encounters(base))
    res = Engine(base.data).solve(raw)
    event("rule_conflict" if ft.has_conflict(res) else "stable")
    if not ft.has_conflict(res):
        ft.assert_invariants(raw, res, base.data)
        return
    # Known gap (tests/test_known_gaps.py): when the conflict comes from an add-on that bundles its own primary,
    # the dropped line gets no exclusion entry, so the partition is only checked one way here.
    for b in res["billable"]:
        claimed = sum(ln.get("units", 1) for ln in raw["lines"] if ln["code"] == b["code"])
        assert sum(x["units"] for x in res["billable"] if x["code"] == b["code"]) <= claimed or b["code"] in {
            a["code"] for a in res["added"]}
    for check in (ft.assert_within_mue, ft.assert_general_fluoroscopy_superseded):
        check(raw, res, base.data)
    ft.assert_addon_has_primary(res, base.data)
    ft.assert_once_per_session(res, base.data)
    ft.assert_reasons_cite_rules(res)
    ft.assert_totals(res)


def test_shuffle_helper_is_deterministic():
    # the order property relies on hypothesis' seeded Random; a plain Random gives the same permutation twice
    a, b = list(range(6)), list(range(6))
    random.Random(3).shuffle(a)
    random.Random(3).shuffle(b)
    assert a == b


def test_76000_documented_as_distinct_is_still_not_billed_beside_77002(engine):
    # the mission: never bill 76000 beside 77002/77003, even when the record documents a distinct service
    res = engine.solve({"encounter_id": "d", "date_of_service": "2024-08-01", "place_of_service": "11",
                        "lines": [{"code": "20610", "site": "left knee"}, {"code": "77002"},
                                  {"code": "76000", "distinct": True}]})
    assert {(b["code"], tuple(b["modifiers"])) for b in res["billable"]} == {("20610", ()), ("77002", ())}
    assert [(x["code"], x["reason"]) for x in res["excluded"]] == [("76000", "more_specific_guidance")]
