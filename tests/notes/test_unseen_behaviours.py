"""Issue 19: what a coder expects on notes the reader was not built on. Every note here is written for the test.

1. Films are not fluoroscopy; procedures in a history list are not this procedure.
2. Codes that include their own fluoroscopy are ``bundled``; an unknown procedure is ``bundled`` with low
   confidence, never a guessed separately billable code.
3. Fluoroscopy time in its written forms; a tourniquet, lesion, ablation or anaesthesia time never is.
4. Spinal or not from the imaged site, true or false with evidence whenever fluoroscopy is used.
And issue 14, point 8: an INDICATION section that runs on into the narrative does not hide it.
"""

from __future__ import annotations

import pytest

from fluorologic.notes import scan_note


def _ev(f, fact):
    return [e for e in f.evidence if e.fact == fact]


# -- 1. films and history lists ------------------------------------------------------------------------------

@pytest.mark.parametrize("note", [
    "PROCEDURE: Closed treatment of the ankle. AP and lateral views were obtained and showed the mortise intact.",
    "OPERATION: Removal of a plantar wart. Postoperative x-rays confirmed position of the great toe.",
    "PROCEDURE: The wrist was splinted. Three views of the wrist were taken after splinting.",
    "FINDINGS: Intraoperative radiographs in the AP and lateral planes showed the implant well seated.",
    "PROCEDURE: Position was checked with a portable AP and lateral series.",
])
def test_films_are_not_fluoroscopy(note):
    f = scan_note(note)
    assert not f.fluoroscopy_used, note
    assert f.recommended_fluoro_code == "none"


@pytest.mark.parametrize("note", [
    "PROCEDURE: The guide wire was advanced and its position checked on AP and lateral views.",
    "PROCEDURE: The needle was advanced under x-ray to the sacral hiatus.",
    "PROCEDURE: Under real-time x-ray imaging the trocar was advanced into the pedicle.",
    "PROCEDURE: The OEC 9900 unit was used to confirm the screw trajectory.",
])
def test_live_imaging_wording_counts(note):
    assert scan_note(note).fluoroscopy_used, note


def test_use_resting_on_a_view_phrase_only_is_low_confidence():
    f = scan_note("PROCEDURE: Right knee joint injection. The needle tip was seen on the AP and lateral views.")
    assert f.fluoroscopy_used and f.recommended_fluoro_code == "77002"
    assert f.confidence == "low"
    assert [e.value for e in _ev(f, "confidence")] == ["low"]


@pytest.mark.parametrize("note", [
    "PAST SURGICAL HISTORY: L4-5 fusion under fluoroscopy; right knee arthroscopy.\n"
    "PROCEDURE: Right shoulder joint injection under fluoroscopic guidance.",
    "PRIOR PROCEDURES: Vertebroplasty at T12 in 2019, kyphoplasty at L1.\n"
    "PROCEDURE: Right shoulder joint injection under fluoroscopic guidance.",
    "PROCEDURE: Right shoulder joint injection under fluoroscopic guidance. She had a vertebroplasty in 2019.",
])
def test_procedures_in_a_history_list_are_not_this_procedure(note):
    f = scan_note(note)
    assert f.recommended_fluoro_code == "77002", f.procedure_kinds
    assert "vertebroplasty" not in f.procedure_kinds and f.spinal is False


# -- 2. codes that include their own fluoroscopy ---------------------------------------------------------------

@pytest.mark.parametrize("note", [
    "PROCEDURE: Flexible bronchoscopy with transbronchial biopsy of the right lower lobe under fluoroscopy.",
    "PROCEDURE: Electromagnetic navigation bronchoscopy; fluoroscopy confirmed the forceps position.",
    "EXAM: Barium enema. Fluoroscopic spot images of the colon were taken.",
    "EXAM: Modified barium swallow with videofluoroscopy.",
    "PROCEDURE: Left heart catheterization and coronary angiography under fluoroscopy.",
    "PROCEDURE: Cystoscopy and left ureteral stent placement; the stent position was confirmed with fluoroscopy.",
    "PROCEDURE: Right frontal craniotomy. The C-arm was used to localize the lesion.",
    "PROCEDURE: Sacral nerve stimulator lead placement at S3 under fluoroscopic guidance.",
    "PROCEDURE: Closed treatment of a distal radius fracture with manipulation under mini C-arm.",
    "PROCEDURE: Closed reduction of a posterior hip dislocation; the C-arm confirmed a concentric reduction.",
    "PROCEDURE: The dislocated elbow was reduced under fluoroscopy and a long-arm splint was applied.",
])
def test_codes_that_include_their_fluoroscopy_are_bundled(note):
    f = scan_note(note)
    assert f.fluoroscopy_used
    assert (f.recommended_fluoro_code, f.confidence) == ("bundled", "high"), f.procedure_kinds
    decided = _ev(f, "recommended_fluoro_code")
    assert decided and note[decided[0].start:decided[0].end] == decided[0].text


@pytest.mark.parametrize("note", [
    "PROCEDURE: The patient was positioned supine and fluoroscopy was used throughout.",
    "The C-arm was brought in and images were saved.",
])
def test_unknown_procedure_is_bundled_with_low_confidence_and_evidence(note):
    f = scan_note(note)
    assert (f.recommended_fluoro_code, f.confidence) == ("bundled", "low")
    low = _ev(f, "confidence")
    assert low and low[0].value == "low" and note[low[0].start:low[0].end] == low[0].text


def test_a_known_needle_procedure_is_high_confidence():
    f = scan_note("PROCEDURE: Left hip joint injection. Under fluoroscopy the needle entered the joint.")
    assert (f.recommended_fluoro_code, f.confidence) == ("77002", "high")
    assert _ev(f, "confidence")[0].text == "hip joint injection"


