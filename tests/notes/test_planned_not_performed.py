"""Planned is not performed (issue 26, point 2), however the note words it: fluoroscopy only planned, the needle
placed by landmarks or palpation, contradicts a billed guidance line; imaging used to find landmarks does not."""

from __future__ import annotations

import pytest

from fluorologic.engine.solver import Engine
from fluorologic.notes import scan_note

PLANNED = [
    "Fluoroscopy was planned, but the left knee injection was performed using anatomic landmarks.",
    "Left knee injection under fluoroscopy was planned. Injection performed by landmarks.",
    "We planned to use fluoroscopy for the left knee injection; however, the injection was performed by palpation "
    "of anatomic landmarks.",
    "Plan: left knee injection under fluoroscopic guidance. The C-arm was not available, so the left knee "
    "intra-articular injection was performed using anatomic landmarks. 40 mg triamcinolone injected.",
]


@pytest.mark.parametrize("note", PLANNED)
def test_planned_fluoroscopy_with_a_landmark_technique_is_not_performed(note):
    found = scan_note(note)
    assert not found.fluoroscopy_used and found.fluoroscopy_not_performed
    res = Engine().solve({"encounter_id": "p", "date_of_service": "2024-08-01", "place_of_service": "11",
                          "lines": [{"code": "20610", "site": "left knee"}, {"code": "77002", "site": "left knee"}],
                          "note": note})
    assert [b["code"] for b in res["billable"]] == ["20610"]
    assert [(e["code"], e["reason"], e["rule"]) for e in res["excluded"]] == [
        ("77002", "not_documented", "note.not_performed")]


def test_landmarks_found_under_fluoroscopy_are_guidance():
    found = scan_note("Under fluoroscopic guidance the bony landmarks were identified and the needle advanced into "
                      "the left L5-S1 foramen.")
    assert found.fluoroscopy_used and not found.fluoroscopy_not_performed
