"""Any text is read without error; every evidence span is a true slice of the note; output is deterministic."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fluorologic.notes import scan_note

WORDS = ["fluoroscopy", "C-arm", "without", "no", "not used", "will", "prior", "PROCEDURE:", "PLAN:", "HISTORY:",
         "L4-5", "knee", "injection", "epidural", "time:", "1:35", "0", "mGy", "left", "\n", ".", ";", "but",
         "facet", "transforaminal", "ORIF", "AP and lateral views", "fluoroquinolone", "x-ray"]


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=12)), max_size=40))
def test_any_text_reads_and_spans_are_slices(parts):
    note = " ".join(parts)
    f = scan_note(note)
    assert f.recommended_fluoro_code in {"77003", "77002", "76000", "bundled", "none"}
    assert not (f.fluoroscopy_used and f.fluoroscopy_negated)
    assert (f.recommended_fluoro_code == "none") == (not f.fluoroscopy_used)
    for e in f.evidence:
        assert note[e.start:e.end] == e.text
    assert scan_note(note) == f
