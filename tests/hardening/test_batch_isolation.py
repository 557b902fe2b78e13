"""Issue 13, error isolation in every batch path: Engine.solve_record, the keyed batch (engine/records.py) and the
worker pool (run/parallel.py). One bad encounter never changes another's answer, and nothing raises."""

from __future__ import annotations

import io
import json

import pytest

from fluorologic.engine.records import solve_chunk
from fluorologic.engine.solver import Engine
from fluorologic.run.batchrun import run_solve

SURROGATE_SITE = {"encounter_id": "sur", "date_of_service": "2024-08-01", "place_of_service": "11",
                  "lines": [{"code": "62321", "site": "L5\ud800S1"}, {"code": "77003"}]}
SURROGATE_CLAIM = {"encounter_id": "sur-claim", "date_of_service": "2024-08-01", "place_of_service": "11",
                   "lines": [{"code": "20610"}], "claim": {"payer": "x\udfffy"}}
SURROGATE_ID = {"encounter_id": "id\ud800", "date_of_service": "2024-08-01", "place_of_service": "11",
                "lines": [{"code": "20610"}]}
SURROGATE_NOTE = {"encounter_id": "sur-note", "date_of_service": "2024-08-01", "place_of_service": "11",
                  "lines": [{"code": "20610"}], "note": "Under fluoroscopy \ud800 the knee was injected."}
HOSTILE = [SURROGATE_SITE, SURROGATE_CLAIM, SURROGATE_ID, SURROGATE_NOTE]


def neighbours(n: int = 7) -> list[dict]:
    return [{"encounter_id": f"n{i}", "date_of_service": f"2024-08-{10 + i:02d}", "place_of_service": "11",
             "lines": [{"code": "20610", "site": "left knee"}, {"code": "77002"}]} for i in range(n)]


@pytest.fixture(scope="module")
def alone():
    return {n["encounter_id"]: Engine().solve(n) for n in neighbours()}


@pytest.mark.parametrize("bad", HOSTILE, ids=lambda b: b["encounter_id"])
def test_solve_record_never_raises(bad):
    rec = Engine().solve_record(bad)
    assert "error" in rec or "billable" in rec
    if "error" in rec:
        assert rec["encounter_id"] in (bad["encounter_id"], None)
        json.dumps(rec, ensure_ascii=False).encode("utf-8")  # an error record can always be written


@pytest.mark.parametrize("bad", HOSTILE, ids=lambda b: b["encounter_id"])
def test_keyed_batch_keeps_the_neighbours_answers(bad, alone):
    items = [*neighbours()[:3], bad, *neighbours()[3:]]
    records = solve_chunk(Engine(), items)
    assert len(records) == 8
    good = [r for r in records if (r.get("encounter_id") or "").startswith("n")]
    assert good == [alone[f"n{i}"] for i in range(7)]


def test_a_failure_of_any_kind_in_the_batch_stays_with_its_encounter(alone, monkeypatch):
    from fluorologic.engine import facts
    from fluorologic.engine.fastpath import factcache

    real = facts.encounter_facts

    def poisoned(enc, places=None):
        if enc.encounter_id == "poison":
            raise MemoryError
        return real(enc, places)

    monkeypatch.setattr(facts, "encounter_facts", poisoned)
    monkeypatch.setattr(factcache, "encounter_facts", poisoned)
    monkeypatch.setenv("FLUOROLOGIC_MEMO_SIZE", "0")  # the poison is n0 but for its id: a memo would answer it
    records = solve_chunk(Engine(), [*neighbours()[:4], dict(neighbours()[0], encounter_id="poison"),
                                     *neighbours()[4:]])
    assert records[4] == {"encounter_id": "poison",
                          "error": {"field": "$", "message": "could not be solved (MemoryError); needs review"}}
    assert [r for i, r in enumerate(records) if i != 4] == [alone[f"n{i}"] for i in range(7)]


@pytest.mark.parametrize("workers", [1, 2])
def test_the_pool_writes_every_record_in_order_and_keeps_the_neighbours_answers(workers, alone):
    items = []
    for i, n in enumerate(neighbours()):
        items += [n, HOSTILE[i % len(HOSTILE)]]
    text = "".join(json.dumps(x) + "\n" for x in items)  # ASCII escapes: the surrogates survive the file
    out, err = io.StringIO(), io.StringIO()
    code = run_solve(io.StringIO(text), "jsonl", out=out, err=err, workers=workers, chunk_size=3)
    records = [json.loads(x) for x in out.getvalue().splitlines()]
    out.getvalue().encode("utf-8")  # everything written is UTF-8
    assert code == 1
    assert len(records) == len(items)
    assert [records[2 * i] for i in range(7)] == [alone[f"n{i}"] for i in range(7)]
    for i in range(7):  # each hostile item has its own record: an error, or a result that can be written
        assert records[2 * i + 1]["encounter_id"] in (HOSTILE[i % len(HOSTILE)]["encounter_id"], None)


def test_a_chunk_that_cannot_be_pickled_to_a_worker_is_solved_here():
    from fluorologic.run.parallel import ordered_map, solve_chunk_lines

    chunks = [[n] for n in neighbours(3)]
    chunks[1] = [dict(chunks[1][0], claim={"x": lambda: None})]  # no pickle: the pool cannot take it
    results = list(ordered_map(solve_chunk_lines, chunks, 2, chunk_size=1))
    records = [json.loads(line) for r in results for line in r.lines]
    assert [r["encounter_id"] for r in records] == ["n0", "n1", "n2"]
    assert records[0] == Engine().solve(neighbours(3)[0])
