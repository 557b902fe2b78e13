"""The floor benchmark compares like with like: its trivial program grounds as many atoms as the encodings."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.bench_floor import floor_ground, ground_counts, phases  # noqa: E402
from bench.generate import generate  # noqa: E402
from fluorologic.engine.fastpath.multisolve import BatchSolver  # noqa: E402
from fluorologic.engine.solver import Engine  # noqa: E402


def test_floor_grounds_as_many_atoms_as_the_encodings() -> None:
    raw = generate(24, seed=3)
    facts, atoms, shown = ground_counts(BatchSolver(Engine(), memo_size=0), raw, chunk=8)
    assert facts >= 24 * 10 and atoms > facts + shown and shown >= 24 * 5
    _seconds, grounded = floor_ground(24, facts, atoms, chunk=8)
    assert abs(grounded - atoms) / atoms < 0.15


def test_phases_cover_the_whole_batch_path() -> None:
    times = phases(BatchSolver(Engine(), memo_size=0), generate(8, seed=4), chunk=4)
    assert set(times) == {"parse", "control", "add facts (backend)", "ground", "solve", "decode", "json",
                          "facts, unkey, free"}
    assert times["ground"] > 0 and times["solve"] > 0 and times["add facts (backend)"] > 0
