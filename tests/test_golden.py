"""Golden encounters: one per rule of the mission, with the exact expected lines, reasons and alerts.

Each ``tests/golden/*.json`` holds a description, the encounter and the expected outcome; the
expectations were checked by hand against the CMS rows they rest on (see the descriptions).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fluorologic.engine.encodings import rule_ids

GOLDEN = sorted((Path(__file__).parent / "golden").glob("*.json"))


@pytest.mark.parametrize("path", GOLDEN, ids=[p.stem for p in GOLDEN])
def test_golden(engine, path: Path) -> None:
    case = json.loads(path.read_text(encoding="utf-8"))
    res = engine.solve(case["encounter"])
    got = {
        "billable": [[b["code"], b["units"], b["modifiers"]] for b in res["billable"]],
        "excluded": [[x["code"], x["units"], x["reason"], x["by"], x["rule"]] for x in res["excluded"]],
        "added": [[a["code"], a["units"], a["modifiers"], a["reason"], a["replaces"]] for a in res["added"]],
        "alerts": [[a["kind"], a["code"]] for a in res["alerts"]],
    }
    assert got == case["expected"], case["description"]
    for entry in res["excluded"] + res["alerts"]:
        assert entry["rule"] in rule_ids()
        assert entry["detail"].endswith(".")


def test_golden_covers_every_reason() -> None:
    reasons = set()
    for path in GOLDEN:
        case = json.loads(path.read_text(encoding="utf-8"))
        reasons.update(x[2] for x in case["expected"]["excluded"])
        reasons.update(a[3] for a in case["expected"]["added"])
    expected = {"ptp_bundled", "guidance_included", "integral_to_surgery", "more_specific_guidance",
                "wrong_guidance_code", "unit_limit", "add_on_without_primary", "not_effective",
                "component_billed_by_facility", "imaging_inclusive_code", "bilateral_one_line"}
    assert expected <= reasons


def test_amounts_follow_the_fee_schedule(engine) -> None:
    """20610 + 77002 in an office on 2024-08-14: RVU24C non-facility totals x CF 33.2875."""
    res = engine.solve(json.loads((Path(__file__).parent / "golden" / "nonspinal_77002_knee_office.json")
                                  .read_text(encoding="utf-8"))["encounter"])
    amounts = {b["code"]: b["amount"] for b in res["billable"]}
    assert amounts == {"20610": round(1.96 * 33.2875, 2), "77002": round(3.48 * 33.2875, 2)}
    assert res["totals"] == {"billed": round(65.24 + 115.84, 2), "expected": round(65.24 + 115.84, 2),
                             "lines_without_fee": 0}


def test_facility_amount_uses_the_professional_component(engine) -> None:
    res = engine.solve(json.loads((Path(__file__).parent / "golden" / "facility_26_and_tc.json")
                                  .read_text(encoding="utf-8"))["encounter"])
    amounts = {(b["code"], tuple(b["modifiers"])): b["amount"] for b in res["billable"]}
    assert amounts[("77002", ("26",))] == round(0.79 * 33.2875, 2)


def test_bilateral_and_multiple_procedure_amounts(engine) -> None:
    """RVU24C non-facility: 64483 7.40 RVU x 33.2875 = 246.33, at 150% = 369.50 (§40.7); 20610 (1.96 RVU) at 100%,
    20605 (1.66) and 20600 (1.62) at 50% (§40.6), each rounded half up to the cent."""
    golden = Path(__file__).parent / "golden"
    res = engine.solve(json.loads((golden / "bilateral_64483_rt_lt.json").read_text(encoding="utf-8"))["encounter"])
    assert [(b["code"], b["modifiers"], b["amount"]) for b in res["billable"]] == [("64483", ["50"], 369.50)]
    assert res["totals"] == {"billed": 369.50, "expected": 369.50, "lines_without_fee": 0}
    res = engine.solve(json.loads((golden / "multiple_procedure_joints.json").read_text(encoding="utf-8"))["encounter"])
    assert {b["code"]: b["amount"] for b in res["billable"]} == {"20610": 65.24, "20605": 27.63, "20600": 26.97}
    assert [a["rule"] for b in res["billable"] for a in b["pricing"]["adjustments"]] == ["multiple_procedure"] * 2
