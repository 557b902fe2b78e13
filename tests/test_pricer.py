"""The Python pricing stage shows exactly the atoms of the pricing files solved by clingo, and the batch path
answers as the one-encounter path (which prices with the encodings themselves)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from fluorologic import testing as ft
from fluorologic.contract.encounter import parse_encounter
from fluorologic.engine.fastpath.multisolve import BatchSolver
from fluorologic.engine.solver import Engine

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.generate import generate, realistic  # noqa: E402


@pytest.fixture(scope="module")
def engine():
    return Engine()


def _atoms(batch: BatchSolver, encs: list) -> list[list[str]]:
    return [sorted(map(str, sol.atoms)) for sol in batch.solve_encounters(encs)]


def _same_atoms(engine: Engine, raws: list[dict]) -> list:
    encs = [parse_encounter(dict(raw, encounter_id=f"e{i}")) for i, raw in enumerate(raws)]
    python = _atoms(BatchSolver(engine, memo_size=0), encs)
    by_clingo = _atoms(BatchSolver(engine, memo_size=0, pricing="clingo"), encs)
    for enc, a, b in zip(encs, python, by_clingo, strict=True):
        assert a == b, enc.encounter_id
    return encs


@settings(max_examples=60, deadline=None)
@given(raws=st.lists(ft.payment_claims(), min_size=1, max_size=6))
def test_python_pricing_equals_the_pricing_files(engine, raws):
    encs = _same_atoms(engine, raws)
    results = BatchSolver(engine, memo_size=0).results(encs)
    for raw, enc, res in zip(raws, encs, results, strict=True):
        event(" ".join(sorted({a["rule"] for b in res["billable"]
                               for a in (b.get("pricing") or {}).get("adjustments", [])})) or "unadjusted")
        assert res == engine.solve(dict(raw, encounter_id=enc.encounter_id))


def test_python_pricing_equals_the_pricing_files_on_generated_streams(engine):
    _same_atoms(engine, generate(300, seed=41) + realistic(200, seed=42))


def test_a_bad_pricing_name_is_refused(engine):
    with pytest.raises(ValueError, match="pricing"):
        BatchSolver(engine, pricing="fast")


def test_the_pricer_reads_the_facts_the_pricing_files_read():
    from fluorologic.engine.fastpath.pricer import _READS
    from fluorologic.engine.fastpath.staged import stages

    assert {name for name, _ in stages().facts} == _READS
