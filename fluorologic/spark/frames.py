"""The pipe protocol between a Spark Python worker and its engine process: frames of a JSON header and Arrow IPC.

pyarrow only: the Python worker imports this and never the engine (clingo stays in the engine process).

Examples
--------
>>> import io
>>> buf = io.BytesIO()
>>> write_frame(buf, {"mode": "json"}, to_ipc(pa.RecordBatch.from_pydict({"value": ["{}"]})))
>>> _ = buf.seek(0)
>>> header, batch = read_frame(buf)
>>> header, batch.num_rows
({'mode': 'json'}, 1)
>>> read_frame(buf) is None
True

"""

from __future__ import annotations

import json
import struct
from typing import IO, Any

import pyarrow as pa

__all__ = ["from_ipc", "read_frame", "to_ipc", "write_frame"]

_HEAD = struct.Struct(">IQ")  # header length, payload length


def to_ipc(batch: pa.RecordBatch) -> bytes:
    """``batch`` as an Arrow IPC stream (schema and one batch)."""
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, batch.schema) as writer:
        writer.write_batch(batch)
    return sink.getvalue().to_pybytes()


def from_ipc(data: bytes) -> pa.RecordBatch:
    """The one batch of an Arrow IPC stream written by :func:`to_ipc`."""
    return pa.ipc.open_stream(data).read_next_batch()


def write_frame(out: IO[bytes], header: dict[str, Any], payload: bytes = b"") -> None:
    """Write one frame (a JSON header and a payload) and flush."""
    head = json.dumps(header).encode()
    out.write(_HEAD.pack(len(head), len(payload)))
    out.write(head)
    out.write(payload)
    out.flush()


def _read_exact(src: IO[bytes], n: int) -> bytes:
    chunks = []
    while n:
        chunk = src.read(n)
        if not chunk:
            raise EOFError("the stream ended inside a frame")
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def read_frame(src: IO[bytes]) -> tuple[dict[str, Any], pa.RecordBatch | None] | None:
    """The next frame's header and batch (None when it has no payload); None at the end of the stream."""
    first = src.read(_HEAD.size)
    if not first:
        return None
    if len(first) < _HEAD.size:
        first += _read_exact(src, _HEAD.size - len(first))
    head_len, payload_len = _HEAD.unpack(first)
    header = json.loads(_read_exact(src, head_len))
    payload = _read_exact(src, payload_len) if payload_len else b""
    return header, (from_ipc(payload) if payload else None)
