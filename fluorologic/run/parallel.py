"""Solve chunks of encounters, in this process or in a pool of worker processes, keeping input order.

A chunk is a list of input items (decoded JSON objects, or an :class:`~fluorologic.contract.errors.InputError`
standing for a malformed input line). :func:`~fluorologic.engine.records.solve_chunk` gives exactly one record per
item: the contract Result, or an error record. :func:`ordered_map` runs chunks on ``workers`` processes with a
bounded number in flight, so a stream of any length is solved in constant memory and printed in order.

Examples
--------
>>> chunks = [[{"encounter_id": "a", "date_of_service": "2024-08-01", "place_of_service": "11",
...             "lines": [{"code": "20610"}]}], [{"encounter_id": "b"}]]
>>> [(r.summary.encounters, r.summary.errors) for r in ordered_map(solve_chunk_lines, chunks, workers=1)]
[(1, 0), (1, 1)]

"""

from __future__ import annotations

import json
import multiprocessing
import os
import sys
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from itertools import chain, islice
from typing import Any

from fluorologic.contract.render import to_json
from fluorologic.engine.fastpath.multisolve import ATOM_MEMO_BEHIND, Counts, counts
from fluorologic.engine.records import BadItem, error_record, failure_record, solve_chunk, solve_chunk_rendered
from fluorologic.engine.solver import Engine
from fluorologic.rules.source import rule_source
from fluorologic.run import RECYCLE_ENCOUNTERS
from fluorologic.run.lifeline import die_with_parent

# BadItem, error_record, solve_chunk: re-exported from the engine
__all__ = ["BadItem", "ChunkResult", "Summary", "WithParts", "error_record", "init_worker", "ordered_map",
           "solve_chunk", "solve_chunk_lines", "worker_behind_memo", "worker_process"]


@dataclass
class Summary:
    """What a batch run did: counts and totals for the closing line on standard error."""

    encounters: int = 0
    errors: int = 0
    excluded: Counter[str] = field(default_factory=Counter)
    billed_cents: int = 0
    expected_cents: int = 0

    def add(self, rec: dict[str, Any]) -> None:
        """Count one output record."""
        if "error" in rec:
            self.encounters += 1
            self.errors += 1
            return
        self.add_counts(counts(rec))

    def add_counts(self, found: Counts) -> None:
        """Count one solved encounter from its :data:`~fluorologic.engine.fastpath.multisolve.Counts`."""
        self.encounters += 1
        reasons, billed, expected = found
        self.excluded.update(reasons)
        self.billed_cents += billed
        self.expected_cents += expected

    def merge(self, other: Summary) -> None:
        """Add the counts of ``other``."""
        self.encounters += other.encounters
        self.errors += other.errors
        self.excluded.update(other.excluded)
        self.billed_cents += other.billed_cents
        self.expected_cents += other.expected_cents

    def text(self) -> str:
        """The summary as lines for people.

        Examples
        --------
        >>> s = Summary()
        >>> s.add({"excluded": [{"reason": "ptp_bundled"}], "totals": {"billed": 10.5, "expected": 7.25}})
        >>> print(s.text())
        fluorologic: 1 encounters, 0 errors
          excluded: ptp_bundled 1
          totals: billed 10.50, expected 7.25 (difference -3.25)

        """
        reasons = ", ".join(f"{k} {v}" for k, v in sorted(self.excluded.items(), key=lambda kv: (-kv[1], kv[0])))
        diff = self.expected_cents - self.billed_cents
        return (f"fluorologic: {self.encounters} encounters, {self.errors} errors\n"
                f"  excluded: {reasons or 'none'}\n"
                f"  totals: billed {self.billed_cents / 100:.2f}, expected {self.expected_cents / 100:.2f} "
                f"(difference {diff / 100:.2f})")


@dataclass
class ChunkResult:
    """A solved chunk as it travels back from a worker: the output lines and their summary."""

    lines: list[str]
    summary: Summary
    errors: list[tuple[str | None, str, str]]
    #: Per line: the Result's :data:`~fluorologic.engine.fastpath.multisolve.Counts`, or None for an error record.
    counts: list[Counts | None] = field(default_factory=list)


_WORKER_ENGINE: Engine | None = None
_WORKER_RULES: tuple[str | None, str | None] = (None, None)

#: RECYCLE_ENCOUNTERS (from fluorologic.run): encounters a worker process solves (in whole chunks) before it is
#: replaced by a fresh one (bounded memory).
#: The reading process solves encounters itself while its memory has grown by less than this many MB since the
#: run started (about 100 MB with the engine loaded) and it has solved fewer than ``RECYCLE_ENCOUNTERS``. It also
#: keeps the canonical memo and the rule rows of every key it reads, which go on growing after it stops solving:
#: over 20,000 cold encounters its peak was 308 MB with 4,096 solved here and 269-277 MB with 2,048, while on a
#: practice's stream it solves every miss itself under 180 MB.
HERE_GROWTH_MB = 120


