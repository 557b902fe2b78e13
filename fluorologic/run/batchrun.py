r"""``fluorologic solve``: stream encounters through the worker pool and print one record per encounter, in order.

The input is read as it is solved (JSON Lines and CSV never whole), chunks are solved on ``workers``
processes, and the output is written a whole chunk at a time, so an interrupted run leaves complete
records only (at most a torn last line, which ``--resume`` cuts off). ``--resume`` counts the records
already in the output file, checks that they belong to the same input, skips that many encounters and
appends the rest. A summary goes to standard error at the end of a batch; a progress bar too, when
standard error is a terminal.

Examples
--------
>>> import io
>>> out = io.StringIO()
>>> code = run_solve(io.StringIO('{"encounter_id": "a", "date_of_service": "2024-08-01", '
...                              '"place_of_service": "11", "lines": [{"code": "20610"}]}'), "jsonl", out=out)
>>> code, out.getvalue().count("\n")
(0, 1)

"""

from __future__ import annotations

import contextlib
import io
import json
import os
import stat
import sys
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures.process import BrokenProcessPool
from itertools import islice
from typing import Any, TextIO

from fluorologic.claims.edits import edit_rows, edits_csv
from fluorologic.claims.formats import claim_items
from fluorologic.claims.x12 import is_x12
from fluorologic.contract.errors import DataError, InputError
from fluorologic.contract.render import to_json, to_table
from fluorologic.run.flat import flat_csv
from fluorologic.run.front import memo_front
from fluorologic.run.jsonin import bad_byte
from fluorologic.run.parallel import (
    BadItem,
    ChunkResult,
    Summary,
    default_workers,
    init_worker,
    ordered_map,
    solve_chunk_lines,
)
from fluorologic.run.streaming import open_input

__all__ = ["INPUT_FORMATS", "OUTPUT_FORMATS", "RunStopped", "UsageError", "run_solve", "solve_items"]

#: What ``--from`` accepts: the contract's JSON / JSON Lines, a claim-line CSV, X12 837P, FHIR R4 Claim.
INPUT_FORMATS = ("json", "csv", "x12", "fhir")
#: What ``--format`` accepts; ``edits`` / ``edits-json``: one row per input claim line (fluorologic.claims.edits).
OUTPUT_FORMATS = ("json", "jsonl", "table", "csv", "edits", "edits-json")

DEFAULT_CHUNK = 256


class UsageError(Exception):
    """Bad options or an unreadable file: exit code 2."""


class RunStopped(UsageError):
    """The run stopped before every record was written (output not writable, a crash): exit code 2."""


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    it = map(BadItem.of, items)
    while chunk := list(islice(it, size)):
        yield chunk


def _item_id(item: Any) -> str | None:
    eid = item.get("encounter_id") if isinstance(item, dict) else getattr(item, "encounter_id", None)
    return eid if isinstance(eid, str) else None


def _resume(path: str, items: Iterator[Any], summary: Summary) -> int:
    """Keep the complete records of ``path``, skip as many input items (checking their ids); return the count."""
    done = 0
    keep = 0
    with open(path, "rb") as fh:
        for raw in fh:
            if not raw.endswith(b"\n"):
                break
            try:
                rec = json.loads(raw)
            except ValueError:
                break
            item = next(items, _END)
            if item is _END:
                raise UsageError(f"{path} has more records than the input has encounters; not the same input")
            rid, iid = rec.get("encounter_id") if isinstance(rec, dict) else None, _item_id(item)
            if rid is not None and iid is not None and rid != iid:
                raise UsageError(f"record {done + 1} of {path} is encounter {rid!r} but the input has {iid!r} there; "
                                 "not the same input")
            summary.add(rec)
            done += 1
            keep += len(raw)
    with open(path, "r+b") as fh:
        fh.truncate(keep)
    return done


_END = object()


def _progress(total: int | None, initial: int) -> Any:
    if not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return tqdm(total=total, initial=initial, unit="enc", file=sys.stderr, dynamic_ncols=True, smoothing=0.1)


