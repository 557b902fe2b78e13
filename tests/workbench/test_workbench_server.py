"""The workbench without a browser: loading each format, storage and deletion, hostile input escaped everywhere,
the token, same-origin posts, no note text in logs, offline docs, the command line's refusals."""

from __future__ import annotations

import csv
import io
import json
import logging

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from markupsafe import escape

from fluorologic.cli.main import main
from fluorologic.service.app import Settings, create_app

HOSTILE_ID = "<script>alert('id')</script>"
HOSTILE_NOTE = "SECRET-NOTE <img src=x onerror=alert('note')> fluoroscopy 0.5 min, left knee injection"
HOSTILE = [
    {"encounter_id": HOSTILE_ID, "date_of_service": "2024-08-01", "place_of_service": "11",
     "lines": [{"code": "20610", "site": "<b>knee</b>"}, {"code": "77002"}],
     "documentation": {"indication": "<svg onload=alert('ind')>", "body_area": "\"><script>x</script>"},
     "note": HOSTILE_NOTE, "claim": {"claim_id": "<i>claim</i>"}},
    {"encounter_id": "bad-code", "date_of_service": "2024-08-01", "place_of_service": "11",
     "lines": [{"code": "<b>1</b>"}]},
]
RAW_MARKUP = ["<script>alert", "<img src=x", "<svg onload", "<b>knee", "<i>claim", "\"><script>x"]


@pytest.fixture
def client(tmp_path, monkeypatch):
    monkeypatch.delenv("FLUOROLOGIC_TOKEN", raising=False)
    app = create_app(Settings(store=str(tmp_path / "rules.sqlite"), solver_process=False))
    with TestClient(app) as c:
        c.workbench = app.state.workbench
        yield c


def load(client, name: str, text: str) -> int:
    r = client.post(f"/workbench/load?name={name}", content=text.encode(),
                    headers={"Origin": "http://testserver"})
    assert r.status_code == 200, r.text
    bid = r.json()["id"]
    assert client.workbench().wait(bid)["status"] == "done"
    return bid


def test_formats_storage_and_delete(client):
    enc = {"encounter_id": "k", "date_of_service": "2024-08-01", "place_of_service": "11",
           "lines": [{"code": "20610"}, {"code": "77002"}, {"code": "76000"}]}
    a = load(client, "a.json", json.dumps([enc, enc | {"encounter_id": "k2"}]))
    b = load(client, "b.jsonl", json.dumps(enc) + "\n" + json.dumps(enc | {"encounter_id": "k2"}) + "\n")
    c = load(client, "c.csv", "encounter_id,date_of_service,place_of_service,code\n"
                              "k,2024-08-01,11,20610\nk,2024-08-01,11,77002\nk,2024-08-01,11,76000\n")
    results = [client.post("/v1/solve", json=enc).json()]
    d = load(client, "results.jsonl", json.dumps(results[0]) + "\n")
    db = client.workbench().db
    records = {bid: [r["record"] for r in db.encounters(bid, db_filters())[0]] for bid in (a, b, c, d)}
    assert records[a] == records[b] and records[a][0] == records[c][0] == records[d][0] == results[0]
    assert db.batch(d)["kind"] == "results"
    page = client.get(f"/workbench/batches/{d}/claims/0")
    assert page.status_code == 200 and "more_specific_guidance" in page.text and "id=\"whatif\"" not in page.text
    home = client.get("/workbench/").text
    assert all(name in home for name in ("a.json", "b.jsonl", "c.csv", "results.jsonl"))
    r = client.post(f"/workbench/batches/{a}/delete", headers={"Origin": "http://testserver"},
                    follow_redirects=False)
    assert r.status_code == 303 and db.batch(a) is None and db.encounters(a, db_filters())[1] == 0
    assert client.get(f"/workbench/batches/{a}").status_code == 404
    assert client.post("/workbench/load?name=x.json", content=b"").json()["error"] == "the input is empty"
    assert client.get("/", follow_redirects=False).headers["location"] == "/workbench/"


def db_filters(**kw):
    from fluorologic.service.workbench.db import Filters

    return Filters(**kw)


