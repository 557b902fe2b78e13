"""The memo in front of the worker pool: this process answers what it has seen, the workers solve the rest.

Worker processes are replaced now and then (clingo keeps every symbol it made until its process ends),
and each has its own memory, so a memo in the workers would start empty again and again, and two
workers would each solve what the other already knows. :func:`memo_front` keeps the canonical Result
memo (:mod:`fluorologic.engine.fastpath.resultmemo`) in the process that reads the input instead: it validates
each encounter, answers the ones the memo knows, and hands only the others to
:func:`~fluorologic.run.parallel.ordered_map`; the answers that come back are remembered. The records
are the same bytes, in the same order, as without it.

Examples
--------
>>> from fluorologic.run.parallel import ordered_map, solve_chunk_lines
>>> knee = {"date_of_service": "2024-08-01", "place_of_service": "11", "lines": [{"code": "20610"}]}
>>> chunks = [[dict(knee, encounter_id="a")], [dict(knee, encounter_id="b"), {"encounter_id": "c"}]]
>>> out = list(memo_front(chunks, lambda todo: ordered_map(solve_chunk_lines, todo, 1)))
>>> import json
>>> [json.loads(line)["encounter_id"] for r in out for line in r.lines], out[1].summary.errors
(['a', 'b', 'c'], 1)

"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from fluorologic.contract.render import to_json
from fluorologic.engine.records import validated
from fluorologic.run.parallel import ChunkResult, Summary, WithParts, _engine, solve_chunk_lines

__all__ = ["memo_front"]

#: What a chunk waits for: per item, ``("hit", text, counts)``, ``("error", record, None)`` or None (a worker
#: answers it, or the Result of an earlier encounter of the same key does), and the encounters it waits for, with
#: their memo keys and whether each was handed on.
_Plan = tuple[list[Any], list[Any]]

#: Input chunks whose misses may wait to be solved together (a batch's fixed cost is shared by more encounters).
MAX_GROUP = 8


def memo_front(chunks: Iterable[list[Any]], solve: Callable[[Iterator[list[Any]]], Iterator[ChunkResult]],
               size: int = 256) -> Iterator[ChunkResult]:
    """The results of ``chunks`` in order; ``solve`` maps the chunks of what the memo does not know to results.

    ``solve`` must yield one result per chunk it is given, in order (as ``ordered_map`` does). The misses of
    consecutive input chunks are handed on together once they fill three quarters of ``size`` (or come from
    :data:`MAX_GROUP` input chunks): a program solves a few hundred encounters for little more than the fixed
    cost of one, and a stream that seldom repeats is still handed on a chunk at a time.

    A pool has several groups in flight before the first comes back, so a key seen again while its first
    encounter is still being solved is not handed on a second time: the later encounter waits for the
    earlier one's Result (groups come back in input order). Where that Result cannot serve it (one that
    names its day, or no Result at all), this process solves it itself.
    """
    engine = _engine()
    batch = engine.batch
    memo, cache = batch.result_memo, batch.cache
    if not memo.size:
        yield from solve(iter(chunks))
        return
    groups: deque[list[_Plan]] = deque()
    in_flight: set[Any] = set()  # the keys handed on whose Result has not come back yet

    def todo() -> Iterator[list[Any]]:
        group: list[_Plan] = []
        misses: list[Any] = []
        for chunk in chunks:
            records, valid = validated(engine, chunk)
            out: list[Any] = [None if r is None else ("error", r, None) for r in records]
            waiting: list[Any] = []
            for i, enc in valid:
                key = memo.key_for(enc, cache)
                hit = memo.get(key, enc)
                if hit is not None:
                    out[i] = ("hit", *hit)
                elif key in in_flight:  # its first encounter is being solved: wait for that Result
                    waiting.append((i, enc, key, False))
                else:
                    in_flight.add(key)
                    misses.append(enc)  # validated: the worker takes it as it is
                    waiting.append((i, enc, key, True))
            group.append((out, waiting))
            if 4 * len(misses) >= 3 * size or len(group) >= MAX_GROUP:  # three quarters of a batch: solve them
                groups.append(group)
                yield WithParts(misses, cache.parts_of(misses))  # built here for the keys: not again there
                group, misses = [], []
        if group:
            groups.append(group)
            yield WithParts(misses, cache.parts_of(misses))

    for solved in solve(todo()):
        at = 0
        worker_errors = iter(solved.errors)
        for out, waiting in groups.popleft():
            for i, enc, key, handed_on in waiting:
                if handed_on:
                    text, found = solved.lines[at], solved.counts[at]
                    at += 1
                    if found is not None:
                        memo.put(key, enc, text, found)
                    out[i] = ("solved", text, found)
                    in_flight.discard(key)  # back: a later encounter of the key is a hit, or a miss handed on
                else:
                    hit = memo.get(key, enc)
                    if hit is None:  # a Result that names its day, or none at all: solved here
                        out[i] = entry = _solved_here(enc)
                        if entry[0] == "solved":
                            memo.put(key, enc, entry[1], entry[2])
                    else:
                        out[i] = ("hit", *hit)
            yield _merged(out, worker_errors)


def _solved_here(enc: Any) -> tuple[str, Any, Any]:
    """A validated encounter solved in this process, as its entry of a chunk's plan: what a worker would answer."""
    res = solve_chunk_lines([enc])
    if res.counts[0] is None:  # an error record, with its (id, field, message)
        return ("failed", res.lines[0], res.errors[0])
    return ("solved", res.lines[0], res.counts[0])


def _merged(out: list[Any], worker_errors: Iterator[tuple[str | None, str, str]]) -> ChunkResult:
    """One chunk's result: the memo's answers and the workers' in input order, with their summary and errors."""
    summary = Summary()
    errors: list[tuple[str | None, str, str]] = []
    lines: list[str] = []
    found: list[Any] = []
    for kind, value, extra in out:
        if kind == "failed":  # solved in this process, with an error record: ``extra`` is its (id, field, message)
            summary.encounters += 1
            summary.errors += 1
            errors.append(extra)
            lines.append(value)
            found.append(None)
            continue
        if kind == "error":  # refused here by validation: the record a worker would have written
            summary.add(value)
            errors.append((value["encounter_id"], value["error"]["field"], value["error"]["message"]))
            lines.append(to_json(value))
            found.append(None)
            continue
        lines.append(value)
        found.append(extra)
        if extra is not None:
            summary.add_counts(extra)
        else:  # a worker's error record (an encounter that could not be solved)
            summary.encounters += 1
            summary.errors += 1
            errors.append(next(worker_errors))
    return ChunkResult(lines, summary, errors, found)
