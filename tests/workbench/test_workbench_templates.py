"""Every workbench template rendered with hostile text in every field that reaches a page: script tags, quotes
(both kinds) and attribute breakers come out as text, never as markup, in elements and in attribute values."""

from __future__ import annotations

import html
import re

import pytest
from markupsafe import escape

from fluorologic.explanation.explain import explain
from fluorologic.explanation.report_html import report_context
from fluorologic.service.workbench import pages
from fluorologic.service.workbench.db import Filters
from fluorologic.service.workbench.templating import env
from fluorologic.service.workbench.whatif import whatif_state

#: Closes an attribute of either quote, then opens a script; and a tag with an event handler.
EVIL = "\"'><script>alert(1)</script><img src=x onerror=alert(2)>"
RAW = ["<script>", "<img src=x", "onerror=alert(2)>", "\"'>"]


def hostile(tag: str) -> str:
    return f"{tag}{EVIL}"


def _batch() -> dict:
    return {"id": 7, "name": hostile("name"), "created": hostile("created"), "total": 3, "done": 1,
            "status": "done", "rules": hostile("rules"), "kind": "solve"}


def _record() -> dict:
    return {"encounter_id": hostile("enc"), "billable": [{"code": hostile("bcode"), "units": 2,
                                                          "modifiers": [hostile("mod")], "amount": None}],
            "excluded": [{"code": hostile("xcode"), "units": 1, "reason": hostile("xreason"),
                          "detail": hostile("xdetail"), "by": hostile("by"), "rule": hostile("rule")}],
            "added": [{"code": hostile("acode"), "units": 1, "reason": hostile("areason"), "modifiers": [],
                       "replaces": None, "detail": hostile("adetail")}],
            "alerts": [{"kind": hostile("kind"), "code": None, "detail": hostile("alert")}],
            "totals": {"billed": 1.0, "expected": 2.0}}


def _summary() -> dict:
    facet = [{"value": hostile("facet"), "lines": 2, "encounters": 1}]
    return {"encounters": 3, "changed": 1, "errors": 1, "billed": 10.0, "expected": 5.0,
            "facets": dict.fromkeys(("reason", "excluded_code", "added_reason", "added_code", "alert", "code"), facet),
            "places": [{"value": hostile("pos"), "encounters": 3}]}


def _rendered() -> dict[str, str]:
    batch, rec = _batch(), _record()
    row = {"seq": 0, "encounter_id": hostile("enc"), "claim_id": hostile("claim"), "dos": hostile("dos"),
           "pos": hostile("pos"), "changed": 1, "billed": 1.0, "expected": 2.0, "record": rec}
    err_row = row | {"seq": 1, "record": {"encounter_id": "e", "error": {"field": hostile("field"),
                                                                          "message": hostile("msg")}}}
    filters = Filters(**{name: hostile(name) for name in Filters.__dataclass_fields__})
    raw = {"encounter_id": hostile("enc"), "date_of_service": "2024-08-14", "place_of_service": "11",
           "lines": [{"code": "64483", "site": hostile("site"), "line_id": hostile("lid")},
                     {"code": "77003", "line_id": "2"}],
           "documentation": {"indication": hostile("ind"), "body_area": hostile("area")},
           "claim": {"claim_id": hostile("claim"), "payer": hostile("payer"), "payer_name": hostile("pname"),
                     "rendering_npi": hostile("npi"), "diagnoses": [hostile("dx")], "source": hostile("src"),
                     "lines": [{"line_id": hostile("lid"), "diagnoses": [hostile("ldx")], "charge": "100"}]}}
    enc = {"seq": 0, "encounter_id": hostile("enc"), "claim_id": hostile("claim"), "raw": raw, "record": rec}
    state = whatif_state(raw, {"wi": "1", "mod-1": [hostile("m")], "units-1": hostile("units"),
                               "pos": hostile("wpos"), "owner": hostile("owner"), "fluoro": hostile("fluoro"),
                               "indication": hostile("wind"), "body_area": hostile("warea"), "dos": hostile("dos")})
    comparison = {"rows": [{"code": hostile("ccode"), "before": hostile("before"), "after": hostile("after"),
                            "before_amount": None, "after_amount": 1.0, "difference": 1.0}],
                  "before": 1.0, "after": 2.0, "difference": 1.0}
    explanation = report_context(explain(raw), svg_engine="python")
    action = {"action": "override", "who": hostile("who"), "at": hostile("at"), "assignee": hostile("assignee"),
              "reason": hostile("reason"), "note": hostile("rnote"), "rule_quarter": hostile("rq"),
              "rule_release": hostile("rr"), "rule_sha256": hostile("rs")}
    review = {"state": "overridden", "assignee": hostile("assignee"), "actions": [action], "who": hostile("me"),
              "reasons": [hostile("choice")], "error": hostile("rerror")}
    queued = {"seq": 0, "encounter_id": hostile("qenc"), "claim_id": hostile("qclaim"), "dos": hostile("qdos"),
              "billed": 1.0, "expected": 2.0, "state": "assigned", "assignee": hostile("qassignee"),
              "last_by": hostile("qby"), "last_at": hostile("qat"), "last_action": "assign", "record": rec}
    side = {"billable": [hostile("sb")], "excluded": [hostile("sx")], "added": [hostile("sa")]}
    result = {"quarters": [hostile("q1"), hostile("q2")], "encounters": 3, "changed": 1, "errors": 0,
              "expected": {hostile("q1"): 1.0, hostile("q2"): 2.0}, "difference": 1.0,
              "changes": [{"encounter_id": hostile("ienc"), "before": side, "after": {"error": {"field": hostile("f")}},
                           "difference": 1.0, "rows_only_before": [{"table": hostile("t"), "row": hostile("r")}],
                           "rows_only_after": [{"table": hostile("t2"), "row": hostile("r2")}]}]}
    current = {"first": hostile("q1"), "second": hostile("q2"), "status": "done", "result": result}
    failed = {"first": "a", "second": "b", "status": "failed", "message": hostile("failure")}
    runs = [{"id": 1, "first": hostile("rf"), "second": hostile("rs"), "created": hostile("rc"), "status": "done"}]
    return {
        "home": pages.home_page([batch], hostile("rules")),
        "progress": pages.progress_page(batch | {"status": "solving"}),
        "dashboard": pages.dashboard_page(batch, _summary()),
        "list": pages.list_page(batch, [row, err_row], 2, filters, _summary(), sort="seq", descending=False, page=0),
        "claim": pages.claim_page(batch, enc, explanation=explanation, whatif=state, places=[hostile("place")],
                                  edits=[hostile("edit")], comparison=comparison, note=hostile("note"), review=review,
                                  evidence=[{"fact": hostile("fact"), "start": 1, "end": 2, "text": hostile("span")}]),
        "claim_stored": pages.claim_page(batch, enc | {"raw": None}),
        "review": pages.review_page(batch | {"rule_sha256": hostile("sha"), "rule_quarter": hostile("quarter")},
                                    [queued], {"open": 1}, [hostile("reviewer")], state="",
                                    reviewer=hostile("reviewer")),
        "impact": pages.impact_page(batch, [hostile("q1"), hostile("q2")], runs, current),
        "impact_failed": pages.impact_page(batch, ["a", "b"], [], failed),
    }