def _count_lines(path: str) -> int | None:
    """The number of non-blank lines of a JSON Lines file (for the progress bar's ETA), or None."""
    if path == "-" or not os.path.isfile(path):
        return None
    count = 0
    with open(path, "rb") as fh:
        for line in fh:
            count += bool(line.strip())
    return count


class _Writer:
    """Write chunks in the chosen format; ``json`` keeps the shape of the input (object or array)."""

    def __init__(self, out: TextIO, fmt: str, shape: str) -> None:
        self.out, self.fmt, self.shape = out, fmt, shape
        self.first = True

    def write(self, result: ChunkResult, items: list[Any] | None = None) -> None:
        if self.fmt in ("edits", "edits-json"):
            rows = [row for item, line in zip(items or [], result.lines, strict=True)
                    for row in edit_rows(item, json.loads(line))]
            if self.fmt == "edits":
                self.out.write(edits_csv(rows, header=self.first))
            elif rows:
                self.out.write(("[\n" if self.first else ",\n") + ",\n".join("  " + to_json(r) for r in rows))
            self.first = self.first and (self.fmt == "edits-json" and not rows)
        elif self.fmt == "jsonl":
            self.out.write("".join(line + "\n" for line in result.lines))
        elif self.fmt == "csv":
            self.out.write(flat_csv([json.loads(line) for line in result.lines], header=self.first, raws=items))
            self.first = False
        elif self.fmt == "table":
            self.out.write(to_table([json.loads(line) for line in result.lines]) + "\n")
        elif self.shape == "object":
            self.out.write(to_json(json.loads(result.lines[0]), indent=2) + "\n")
        else:
            parts = ["  " + to_json(json.loads(line), indent=2).replace("\n", "\n  ") for line in result.lines]
            if parts:
                self.out.write(("[\n" if self.first else ",\n") + ",\n".join(parts))
                self.first = False
        self.out.flush()

    def close(self) -> None:
        if self.fmt == "edits" and self.first:
            self.out.write(edits_csv([]))
        if self.fmt == "csv" and self.first:
            self.out.write(flat_csv([]))
        if self.fmt == "edits-json" or (self.fmt == "json" and self.shape != "object"):
            self.out.write("[]\n" if self.first else "\n]\n")
        self.out.flush()


class _Rejoined(io.TextIOBase):
    """A text stream whose first characters were read ahead to recognise its format, put back in front."""

    def __init__(self, head: str, rest: TextIO) -> None:
        self.head, self.rest = head, rest

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> str:
        if size is None or size < 0:
            out, self.head = self.head + self.rest.read(), ""
            return out
        out, self.head = self.head[:size], self.head[size:]
        return out + (self.rest.read(size - len(out)) if len(out) < size else "")

    def readline(self, size: int | None = -1) -> str:  # noqa: ARG002 (a line at a time, as the callers read)
        if not self.head:
            return self.rest.readline()
        cut = self.head.find("\n")
        if cut >= 0:
            out, self.head = self.head[: cut + 1], self.head[cut + 1:]
            return out
        out, self.head = self.head, ""
        return out + self.rest.readline()


class _Strict(io.TextIOBase):
    """A text stream read with ``errors="surrogateescape"`` that raises at a byte that is not UTF-8 after all.

    The claim readers (X12, FHIR) have no line of their own to name, so such a byte stops the run (exit 2).
    """

    def __init__(self, rest: TextIO) -> None:
        self.rest = rest

    def readable(self) -> bool:
        return True

    def _checked(self, text: str) -> str:
        where = bad_byte(text)
        if where is not None:
            raise UnicodeDecodeError("utf-8", b"", 0, 1, where)
        return text

    def read(self, size: int | None = -1) -> str:
        return self._checked(self.rest.read(-1 if size is None else size))

    def readline(self, size: int | None = -1) -> str:  # noqa: ARG002 (a line at a time, as the callers read)
        return self._checked(self.rest.readline())


