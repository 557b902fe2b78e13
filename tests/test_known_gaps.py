"""Regression tests for gaps the properties found in the core (both fixed in the encodings)."""

from decimal import Decimal

from fluorologic import testing as ft
from fluorologic.engine.solver import Engine
from fluorologic.rules.ruledata import OPEN_END, AocRow, CodeRow, FeeRow, MueRow, PtpRow, RuleData


def test_an_add_on_is_not_billable_when_its_primary_has_no_units_left():
    codes = [CodeRow("10001", "procedure", "nonspinal", "primary", None, None, "t"),
             CodeRow("10002", "procedure", "nonspinal", "add-on", None, None, "t")]
    fees = [FeeRow(c, "", "A", Decimal(10), Decimal(10), 0, "000", Decimal(1), "S", 0, OPEN_END, "t")
            for c in ("10001", "10002")]
    data = RuleData(codes=codes, attrs=[], ptp=[], mue=[MueRow("10001", 0, 2, "", "", 0, "S", "t")],
                    aoc=[AocRow("10001", "10002", 1, "S", "t")], inclusive=[], fees=fees)
    raw = {"encounter_id": "m0", "date_of_service": "2024-08-01", "place_of_service": "11",
           "lines": [{"code": "10001"}, {"code": "10001"}, {"code": "10002"}]}
    ft.assert_addon_has_primary(Engine(data).solve(raw), data)


def test_a_line_dropped_by_a_self_defeating_add_on_has_a_reason():
    # found by HYPOTHESIS_PROFILE=thorough on synthetic rule bases (minimal case, shrunk by hypothesis)
    codes = [CodeRow(c, "procedure", "spinal", "p", None, None, "t") for c in ("10001", "10002")]
    ptp = [PtpRow("10002", "10001", None, OPEN_END, 0, "r", "S", "t")]  # the add-on bundles its primary, ind 0
    fees = [FeeRow(c, "", "A", Decimal(1), Decimal(1), 0, "000", Decimal(1), "S", 0, OPEN_END, "t")
            for c in ("10001", "10002")]
    data = RuleData(codes=codes, attrs=[], ptp=ptp, mue=[], aoc=[AocRow("10001", "10002", 1, "S", "t")],
                    inclusive=[], fees=fees)
    raw = {"encounter_id": "sd", "date_of_service": "2019-06-01", "place_of_service": "11",
           "lines": [{"code": "10001"}, {"code": "10001"}, {"code": "10002"}]}
    res = Engine(data).solve(raw)
    assert ft.has_conflict(res)  # no stable set: billing 10002 removes its own primary
    ft.assert_units_partition(raw, res)
    assert [(x["code"], x["reason"]) for x in res["excluded"]] == [("10002", "add_on_without_primary")]
    conflict = next(a for a in res["alerts"] if a["kind"] == "rule_conflict")
    assert "among 10001, 10002" in conflict["detail"]