def test_every_template_is_autoescaped():
    names = set(env.list_templates())
    assert {"base.html", "home.html", "dashboard.html", "list.html", "claim.html", "impact.html"} <= names
    assert env.autoescape is True  # every template, whatever its name ends with (chart.svg too)
    for name in names:
        assert env.get_template(name).render  # each one compiles


@pytest.mark.parametrize("page", list(_rendered()))
def test_hostile_text_stays_text(page):
    text = _rendered()[page]
    for markup in RAW:
        assert markup not in text, (page, markup)
    # Every tag in the page is one the template wrote (none from the data).
    tags = set(re.findall(r"<([a-zA-Z][a-zA-Z0-9]*)", text))
    assert tags <= {"html", "head", "meta", "title", "link", "script", "body", "header", "span", "nav", "a", "main",
                    "h1", "h2", "section", "p", "form", "input", "button", "table", "tr", "th", "td", "label",
                    "select", "option", "code", "b", "small", "div", "ul", "li", "svg", "text", "rect", "progress",
                    "aside", "textarea", "ol", "g", "line", "polygon", "path", "defs", "marker", "tspan",
                    "br"}, (page, tags)
    # The only script is the page's own file.
    assert re.findall(r"<script[^>]*>", text) == ['<script src="/workbench/static/workbench.js" defer>']
    # Each hostile value is there, escaped.
    assert str(escape(EVIL)) in text or html.escape(EVIL) in text


def test_each_field_reaches_its_page_escaped():
    got = _rendered()
    expect = {"home": ["name", "created", "rules"], "progress": ["name"],
              "dashboard": ["name", "created", "rules", "facet", "pos"],
              "list": ["enc", "claim", "dos", "pos", "bcode", "xcode", "xreason", "acode", "areason", "kind",
                       "field", "msg", "facet", "q", "reason", "date_from"],
              "claim": ["enc", "claim", "site", "lid", "ind", "area", "payer", "pname", "npi", "dx", "src", "ldx",
                        "m", "units", "place", "fluoro", "wind", "warea", "dos", "ccode", "before", "after", "note",
                        "edit", "fact", "span", "who", "at", "assignee", "reason", "rnote", "rq", "rr", "me", "choice",
                        "rerror"],
              "review": ["qenc", "qclaim", "qdos", "qassignee", "qby", "qat", "reviewer", "quarter"],
              "claim_stored": ["bcode", "mod", "xcode", "xreason", "xdetail", "acode", "areason", "adetail", "kind",
                               "alert"],
              "impact": ["q1", "q2", "ienc", "sb", "sx", "sa", "f", "t", "r", "t2", "r2", "rf", "rs", "rc"],
              "impact_failed": ["failure"]}
    for page, tags in expect.items():
        for tag in tags:
            assert str(escape(hostile(tag))) in got[page], (page, tag)


def test_sparse_results_files_still_render(tmp_path, monkeypatch):
    """A results file written by hand (fields missing) shows what it has: no page fails on a missing field."""
    from fastapi.testclient import TestClient

    from fluorologic.service.app import Settings, create_app

    monkeypatch.delenv("FLUOROLOGIC_TOKEN", raising=False)
    app = create_app(Settings(store=str(tmp_path / "rules.sqlite"), solver_process=False))
    with TestClient(app, base_url="http://127.0.0.1") as client:  # the workbench answers loopback names only
        wb = app.state.workbench()
        bid = wb.load("r.jsonl", '{"schema_version": "1", "encounter_id": "a", "billable": [{"code": "20610", '
                                 '"units": 1}], "excluded": [{"code": "77002", "reason": "ptp_bundled"}]}\n')
        assert wb.wait(bid)["status"] == "done"
        for path in ("", "/list", "/review", "/claims/0"):
            page = client.get(f"/workbench/batches/{bid}{path}")
            assert page.status_code == 200, path
        assert "ptp_bundled" in client.get(f"/workbench/batches/{bid}/claims/0").text
