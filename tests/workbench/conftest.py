"""A workbench server on a free loopback port (uvicorn in a thread), a rule store with two imported quarters,
and a 200-encounter batch that holds an encounter a distinct service changes and one the next quarter changes."""

from __future__ import annotations

import importlib.util
import json
import socket
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from bench.generate import generate  # noqa: E402

#: 77002 with 27093 in 2009 is PTP-bundled (indicator 1): documenting a distinct service bills it.
DISTINCT = {"encounter_id": "hip-distinct", "date_of_service": "2009-11-03", "place_of_service": "11",
            "lines": [{"code": "27093", "site": "left hip"}, {"code": "77002"}]}
#: 64483 + 20610: the TEST-ONLY synthetic 2024Q4 deletes the 64483/20610 edit (on 2024-09-30).
QUARTER = {"encounter_id": "q-change", "date_of_service": "2025-11-03", "place_of_service": "11",
           "lines": [{"code": "64483", "site": "L5-S1"}, {"code": "20610"}]}


def _store_fixtures():
    spec = importlib.util.spec_from_file_location("store_fixture_writers", ROOT / "tests" / "store" / "conftest.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def make_store(folder: Path) -> str:
    """A rule store with the embedded PTP rows as 2024Q3 and a synthetic 2024Q4 (one edit deleted)."""
    from fluorologic.rules.store import RuleStore

    cms = _store_fixtures()
    rows = cms.ptp_rows()
    q3 = cms.write_ptp_reference_csv(folder / "ccipra_2024q3.csv", rows)
    q4_rows = [replace(p, deletion=20240930) if (p.column_1, p.column_2) == ("64483", "20610") else p for p in rows]
    q4 = cms.write_ptp_reference_csv(folder / "synthetic_ccipra_2024q4.csv", q4_rows)
    path = folder / "rules.sqlite"
    store = RuleStore(path)
    for f in (q3, q4):
        store.import_files("ptp", [f])
    store.close()
    return str(path)


def batch(n: int) -> list[dict]:
    return [DISTINCT, QUARTER, *generate(n - 2, seed=11)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """uvicorn serving ``app`` on a free loopback port, in a daemon thread."""

    def __init__(self, app) -> None:
        import uvicorn

        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        end = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > end:
                raise RuntimeError("the server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> str:
    return make_store(tmp_path_factory.mktemp("store"))


@pytest.fixture(scope="module")
def server(store):
    from fluorologic.service.app import Settings, create_app

    app = create_app(Settings(store=store, solver_process=False))
    with Server(app) as srv:
        srv.app = app
        yield srv


@pytest.fixture(scope="module")
def batch_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("batch") / "claims-200.jsonl"
    path.write_text("".join(json.dumps(e) + "\n" for e in batch(200)))
    return path


@pytest.fixture
def page(browser, server):
    """A page whose every request is recorded; the test's end asserts they all went to the server itself."""
    context = browser.new_context(viewport={"width": 1300, "height": 900}, accept_downloads=True)
    pg = context.new_page()
    pg.requests = []
    pg.errors = []
    pg.on("request", lambda req: pg.requests.append(req.url))
    pg.blocked = []
    # A request the page's content security policy blocked never left the browser (ReDoc's logo from its CDN).
    pg.on("requestfailed", lambda req: pg.blocked.append(req.url) if req.failure in ("csp", "net::ERR_BLOCKED_BY_CSP")
          else None)
    pg.on("pageerror", lambda exc: pg.errors.append(str(exc)))
    pg.on("console", lambda msg: pg.errors.append(msg.text) if msg.type == "error" else None)
    pg.on("dialog", lambda d: (pg.errors.append("dialog: " + d.message), d.dismiss()))
    yield pg
    page_closed = pg.is_closed() or (pg.wait_for_timeout(200) or True)  # let pending request failures arrive
    outside = [u for u in pg.requests if not (u.startswith(server.base + "/") or u.startswith(("data:", "blob:")))
               and u not in pg.blocked]
    context.close()
    assert page_closed
    assert outside == [], f"requests left the server's origin: {outside}"


@pytest.fixture
def log_line(request):
    """Write a measurement to the terminal (the CI log), past pytest's output capture."""
    capture = request.config.pluginmanager.get_plugin("capturemanager")

    def write(text: str) -> None:
        with capture.global_and_fixture_disabled():
            sys.stderr.write(f"\n{text}\n")
            sys.stderr.flush()

    return write
