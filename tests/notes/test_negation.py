"""Negation, non-use, plans and history: fluoroscopy mentioned but not used in this procedure."""

from __future__ import annotations

import pytest

from fluorologic.notes import scan_note


@pytest.mark.parametrize("note", [
    "PROCEDURE: Lumbar epidural steroid injection without fluoroscopy.",
    "The injection was performed without fluoroscopic guidance.",
    "No fluoroscopy was used.",
    "Fluoroscopy was not utilized for this procedure.",
    "Fluoroscopy was not used.",
    "The C-arm was not needed.",
    "FLUOROSCOPY TIME: 0 minutes.",
    "Fluoroscopy time: 0",
    "FLUOROSCOPY: None.",
    "The procedure was done without the use of the C-arm.",
    "A non-fluoroscopic, landmark-guided injection was performed.",
])
def test_non_use_is_negated(note):
    f = scan_note(note)
    assert not f.fluoroscopy_used, note
    assert f.fluoroscopy_negated, note
    assert f.recommended_fluoro_code == "none"


@pytest.mark.parametrize("note", [
    "Dr. X will schedule a fluoroscopically guided injection.",
    "We plan a C-arm guided facet injection next week.",
    "RECOMMENDATIONS: Injection of the right sacroiliac joint under fluoroscopy.",
    "A fluoroscopically guided epidural is planned.",
    "If symptoms persist, she would be a candidate for a fluoroscopic injection.",
])
def test_plans_are_neither_use_nor_negation(note):
    f = scan_note(note)
    assert not f.fluoroscopy_used and not f.fluoroscopy_negated, note
    assert [e.fact for e in f.evidence if e.fact.startswith("fluoroscopy_")] == ["fluoroscopy_planned"]


@pytest.mark.parametrize("note", [
    "Prior fluoroscopy showed a healed fracture.",
    "HISTORY: She had fluoroscopically guided facet injections in 2004.",
    "The screw was not noted intraoperatively on previous fluoroscopic views.",
    "She had a C-arm guided epidural two years ago.",
])
def test_history_is_neither_use_nor_negation(note):
    f = scan_note(note)
    assert not f.fluoroscopy_used and not f.fluoroscopy_negated, note


def test_negation_far_from_the_term():
    note = ("Fluoroscopy, which is usually available in this suite and was discussed with the patient at length "
            "before the procedure, was ultimately not used.")
    f = scan_note(note)
    assert f.fluoroscopy_negated and not f.fluoroscopy_used
    negated = [e for e in f.evidence if e.fact == "fluoroscopy_negated"]
    assert negated[0].text.startswith("Fluoroscopy") and negated[0].text.endswith("not used")


def test_negated_finding_next_to_used_fluoroscopy():
    note = ("No complications occurred. No blood or CSF was obtained. Under fluoroscopy the needle was confirmed "
            "in the epidural space without difficulty.")
    f = scan_note(note)
    assert f.fluoroscopy_used and not f.fluoroscopy_negated


def test_negation_of_one_step_does_not_undo_use_in_another():
    note = ("The first attempt was made without fluoroscopy; the C-arm was then brought in and the needle was "
            "placed under fluoroscopic guidance.")
    f = scan_note(note)
    assert f.fluoroscopy_used and not f.fluoroscopy_negated
    facts = [e.fact for e in f.evidence if e.fact.startswith("fluoroscopy_")]
    assert "fluoroscopy_negated" in facts and "fluoroscopy_used" in facts


def test_negated_contrast_does_not_negate_fluoroscopy():
    note = "No contrast was used and fluoroscopy confirmed the needle position."
    assert scan_note(note).fluoroscopy_used


def test_billing_codes_section_is_not_evidence():
    note = "CPT CODES: 77003 Fluoroscopic guidance for spine injection.\nPROCEDURE: Trigger point injection."
    f = scan_note(note)
    assert not f.fluoroscopy_used and not f.fluoroscopy_negated


@pytest.mark.parametrize("note", [
    "Fluoroscopy wasn't used.",
    "We didn't use fluoroscopy.",
    "Fluoroscopic guidance was declined by the patient.",
    "Fluoroscopy was avoided because the patient is pregnant.",
    "The injection was performed without the need for fluoroscopy.",
    "The procedure was performed in the fluoroscopy suite, but fluoroscopy was not used.",
])
def test_more_non_use(note):
    f = scan_note(note)
    assert f.fluoroscopy_negated and not f.fluoroscopy_used, note


def test_the_fluoroscopy_table_alone_is_not_use():
    f = scan_note("The patient was placed prone on the fluoroscopy table and the block was done by landmarks.")
    assert not f.fluoroscopy_used and not f.fluoroscopy_negated


def test_it_should_be_noted_is_not_a_plan():
    f = scan_note("It should be noted that the reaming was done fluoroscopically.")
    assert f.fluoroscopy_used


def test_title_case_plan_heading_is_a_plan():
    note = "Procedure: Right knee injection by landmarks.\nPlan: Fluoroscopically guided L5-S1 epidural."
    f = scan_note(note)
    assert not f.fluoroscopy_used
    assert [e.fact for e in f.evidence if e.fact.startswith("fluoroscopy_")] == ["fluoroscopy_planned"]


@pytest.mark.parametrize("note", [
    "The fluoroscopy unit was brought in but not used.",
    "Fluoroscopy was available but was not required.",
    "C-arm used: no.",
    "Fluoroscopy: N/A.",
    "Fluoroscopy time: N/A.",
    "The C-arm was draped but never used; the injection was done by palpation.",
])
def test_brought_in_but_not_used(note):
    f = scan_note(note)
    assert f.fluoroscopy_negated and not f.fluoroscopy_used, note