def _same_file(source: str | TextIO, output: str | None, out: TextIO | None) -> bool:
    """True when the output (``output``, or standard output) is the input file itself (device and inode)."""
    try:
        if isinstance(source, str):
            there = os.stat(sys.stdin.fileno() if source == "-" else source)
        else:
            there = os.fstat(source.fileno())
        if output is not None:
            if not os.path.exists(output):
                return False
            here = os.stat(output)
        else:
            here = os.fstat((out or sys.stdout).fileno())
    except (OSError, ValueError, io.UnsupportedOperation, AttributeError):
        return False
    return stat.S_ISREG(there.st_mode) and (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino)


def _records_on_disk(path: str) -> int:
    """How many whole records a JSON Lines output file holds (what ``--resume`` keeps)."""
    count = 0
    with contextlib.suppress(OSError), open(path, "rb") as fh:
        for raw in fh:
            if not raw.endswith(b"\n"):
                break
            try:
                json.loads(raw)
            except ValueError:
                break
            count += 1
    return count


def _open_items(stream: TextIO, from_format: str | None) -> tuple[str, Iterator[Any]]:
    """The shape of the input and its items, read as ``from_format`` (None: X12 when it starts with ISA, else JSON)."""
    if from_format is None:
        head = stream.read(256)
        from_format = "x12" if is_x12(head) else "json"
        stream = _Rejoined(head, stream)  # type: ignore[assignment]
    if from_format in ("x12", "fhir"):
        return "array", claim_items(_Strict(stream), from_format)
    return open_input(stream, csv_input=from_format == "csv")


def solve_items(items: Iterable[Any], *, workers: int | None = None, chunk_size: int = DEFAULT_CHUNK,
                rules: tuple[str | None, str | None] = (None, None)) -> Iterator[dict[str, Any]]:
    """One record per item (an encounter dict, or an InputError standing for an unreadable one), in order.

    >>> recs = solve_items([{"encounter_id": "a", "date_of_service": "2024-08-01", "place_of_service": "11",
    ...                      "lines": [{"code": "20610", "line_id": "L1"}]}, InputError("$", "unreadable")], workers=1)
    >>> [(r["encounter_id"], r.get("billable", [{}])[0].get("line_ids")) for r in recs]
    [('a', ['L1']), (None, None)]

    Raises
    ------
    UsageError
        When the rule data of ``rules`` cannot be opened.

    """
    try:
        init_worker(rules)
    except DataError as exc:
        raise UsageError(str(exc)) from None
    for result in ordered_map(solve_chunk_lines, _chunks(items, chunk_size), workers or default_workers(), rules,
                              chunk_size=chunk_size):
        yield from map(json.loads, result.lines)


