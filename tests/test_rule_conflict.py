"""An odd cycle of edits in the rule data gives `rule_conflict` and the least-violating set, never a crash."""

from __future__ import annotations

from fluorologic.engine.solver import Engine
from fluorologic.rules.ruledata import CodeRow, PtpRow, RuleData


def _cycle_data(cycle: list[tuple[str, str]]) -> RuleData:
    codes = sorted({c for pair in cycle for c in pair})
    return RuleData(
        codes=[CodeRow(c, "procedure", "nonspinal", f"synthetic {c}", None, None, "test") for c in codes],
        attrs=[], mue=[], aoc=[], inclusive=[], fees=[],
        ptp=[PtpRow(a, b, None, 99991231, 1, "synthetic", "TEST", "test") for a, b in cycle],
        label="synthetic",
    )


def _enc(codes: list[str]) -> dict:
    return {"encounter_id": "cyc", "date_of_service": "2024-08-14", "place_of_service": "11",
            "lines": [{"code": c} for c in codes]}


def test_odd_cycle_names_the_cycle():
    engine = Engine(_cycle_data([("10001", "10002"), ("10002", "10003"), ("10003", "10001")]), strict=True)
    res = engine.solve(_enc(["10001", "10002", "10003"]))
    conflict = [a for a in res["alerts"] if a["kind"] == "rule_conflict"]
    assert len(conflict) == 1
    assert "10001, 10002, 10003" in conflict[0]["detail"]
    assert res["billable"], "the least-violating set is returned, not an empty answer"
    billed = {b["code"] for b in res["billable"]}
    excluded = {x["code"] for x in res["excluded"]}
    assert billed | excluded == {"10001", "10002", "10003"}


def test_even_cycle_has_a_stable_set_and_no_conflict():
    engine = Engine(_cycle_data([("10001", "10002"), ("10002", "10001")]), strict=True)
    res = engine.solve(_enc(["10001", "10002"]))
    assert not [a for a in res["alerts"] if a["kind"] == "rule_conflict"]
    assert [b["code"] for b in res["billable"]] == ["10001"]
    assert [(x["code"], x["reason"], x["by"]) for x in res["excluded"]] == [("10002", "ptp_bundled", "10001")]
