"""Benchmark the note reader on the MTSamples corpus: throughput on one core, and accuracy on the labels.

Usage: ``python bench/bench_notes.py [--corpus DIR] [--labels CSV] [--repeat N] [--adversarial]``. Prints one JSON
object:
notes per second of ``scan_note`` (process CPU time, pinned to one core, best of N; wall clock too) and of
a naive keyword baseline run in the same process (the ratio is what to compare across machines);
precision / recall / F1 of ``fluoroscopy_used``, agreement on ``recommended_fluoro_code``, negation, time
and target, for the reader and for the baseline. With ``--adversarial`` it also times, best of 3, hostile
notes of 200,000 characters (issue 13, D5: repeated digits, "C-arm ", "fluoroscopy time" and others), which
must each be read in well under a second.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from fluorologic.notes import scan_note
from fluorologic.notes.scoring import load_labels, score

ROOT = Path(__file__).resolve().parents[1]
_NAIVE = re.compile(r"fluoro|c-arm|image intensif", re.IGNORECASE)


def naive(text: str) -> dict:
    """Baseline: any fluoroscopy keyword means used; no negation, time, target or procedure reading."""
    used = bool(_NAIVE.search(text))
    return {"fluoroscopy_used": used, "fluoroscopy_negated": False, "fluoroscopy_time_seconds": None,
            "recommended_fluoro_code": "76000" if used else "none", "spinal": None}


def rate(fn: Callable[[str], object], texts: list[str], repeat: int, clock: Callable[[], float]) -> float:
    """Best-of-``repeat`` notes per second of ``fn`` over ``texts``, timed by ``clock``."""
    runs = []
    for _ in range(repeat):
        t0 = clock()
        for t in texts:
            fn(t)
        runs.append(clock() - t0)
    return len(texts) / max(min(runs), 1e-9)


ADVERSARIAL = ("9", "9 ", "C-arm ", "fluoroscopy time ", "fluoroscopy time 9", "no C-arm ", "L4-5 ", ": ",
               " ", "epidural injection ")


def adversarial(size: int = 200_000) -> dict[str, float]:
    """Seconds (process CPU time, best of 3) to read a note of ``size`` characters of each repeated unit."""
    out = {}
    for unit in ADVERSARIAL:
        note = (unit * (size // len(unit) + 1))[:size]
        runs = []
        for _ in range(3):
            t0 = time.process_time()
            scan_note(note)
            runs.append(time.process_time() - t0)
        out[repr(unit)] = round(min(runs), 3)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "mtsamples")
    ap.add_argument("--labels", type=Path, default=ROOT / "tests" / "notes" / "labels.csv")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--adversarial", action="store_true", help="also time hostile 200,000-character notes")
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    labels = load_labels(args.labels)
    texts = [(args.corpus / f"{lab.note_id}.txt").read_text(encoding="utf-8") for lab in labels]
    scan_note(texts[0])  # load the rule tables once, outside the timing
    reader_rate = rate(scan_note, texts, args.repeat, time.process_time)
    naive_rate = rate(naive, texts, args.repeat * 20, time.process_time)
    wall_rate = rate(scan_note, texts, args.repeat, time.perf_counter)
    findings = {lab.note_id: scan_note(t).to_dict() for lab, t in zip(labels, texts, strict=True)}
    baseline = {lab.note_id: naive(t) for lab, t in zip(labels, texts, strict=True)}
    reader = score(labels, findings)
    base = score(labels, baseline)
    sizes = [len(t) for t in texts]
    extra = {"adversarial_200k_seconds": adversarial()} if args.adversarial else {}
    print(json.dumps({
        "notes": len(texts),
        "median_note_chars": statistics.median(sizes),
        "cores": 1,
        "notes_per_second": round(reader_rate, 1),
        "notes_per_second_wall_clock": round(wall_rate, 1),
        "baseline_notes_per_second": round(naive_rate, 1),
        "reader_time_over_baseline_time": round(naive_rate / reader_rate, 1),
        "reader": {k: v for k, v in reader.items() if k != "misses"},
        "reader_misses": {k: v for k, v in reader["misses"].items() if v},
        "keyword_baseline": {k: v for k, v in base.items() if k not in ("misses", "notes")},
        **extra,
    }, indent=2))


if __name__ == "__main__":
    main()
