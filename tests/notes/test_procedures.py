"""Procedure kinds and the recommended fluoroscopy code, derived as the engine's rules derive it."""

from __future__ import annotations

import pytest

from fluorologic.notes import scan_note
from fluorologic.notes.procedures import KINDS, ProcedureTable


@pytest.mark.parametrize(("note", "kinds", "code"), [
    ("PROCEDURE: Left L5 transforaminal epidural steroid injection under fluoroscopic guidance.",
     ("transforaminal",), "bundled"),
    ("PROCEDURE: Bilateral L4-5 facet joint injections under fluoroscopy.", ("facet",), "bundled"),
    ("PROCEDURE: Right L3-L5 medial branch blocks with C-arm guidance.", ("medial_branch",), "bundled"),
    ("PROCEDURE: Right sacroiliac joint injection under fluoroscopy.", ("sacroiliac",), "bundled"),
    ("PROCEDURE: T11 vertebroplasty. Under AP and lateral fluoroscopy the trocar was advanced.",
     ("vertebroplasty",), "bundled"),
    ("PROCEDURE: Balloon kyphoplasty at L1 under fluoroscopic guidance.", ("kyphoplasty",), "bundled"),
    ("PROCEDURE: L5-S1 interlaminar epidural steroid injection under fluoroscopic guidance.",
     ("epidural",), "bundled"),
    ("PROCEDURE: Epidural blood patch at L3-4. The Tuohy needle was placed under fluoroscopy.",
     ("epidural",), "77003"),
    ("PROCEDURE: Left stellate ganglion block under fluoroscopic control.", ("other",), "77003"),
    ("PROCEDURE: Right knee joint injection. The needle was placed under fluoroscopy.",
     ("joint_injection",), "77002"),
    ("PROCEDURE: Left hip aspiration under fluoroscopy.", ("aspiration",), "77002"),
    ("PROCEDURE: Right shoulder arthrogram; contrast injected under fluoroscopy.", ("arthrography",), "77002"),
    ("PROCEDURE: Intramedullary nail fixation of the left tibia; guidewire confirmed on fluoroscopy.",
     ("im_nailing",), "bundled"),
    ("PROCEDURE: Open reduction and internal fixation of the left lateral malleolus. Final fluoroscopy "
     "showed anatomic reduction.", ("orif",), "bundled"),
    ("PROCEDURE: Closed reduction percutaneous pinning of the distal humerus, checked on C-arm.",
     ("closed_reduction",), "bundled"),
    ("PROCEDURE: External fixation of the pilon fracture under intraoperative fluoroscopy.",
     ("external_fixation",), "bundled"),
    ("PROCEDURE: Posterior fusion with pedicle screws placed under image intensification.",
     ("other", "pedicle_screw"), "bundled"),
    ("EXAM: Magnified airway. TECHNIQUE: Multiple fluoroscopic spot images of the airway were performed.",
     ("other",), "76000"),
    ("PROCEDURE: Excision of foreign body, right foot. Needles were placed under fluoroscopy to locate it.",
     ("other",), "76000"),
    ("PROCEDURE: Right knee joint injection by landmarks.", ("joint_injection",), "none"),
])
def test_kind_and_code(note, kinds, code):
    f = scan_note(note)
    assert f.procedure_kinds == kinds, note
    assert f.recommended_fluoro_code == code, note
    assert set(f.procedure_kinds) <= set(KINDS)


def test_two_procedures_in_one_note_bundled_wins():
    note = ("PROCEDURES: 1. Right L4-5 interlaminar epidural steroid injection. 2. Right sacroiliac joint "
            "injection. Both were done under fluoroscopic guidance.")
    f = scan_note(note)
    assert f.procedure_kinds == ("epidural", "sacroiliac")
    assert f.recommended_fluoro_code == "bundled"
    deciding = next(e for e in f.evidence if e.fact == "recommended_fluoro_code")
    assert deciding.value == "bundled"


