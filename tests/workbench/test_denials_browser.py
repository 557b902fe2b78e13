"""The Denials page in Debian's headless Chromium (Playwright): upload the example 837P and its 835, read the
verdict counts and dollars, filter by verdict, CARC and family, open a claim (the payer's codes beside
fluorologic's reasons and the citation), export the filtered rows as CSV."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from fluorologic.claims.formats import read_claims
from fluorologic.engine.solver import Engine
from fluorologic.reconcile.reconcile import COLUMNS, reconcile
from fluorologic.reconcile.remit import read_835
from fluorologic.rules.source import rule_source
from fluorologic.service.workbench.templating import money

ROOT = Path(__file__).resolve().parents[2]
CLAIMS = ROOT / "examples" / "claims" / "reconcile_pair.837"
REMIT = ROOT / "examples" / "claims" / "reconcile_pair.835"


def test_denials_flow(page, server, store):
    expected = reconcile(read_claims(CLAIMS.read_text(), "x12"), read_835(REMIT.read_text()),
                         Engine(data=rule_source(store)))
    s = expected.summary
    page.goto(f"{server.base}/workbench/")
    page.click("#nav-denials")
    page.set_input_files("#denials-claims", str(CLAIMS))
    page.set_input_files("#denials-remit", str(REMIT))
    page.click("#denials-button")
    page.wait_for_url(re.compile(r".*/workbench/denials/\d+$"), timeout=120_000)
    rid = page.url.rsplit("/", 1)[1]

    # The counts and dollars at the top are the reconciliation's.
    for verdict, t in s["by_verdict"].items():
        assert page.inner_text(f"#count-{verdict}") == str(t["rows"])
        assert page.inner_text(f"#billed-{verdict}") == money(t["billed"])
    assert page.inner_text("#appealable-billed") == money(s["appealable_billed"])
    assert page.inner_text("#paid-at-risk") == money(s["paid_at_risk"])
    assert page.locator("tr.denial").count() == len(expected.rows)

    # Filter by verdict, then also by CARC and family.
    page.select_option("#f-verdict", "appeal_candidate")
    page.click("#apply-filters")
    page.wait_for_url(re.compile(r".*verdict=appeal_candidate.*"))
    appeal = [(r["claim_id"], r["line_id"]) for r in expected.rows if r["verdict"] == "appeal_candidate"]
    got = page.locator("tr.denial").evaluate_all("rows => rows.map(r => [r.dataset.claim, r.dataset.line])")
    assert [tuple(x) for x in got] == appeal
    page.select_option("#f-carc", "CO-97")
    page.select_option("#f-family", "bundling")
    page.click("#apply-filters")
    page.wait_for_url(re.compile(r".*carc=CO-97.*"))
    assert page.inner_text("#match-count") == "2"

    # The filtered rows as CSV.
    with page.expect_download() as download:
        page.click("#export-csv")
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text(encoding="utf-8"))))
    assert tuple(rows[0]) == COLUMNS
    assert [(r["claim_id"], r["code"], r["verdict"], r["adjustments"]) for r in rows] == [
        ("HIPARTH-2408201", "77002", "appeal_candidate", "CO-97 180.00"),
        ("KNEEINJ-2408202", "77002", "appeal_candidate", "CO-97 180.00")]

    # A row opens its claim: the payer's codes beside fluorologic's decision and the citation.
    page.locator("tr.denial", has_text="HIPARTH-2408201").locator("a.open-claim").click()
    page.wait_for_url(re.compile(rf".*/denials/{rid}/claims/HIPARTH-2408201$"))
    denied = page.locator("section.card", has_text="77002")
    assert denied.locator(".verdict").inner_text() == "appeal_candidate"
    assert "CO-97" in denied.locator(".carcs").inner_text() and denied.locator(".rarcs").inner_text() == "M80"
    citation = denied.locator(".citation").inner_text()
    assert "27093/77002" in citation and "deleted 2010-03-31" in citation and "2024Q3" in citation
    page.click("#back-to-denials")
    page.wait_for_url(re.compile(rf".*/denials/{rid}$"))
    assert page.errors == []
