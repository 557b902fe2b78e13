"""Issue 13, the service: D1 (deep or huge bodies answered 4xx in the contract's shape, never 500), D3 (one bad
encounter of a micro-batch never changes its neighbours' answers) and the note read inside the solve timeout."""

from __future__ import annotations

import asyncio
import json
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient

from fluorologic.contract.encounter import parse_encounter
from fluorologic.engine import facts as facts_module
from fluorologic.engine.solver import Engine
from fluorologic.service import app as service
from fluorologic.service.app import Settings, create_app

KNEE = {"date_of_service": "2024-08-01", "place_of_service": "11",
        "lines": [{"code": "20610", "site": "left knee"}, {"code": "77002"}]}


def knee(eid: str, **extra) -> dict:
    return {"encounter_id": eid, **KNEE, **extra}


@pytest.fixture(scope="module")
def engine():
    return Engine()


def _client(engine, **kw):
    kw.setdefault("solver_process", False)
    return TestClient(create_app(Settings(**kw), engine), raise_server_exceptions=False)


def _post(client, body: str | bytes):
    return client.post("/v1/solve", content=body if isinstance(body, bytes) else body.encode("utf-8"),
                       headers={"content-type": "application/json"})


def _error_shape(body: dict) -> None:
    assert set(body) == {"encounter_id", "error"}
    assert set(body["error"]) == {"field", "message"} and body["error"]["message"]


DEEP = '{"encounter_id": "deep", "date_of_service": "2024-08-01", "place_of_service": "11", "lines": [], ' \
       '"claim": ' + "[" * 5000 + "]" * 5000 + "}"
HUGE = '{"encounter_id": "huge", "date_of_service": "2024-08-01", "place_of_service": "11", ' \
       '"lines": [{"code": "20610", "units": ' + "9" * 5000 + "}]}"


@pytest.mark.parametrize("body,eid", [(DEEP, "deep"), (HUGE, "huge"), ("[" * 100_000, None)])
def test_d1_deep_or_huge_body_is_a_4xx_json_error_naming_the_encounter(engine, body, eid):
    with _client(engine) as c:
        r = _post(c, body)
    assert 400 <= r.status_code < 500
    assert r.headers["content-type"] == "application/json"
    _error_shape(r.json())
    assert r.json()["encounter_id"] == eid


def test_d1_a_deep_item_of_a_list_is_its_own_error_record(engine):
    body = "[" + ",".join([json.dumps(knee("a")), DEEP, HUGE, json.dumps(knee("b"))]) + "]"
    with _client(engine) as c:
        r = _post(c, body)
    assert r.status_code == 200
    records = r.json()
    assert [x["encounter_id"] for x in records] == ["a", "deep", "huge", "b"]
    assert records[0] == engine.solve(knee("a")) and records[3] == engine.solve(knee("b"))
    _error_shape(records[1])
    _error_shape(records[2])


def test_d9_a_body_with_a_byte_order_mark_is_accepted(engine):
    with _client(engine) as c:
        r = _post(c, b"\xef\xbb\xbf" + json.dumps(knee("bom")).encode())
    assert r.status_code == 200 and r.json() == engine.solve(knee("bom"))


SURROGATE = '{"encounter_id": "sur", "date_of_service": "2024-08-01", "place_of_service": "11", ' \
            '"lines": [{"code": "62321", "site": "L5\\ud800S1"}, {"code": "77003"}]}'


def _neighbours(n: int = 7) -> list[dict]:
    return [knee(f"n{i}", date_of_service=f"2024-08-{10 + i:02d}") for i in range(n)]


def test_d3_a_surrogate_encounter_in_a_list_leaves_its_seven_neighbours_their_answers(engine):
    neighbours = _neighbours()
    body = "[" + ",".join([SURROGATE, *map(json.dumps, neighbours)]) + "]"
    with _client(engine) as c:
        r = _post(c, body)
    assert r.status_code == 200
    records = r.json()
    assert records[0]["encounter_id"] == "sur" and "error" in records[0]
    assert records[1:] == [engine.solve(n) for n in neighbours]


