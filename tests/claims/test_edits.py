"""The edits report from a Result: lines matched by line id, or by code when the input gives none."""

from __future__ import annotations

import fluorologic
from fluorologic.claims.edits import edit_rows, edits_csv

KNEE = {"encounter_id": "k", "date_of_service": "2024-08-14", "place_of_service": "22",
        "lines": [{"code": "20610", "modifiers": ["LT"]}, {"code": "77002", "units": 2}, {"code": "76000"}]}


def test_lines_without_ids_are_matched_by_code_and_numbered_by_position():
    rows = edit_rows(KNEE, fluorologic.solve(KNEE))
    assert [(r["line_id"], r["code"], r["disposition"], r["new_units"], r["new_modifiers"], r["reason"])
            for r in rows] == [("1", "20610", "billed_as_is", "", [], ""),
                               ("2", "77002", "units_trimmed", 1, ["26"], "unit_limit"),
                               ("3", "76000", "excluded", "", [], "more_specific_guidance")]


def test_an_error_record_is_one_row():
    record = {"encounter_id": "x", "error": {"field": "lines", "message": "is required"}}
    rows = edit_rows({"encounter_id": "x"}, record)
    assert [(r["claim_id"], r["disposition"], r["reason"], r["sentence"]) for r in rows] == [
        ("x", "error", "lines", "is required")]
    assert edits_csv(rows).splitlines()[1] == "x,x,,,,,,error,,,,lines,,is required"


def test_one_replacement_stands_for_one_line():
    enc = {"encounter_id": "x", "date_of_service": "2024-08-14", "place_of_service": "22",
           "lines": [{"code": "62273", "line_id": "1"}, {"code": "77002", "line_id": "2"},
                     {"code": "77002", "line_id": "3"}]}
    rows = edit_rows(enc, fluorologic.solve(enc))
    assert [(r["line_id"], r["disposition"], r["new_code"]) for r in rows] == [
        ("1", "billed_as_is", ""), ("2", "replaced", "77003"), ("3", "excluded", "")]
