"""Indication, body area, spinal levels, laterality and the spinal / non-spinal target."""

from __future__ import annotations

import pytest

from fluorologic.notes import scan_note


@pytest.mark.parametrize(("written", "level"), [
    ("L4-5", "L4-L5"), ("L4-L5", "L4-L5"), ("L5/S1", "L5-S1"), ("C6-7", "C6-C7"), ("L5-S1", "L5-S1"),
    ("L45", "L4-L5"), ("L5S1", "L5-S1"), ("T8", "T8"), ("C7-T1", "C7-T1"), ("T12-L1", "T12-L1"),
])
def test_levels_are_normalised(written, level):
    f = scan_note(f"PROCEDURE: Interlaminar epidural steroid injection at {written} under fluoroscopy.")
    assert f.levels == (level,)
    ev = [e for e in f.evidence if e.fact == "levels"]
    assert ev[0].text == written and ev[0].value == level


def test_levels_only_for_spinal_targets():
    f = scan_note("PROCEDURE: Closed reduction of left great toe, T1 fracture, under mini C-arm.")
    assert f.spinal is False and f.levels == ()


@pytest.mark.parametrize(("title", "side"), [
    ("Left L5 transforaminal epidural steroid injection", "left"),
    ("Right knee injection", "right"),
    ("Bilateral sacroiliac joint injections", "bilateral"),
    ("Left L4-5 and right L5-S1 facet injections", "bilateral"),
])
def test_laterality(title, side):
    f = scan_note(f"PROCEDURE: {title}.\nDESCRIPTION: The needle was placed under fluoroscopy.")
    assert f.laterality == side
    assert any(e.fact == "laterality" for e in f.evidence)


@pytest.mark.parametrize(("note", "spinal"), [
    ("PROCEDURE: Right L5-S1 interlaminar epidural steroid injection.", True),
    ("PROCEDURE: Cervical medial branch blocks.", True),
    ("PROCEDURE: Stellate ganglion block.", True),
    ("PROCEDURE: Right knee joint aspiration.", False),
    ("PROCEDURE: Trochanteric bursa injection. A 22 gauge spinal needle entered over the mid-trochanter.", False),
    ("PROCEDURE: Open reduction and internal fixation of left distal radius.", False),
    ("PROCEDURE: Open reduction and internal fixation of comminuted C2 fracture.", True),
    ("CHIEF COMPLAINT: Dog bite to the right lower leg.", None),
])
def test_spinal_target(note, spinal):
    assert scan_note(note).spinal is spinal


def test_indication_and_body_area_are_spans_of_the_note():
    note = ("PROCEDURE: Caudal epidural steroid injection.\n"
            "DETAILS: The sacral hiatus was identified by lateral fluoroscopy. Correct needle placement was "
            "confirmed by both AP and lateral fluoroscopy.")
    f = scan_note(note)
    assert f.body_area == "sacral hiatus"
    assert f.indication == "Correct needle placement was confirmed by both AP and lateral fluoroscopy"
    for fact, value in (("indication", f.indication), ("body_area", f.body_area)):
        e = next(e for e in f.evidence if e.fact == fact)
        assert note[e.start:e.end] == value


def test_indication_to_confirm_reduction():
    f = scan_note("The fracture was reduced and the mini C-arm was used to confirm reduction of the distal radius.")
    assert f.indication == "to confirm reduction of the distal radius"
    assert f.body_area == "distal radius"


def test_no_indication_or_body_area_without_fluoroscopy():
    f = scan_note("PROCEDURE: Right knee aspiration by landmarks, to confirm the absence of infection.")
    assert f.indication is None and f.body_area is None
