"""The memo in front of the pool: each canonical key is solved once, however far ahead the pool has read."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fluorologic.run.front import memo_front
from fluorologic.run.parallel import ChunkResult, _engine, solve_chunk_lines

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.generate import realistic  # noqa: E402


def _chunks(items: list[Any], size: int) -> list[list[Any]]:
    return [items[i:i + size] for i in range(0, len(items), size)]


def _run(items: list[Any], read_ahead: bool) -> tuple[list[str], int]:
    """The output lines of ``memo_front`` over ``items``, and how many encounters it handed on to be solved.

    ``read_ahead``: the solver takes every group of misses before it answers the first (a pool that has read
    the whole stream ahead: the most a key can be in flight); otherwise it answers each group at once.
    """
    handed: list[int] = []

    def solve(groups: Iterator[list[Any]]) -> Iterator[ChunkResult]:
        taken = list(groups) if read_ahead else groups
        for group in taken:
            handed.append(len(group))
            yield solve_chunk_lines(group)

    engine = _engine()
    engine.batch.result_memo.clear()  # the same process's memo: start empty for each run
    out = [line for res in memo_front(_chunks(items, 64), solve, 64) for line in res.lines]
    return out, sum(handed)


def test_a_key_in_flight_is_not_handed_on_again_and_the_output_is_unchanged():
    items = realistic(1500, seed=3)
    items[7] = {"encounter_id": "bad"}  # an error record keeps its place
    inline, inline_handed = _run(items, read_ahead=False)
    ahead, ahead_handed = _run(items, read_ahead=True)
    assert ahead == inline
    assert [json.loads(line)["encounter_id"] for line in ahead] == [it["encounter_id"] for it in items]
    # Each distinct key is handed on once: read ahead or not, the same encounters are solved.
    assert ahead_handed == inline_handed
    assert ahead_handed < len(items)


def test_the_rule_parts_built_for_the_keys_travel_with_the_misses(monkeypatch):
    """The front hands each group of misses on with the rule parts it built for their keys; a worker's cache that
    adopts them looks no row up again, and solves them to the same bytes."""
    import pickle

    from fluorologic.engine.fastpath import factcache
    from fluorologic.engine.fastpath.factcache import FactCache
    from fluorologic.run.parallel import WithParts

    items = realistic(300, seed=3)
    groups: list[Any] = []

    def solve(todo: Iterator[list[Any]]) -> Iterator[ChunkResult]:
        for group in todo:
            groups.append(pickle.loads(pickle.dumps(group)))  # as a worker process receives it
            yield solve_chunk_lines(group)

    engine = _engine()
    engine.batch.result_memo.clear()
    expected = [line for res in memo_front(_chunks(items, 64), solve, 64) for line in res.lines]
    assert groups and all(isinstance(g, WithParts) and g.parts for g in groups)
    worker = FactCache(engine.data, engine.places)
    for group in groups:
        worker.adopt(group.parts)

    def no_lookup(*_: Any) -> None:
        raise AssertionError("a part handed on was looked up again")

    monkeypatch.setattr(factcache, "rule_facts", no_lookup)
    for group in groups:
        for enc in group:
            assert worker.rule_part(enc).terms == engine.batch.cache.rule_part(enc).terms
    engine.batch.result_memo.clear()
    again = [line for res in memo_front(_chunks(items, 64), solve, 64) for line in res.lines]
    assert again == expected
