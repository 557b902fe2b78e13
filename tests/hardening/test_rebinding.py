"""Issue 29 item 3: DNS rebinding. A loopback workbench without a token answers only to the names it was started
for (127.0.0.1, localhost, [::1], the --host given): a page of another site whose name resolves to 127.0.0.1 can
neither list, export nor delete a batch, and a post's Origin must be one of those names too."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from fluorologic.service.app import Settings, create_app

ENC = {"encounter_id": "e1", "date_of_service": "2024-08-01", "place_of_service": "11",
       "lines": [{"code": "20610"}, {"code": "77002"}]}


@pytest.fixture
def app(tmp_path, monkeypatch):
    monkeypatch.delenv("FLUOROLOGIC_TOKEN", raising=False)
    monkeypatch.setenv("FLUOROLOGIC_HOST", "wb.internal")  # as `fluorologic workbench --host wb.internal` sets it
    monkeypatch.setenv("FLUOROLOGIC_WORKBENCH_DB", str(tmp_path / "wb.sqlite"))
    return create_app(Settings(store=str(tmp_path / "rules.sqlite"), solver_process=False))


def test_another_host_name_reads_and_deletes_nothing(app):
    with TestClient(app, base_url="http://127.0.0.1:8765") as c:
        r = c.post("/workbench/load?name=a.jsonl", content=json.dumps(ENC).encode(),
                   headers={"Origin": "http://127.0.0.1:8765"})
        assert r.status_code == 200, r.text
        bid = r.json()["id"]
        assert app.state.workbench().wait(bid)["status"] == "done"
        for host in ("rebind.example:8765", "rebind.example", "127.0.0.1.rebind.example:8765", "localhost.evil:80",
                     "", "0.0.0.0:8765"):
            h = {"Host": host}
            assert c.get(f"/workbench/batches/{bid}/list", headers=h).status_code == 403
            assert c.get(f"/workbench/batches/{bid}/export.csv", headers=h).status_code == 403
            assert c.get("/workbench/", headers=h).status_code == 403
            r = c.post(f"/workbench/batches/{bid}/delete", headers={**h, "Origin": f"http://{host}"},
                       follow_redirects=False)
            assert r.status_code == 403
        # the right Host with another site's Origin: refused too
        r = c.post(f"/workbench/batches/{bid}/delete", headers={"Origin": "http://rebind.example:8765"},
                   follow_redirects=False)
        assert r.status_code == 403
        assert c.get(f"/workbench/batches/{bid}/list").status_code == 200  # still there
        for host in ("127.0.0.1:8765", "localhost:8765", "LOCALHOST", "[::1]:8765", "wb.internal:8765"):
            assert c.get(f"/workbench/batches/{bid}/list", headers={"Host": host}).status_code == 200, host
        r = c.post(f"/workbench/batches/{bid}/delete", headers={"Host": "localhost:8765",
                                                                "Origin": "http://localhost:8765"},
                   follow_redirects=False)
        assert r.status_code == 303
        assert c.get(f"/workbench/batches/{bid}/list").status_code == 404


def test_with_a_token_the_token_decides(tmp_path, monkeypatch):
    monkeypatch.setenv("FLUOROLOGIC_TOKEN", "t0ken")
    monkeypatch.setenv("FLUOROLOGIC_WORKBENCH_DB", str(tmp_path / "wb.sqlite"))
    app = create_app(Settings(store=str(tmp_path / "rules.sqlite"), solver_process=False))
    with TestClient(app, base_url="http://wb.example.org") as c:
        assert c.get("/workbench/").status_code == 401
        assert c.get("/workbench/", headers={"Authorization": "Bearer t0ken"}).status_code == 200