def test_hostile_input_is_escaped_everywhere(client, caplog):
    caplog.set_level(logging.DEBUG)
    bid = load(client, "<b>batch</b>.json", json.dumps(HOSTILE))
    pages = [client.get(f"/workbench/batches/{bid}").text, client.get("/workbench/").text,
             client.get(f"/workbench/batches/{bid}/list").text,
             client.get(f"/workbench/batches/{bid}/list", params={"q": "<script>", "code": "<b>"}).text,
             client.get(f"/workbench/batches/{bid}/claims/0").text,
             client.get(f"/workbench/batches/{bid}/claims/0", params={"wi": "1", "indication": "<script>y</script>",
                                                                      "pos": "<b>"}).text,
             client.get(f"/workbench/batches/{bid}/claims/1").text]
    for text in pages:
        for markup in RAW_MARKUP + ["<script>y", "<b>batch"]:
            assert markup not in text
    assert escape(HOSTILE_ID) in pages[2]
    assert "&lt;b&gt;1&lt;/b&gt;" in pages[6] or "lines[0].code" in pages[6]
    assert str(escape("<svg onload=alert('ind')>")) in pages[4].replace("&#x27;", "&#39;")
    # The note is never shown whole, nor logged.
    assert "SECRET-NOTE" not in "".join(pages)
    assert "SECRET-NOTE" not in caplog.text and "onerror" not in caplog.text
    export = client.get(f"/workbench/batches/{bid}/export.csv").text
    rows = list(csv.reader(io.StringIO(export)))
    assert all(not cell.startswith(("=", "+", "@")) for row in rows for cell in row)
    headers = client.get(f"/workbench/batches/{bid}/list").headers
    assert "default-src 'self'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY"


def test_token_and_same_origin(tmp_path, monkeypatch):
    monkeypatch.setenv("FLUOROLOGIC_TOKEN", "t0ken")
    app = create_app(Settings(store=str(tmp_path / "rules.sqlite"), solver_process=False))
    with TestClient(app) as c:
        assert c.get("/healthz").status_code == 200
        for path in ("/workbench/", "/docs", "/openapi.json"):
            assert c.get(path).status_code == 401
        assert c.post("/v1/solve", json={}).status_code == 401
        assert c.get("/workbench/", headers={"Authorization": "Bearer t0ken"}).status_code == 200
        assert c.get("/workbench/", headers={"Authorization": "Bearer wrong"}).status_code == 401
        r = c.get("/workbench/?token=t0ken&x=1", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/workbench/?x=1"
        assert "HttpOnly" in r.headers["set-cookie"] and "SameSite=Strict" in r.headers["set-cookie"]
        assert c.get("/workbench/").status_code == 200  # the cookie
        r = c.post("/workbench/load?name=a.json", content=b"[]", headers={"Origin": "http://evil.example"})
        assert r.status_code == 403
    monkeypatch.delenv("FLUOROLOGIC_TOKEN")
    res = CliRunner().invoke(main, ["serve", "--host", "0.0.0.0"])
    assert res.exit_code == 2 and "--token" in res.output
    res = CliRunner().invoke(main, ["workbench", "--host", "192.168.1.5", "--no-browser"])
    assert res.exit_code == 2 and "--token" in res.output


def test_docs_assets_are_local(client):
    for path in ("/docs", "/redoc"):
        page = client.get(path)
        assert page.status_code == 200
        assert "cdn." not in page.text and "fonts.googleapis" not in page.text and "fastapi.tiangolo" not in page.text
        assert "default-src 'self'" in page.headers["content-security-policy"]
    for name in ("swagger-ui-bundle.js", "swagger-ui.css", "redoc.standalone.js", "favicon.png"):
        assert client.get(f"/docs/assets/{name}").status_code == 200
    assert client.get("/docs/assets/../../core.py").status_code == 404
    assert client.get("/workbench/static/workbench.js").status_code == 200
    assert client.get("/workbench/static/..%2Fdb.py").status_code == 404


def test_claims_files_load_as_their_encounters():
    """An 837P interchange or FHIR Claims upload as the encounters the claims readers make, errors included."""
    import json
    from pathlib import Path

    from fluorologic.claims.formats import read_claims
    from fluorologic.service.workbench.core import parse_upload

    claims = Path(__file__).resolve().parents[2] / "examples" / "claims"
    x12 = (claims / "fluoro_claims.837").read_text(encoding="utf-8")
    fhir = (claims / "fluoro_claims.fhir.json").read_text(encoding="utf-8")
    plain = json.loads((claims / "fluoro_encounters.json").read_text(encoding="utf-8"))
    for name, text, kind in (("claims.837", x12, "x12"), ("claims.json", fhir, "fhir")):
        shape, items = parse_upload(name, text)
        assert shape == "solve"
        assert [i["encounter_id"] for i in items] == [e["encounter_id"] for e in plain]
        assert items == read_claims(text, kind)
    _, broken = parse_upload("bad.837", x12.replace("SV1*HC:", "SV1*HC|", 1))
    assert any(not isinstance(i, dict) for i in broken)
