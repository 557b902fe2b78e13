"""The HTTP service: contract-shaped answers and errors, limits, the solve timeout, concurrency."""

from __future__ import annotations

import json
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from fluorologic.contract.encounter import parse_encounter
from fluorologic.contract.schema import ENCOUNTER
from fluorologic.engine.solver import Engine
from fluorologic.service.app import Settings, create_app

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.generate import generate  # noqa: E402

KNEE = {"encounter_id": "k1", "date_of_service": "2024-08-01", "place_of_service": "11",
        "lines": [{"code": "20610", "site": "left knee"}, {"code": "77002"}]}


@pytest.fixture(scope="module")
def shared_engine():
    return Engine()


def _client(engine, **kw):
    return TestClient(create_app(Settings(**kw), engine))


def _is_error_record(body, field):
    assert set(body) >= {"encounter_id", "error"}
    assert set(body["error"]) == {"field", "message"}
    assert body["error"]["field"] == field
    assert body["error"]["message"]


def test_solve_one_and_many_match_the_engine(shared_engine):
    with _client(shared_engine) as c:
        one = c.post("/v1/solve", json=KNEE)
        many = c.post("/v1/solve", json=[KNEE, {"encounter_id": "bad"}, dict(KNEE, encounter_id="k2")])
    assert one.status_code == 200
    assert one.json() == shared_engine.solve(KNEE)
    assert many.status_code == 200
    body = many.json()
    assert [r["encounter_id"] for r in body] == ["k1", "bad", "k2"]
    _is_error_record(body[1], "date_of_service")
    assert body[2] == shared_engine.solve(dict(KNEE, encounter_id="k2"))


def test_malformed_json_is_400(shared_engine):
    with _client(shared_engine) as c:
        r = c.post("/v1/solve", content=b'{"encounter_id": ', headers={"content-type": "application/json"})
    assert r.status_code == 400
    _is_error_record(r.json(), "$")
    assert "not valid JSON" in r.json()["error"]["message"]


def test_invalid_encounter_is_422_naming_the_field(shared_engine):
    with _client(shared_engine) as c:
        r = c.post("/v1/solve", json=dict(KNEE, lines=[{"code": "ABC"}]))
    assert r.status_code == 422
    _is_error_record(r.json(), "lines[0].code")
    assert r.json()["encounter_id"] == "k1"


def test_oversize_requests_are_413(shared_engine):
    with _client(shared_engine, max_body_bytes=2000, max_encounters=3, max_lines=4) as c:
        big = c.post("/v1/solve", content=b"[" + b" " * 3000 + b"]", headers={"content-type": "application/json"})
        many = c.post("/v1/solve", json=[KNEE] * 4)
        lines = c.post("/v1/solve", json=dict(KNEE, lines=[{"code": "20610"}] * 5))
    assert big.status_code == 413
    _is_error_record(big.json(), "$")
    assert many.status_code == 413
    _is_error_record(many.json(), "$")
    assert lines.status_code == 413
    _is_error_record(lines.json(), "lines")


def test_solve_timeout_answers_needs_review():
    fresh = dict(KNEE, encounter_id="slow", date_of_service="2024-09-03")  # not remembered from another test
    with _client(Engine(), solve_timeout=1e-9) as c:
        r = c.post("/v1/solve", json=fresh)
        listed = c.post("/v1/solve", json=[dict(fresh, encounter_id="s2"), {"encounter_id": "bad"}])
    assert r.status_code == 200
    body = r.json()
    assert body["needs_review"] is True
    _is_error_record(body, "$")
    assert "needs review" in body["error"]["message"]
    assert [x.get("needs_review") for x in listed.json()] == [True, None]


def test_concurrent_requests_equal_sequential_answers(shared_engine):
    encs = list(generate(60, seed=77))
    sequential = [shared_engine.solve_record(e) for e in encs]
    with _client(Engine()) as c, ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(pool.map(lambda e: c.post("/v1/solve", json=e), encs))
    assert all(a.status_code in (200, 422) for a in answers)
    assert [a.json() for a in answers if a.status_code == 200] == [s for s in sequential if "error" not in s]


@pytest.mark.parametrize("linger", [0.0, 0.05])
def test_requests_arriving_within_the_linger_share_a_batch(shared_engine, monkeypatch, linger):
    import asyncio

    from fluorologic.service import app as service

    sizes = []
    real = service.solve_records

    def recording(encs, timeout, engine=None):
        sizes.append(len(encs))
        return real(encs, timeout, engine)

    monkeypatch.setattr(service, "solve_records", recording)
    # four encounters of different canonical keys (the memo in front would answer a repeat itself)
    encs = [parse_encounter(dict(KNEE, encounter_id=f"l{i}", lines=[{"code": "20610", "units": i + 1}]))
            for i in range(4)]

    async def scenario():
        batcher = service.MicroBatcher(shared_engine, Settings(batch_linger=linger))
        batcher.start()
        first = asyncio.ensure_future(batcher.solve(encs[:1]))
        await asyncio.sleep(0.001)  # the others arrive a moment later (a solve takes longer)
        rest = await batcher.solve(encs[1:])
        out = [*(await first), *rest]
        await batcher.stop()
        return out

    records = asyncio.run(scenario())
    assert [json.loads(r)["encounter_id"] for r in records] == ["l0", "l1", "l2", "l3"]
    assert sizes == ([4] if linger else [1, 3])