def run_solve(source: str | TextIO, fmt: str, *, out: TextIO | None = None, output: str | None = None,
              workers: int | None = None, resume: bool = False, csv_input: bool | None = None,
              chunk_size: int = DEFAULT_CHUNK, summary: bool | None = None, err: TextIO | None = None,
              rules: tuple[str | None, str | None] = (None, None), from_format: str | None = None) -> int:
    """Solve every encounter of ``source`` (a path, ``-`` or a stream) and return the exit code (contract.md).

    ``from_format`` is one of :data:`INPUT_FORMATS`; by default a ``.csv`` name is a claim-line CSV, input that
    starts with an ISA segment is X12 837P, and the rest is JSON or JSON Lines.

    Raises
    ------
    UsageError
        For bad options or an unreadable input (the caller exits with 2).

    """
    err = err or sys.stderr
    if resume and (output is None or fmt != "jsonl"):
        raise UsageError("--resume needs --output FILE and --format jsonl")
    try:  # the rule data (--store, --as-of-quarter) is checked here; each worker opens it again
        init_worker(rules)
    except DataError as exc:
        raise UsageError(str(exc)) from None
    name = source if isinstance(source, str) else "<stream>"
    if _same_file(source, output, out):
        what = output if output is not None else "standard output"
        raise UsageError(f"the output ({what}) is the input file {name}: writing it would destroy the input; "
                         "write the results to another file")
    if from_format is None and csv_input is not None:
        from_format = "csv" if csv_input else "json"
    if from_format is None and name.lower().endswith(".csv"):
        from_format = "csv"
    stream = _open_source(source, name, from_format == "csv")
    total = Summary()
    try:
        try:
            shape, items = _open_items(stream, from_format)
        except InputError as exc:
            raise UsageError(f"{name}: {exc.message}") from None
        except UnicodeDecodeError as exc:
            raise UsageError(f"cannot read {name}: {exc}") from None
        done = 0
        if resume and output and os.path.exists(output):
            done = _resume(output, items, total)
        target = out or sys.stdout
        if output is not None:
            try:
                target = open(output, "a" if resume else "w", encoding="utf-8")  # noqa: SIM115
            except OSError as exc:
                raise UsageError(f"cannot write {output}: {exc}") from None
        bar = _progress(_count_lines(name) if shape == "lines" else None, done)
        writer = _Writer(target, fmt, shape)
        sent: deque[list[Any]] = deque()  # the chunks in flight, for the edits report and CSV (the input lines)
        keep = fmt in ("edits", "edits-json", "csv")  # the input lines number the rows

        def chunks() -> Iterator[list[Any]]:
            for chunk in _chunks(items, chunk_size):
                if keep:
                    sent.append(chunk)
                yield chunk

        written = done
        where = f"; rerun with --resume -o {output}" if output and fmt == "jsonl" else ""
        try:
            def solve(todo: Iterator[list[Any]]) -> Iterator[ChunkResult]:
                return ordered_map(solve_chunk_lines, todo, workers or default_workers(), rules, chunk_size=chunk_size)

            for result in memo_front(chunks(), solve, chunk_size):
                for eid, field, message in result.errors:
                    err.write(f"fluorologic: encounter {eid!r}: {field}: {message}\n")
                writer.write(result, sent.popleft() if keep else None)
                written += len(result.lines)
                total.merge(result.summary)
                if bar is not None:
                    bar.update(len(result.lines))
            writer.close()
            if output is not None:
                target.close()
        except UnicodeDecodeError as exc:
            raise RunStopped(f"cannot read {name}: {exc}; the run stopped after {written} records{where}") from None
        except BrokenProcessPool:
            raise RunStopped(f"a worker process died (out of memory?) after {written} records{where}") from None
        except OSError as exc:  # disk full, a closed pipe: what was written is whole records and maybe a torn line
            what = output if output is not None else "standard output"
            if output is not None and fmt == "jsonl":  # part of the chunk that failed may be on disk: count it
                _close_quietly(target)
                written = _records_on_disk(output)
            raise RunStopped(f"cannot write {what}: {exc.strerror or type(exc).__name__}; the run stopped after "
                             f"{written} records{where}") from None
        except Exception as exc:  # noqa: BLE001 (a crash must not pass for exit 1; its text may hold input)
            raise RunStopped(f"internal error ({type(exc).__name__}); the run stopped after {written} records{where}"
                             ) from None
        finally:
            if bar is not None:
                bar.close()
            if output is not None:
                _close_quietly(target)
    finally:
        if isinstance(source, str) and source != "-":
            stream.close()
    if summary if summary is not None else shape != "object":
        err.write(total.text() + "\n")
    return 1 if total.errors else 0


def _open_source(source: str | TextIO, name: str, is_csv: bool) -> TextIO:
    """The input as text: a file or standard input split on LF only (JSON), or as the csv module wants it."""
    if not isinstance(source, str):
        return source
    newline = "" if is_csv else "\n"
    try:  # a byte that is not UTF-8 is kept (as a lone surrogate) for the reader to name its line
        if source == "-":
            return io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="surrogateescape", newline=newline)
        return open(source, encoding="utf-8", errors="surrogateescape", newline=newline)  # noqa: SIM115
    except OSError as exc:
        raise UsageError(f"cannot read {name}: {exc}") from None


def _close_quietly(target: TextIO) -> None:
    """Close an output file; a failure to flush it is reported by the write that failed first."""
    with contextlib.suppress(OSError):
        target.close()
