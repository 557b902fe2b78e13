"""The analyst's HTML page in a real headless browser: Debian's Chromium driven by Playwright.

CI installs Chromium with ``apt-get install chromium`` (see .ci/run). Playwright's own browser download is never
used: ``executable_path`` points at the system Chromium, and the test skips with a message where it is absent.
"""

from __future__ import annotations

import pytest

from fluorologic.explanation.report_html import to_html

PAGES = ["tfesi-1", "hip-arthro-2009", "knee-hopd-1", "x-bypass", "x-added", "x-old"]


@pytest.mark.parametrize(("eid", "svg_engine"), [(e, "auto") for e in PAGES] + [("x-bypass", "python")])
def test_page_loads_without_errors_and_shows_every_exclusion(browser, explained, tmp_path, eid, svg_engine):
    ex = explained[eid]
    page_file = tmp_path / f"{eid}.html"
    page_file.write_text(to_html(ex, svg_engine=svg_engine, what_if=eid == "hip-arthro-2009"), encoding="utf-8")
    page = browser.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    requests: list[str] = []
    page.on("request", lambda req: requests.append(req.url))
    page.goto(page_file.as_uri())
    assert errors == []
    assert all(url.startswith("file:") for url in requests), "the page must be self-contained"
    body = page.inner_text("body")
    assert f"Encounter {eid}" in body
    for e in ex.result["excluded"]:
        row = page.locator(f"#excluded tr.excluded[data-code='{e['code']}']").filter(has_text=e["reason"])
        assert row.count() >= 1, f"{e['code']} {e['reason']} not shown"
        assert row.first.is_visible()
        assert e["rule"] in row.first.inner_text()
    for b in ex.result["billable"]:
        assert b["code"] in page.inner_text("#billable")
    if eid == "hip-arthro-2009":
        assert "document 77002 as a distinct procedural service" in page.inner_text("#excluded")
    svg = page.locator(".graph svg")
    assert svg.count() == 1 and svg.first.is_visible()
    page.close()
