"""Embedded in a scrubber's process: many threads at once, the single call from the memo, asolve, the context manager.

The single call (``fluorologic.solve``, ``Engine.solve``) answers what ``fluorologic solve`` writes, byte for
byte, whether it comes from the memo or from the one-encounter program without the rules that cannot fire
(:mod:`fluorologic.engine.fastpath.liveprogram`); the reference is the one-encounter path with the whole program
(``explain.lp`` included, a ``Control`` per call, no memo).
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fluorologic
from fluorologic.contract.encounter import parse_encounter
from fluorologic.contract.render import to_json
from fluorologic.engine.decode import decode
from fluorologic.engine.solver import Engine
from fluorologic.testing import encounters

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.generate import generate, realistic  # noqa: E402


@pytest.fixture(scope="module")
def reference():
    return Engine()


def _reference(engine: Engine, raw: dict) -> str:
    """The Result of the one-encounter path with the whole program: a Control per call, no memo."""
    return to_json(decode(engine.solve_encounter(parse_encounter(raw, engine.places))))


def _golden_and_examples() -> list[dict]:
    out = []
    for path in sorted((ROOT / "examples").glob("*.json")) + sorted((ROOT / "tests" / "golden").glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        for item in doc if isinstance(doc, list) else [doc.get("encounter", doc)]:
            if isinstance(item, dict):
                try:
                    parse_encounter(item)
                except Exception:  # noqa: BLE001 (examples hold deliberate input errors)
                    continue
                out.append(item)
    return out


def test_the_single_call_equals_the_whole_program(reference):
    """Golden, example and generated encounters (cold and a practice's stream, repeats under new ids)."""
    raws = _golden_and_examples() + generate(150, seed=23) + realistic(150, seed=23)
    raws = [r for r in raws if isinstance(r, dict)]
    with Engine() as engine:
        for raw in raws:
            assert to_json(engine.solve(raw)) == _reference(reference, raw)
        hits = engine.batch.result_memo.hits
        for raw in raws[-40:]:  # again, under new ids: from the memo
            again = dict(raw, encounter_id=f"{raw['encounter_id']}-again")
            assert to_json(engine.solve(again)) == _reference(reference, again)
        assert engine.batch.result_memo.hits >= hits + 40


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(encounters(max_lines=6))
def test_the_live_program_shows_what_the_whole_one_shows(raw):
    engine = Engine()  # no memo shared between examples: each one is solved
    assert to_json(engine.solve(raw)) == _reference(engine, raw)


def test_byte_identical_to_fluorologic_solve(tmp_path):
    raws = [r for r in generate(40, seed=31) + realistic(40, seed=31) if isinstance(r, dict)]
    raws += [dict(r, encounter_id=f"{r['encounter_id']}-b") for r in raws[:20]]  # repeats under new ids
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in raws), encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(ROOT), FLUOROLOGIC_STORE=str(tmp_path / "no-store.sqlite"))
    out = subprocess.run([sys.executable, "-m", "fluorologic.cli.main", "solve", str(src), "--format", "jsonl"],
                         env=env, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    assert out.returncode == 0, out.stderr
    cli = out.stdout.splitlines()
    with Engine() as engine:
        assert [to_json(engine.solve(r)) for r in raws] == cli
    assert [to_json(fluorologic.solve(r)) for r in raws] == cli


@settings(max_examples=2, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(encounters(max_lines=5), min_size=10, max_size=14))
def test_eight_threads_give_the_sequential_answers(raws):
    """8 threads at once, 3 rounds (fresh engines), every entry point; in a child process with faulthandler on."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "encounters.jsonl"
        src.write_text("".join(json.dumps(r) + "\n" for r in raws), encoding="utf-8")
        out = subprocess.run([sys.executable, str(ROOT / "bench" / "soak_threads.py"), "--input", str(src),
                              "--threads", "8", "--rounds", "3"], env=dict(os.environ, PYTHONPATH=str(ROOT)),
                             capture_output=True, text=True, timeout=900, check=False)
    assert out.returncode == 0, (out.stdout, out.stderr[-3000:])  # a crash: faulthandler's stacks are in stderr
    summary = json.loads(out.stdout.splitlines()[-1])
    assert summary["mismatches"] == 0 and summary["errors"] == 0
    assert summary["calls"] == 3 * 8 * len(raws)


def test_threads_share_one_engine_and_its_memo():
    raws = [r for r in realistic(30, seed=5) if isinstance(r, dict)]
    engine = Engine()
    expected = [to_json(Engine().solve(r)) for r in raws]
    barrier = threading.Barrier(4)
    got: dict[int, list[str]] = {}

    def work(t: int) -> None:
        barrier.wait()
        got[t] = [to_json(engine.solve(r)) for r in raws]

    threads = [threading.Thread(target=work, args=(t,)) for t in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(got[t] == expected for t in range(4))
    memo = engine.batch.result_memo
    assert memo.hits + memo.misses == 4 * len(raws)  # (threads asking for one key at once each solve it)
    hits = memo.hits
    assert [to_json(engine.solve(dict(r, encounter_id="x"))) for r in raws] == [
        e.replace(json.dumps(r["encounter_id"]), '"x"', 1) for e, r in zip(expected, raws, strict=True)]
    assert memo.hits == hits + len(raws)  # what the threads solved, each key once at least, was remembered


def test_an_engine_per_thread():
    """The report's second crash: one Engine per thread (the parsed program was shared by all engines)."""
    raws = [r for r in generate(16, seed=9) if isinstance(r, dict)]
    expected = [to_json(Engine().solve(r)) for r in raws]
    got: dict[int, list[str]] = {}
    barrier = threading.Barrier(4)

    def work(t: int) -> None:
        with Engine() as engine:
            barrier.wait()
            got[t] = [to_json(engine.solve(r)) for r in raws] + [
                to_json(fluorologic.explain(r, engine).result) for r in raws[:4]]

    threads = [threading.Thread(target=work, args=(t,)) for t in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(got[t] == expected + expected[:4] for t in range(4))


def test_asolve_is_bounded_and_the_engine_closes():
    raws = [r for r in generate(12, seed=2) if isinstance(r, dict)]
    expected = [to_json(Engine().solve(r)) for r in raws]
    engine = Engine(concurrency=2)
    running, peak = [0], [0]
    lock = threading.Lock()
    solve = engine.solve

    def counted(raw):
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        try:
            time.sleep(0.01)
            return solve(raw)
        finally:
            with lock:
                running[0] -= 1

    engine.solve = counted  # type: ignore[method-assign]

    async def main():
        return await asyncio.gather(*(engine.asolve(r) for r in raws))

    with engine:
        assert [to_json(r) for r in asyncio.run(main())] == expected
        assert peak[0] == 2  # the pool solves two at a time, never more
        again = asyncio.run(engine.asolve(dict(raws[0], encounter_id="again")))  # a memo hit: on the loop
        assert to_json(again) == expected[0].replace(json.dumps(raws[0]["encounter_id"]), '"again"', 1)
    assert engine._pool is None and engine._batch is None  # released
    assert to_json(asyncio.run(fluorologic.asolve(raws[1]))) == expected[1]