def test_d3_a_surrogate_request_among_concurrent_requests_changes_no_other_answer(engine):
    neighbours = _neighbours()
    expected = [engine.solve(n) for n in neighbours]
    with _client(Engine(), batch_linger=0.2) as c, ThreadPoolExecutor(max_workers=8) as pool:
        bad = pool.submit(_post, c, SURROGATE)
        time.sleep(0.01)
        good = list(pool.map(lambda n: c.post("/v1/solve", json=n), neighbours))
        bad = bad.result()
    assert 400 <= bad.status_code < 500 or "error" in bad.json()
    assert bad.headers["content-type"] == "application/json"
    assert [g.status_code for g in good] == [200] * 7
    assert [g.json() for g in good] == expected


def test_d3_any_failure_of_one_encounter_in_a_micro_batch_stays_its_own(engine, monkeypatch):
    real = engine.batch.cache.own_facts

    def poisoned(enc):
        if enc.encounter_id == "poison":
            raise RuntimeError("boom")
        return real(enc)

    monkeypatch.setattr(engine.batch.cache, "own_facts", poisoned)
    encs = [parse_encounter(knee("poison"))] + [parse_encounter(n) for n in _neighbours()]
    records = [json.loads(r) for r in service.solve_records(encs, 5.0, engine)]
    assert records[0]["encounter_id"] == "poison" and "error" in records[0]
    assert records[1:] == [Engine().solve(n) for n in _neighbours()]


def test_d3_a_dead_solver_is_replaced_and_the_batch_answered_one_by_one(engine, monkeypatch):
    from concurrent.futures import BrokenExecutor

    calls = []
    real = service.solve_records

    def dies_once(encs, timeout, eng=None):
        calls.append(len(encs))
        if len(calls) == 1:
            raise BrokenExecutor("the solver process died")
        return real(encs, timeout, eng)

    monkeypatch.setattr(service, "solve_records", dies_once)
    encs = [parse_encounter(n) for n in _neighbours(3)]

    async def scenario():
        batcher = service.MicroBatcher(engine, Settings(batch_linger=0.05))
        batcher.start()
        out = [json.loads(r) for r in await batcher.solve(encs)]
        await batcher.stop()
        return out

    records = asyncio.run(scenario())
    assert calls == [3, 1, 1, 1]
    assert records == [engine.solve(n) for n in _neighbours(3)]


def test_the_note_read_counts_against_the_solve_timeout_and_its_neighbour_keeps_its_answer(engine, monkeypatch):
    real = facts_module.scan_note

    def slow(note):
        if "SLOW" in note:
            time.sleep(0.6)
        return real(note)

    monkeypatch.setattr(facts_module, "scan_note", slow)
    slow_enc = parse_encounter(knee("slow", note="SLOW. Under fluoroscopy the knee was injected."))
    fast_enc = parse_encounter(knee("fast", note="Under fluoroscopy the knee was injected."))
    started = time.monotonic()
    records = [json.loads(r) for r in service.solve_records([slow_enc, fast_enc], 0.3, Engine())]
    took = time.monotonic() - started
    assert records[0]["encounter_id"] == "slow" and records[0]["needs_review"] is True
    assert records[1] == engine.solve(knee("fast", note="Under fluoroscopy the knee was injected."))
    assert took < 1.2  # the slow note is read once, not again when the batch falls back to one by one


def test_why_and_scan_with_lone_surrogates_are_4xx_or_answered_never_500(engine):
    why = '{"code": "20610", "encounter": {"encounter_id": "s", "date_of_service": "2024-08-01", ' \
          '"place_of_service": "11", "lines": [{"code": "20610", "site": "a\\ud800"}]}}'
    scan = '{"note": "Under fluoroscopy \\ud800 the L4-5 facet joint injection was performed."}'
    with _client(engine) as c:
        r_why = c.post("/v1/why", content=why.encode(), headers={"content-type": "application/json"})
        r_scan = c.post("/v1/scan", content=scan.encode(), headers={"content-type": "application/json"})
    assert r_why.status_code == 200 or 400 <= r_why.status_code < 500
    assert r_why.headers["content-type"] == "application/json"
    assert r_scan.status_code == 200 or 400 <= r_scan.status_code < 500
    r_scan.json()
