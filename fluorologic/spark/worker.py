"""What runs in a Spark Python worker: Arrow batches in, through this worker's engine process, Arrow batches out.

:func:`map_batches` is the function ``mapInArrow`` calls. It cuts each batch into chunks of
:data:`CHUNK` rows, sends them to the one engine process of this Python worker
(:mod:`fluorologic.spark.child`, started as the task starts, before its first batch has come), and yields the
solved rows, one per input row, in order, with the columns the
caller keeps put in front. Spark reuses a Python worker for many tasks, so the engine process (its parsed
encodings, its rule data and its memo) serves them all; it is replaced after ``recycle`` encounters, because
clingo keeps every symbol it made until its process ends, so that memory stays flat however long the job.
pyarrow only; Spark's ``SparkFiles`` is asked where a shipped rule store is, when one was shipped.

Examples
--------
>>> import pyarrow as pa
>>> opts = Options(mode="json", inputs=("value",), keep=("row",))
>>> batch = pa.RecordBatch.from_pydict({"row": [7], "value": ['{"encounter_id": "a", "date_of_service": '
...     '"2024-08-01", "place_of_service": "11", "lines": [{"code": "20610"}]}']})
>>> [out] = map_batches(iter([batch]), opts)
>>> out.column("row").to_pylist(), out.column("billable").to_pylist()[0][0]["code"]
([7], '20610')
>>> shutdown()

"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass

import pyarrow as pa

from fluorologic.run import RECYCLE_ENCOUNTERS
from fluorologic.spark.frames import read_frame, to_ipc, write_frame

__all__ = ["CHUNK", "RECYCLE_ENCOUNTERS", "EngineProcess", "Options", "map_batches", "shutdown"]

#: Encounters sent to the engine process at a time (solved together in one keyed program, as the CLI does).
CHUNK = 256


@dataclass(frozen=True)
class Options:
    """How :func:`map_batches` reads and solves: fixed on the driver, shipped with the function."""

    mode: str
    inputs: tuple[str, ...]
    keep: tuple[str, ...] = ()
    store: str | None = None
    shipped: bool = False
    as_of_quarter: str | None = None
    result_json: bool = False
    recycle: int = RECYCLE_ENCOUNTERS

    def rules(self) -> tuple[str | None, str | None]:
        """The (store path, quarter) on this machine: a shipped store is found through ``SparkFiles``."""
        store = self.store
        if store and self.shipped:
            from pyspark import SparkFiles  # present wherever a Spark task runs

            local = SparkFiles.get(os.path.basename(store))
            store = local if os.path.exists(local) else store
        return store, self.as_of_quarter


class EngineProcess:
    """One engine in a process of its own, fed Arrow batches through a pipe."""

    def __init__(self, rules: tuple[str | None, str | None]) -> None:
        self.rules = rules
        self.solved = 0
        self.proc = subprocess.Popen([sys.executable, "-m", "fluorologic.spark.child", json.dumps(list(rules))],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def solve(self, batch: pa.RecordBatch, mode: str, *, result_json: bool = False) -> pa.RecordBatch:
        """The solved rows of ``batch``, one per row, in order.

        Raises
        ------
        RuntimeError
            When the engine process failed or died (the task fails and Spark may retry it).

        """
        assert self.proc.stdin is not None and self.proc.stdout is not None
        try:
            write_frame(self.proc.stdin, {"mode": mode, "result_json": result_json}, to_ipc(batch))
            frame = read_frame(self.proc.stdout)
        except (BrokenPipeError, EOFError):
            frame = None
        if frame is None:
            code = self.proc.poll()
            raise RuntimeError(f"the fluorologic engine process ended (exit code {code}; out of memory?) after "
                               f"{self.solved} encounters; its messages are in the executor's log")
        header, out = frame
        if not header.get("ok") or out is None:
            raise RuntimeError(f"the fluorologic engine process failed:\n{header.get('error')}")
        self.solved += batch.num_rows
        return out

    def close(self) -> None:
        """Let the process end (end of its input), and make sure it does."""
        if self.proc.stdin is not None:
            with contextlib.suppress(OSError):
                self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()


_PROCESS: EngineProcess | None = None


def _engine_process(rules: tuple[str | None, str | None], recycle: int) -> EngineProcess:
    """The engine process of this worker for ``rules``: a new one after ``recycle`` encounters, or for other rules."""
    global _PROCESS
    if _PROCESS is not None and (_PROCESS.rules != rules or _PROCESS.solved >= recycle
                                 or _PROCESS.proc.poll() is not None):
        _PROCESS.close()
        _PROCESS = None
    if _PROCESS is None:
        _PROCESS = EngineProcess(rules)
    return _PROCESS


def shutdown() -> None:
    """End this worker's engine process, if any."""
    global _PROCESS
    if _PROCESS is not None:
        _PROCESS.close()
        _PROCESS = None


def map_batches(batches: Iterator[pa.RecordBatch], options: Options) -> Iterator[pa.RecordBatch]:
    """Solve every row of ``batches`` (see the module docstring); the function given to ``mapInArrow``."""
    rules = options.rules()
    _engine_process(rules, options.recycle)  # started now: its start overlaps the wait for the first batch
    for batch in batches:
        for start in range(0, batch.num_rows, CHUNK):
            part = batch.slice(start, CHUNK)
            engine = _engine_process(rules, options.recycle)
            solved = engine.solve(part.select(list(options.inputs)), options.mode, result_json=options.result_json)
            if options.keep:
                solved = pa.RecordBatch.from_arrays([part.column(k) for k in options.keep] + solved.columns,
                                                    names=[*options.keep, *solved.schema.names])
            yield solved
