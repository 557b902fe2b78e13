"""The explanation page speaks the claim's language: its ids, payer, NPI, diagnoses, charges and control numbers,
sites as written, unknown fees as "fee unknown", whole sentences; and an unknown code that another rule excludes
is not said to be "passed through as billable"."""

from __future__ import annotations

import re
from pathlib import Path

import fluorologic
from fluorologic.claims.formats import read_claims
from fluorologic.explanation.explain import explain
from fluorologic.explanation.report_html import report_context, to_html

X12 = Path(__file__).resolve().parents[2] / "examples" / "claims" / "fluoro_claims.837"


def test_the_claim_and_its_lines_as_on_the_837():
    raw = read_claims(X12.read_text(encoding="utf-8"), "x12")[0]
    x = report_context(explain(raw), svg_engine="python")
    assert (x["claim"]["claim_id"], x["claim"]["payer"], x["claim"]["rendering_npi"]) == (
        "TFESI-24081401", "06102", "1234567893")
    assert x["claim"]["diagnoses"] == ["M5416", "M5126"] and x["claim"]["charge"] == 1650.0  # CLM02
    assert [(ln["number"], ln["line_id"], ln["code"], ln["charge"], ln["diagnoses"]) for ln in x["lines"]] == [
        (1, "1", "64483", 1450.0, ["M5416", "M5126"]), (2, "2", "77003", 200.0, ["M5416"])]
    page = to_html(explain(raw), svg_engine="python")
    assert "$1,650.00" in page and "MEDICARE PART B" in page


def test_charges_from_claim_charges_and_sites_as_written():
    raw = {"encounter_id": "s", "date_of_service": "2024-08-14", "place_of_service": "11",
           "lines": [{"code": "77003", "line_id": "a"}, {"code": "64483", "site": "L5-S1", "line_id": "b"}],
           "claim": {"claim_id": "C9", "charges": {"a": 200, "b": 1450.5}}}
    x = report_context(explain(raw), svg_engine="python")
    assert [(ln["number"], ln["code"], ln["site"], ln["charge"]) for ln in x["lines"]] == [
        (1, "77003", None, 200.0), (2, "64483", "L5-S1", 1450.5)]
    assert x["claim"]["charge"] == 1650.5
    assert [(e["code"], e["lines"]) for e in x["excluded"]] == [("77003", [1])]
    assert "L5-S1" in to_html(explain(raw), svg_engine="python")


def test_an_unknown_fee_is_never_zero_dollars():
    raw = {"encounter_id": "old", "date_of_service": "2009-11-03", "place_of_service": "11",
           "lines": [{"code": "27093", "site": "left hip"}, {"code": "77002"}]}
    res = fluorologic.solve(raw)
    assert res["billable"][0]["amount"] is None
    page = to_html(explain(raw), svg_engine="python")
    row = re.search(r'<tr data-code="27093">.*?</tr>', page, re.S).group(0)
    assert "fee unknown" in row and "$0.00" not in row


def test_fact_labels_are_whole_sentences_on_the_page():
    raw = {"encounter_id": "aoc", "date_of_service": "2024-08-14", "place_of_service": "11",
           "lines": [{"code": "77003"}]}
    page = to_html(explain(raw), svg_engine="python")
    assert "by 77003 is an add-on: no billed eligible primary" in page


def test_unknown_code_excluded_is_not_passed_through_as_billable():
    # 93000 (an ECG) is in no table of fluorologic's but is the column-2 code of 64483 (PTP indicator 1); 99214,
    # the example before, is a known E/M code since the E/M rules (issue 23): em_modifier_25, not not_in_rule_base
    raw = {"encounter_id": "em", "date_of_service": "2024-08-14", "place_of_service": "11",
           "lines": [{"code": "64483", "site": "L5-S1"}, {"code": "93000"}]}
    res = fluorologic.solve(raw)
    assert [(e["code"], e["reason"]) for e in res["excluded"]] == [("93000", "ptp_bundled")]
    alert = next(a for a in res["alerts"] if a["kind"] == "not_in_rule_base")
    assert alert["code"] == "93000" and "passed through as billable" not in alert["detail"]
    assert "not checked" in alert["detail"]
    em = fluorologic.solve({**raw, "lines": [raw["lines"][0], {"code": "99214"}]})
    assert [a["kind"] for a in em["alerts"]] == ["em_modifier_25"]
    billed = fluorologic.solve({**raw, "lines": [{"code": "93000"}]})
    alert = next(a for a in billed["alerts"] if a["kind"] == "not_in_rule_base")
    assert "passed through as billable" in alert["detail"]
