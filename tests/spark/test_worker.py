"""The Python worker's side without Spark: chunks through the engine process, recycling, failures named."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

pa = pytest.importorskip("pyarrow", reason="pyarrow is not installed (pip install 'fluorologic[spark]')")

from bench.generate import generate, lines  # noqa: E402
from fluorologic.engine.solver import Engine  # noqa: E402
from fluorologic.spark import worker  # noqa: E402
from fluorologic.spark.worker import Options, map_batches  # noqa: E402


def test_engine_process_is_replaced_after_the_bound_and_answers_do_not_change():
    items = generate(520, seed=9, malformed=0.02)
    texts = lines(items)
    batch = pa.RecordBatch.from_pydict({"n": list(range(len(texts))), "value": texts})
    pids = []
    out = []
    try:
        for solved in map_batches(iter([batch]), Options(mode="json", inputs=("value",), keep=("n",),
                                                         result_json=True, recycle=256)):
            pids.append(worker._PROCESS.proc.pid)
            out.append(solved)
    finally:
        worker.shutdown()
    assert [b.num_rows for b in out] == [256, 256, 8]
    assert len(set(pids)) == 3  # a fresh engine process after every 256 encounters
    rows = pa.Table.from_batches(out).to_pylist()
    assert [r["n"] for r in rows] == list(range(520))  # one row per input, in order
    expected = Engine().solve_many([json.loads(t) if not t.startswith(("not", "{\"encounter_id\": \"broken"))
                                    else None for t in texts])
    for row, exp in zip(rows, expected, strict=True):
        rec = json.loads(row["result_json"])
        if "error" in exp:
            assert "error" in rec and row["error"]["field"] is not None
        else:
            assert rec == exp


def test_a_failure_in_the_engine_process_fails_the_task_with_its_reason():
    batch = pa.RecordBatch.from_pydict({"value": ["{}"]})
    with pytest.raises(RuntimeError, match="input must be one of"):
        list(map_batches(iter([batch]), Options(mode="xml", inputs=("value",))))
    worker.shutdown()


def test_the_python_worker_does_not_load_the_engine():
    # Spark's Python worker only hands Arrow batches to its engine process: importing clingo and the engine
    # there would cost every worker its start-up time and memory for nothing
    code = ("import sys, fluorologic.spark.worker; "
            "print(sorted(m for m in sys.modules if m == 'clingo' or m.startswith('fluorologic.engine')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
