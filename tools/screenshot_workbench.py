"""Screenshot each workbench page at 1400x900 for docs/workbench.md, in Debian's headless Chromium.

A temporary rule store gets the embedded PTP rows as 2024Q3 and a TEST-ONLY synthetic 2024Q4 (the test
fixtures of tests/workbench); a 200-encounter batch (with one lumbar puncture whose 76000 is PTP-bundled) is
loaded through the page, and the example 837P interchange beside it; a reviewer asks what if 76000 carried
modifier 59 for a distinct session, overrides the decision with a reason, and each page is captured.

Usage: python tools/screenshot_workbench.py docs/img
Needs `apt-get install chromium` and the playwright package (never `playwright install`).
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fluorologic.service.app import Settings, create_app  # noqa: E402


def _load(name: str, path: Path) -> object:
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


#: tests/workbench/conftest.py (the store, the batch, the server) and tests/conftest.py (how to launch Chromium).
fixtures = _load("workbench_fixtures", ROOT / "tests" / "workbench" / "conftest.py")
_browser = _load("browser_fixtures", ROOT / "tests" / "conftest.py")
LP = {"encounter_id": "lp-fluoro", "date_of_service": "2024-08-14", "place_of_service": "11",
      "lines": [{"code": "62270"}, {"code": "76000"}]}


def main(out: str) -> None:
    """Write workbench_*.png into the folder ``out``."""
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        store = fixtures.make_store(Path(tmp))
        batch_file = Path(tmp) / "claims-200.jsonl"
        batch_file.write_text("".join(json.dumps(e) + "\n" for e in [LP, *fixtures.batch(199)]))
        app = create_app(Settings(store=store, solver_process=False))
        with fixtures.Server(app) as srv, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=_browser.CHROMIUM, args=_browser.ARGS, headless=True)
            page = browser.new_page(viewport={"width": 1400, "height": 900})

            def shot(name: str) -> None:
                page.screenshot(path=str(folder / f"workbench_{name}.png"))

            wb = app.state.workbench()
            x12 = wb.load("fluoro_claims.837", (ROOT / "examples" / "claims" / "fluoro_claims.837").read_text())
            wb.wait(x12)
            page.goto(f"{srv.base}/workbench/")
            page.set_input_files("#load-file", str(batch_file))
            page.click("#load-button")
            page.wait_for_url(re.compile(r".*/batches/\d+$"))
            if page.locator("#progress").count():
                shot("progress")
            page.wait_for_selector("h1:has-text('Dashboard')", timeout=120_000)
            bid = int(page.url.rsplit("/", 1)[1])
            shot("dashboard")
            page.goto(f"{srv.base}/workbench/batches/{bid}/list?reason=ptp_bundled&sort=difference")
            shot("list")
            page.goto(f"{srv.base}/workbench/batches/{x12}/claims/1")
            shot("claim_837")
            page.goto(f"{srv.base}/workbench/batches/{bid}/claims/0")
            page.check("#mod-2-59")
            page.check("#distinct-2")
            page.click("#resolve")
            page.wait_for_selector("#what-changed")
            page.fill("#rv-who", "ana")
            page.select_option("#rv-action", "override")
            page.select_option("#rv-reason", index=1)
            page.fill("#rv-note", "separate session documented on p.2")
            page.click("#rv-submit")
            page.wait_for_selector("#review-history")
            page.goto(f"{srv.base}/workbench/batches/{bid}/claims/0?wi=1&units-1=1&units-2=1&mod-2=59&distinct=2"
                      "&dos=2024-08-14&pos=11")
            shot("claim")
            wb.reviews.act(bid, 1, who="ana", action="assign", assignee="ben")
            page.goto(f"{srv.base}/workbench/batches/{bid}/review")
            shot("review")
            page.goto(f"{srv.base}/workbench/batches/{bid}/impact")
            page.select_option("#q-first", "2024Q3")
            page.select_option("#q-second", "2024Q4")
            page.click("#run-impact")
            page.wait_for_selector("#impact-summary", timeout=120_000)
            shot("impact")
            page.goto(f"{srv.base}/workbench/")
            shot("batches")
            page.goto(f"{srv.base}/docs")
            page.wait_for_selector(".swagger-ui .opblock")
            shot("docs")
            browser.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "docs/img")