def test_no_fluoroscopy_is_none_with_high_confidence():
    f = scan_note("PROCEDURE: Right knee injection by landmarks. Fluoroscopy was not used.")
    assert (f.recommended_fluoro_code, f.confidence) == ("none", "high")
    assert f.to_dict()["confidence"] == "high"


# -- 3. time ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("written", "seconds"), [
    ("The case used 1.4 minutes of fluoroscopy time.", 84),
    ("Fluoro time 0:45.", 45),
    ("Total fluoroscopy time was 2 min 10 sec.", 130),
    ("Total fluoroscopy time: 2 minutes, 10 seconds.", 130),
    ("Approximately 45 seconds of fluoroscopy were used.", 45),
    ("Fluoroscopy time = 0.8 min.", 48),
    ("FLUORO TIME: 00:52", 52),
])
def test_time_in_all_its_forms(written, seconds):
    f = scan_note("PROCEDURE: Left knee joint injection under fluoroscopy. " + written)
    assert f.fluoroscopy_time_seconds == seconds, written


@pytest.mark.parametrize("written", [
    "Tourniquet time was 42 minutes.",
    "Lesioning was carried out for 90 seconds at 80 degrees.",
    "Ablation time 2.5 minutes per lesion.",
    "Anesthesia time: 35 minutes.",
    "A lesion for 90 seconds of fluoroscopy-confirmed placement was made.",
])
def test_other_times_are_never_fluoroscopy_time(written):
    f = scan_note("PROCEDURE: Genicular nerve radiofrequency ablation under fluoroscopy. " + written)
    assert f.fluoroscopy_time_seconds is None, written


def test_tourniquet_time_beside_a_real_fluoroscopy_time():
    f = scan_note("PROCEDURE: ORIF of the left ankle. Tourniquet time 52 minutes. Fluoroscopy time 1.1 minutes.")
    assert f.fluoroscopy_time_seconds == 66


# -- 4. spinal from the imaged site -----------------------------------------------------------------------------

@pytest.mark.parametrize(("note", "spinal"), [
    ("PROCEDURE: Left subtalar arthrodesis. Screw position was confirmed with the C-arm.", False),
    ("PROCEDURE: Triple arthrodesis of the right foot under fluoroscopy.", False),
    ("PROCEDURE: Posterior lumbar arthrodesis L4-S1 with fluoroscopy.", True),
    ("PROCEDURE: Right pterional craniotomy for aneurysm clipping. A lumbar drain was placed; fluoroscopy "
     "was used to check the head position.", False),
    ("PROCEDURE: Right intercostal nerve blocks at T7 through T9 under fluoroscopic guidance.", False),
    ("PROCEDURE: Under fluoroscopy a needle was advanced toward the left elbow.", False),
])
def test_spinal_from_the_imaged_site(note, spinal):
    f = scan_note(note)
    assert f.fluoroscopy_used
    assert f.spinal is spinal, f.procedure_kinds
    ev = _ev(f, "spinal")
    assert ev and ev[0].value is spinal and note[ev[0].start:ev[0].end] == ev[0].text


def test_spinal_is_never_null_when_fluoroscopy_is_used():
    note = "PROCEDURE: Fluoroscopy was used throughout."
    f = scan_note(note)
    assert f.fluoroscopy_used and f.spinal is False
    assert _ev(f, "spinal")[0].text == "Fluoroscopy"


# -- issue 14, point 8 ---------------------------------------------------------------------------------------------

def test_indication_section_running_on_into_the_narrative_is_read():
    note = ("PROCEDURE INDICATION: Left L5 radiculopathy. The patient was placed in the prone position and the "
            "back was prepped and draped. Under fluoroscopy the L5-S1 foramen was identified and a left L5 "
            "transforaminal epidural steroid injection was performed. Fluoroscopy time: 0:38.")
    f = scan_note(note)
    assert f.fluoroscopy_used and f.recommended_fluoro_code == "bundled"
    assert f.procedure_kinds == ("transforaminal",) and "L5-S1" in f.levels and f.spinal is True
    assert f.fluoroscopy_time_seconds == 38


def test_indication_alone_stays_history():
    note = ("INDICATION: Lumbar pain after a transforaminal injection under fluoroscopy last year.\n"
            "PROCEDURE: Right knee aspiration by landmarks.")
    f = scan_note(note)
    assert not f.fluoroscopy_used and "transforaminal" not in f.procedure_kinds


def test_a_second_procedure_at_a_separate_site_is_distinct_with_evidence():
    note = ("PROCEDURE: Left knee joint injection under fluoroscopy. At a separate site, the right shoulder "
            "joint was injected.")
    f = scan_note(note)
    ev = _ev(f, "distinct")
    assert f.distinct and ev and note[ev[0].start:ev[0].end] == ev[0].text


def test_no_separate_site_is_not_distinct():
    f = scan_note("PROCEDURE: Left knee joint injection under fluoroscopy. No separate incision was needed.")
    assert not f.distinct


def test_an_anesthesia_heading_is_not_the_imaged_site():
    note = ("ANESTHESIA: Spinal.\nPROCEDURE: Open reduction and internal fixation of the right ankle. The C-arm "
            "confirmed the reduction.")
    f = scan_note(note)
    assert f.spinal is False and f.recommended_fluoro_code == "bundled"


def test_a_diagnostic_fluoroscopy_exam_is_76000():
    f = scan_note("EXAM: Chest fluoroscopy to assess diaphragm motion. Fluoroscopy time: 0.5 minutes.")
    assert (f.recommended_fluoro_code, f.confidence) == ("76000", "high")