def test_a_repeat_is_answered_in_front_of_the_solver_with_the_same_bytes(shared_engine, monkeypatch):
    """The canonical memo in the HTTP process answers an encounter like an earlier one; the solver never sees it."""
    import asyncio

    from fluorologic.service import app as service

    solved = []
    real = service.solve_records

    def recording(encs, timeout, engine=None):
        solved.extend(e.encounter_id for e in encs)
        return real(encs, timeout, engine)

    monkeypatch.setattr(service, "solve_records", recording)
    first = parse_encounter(KNEE)
    again = parse_encounter(dict(KNEE, encounter_id="k2", date_of_service="2024-09-03",
                                 lines=[{"code": "77002"}, {"code": "20610", "site": "right knee"}]))

    async def scenario():
        batcher = service.MicroBatcher(shared_engine, Settings(batch_linger=0))
        batcher.start()
        out = [*(await batcher.solve([first])), *(await batcher.solve([again]))]
        await batcher.stop()
        return out

    a, b = asyncio.run(scenario())
    assert solved == ["k1"]
    assert b == a.replace('"encounter_id": "k1"', '"encounter_id": "k2"')
    assert json.loads(b) == shared_engine.solve(again)


def test_healthz_and_openapi(shared_engine):
    with _client(shared_engine) as c:
        health = c.get("/healthz")
        spec = c.get("/openapi.json").json()
    assert health.json()["status"] == "ok"
    schemas = spec["components"]["schemas"]
    assert {"EncounterIn", "ResultOut", "ErrorRecord", "WhyIn", "ScanIn"} <= set(schemas)
    body = spec["paths"]["/v1/solve"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert {"$ref": "#/components/schemas/EncounterIn"} in body["oneOf"]


def test_models_agree_with_the_validator_on_examples():
    for path in sorted((ROOT / "examples").glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        for raw in doc if isinstance(doc, list) else [doc]:
            try:
                parse_encounter(raw)
            except Exception:  # noqa: BLE001 (examples hold deliberate errors)
                continue
            ENCOUNTER.validate_python(raw)


def test_why_answers_as_explain_does(shared_engine):
    from fluorologic.explanation.explain import explain

    with _client(shared_engine) as c:
        r = c.post("/v1/why", json={"encounter": KNEE, "code": "77002"})
        bad = c.post("/v1/why", json={"encounter": dict(KNEE, place_of_service="7"), "code": "77002"})
        nocode = c.post("/v1/why", json={"encounter": KNEE})
    assert r.status_code == 200
    assert r.json() == json.loads(json.dumps(explain(KNEE, shared_engine).explain("77002")))
    assert bad.status_code == 422
    _is_error_record(bad.json(), "encounter.place_of_service")
    assert nocode.status_code == 422


def test_scan_answers_the_note_findings(shared_engine):
    from fluorologic.notes import scan_note

    note = "Under fluoroscopic guidance a needle was placed into the left knee joint. Fluoroscopy time 0.8 min."
    with _client(shared_engine) as c:
        r = c.post("/v1/scan", json={"note": note})
        missing = c.post("/v1/scan", json={"text": note})
    assert r.status_code == 200
    assert r.json() == json.loads(json.dumps(scan_note(note).to_dict()))
    assert missing.status_code == 422


def test_why_and_scan_answer_501_without_their_modules(shared_engine, monkeypatch):
    monkeypatch.setitem(sys.modules, "fluorologic.explanation.explain", None)  # import fails, as in a slim build
    monkeypatch.setitem(sys.modules, "fluorologic.notes", None)
    with _client(shared_engine) as c:
        why = c.post("/v1/why", json={"encounter": KNEE, "code": "77002"})
        scan = c.post("/v1/scan", json={"note": "x"})
    for r in (why, scan):
        assert r.status_code == 501
        _is_error_record(r.json(), None)


def test_solver_in_a_recycled_child_process_gives_the_same_answers(shared_engine):
    encs = list(generate(20, seed=78))
    with _client(shared_engine, solver_process=True, recycle_batches=8) as c:
        answers = [c.post("/v1/solve", json=e) for e in encs]
        late = c.post("/v1/solve", json=dict(KNEE, encounter_id="late"))
    assert [a.json() for a in answers] == [shared_engine.solve_record(e) for e in encs]
    assert late.json() == shared_engine.solve(dict(KNEE, encounter_id="late"))


def test_note_text_never_reaches_the_logs(shared_engine, caplog):
    marker = "PATIENT-SECRET-4711"
    note_enc = dict(KNEE, encounter_id="n1", note=f"Fluoroscopy was used. {marker}")
    caplog.set_level("DEBUG")
    with _client(shared_engine) as c:
        ok = c.post("/v1/solve", json=note_enc)
        bad = c.post("/v1/solve", json=dict(note_enc, date_of_service="2024-02-30"))
        many = c.post("/v1/solve", json=[note_enc, dict(note_enc, lines="x")])
    assert ok.status_code == 200 and bad.status_code == 422 and many.status_code == 200
    assert marker not in caplog.text
    assert marker not in bad.text and marker not in many.text


def test_the_memo_in_front_starts_afresh_with_its_key_cache(shared_engine, monkeypatch):
    """The HTTP process is never recycled: past a bound of numbered code combinations, keys and memo start afresh."""
    import asyncio

    from fluorologic.service import app as service

    monkeypatch.setattr(service, "_MAX_PARTS", 2)
    encs = [parse_encounter(dict(KNEE, encounter_id=f"m{i}", lines=[{"code": code}]))
            for i, code in enumerate(["20610", "77002", "20610", "64483", "20610"])]

    async def scenario():
        batcher = service.MicroBatcher(shared_engine, Settings(batch_linger=0))
        batcher.start()
        out = [r for enc in encs for r in await batcher.solve([enc])]
        numbered = batcher.cache.numbered
        await batcher.stop()
        return out, numbered

    out, numbered = asyncio.run(scenario())
    assert [json.loads(r) for r in out] == [shared_engine.solve(e) for e in encs]
    assert numbered <= 2
