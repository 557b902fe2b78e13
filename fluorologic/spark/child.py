"""The engine's process on an executor: solves Arrow batches sent by its Spark Python worker, until told to end.

clingo keeps every symbol it ever made until its process ends, so the engine cannot live in the Python worker
itself (Spark reuses that process for task after task): it lives here, in a process the worker replaces after a
bound number of encounters (:mod:`fluorologic.spark.worker`). The protocol on stdin/stdout is a sequence of
frames: a JSON header, then an Arrow IPC stream (:mod:`fluorologic.spark.frames`). A request's header
says ``{"mode": ..., "result_json": ...}``; the answer's ``{"ok": true}`` (payload: the solved rows) or
``{"ok": false, "error": ...}``. The process ends at the end of its input (its worker ended or let it go).

Run as ``python -m fluorologic.spark.child RULES`` where RULES is the JSON ``[store path or null, quarter or
null]``; a null store means the embedded rule data.

"""

from __future__ import annotations

import json
import os
import sys
import traceback
from typing import Any

import pyarrow as pa

from fluorologic.contract.render import from_json
from fluorologic.engine.records import solve_chunk_rendered
from fluorologic.engine.solver import Engine
from fluorologic.rules.source import rule_source
from fluorologic.spark.frames import read_frame, to_ipc, write_frame
from fluorologic.spark.inputs import items_of
from fluorologic.spark.schema import records_to_batch

__all__ = ["main", "solve_batch"]


def solve_batch(engine: Any, batch: pa.RecordBatch, mode: str, *, result_json: bool = False) -> pa.RecordBatch:
    """The solved rows of ``batch`` (read as ``mode``): one per input row, in order.

    Examples
    --------
    >>> rows = pa.RecordBatch.from_pydict({"value": ['{"encounter_id": "a", "date_of_service": "2024-08-01", '
    ...                                              '"place_of_service": "11", "lines": [{"code": "20610"}]}', "{"]})
    >>> out = solve_batch(Engine(), rows, "json")
    >>> out.column("encounter_id").to_pylist(), [e is not None for e in out.column("error").to_pylist()]
    (['a', None], [False, True])

    """
    # the CLI's path (solve_chunk_rendered: its memo, its records as text), the text read back by orjson
    records = [extra if isinstance(extra, dict) else from_json(text)
               for text, extra in solve_chunk_rendered(engine, items_of(batch, mode))]
    return records_to_batch(records, result_json=result_json)


def _engine(rules: list[str | None]) -> Engine:
    store, quarter = rules
    return Engine(data=rule_source(store, quarter) if store else None)


def main(argv: list[str] | None = None) -> int:
    """Serve requests on stdin until it ends; return the exit code."""
    args = sys.argv[1:] if argv is None else argv
    rules = json.loads(args[0]) if args else [None, None]
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything printed by accident goes to the log, never into the protocol
    src = sys.stdin.buffer
    engine = _engine(rules)
    while (frame := read_frame(src)) is not None:
        header, batch = frame
        try:
            assert batch is not None, "a request without rows"
            solved = solve_batch(engine, batch, header["mode"], result_json=bool(header.get("result_json")))
        except Exception:  # noqa: BLE001 (the worker fails the task with this text)
            write_frame(out, {"ok": False, "error": traceback.format_exc()})
            continue
        write_frame(out, {"ok": True}, to_ipc(solved))
    return 0


if __name__ == "__main__":
    sys.exit(main())
