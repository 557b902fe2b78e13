"""Fluoroscopy time in its written forms, converted to seconds; dose recorded but never read as time."""

from __future__ import annotations

import pytest

from fluorologic.notes import scan_note


@pytest.mark.parametrize(("written", "seconds"), [
    ("Fluoroscopy time: 1.2 min.", 72),
    ("FLUOROSCOPY TIME:  1.2 minutes.", 72),
    ("Fluoroscopy time 0:45.", 45),
    ("Fluoro time: 1:35", 95),
    ("Fluoroscopy time was 1 minute 35 seconds.", 95),
    ("Total fluoroscopy time was 12 minutes and 43 seconds.", 763),
    ("Fluoroscopy time: 72 sec.", 72),
    ("Fluoroscopy time 18 seconds.", 18),
    ("Fluoroscopic time of 2.5 minutes.", 150),
    ("Fluoroscopy was used for 30 seconds.", 30),
    ("Fluoro time 0:00:50", 50),
    ("Fluoroscopy time: 1.5", 90),
])
def test_time_forms(written, seconds):
    f = scan_note("PROCEDURE: Lumbar facet injection under fluoroscopy. " + written)
    assert f.fluoroscopy_time_seconds == seconds, written
    assert f.fluoroscopy_used
    ev = [e for e in f.evidence if e.fact == "fluoroscopy_time_seconds"]
    assert len(ev) == 1 and ev[0].value == seconds


def test_time_written_as_1_35_alone_documents_use():
    f = scan_note("Fluoroscopy time 1:35. The needle was placed in the knee joint.")
    assert f.fluoroscopy_used and f.fluoroscopy_time_seconds == 95


def test_dose_is_recorded_not_confused_with_time():
    note = ("Under fluoroscopy the facet was injected. Fluoroscopy dose 3.4 mGy, DAP 120 cGy·cm2. "
            "Fluoroscopy time 0:40.")
    f = scan_note(note)
    assert f.fluoroscopy_time_seconds == 40
    assert [e.text for e in f.evidence if e.fact == "fluoroscopy_dose"] == ["3.4 mGy", "120 cGy·cm2"]


def test_dose_without_time_gives_no_time():
    f = scan_note("Under fluoroscopy the facet was injected. Fluoroscopy time: 3.4 mGy.")
    assert f.fluoroscopy_time_seconds is None


@pytest.mark.parametrize("note", [
    "Tourniquet time: 49 minutes. Final fluoroscopy showed anatomic reduction.",
    "A lesion was created at 80 degrees for 90 seconds under fluoroscopy.",
    "After a 30-minute recovery period under fluoroscopic observation the patient left.",
])
def test_other_times_are_not_fluoroscopy_time(note):
    assert scan_note(note).fluoroscopy_time_seconds is None


def test_zero_time_is_negation_and_zero_seconds():
    f = scan_note("PROCEDURES PERFORMED: Dual chamber generator replacement.\nFLUOROSCOPY TIME:  0 minutes.")
    assert f.fluoroscopy_time_seconds == 0
    assert f.fluoroscopy_negated and not f.fluoroscopy_used
