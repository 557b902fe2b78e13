"""Render the analyst's HTML page for an example and screenshot it in Debian's headless Chromium (for docs/).

Usage: python tools/screenshot_explain.py examples/transforaminal.json docs/img/explain_transforaminal.png
Needs `apt-get install chromium` and the playwright package (never `playwright install`).
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from fluorologic.explanation.explain import explain
from fluorologic.explanation.report_html import to_html

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def main(src: str, out: str) -> None:
    """Write the screenshot of the page for encounter file ``src`` to ``out``."""
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    page_html = to_html(explain(json.loads(Path(src).read_text(encoding="utf-8"))), what_if=True)
    with tempfile.TemporaryDirectory() as tmp:
        page_file = Path(tmp) / "page.html"
        page_file.write_text(page_html, encoding="utf-8")
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, args=ARGS, headless=True)
            page = browser.new_page(viewport={"width": 1250, "height": 900})
            page.goto(page_file.as_uri())
            Path(out).parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=out, full_page=True)
            browser.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
