"""Screenshot each workbench page for docs/workbench.md, in Debian's headless Chromium.

A temporary rule store gets the embedded PTP rows as 2024Q3 and a TEST-ONLY synthetic 2024Q4 (the test
fixtures of tests/workbench), a 200-encounter batch is loaded through the page, and each page is captured.

Usage: python tools/screenshot_workbench.py docs/img
Needs `apt-get install chromium` and the playwright package (never `playwright install`).
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "workbench")]
import conftest as fixtures  # noqa: E402 (tests/workbench/conftest.py: the store, the batch, the server)

from fluorologic.service.app import Settings, create_app  # noqa: E402


def main(out: str) -> None:
    """Write workbench_*.png into the folder ``out``."""
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        store = fixtures.make_store(Path(tmp))
        batch_file = Path(tmp) / "claims-200.jsonl"
        batch_file.write_text("".join(json.dumps(e) + "\n" for e in fixtures.batch(200)))
        app = create_app(Settings(store=store, solver_process=False))
        with fixtures.Server(app) as srv, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=fixtures.CHROMIUM, args=fixtures.ARGS, headless=True)
            page = browser.new_page(viewport={"width": 1300, "height": 860})

            def shot(name: str, *, full: bool = False) -> None:
                page.screenshot(path=str(folder / f"workbench_{name}.png"), full_page=full)

            page.goto(f"{srv.base}/workbench/")
            page.set_input_files("#load-file", str(batch_file))
            page.click("#load-button")
            page.wait_for_url(re.compile(r".*/batches/\d+$"))
            if page.locator("#progress").count():
                shot("progress")
            page.wait_for_selector("h1:has-text('Dashboard')", timeout=120_000)
            bid = int(page.url.rsplit("/", 1)[1])
            shot("dashboard", full=True)
            page.goto(f"{srv.base}/workbench/batches/{bid}/list?reason=guidance_included&sort=difference")
            shot("list")
            page.goto(f"{srv.base}/workbench/batches/{bid}/list?q=hip-distinct")
            page.click("tr.enc[data-id='hip-distinct'] a")
            page.check("#distinct-2")
            page.click("#resolve")
            page.wait_for_selector("#what-changed")
            shot("claim", full=True)
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
