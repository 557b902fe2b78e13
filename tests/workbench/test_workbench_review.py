"""A reviewer's day in Debian's headless Chromium (Playwright): load a batch, filter, open a claim, ask what if
it carried modifier 59, override the decision with a reason, find the override in the audit export; a second
browser context sees it at once, and a restarted server still has it."""

from __future__ import annotations

import csv
import io
import json
import re

from fastapi.testclient import TestClient

from fluorologic.service.app import Settings, create_app
from fluorologic.service.workbench.review import OVERRIDE_REASONS

from .conftest import batch

#: 76000 with 62270 is PTP-bundled (indicator 1): a distinct session documented and modifier 59 bill it.
LP = {"encounter_id": "lp-fluoro", "date_of_service": "2024-08-14", "place_of_service": "11",
      "lines": [{"code": "62270"}, {"code": "76000"}]}


def test_reviewer_flow(page, browser, server, store, tmp_path):
    items = [*batch(24), LP]
    path = tmp_path / "review-batch.jsonl"
    path.write_text("".join(json.dumps(e) + "\n" for e in items))
    base = server.base

    # Load through the page.
    page.goto(f"{base}/workbench/")
    page.set_input_files("#load-file", str(path))
    page.click("#load-button")
    page.wait_for_url(re.compile(r".*/workbench/batches/\d+$"))
    page.wait_for_selector("h1:has-text('Dashboard')", timeout=120_000)
    bid = int(page.url.rsplit("/", 1)[1])
    rule_data = page.inner_text("#rule-data")
    assert "NCCI 2024Q" in rule_data and "data sha256" in rule_data  # not "rules: store"

    # The queue, filtered to open claims: the hip arthrography is there.
    page.click("header nav a:has-text('Review queue')")
    page.select_option("#r-state", "open")
    page.click("#apply-review-filters")
    page.wait_for_selector("#queue")
    assert "state=open" in page.url
    ids = page.locator("tr.queued").evaluate_all("rows => rows.map(r => r.dataset.id)")
    assert "lp-fluoro" in ids
    assert set(page.locator("tr.queued").evaluate_all("rows => rows.map(r => r.dataset.state)")) == {"open"}
    page.click("tr.queued[data-id='lp-fluoro'] a")
    page.wait_for_selector("h1:has-text('Encounter lp-fluoro')")

    # What if 76000 (line 2) carried modifier 59 for a distinct session: re-solved, beside the stored answer.
    assert "ptp_bundled" in page.inner_text("#excluded tr.excluded[data-code='76000']")
    page.check("#mod-2-59")
    page.check("#distinct-2")
    page.click("#resolve")
    page.wait_for_selector("#what-changed")
    change = page.inner_text("#changes tr[data-code='76000']")
    assert "excluded x1: ptp_bundled" in change and "billed x1 59" in change
    difference = page.inner_text("#whatif-difference")
    assert re.fullmatch(r"\$\d+\.\d\d", difference) and difference != "$0.00"
    assert difference in change  # the line's dollars are the total's difference here
    assert "line 2 (76000): modifier 59 added" in page.inner_text("#what-changed")
    assert page.locator("#lines tr.line[data-line='2'] td.decision").inner_text() == "billed x1 59"

    # Override with a reason from the list and a note.
    page.fill("#rv-who", "ana")
    page.select_option("#rv-action", "override")
    page.select_option("#rv-reason", OVERRIDE_REASONS[0])
    page.fill("#rv-note", "separate session documented on p.2")
    page.click("#rv-submit")
    page.wait_for_selector("#review-history li[data-action='override']")
    assert page.inner_text("#review-state") == "overridden"
    assert page.input_value("#rv-who") == "ana"  # remembered for the next claim

    # The audit export shows it, with the rule data it was decided against.
    page.goto(f"{base}/workbench/batches/{bid}/review")
    with page.expect_download() as download:
        page.click("#audit-export")
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text(encoding="utf-8"))))
    assert len(rows) == 1
    row = rows[0]
    assert (row["who"], row["action"], row["reason"], row["encounter_id"], row["state_after"]) == (
        "ana", "override", OVERRIDE_REASONS[0], "lp-fluoro", "overridden")
    assert row["note"] == "separate session documented on p.2" and row["state_before"] == "open"
    assert row["rule_quarter"].startswith("20") and row["rule_release"].startswith("RVU")
    assert len(row["rule_sha256"]) == 64 and row["rule_sha256"][:12] in rule_data
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", row["at"])

    # A second browser context (another analyst, no shared cookies) sees the override.
    other = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        second = other.new_page()
        second.goto(f"{base}/workbench/batches/{bid}/review?state=overridden")
        assert second.locator("tr.queued").evaluate_all("rows => rows.map(r => r.dataset.id)") == ["lp-fluoro"]
        second.select_option("#r-reviewer", "ana")
        second.click("#apply-review-filters")
        second.wait_for_selector("tr.queued[data-id='lp-fluoro']")
        second.click("tr.queued[data-id='lp-fluoro'] a")
        assert second.inner_text("#review-state") == "overridden"
        assert "ana" in second.inner_text("#review-history") and second.input_value("#rv-who") == ""
        # ... and acts: sends the claim back; the first browser sees that on its next page.
        second.fill("#rv-who", "ben")
        second.select_option("#rv-action", "send_back")
        second.fill("#rv-note", "check the modifier on the claim as sent")
        second.click("#rv-submit")
        second.wait_for_selector("#review-history li[data-action='send_back']")
    finally:
        other.close()
    page.goto(f"{base}/workbench/batches/{bid}/review?state=sent_back")
    assert page.locator("tr.queued").evaluate_all("rows => rows.map(r => r.dataset.id)") == ["lp-fluoro"]
    assert page.errors == []

    # A restart loses nothing: a new server on the same rule store opens the same database.
    with TestClient(create_app(Settings(store=store, solver_process=False)),
                    base_url="http://127.0.0.1") as client:  # the workbench answers loopback names only
        text = client.get(f"/workbench/batches/{bid}/audit.csv").text
        assert [(r["who"], r["action"]) for r in csv.DictReader(io.StringIO(text))] == [
            ("ana", "override"), ("ben", "send_back")]
        assert "sent back" in client.get(f"/workbench/batches/{bid}/claims/{len(items) - 1}").text