def test_two_procedures_spinal_needle_wins_over_joint():
    note = ("PROCEDURES: Epidural blood patch and right knee joint injection, both under fluoroscopy.")
    f = scan_note(note)
    assert f.procedure_kinds == ("epidural", "joint_injection")
    assert f.recommended_fluoro_code == "77003"
    assert f.spinal is True


def test_procedure_mentioned_only_in_history_or_plan_is_not_a_kind():
    note = ("INDICATIONS: She has had interlaminar and caudal epidurals in the past.\n"
            "PROCEDURE: Left L5 transforaminal epidural steroid injection under fluoroscopy.\n"
            "PLAN: Consider a medial branch block.")
    assert scan_note(note).procedure_kinds == ("transforaminal",)


def test_negated_procedure_is_not_a_kind():
    note = "PROCEDURE: Closed reduction of the toe. As the reduction was stable, no pinning was performed."
    f = scan_note(note)
    assert f.procedure_kinds == ("closed_reduction",)


@pytest.mark.parametrize(("note", "spinal"), [
    ("Under fluoroscopy a needle was placed at the L4-5 level and contrast injected.", True),
    ("Under fluoroscopy a needle was placed at the left elbow and contrast injected.", False),
])
def test_needle_without_known_procedure_is_bundled_with_low_confidence(note, spinal):
    # issue 19: the reader cannot tell the procedure, so it never guesses a separately billable code
    f = scan_note(note)
    assert (f.recommended_fluoro_code, f.confidence, f.spinal) == ("bundled", "low", spinal)
    assert [e.value for e in f.evidence if e.fact == "confidence"] == ["low"]


def test_every_row_maps_to_a_known_recommendation():
    table = ProcedureTable.embedded()
    codes = {table.rules[r.rule][0] for r in table.rows}
    assert codes <= {"bundled", "77003", "77002", "76000", "by_target"}
    assert {r.kind for r in table.rows} <= set(KINDS)


def _sentences():
    from pathlib import Path

    from fluorologic.notes.sections import split_sentences

    corpus = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "mtsamples"
    texts = [p.read_text(encoding="utf-8") for p in sorted(corpus.glob("mts-*.txt"))]
    texts.append("Right knee joint injection; hip aspiration; intramedullary nailing; ex-fix; SNRB; RFA; CRPP; "
                 "fixator; Tun-L; celiac plexus; coeliac plexus; discogram; myelography; foreign body; L5S1.")
    return [s.text for t in texts for s in split_sentences(t)]


def test_anchor_prefilter_never_loses_a_match():
    from dataclasses import replace

    table = ProcedureTable.embedded()
    unfiltered = ProcedureTable([replace(r, anchors=()) for r in table.rows], table.rules)
    for sentence in _sentences():
        fast = [(h.procedure, h.start, h.end) for h in table.find(sentence)]
        slow = [(h.procedure, h.start, h.end) for h in unfiltered.find(sentence)]
        assert fast == slow, sentence


def test_mention_prefilter_never_loses_a_match():
    from fluorologic.notes.vocabulary import _KEYS, STRONG, VIEW

    for sentence in _sentences():
        if STRONG.search(sentence) or VIEW.search(sentence):
            assert any(k in sentence.lower() for k in _KEYS), sentence


@pytest.mark.parametrize(("note", "code"), [
    ("PROCEDURE: Left genicular nerve radiofrequency ablation under fluoroscopy.", "bundled"),
    ("PROCEDURE: Spinal cord stimulator trial lead placement under fluoroscopic guidance.", "bundled"),
    ("PROCEDURE: Right genicular nerve block under fluoroscopy.", "77002"),
    ("PROCEDURE: Open treatment of bimalleolar ankle fracture. C-arm images confirmed reduction.", "bundled"),
    ("PROCEDURE: Right piriformis injection. Under fluoroscopy a needle was placed and contrast injected.",
     "77002"),
])
def test_more_procedures(note, code):
    assert scan_note(note).recommended_fluoro_code == code