def _resident_mb() -> float:
    """The resident memory of this process in MB (its peak where /proc is not there)."""
    try:
        with open("/proc/self/statm", "rb") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1_048_576
    except (OSError, ValueError, IndexError):  # pragma: no cover (not Linux)
        import resource  # noqa: PLC0415 (only where /proc is missing)

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # bytes on macOS, KB elsewhere
        return peak / (1_048_576 if sys.platform == "darwin" else 1024)


class _Here:
    """What this process has solved and grown by since a run started (see :data:`HERE_GROWTH_MB`)."""

    def __init__(self) -> None:
        self.batch = _engine().batch
        self.solved = self.batch.solved
        self.base = _resident_mb()

    def may_solve(self) -> bool:
        """Whether this process may go on solving."""
        return (self.batch.solved - self.solved < RECYCLE_ENCOUNTERS
                and _resident_mb() - self.base < HERE_GROWTH_MB)


def init_worker(rules: tuple[str | None, str | None] = (None, None), *, watch_parent: bool = False) -> None:
    """Make this process's engine on the rule data of ``rules`` = (store, as-of quarter), as ``solve`` does.

    With ``watch_parent`` (in worker processes) the worker also ends when its parent is killed.
    """
    if watch_parent:
        die_with_parent()
    global _WORKER_ENGINE, _WORKER_RULES
    if _WORKER_ENGINE is None or rules != _WORKER_RULES:
        _WORKER_RULES = rules
        _WORKER_ENGINE = Engine(data=rule_source(*rules))


def worker_process(rules: tuple[str | None, str | None] = (None, None), *, result_memo: bool = True) -> None:
    """The initializer of a worker process: its engine, and an end when its parent is gone.

    Without ``result_memo`` the worker keeps no Results (the process that hands it work keeps them, see
    :mod:`fluorologic.run.front`), so that its memory goes to solving.
    """
    if not result_memo and os.environ.get("FLUOROLOGIC_MEMO_SIZE", "1") != "0":
        os.environ["FLUOROLOGIC_RESULT_MEMO_SIZE"] = "0"
        os.environ["FLUOROLOGIC_MEMO_SIZE"] = str(ATOM_MEMO_BEHIND)  # new keys only come here: a few will do
    init_worker(rules, watch_parent=True)


def worker_behind_memo(rules: tuple[str | None, str | None]) -> None:
    """The initializer of a worker behind a memo kept by the process that hands it work (the pool's, the service's)."""
    worker_process(rules, result_memo=False)


def _engine() -> Engine:
    init_worker(_WORKER_RULES)
    assert _WORKER_ENGINE is not None
    return _WORKER_ENGINE


class WithParts(list):  # type: ignore[type-arg]
    """A chunk of validated encounters with the rule parts the sending process built for them.

    Pickled with the chunk (a list subclass keeps its attributes), so that a worker adopts the parts
    (:meth:`~fluorologic.engine.fastpath.factcache.FactCache.adopt`) instead of looking the same rows up again.
    """

    def __init__(self, items: list[Any], parts: dict[Any, Any]) -> None:
        super().__init__(items)
        self.parts = parts


def solve_chunk_lines(items: list[Any]) -> ChunkResult:
    """Solve a chunk with this process's engine; the records come back as JSON lines (cheap to send)."""
    parts = getattr(items, "parts", None)
    if parts:
        _engine().batch.cache.adopt(parts)
    summary = Summary()
    lines = []
    errors = []
    found: list[Counts | None] = []
    for text, extra in solve_chunk_rendered(_engine(), items):
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:  # text that cannot be written (a lone surrogate echoed back)
            extra = failure_record(json.loads(text).get("encounter_id"), exc)
            text = to_json(extra)
        lines.append(text)
        if isinstance(extra, dict):  # an error record
            summary.add(extra)
            errors.append((extra["encounter_id"], extra["error"]["field"], extra["error"]["message"]))
            found.append(None)
        else:
            summary.add_counts(extra)
            found.append(extra)
    return ChunkResult(lines, summary, errors, found)


