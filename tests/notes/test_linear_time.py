"""The reader runs in time linear in the note: a hostile 200,000-character note is read in well under a second.

Issue 13, D5: the old dose pattern tried a run of digits once per digit (8,000 characters of "9" took 12 s),
and several steps repeated per mention over the whole sentence. The bound here is generous (a loaded CI
machine); ``bench/bench_notes.py --adversarial`` reports the real figures.
"""

from __future__ import annotations

import time

import pytest

from fluorologic.notes import scan_note
from fluorologic.notes.findings import MAX_NOTE_CHARS

UNITS = ["9", "9 ", "C-arm ", "fluoroscopy time ", "fluoroscopy time 9", "no C-arm ", "L4-5 ", ": ", " ", "\n",
         "1.2 ", "a ", "epidural injection ", "fluoroscopy time: : : ", "Gy" + " " * 50]


def hostile(unit: str, size: int = MAX_NOTE_CHARS) -> str:
    """``unit`` repeated up to exactly ``size`` characters."""
    return (unit * (size // len(unit) + 1))[:size]


@pytest.mark.parametrize("unit", UNITS)
def test_hostile_note_is_read_fast(unit):
    scan_note("Under C-arm guidance the L4-5 facet was injected.")  # the tables load outside the timing
    note = hostile(unit)
    t0 = time.perf_counter()
    f = scan_note(note)
    elapsed = time.perf_counter() - t0
    assert elapsed < 3.0, f"{unit!r} x {len(note)} characters took {elapsed:.2f} s"
    for e in f.evidence:
        assert note[e.start:e.end] == e.text


@pytest.mark.parametrize("unit", ["9", "C-arm ", "fluoroscopy time "])
def test_time_grows_linearly(unit):
    scan_note("warm up")

    def best(size: int) -> float:
        runs = []
        for _ in range(3):
            t0 = time.perf_counter()
            scan_note(hostile(unit, size))
            runs.append(time.perf_counter() - t0)
        return min(runs)

    small, large = best(20_000), best(160_000)
    assert large < 8 * small * 3 + 0.05, f"{unit!r}: {small:.3f} s for 20k, {large:.3f} s for 160k"


def test_long_run_on_text_is_cut_but_still_read():
    note = "Under fluoroscopy the needle was placed " + "and advanced " * 200 + "into the L4-5 facet joint."
    f = scan_note(note)
    assert f.fluoroscopy_used
    for e in f.evidence:
        assert note[e.start:e.end] == e.text
