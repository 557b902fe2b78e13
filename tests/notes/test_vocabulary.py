"""Fluoroscopy vocabulary: every way a note says the modality or its machine, and the look-alikes."""

from __future__ import annotations

import pytest

from fluorologic.notes import scan_note


@pytest.mark.parametrize("sentence", [
    "The needle was advanced under fluoroscopy.",
    "Fluoroscopic guidance was used throughout.",
    "Position was checked with fluoro.",
    "The C-arm was brought into the field.",
    "The C arm was rotated obliquely.",
    "A mini C-arm confirmed the reduction.",
    "The mini-C-arm was draped.",
    "Biplanar image intensification was utilized.",
    "The image intensifier confirmed the position of the pin.",
    "Screws were placed under direct intensification.",
    "The fracture was reduced under image control.",
    "The Xi-scan was brought into the operating room.",
    "Final views on the FluoroScan showed anatomic reduction.",
    "Spot films were obtained after contrast injection.",
    "The guide pin position was verified on AP and lateral images.",
    "The cannula position was confirmed in AP and lateral views.",
    "Multiple fluoroscopic spot images of the airway were performed.",
    "The needle was placed under live fluoroscopy.",
    "The needle was directed under intermittent fluoroscopic guidance.",
    "Fluroscopy was used to place the needle.",
])
def test_vocabulary_documents_use(sentence):
    f = scan_note("PROCEDURE: " + sentence)
    assert f.fluoroscopy_used, sentence
    assert any(e.fact == "fluoroscopy_used" for e in f.evidence)


@pytest.mark.parametrize("sentence", [
    "We are going to add a fluoroquinolone to protect the skin.",
    "Chemotherapy with docetaxel, cisplatin and 5-fluorouracil is planned.",
    "A fluorescein angiogram was normal.",
    "Sodium fluoride was continued.",
    "AP and lateral x-rays of both knees were obtained in clinic.",
    "A cross-table x-ray confirmed the level.",
    "An intraoperative x-ray confirmed good alignment.",
    "The needle was placed using loss of resistance technique.",
])
def test_look_alikes_and_plain_films_are_not_fluoroscopy(sentence):
    f = scan_note("PROCEDURE: " + sentence)
    assert not f.fluoroscopy_used, sentence
    assert f.recommended_fluoro_code == "none"


def test_view_phrase_in_history_section_is_not_use():
    note = ("INDICATIONS: The fracture had lost alignment on the lateral view.\n"
            "PROCEDURE: Closed reduction and casting were performed by palpation.")
    assert not scan_note(note).fluoroscopy_used


def test_evidence_offsets_point_into_the_note():
    note = "PROCEDURE:  Left knee injection.  The C-arm confirmed the needle tip in the joint."
    f = scan_note(note)
    for e in f.evidence:
        assert note[e.start:e.end] == e.text
    assert [e.text for e in f.evidence if e.fact == "fluoroscopy_used"] == ["C-arm"]


@pytest.mark.parametrize("sentence", [
    "Using x-ray guidance, the needle was placed into the L4-5 facet joint.",
    "Under radiographic control the pin was advanced.",
    "The needle was advanced under x-ray.",
])
def test_real_time_x_ray_wording_is_fluoroscopy(sentence):
    assert scan_note("PROCEDURE: " + sentence).fluoroscopy_used


def test_imaging_guidance_without_a_modality():
    assert not scan_note("The knee was injected under image guidance.").fluoroscopy_used
    f = scan_note("Interlaminar epidural steroid injection without imaging guidance.")
    assert f.fluoroscopy_negated and not f.fluoroscopy_used