def default_workers() -> int:
    """All the cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover (not Linux)
        return os.cpu_count() or 1


def ordered_map(fn: Callable[[list[Any]], ChunkResult], chunks: Iterable[list[Any]], workers: int,
                rules: tuple[str | None, str | None] = (None, None), *, chunk_size: int = 128
                ) -> Iterator[ChunkResult]:
    """``fn`` over ``chunks`` (of up to ``chunk_size`` items) on ``workers`` processes, yielded in input order.

    This process is one of the ``workers``: it reads the input and writes the output, and it solves a chunk
    itself whenever the worker processes have enough queued (so it never waits idle for them, not even while
    they start), while it has grown by less than ``HERE_GROWTH_MB``; then one more worker process takes
    its share. At most 3 chunks per worker are in flight, so the input is read only as fast as it is solved.
    With one worker, this process goes on alone while it may (a short run starts at once) and the rest of a
    longer stream goes on in one worker process, replaced like the pool's, so that memory stays bounded
    however long the stream.
    """
    recycle = max(1, RECYCLE_ENCOUNTERS // chunk_size)
    it = iter(chunks)
    if workers <= 1:  # while this process may (the memo answers the rest for free)
        init_worker(rules)
        here = _Here()
        for chunk in it:
            yield fn(chunk)
            if not here.may_solve():
                break
        workers = 1
        helping = False
    else:
        helping = True
    head = list(islice(it, 2))
    if not head:
        return
    if len(head) < 2 and workers > 1:  # one chunk: starting processes would cost more than it saves
        init_worker(rules)
        yield from map(fn, head)
        return
    if helping:
        init_worker(rules)
        here = _Here()
    with _Pools(rules, recycle) as pools:
        pools.add(workers - 1 if helping else workers)
        pending: deque[tuple[list[Any], Future[ChunkResult]]] = deque()
        for chunk in chain(head, it):
            if helping and pools.busy():  # the workers have enough queued: this process solves this chunk
                done: Future[ChunkResult] = Future()
                try:
                    done.set_result(fn(chunk))
                except Exception as exc:  # noqa: BLE001 (raised in its place, after the chunks before it)
                    done.set_exception(exc)
                pending.append((chunk, done))
                if not here.may_solve():  # this process's share goes to a new worker
                    helping = False
                    pools.add(1)
            else:
                pending.append((chunk, pools.submit(fn, chunk)))
            while pending and (len(pending) >= 3 * workers or pending[0][1].done()):
                yield _result(fn, *pending.popleft(), rules)
        while pending:
            yield _result(fn, *pending.popleft(), rules)


class _Pools:
    """Worker processes, each in its own one-process executor, replaced after ``recycle`` chunks.

    Recycling is done here rather than with ``max_tasks_per_child``: in CPython 3.11 an executor whose
    worker exits after its last task may not start another while tasks wait (a stale idle count), and the
    run hangs. A worker that has taken ``recycle`` chunks is retired (it finishes what it has queued and
    ends) and a fresh one takes its place; a chunk goes to the worker with the fewest chunks queued.
    """

    def __init__(self, rules: tuple[str | None, str | None], recycle: int) -> None:
        self.rules, self.recycle = rules, recycle
        self.slots: list[_Worker] = []
        self.retired: list[ProcessPoolExecutor] = []

    def __enter__(self) -> _Pools:
        return self

    def __exit__(self, *exc: object) -> None:
        for executor in [*self.retired, *(slot.executor for slot in self.slots)]:
            executor.shutdown(wait=True, cancel_futures=exc[0] is not None)

    def add(self, workers: int) -> None:
        """Start ``workers`` more worker processes."""
        self.slots.extend(_Worker(self.rules) for _ in range(workers))

    def busy(self) -> bool:
        """Whether every worker has at least two chunks queued."""
        return all(slot.queued() >= 2 for slot in self.slots)

    def submit(self, fn: Callable[[list[Any]], ChunkResult], chunk: list[Any]) -> Future[ChunkResult]:
        """Send ``chunk`` to the worker with the fewest chunks queued."""
        i = min(range(len(self.slots)), key=lambda k: self.slots[k].queued())
        if self.slots[i].taken >= self.recycle:
            # clingo interns every symbol it ever makes for the life of the process, so a fresh worker now and
            # then keeps memory flat on endless streams
            self.slots[i].executor.shutdown(wait=False)
            self.retired.append(self.slots[i].executor)
            self.slots[i] = _Worker(self.rules)
        return self.slots[i].submit(fn, chunk)


class _Worker:
    """One worker process (a one-process executor) and the chunks it has taken."""

    def __init__(self, rules: tuple[str | None, str | None]) -> None:
        self.executor = ProcessPoolExecutor(max_workers=1, initializer=worker_behind_memo, initargs=(rules,),
                                            mp_context=multiprocessing.get_context("spawn"))
        self.taken = 0
        self.in_flight: set[Future[ChunkResult]] = set()  # touched by the calling thread only

    def queued(self) -> int:
        """Chunks sent and not yet answered."""
        self.in_flight.difference_update([f for f in self.in_flight if f.done()])
        return len(self.in_flight)

    def submit(self, fn: Callable[[list[Any]], ChunkResult], chunk: list[Any]) -> Future[ChunkResult]:
        """Send ``chunk`` to this worker."""
        self.taken += 1
        future = self.executor.submit(fn, chunk)
        self.in_flight.add(future)
        return future


def _result(fn: Callable[[list[Any]], ChunkResult], chunk: list[Any], future: Future[ChunkResult],
            rules: tuple[str | None, str | None]) -> ChunkResult:
    """The result of a chunk sent to the pool; solved here when it could not travel (it would not pickle)."""
    try:
        return future.result()
    except BrokenProcessPool:
        raise
    except Exception:  # noqa: BLE001 (e.g. a value too deep to pickle: the chunk's records still come back)
        init_worker(rules)
        return fn(chunk)
