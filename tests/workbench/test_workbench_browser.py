"""The analyst's flow in Debian's headless Chromium (Playwright): load a 200-encounter batch, read the dashboard,
filter by a reason, open a claim, toggle "distinct" and see the decision change, compare two imported quarters,
export CSV; and /docs and /redoc render with every request to the server's own origin (see conftest)."""

from __future__ import annotations

import csv
import io
import json
import re
import time

from fluorologic.engine.records import solve_chunk
from fluorologic.engine.solver import Engine
from fluorologic.rules.source import rule_source
from fluorologic.run.compare import compare_batch
from fluorologic.run.flat import FLAT_COLUMNS, encounter_changed

from .conftest import batch


def _expected(store: str) -> tuple[list[dict], list[dict]]:
    items = batch(200)
    return items, solve_chunk(Engine(data=rule_source(store)), items)


def test_analyst_flow(page, server, store, batch_file, log_line):
    started = time.perf_counter()
    items, records = _expected(store)
    base = server.base
    page.goto(f"{base}/")
    assert page.url == f"{base}/workbench/"
    page.set_input_files("#load-file", str(batch_file))
    page.click("#load-button")
    page.wait_for_url(re.compile(r".*/workbench/batches/\d+$"))
    page.wait_for_selector("h1:has-text('Dashboard')", timeout=120_000)
    bid = int(page.url.rsplit("/", 1)[1])

    # Dashboard counts agree with solving the batch directly.
    errors = sum("error" in r for r in records)
    assert page.inner_text("#count-solved") == str(len(records) - errors)
    assert page.inner_text("#count-changed") == str(sum(encounter_changed(r) for r in records))
    assert page.inner_text("#count-errors") == str(errors)
    ptp = [r["encounter_id"] for r in records if any(e["reason"] == "ptp_bundled" for e in r.get("excluded", ()))]
    assert "hip-distinct" in ptp
    page.locator("#excluded-by-reason tr", has_text="ptp_bundled").locator("a.count").last.click()

    # The list, filtered by that reason.
    page.wait_for_selector("#encounters")
    assert page.inner_text("#match-count") == str(len(ptp))
    assert sorted(page.locator("tr.enc").evaluate_all("rows => rows.map(r => r.dataset.id)")) == sorted(ptp)
    with page.expect_download() as download:
        page.click("#export-csv")
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text(encoding="utf-8"))))
    assert tuple(rows[0]) == FLAT_COLUMNS
    assert {r["encounter_id"] for r in rows} == set(ptp)
    assert ("hip-distinct", "excluded", "77002", "ptp_bundled", "yes") in {
        (r["encounter_id"], r["disposition"], r["code"], r["reason"], r["changed"]) for r in rows}

    # Search, open the claim, document a distinct service, re-solve on the server.
    page.fill("#f-q", "hip-distinct")
    page.click("#apply-filters")
    page.click("tr.enc[data-id='hip-distinct'] a")
    page.wait_for_selector("h1:has-text('Encounter hip-distinct')")
    assert "ptp_bundled" in page.inner_text("#excluded tr.excluded[data-code='77002']")
    assert page.locator(".graph svg").count() == 1
    page.check("#distinct-2")
    page.click("#resolve")
    page.wait_for_selector("#what-changed")
    change = page.inner_text("#changes tr[data-code='77002']")
    assert "excluded x1: ptp_bundled" in change and "billed x1" in change
    assert "77002" in page.inner_text("#billable")

    # Quarter impact on the two imported quarters agrees with compare_batch (itself tested against two solves).
    page.goto(f"{base}/workbench/batches/{bid}/impact")
    page.select_option("#q-first", "2024Q3")
    page.select_option("#q-second", "2024Q4")
    page.click("#run-impact")
    page.wait_for_selector("#impact-summary", timeout=120_000)
    want = compare_batch(items, "2024Q3", "2024Q4", store=store)
    assert want["changed"] >= 1
    assert page.inner_text("#impact-changed") == str(want["changed"])
    shown = page.locator("tr.impact").evaluate_all("rows => rows.map(r => r.dataset.id)")
    assert shown == [c["encounter_id"] for c in want["changes"]]
    assert "64483/20610" in page.inner_text("tr.impact[data-id='q-change']")
    sides = page.inner_text("#impact-rule-data")  # each side's data named by quarter and hash
    assert "NCCI 2024Q3" in sides and "NCCI 2024Q4" in sides and sides.count("data sha256") == 2
    assert page.errors == []
    log_line(f"workbench browser flow (200 encounters): {time.perf_counter() - started:.1f} s")


def test_docs_render_offline(page, server):
    page.goto(f"{server.base}/docs")
    page.wait_for_selector(".swagger-ui .opblock", timeout=30_000)
    assert "/v1/solve" in page.inner_text(".swagger-ui")
    page.goto(f"{server.base}/redoc")
    page.get_by_text("/v1/solve").first.wait_for(timeout=30_000)


def test_dashboard_render_time_2000(page, server, log_line):
    """Measured, not asserted: a 2,000-encounter batch's dashboard and first list page, once solved."""
    wb = server.app.state.workbench()
    solve_started = time.perf_counter()
    bid = wb.load("claims-2000.jsonl", "".join(json.dumps(e) + "\n" for e in batch(2000)))
    assert wb.wait(bid, timeout=600)["status"] == "done"
    solved = time.perf_counter() - solve_started
    timings = {}
    for name, path in (("dashboard", f"/workbench/batches/{bid}"), ("list", f"/workbench/batches/{bid}/list")):
        best = None
        for _ in range(3):
            started = time.perf_counter()
            page.goto(server.base + path)
            page.wait_for_load_state("load")
            took = time.perf_counter() - started
            best = took if best is None else min(best, took)
        timings[name] = best
    assert page.inner_text("#match-count") == "2,000"
    page.click("#next-page")
    assert "page 2 of 20" in page.inner_text("main")
    page.goto(f"{server.base}/workbench/batches/{bid}")
    assert page.inner_text("#count-solved").replace(",", "").isdigit()
    log_line(f"workbench 2,000 encounters: solved in {solved:.1f} s; dashboard page load "
             f"{1000 * timings['dashboard']:.0f} ms, list page load {1000 * timings['list']:.0f} ms (best of 3)")


def test_hostile_batch_runs_no_script(page, server):
    """Hostile ids, codes, documentation and notes: the pages show them as text and no script runs."""
    from .test_workbench_server import HOSTILE, HOSTILE_ID

    wb = server.app.state.workbench()
    bid = wb.load("<img src=x onerror=alert('name')>.json", json.dumps(HOSTILE))
    assert wb.wait(bid)["status"] == "done"
    for path in ("/workbench/", f"/workbench/batches/{bid}", f"/workbench/batches/{bid}/list",
                 f"/workbench/batches/{bid}/claims/0", f"/workbench/batches/{bid}/claims/1"):
        page.goto(server.base + path)
        page.wait_for_load_state("load")
    page.goto(f"{server.base}/workbench/batches/{bid}/list")
    assert HOSTILE_ID in page.inner_text("#encounters")
    assert page.errors == [], page.errors
