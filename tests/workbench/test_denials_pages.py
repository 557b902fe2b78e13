"""The Denials pages rendered with hostile text in every field a remittance or claim can carry: it stays text.
The store keeps a reconciliation, the filters pick rows by verdict, family, CARC and code."""

from __future__ import annotations

import re

from markupsafe import escape

from fluorologic.reconcile.reconcile import COLUMNS, VERDICTS
from fluorologic.service.workbench.denials import DenialFilters, DenialStore, claim_page, home_page, list_page

EVIL = "\"'><script>alert(1)</script><img src=x onerror=alert(2)>"
RAW = ["<script>", "<img src=x", "onerror=alert(2)>", "\"'>"]


def hostile(tag: str) -> str:
    return f"{tag}{EVIL}"


def _rec() -> dict:
    row = dict.fromkeys(COLUMNS) | {
        "claim_id": hostile("claim"), "line_id": hostile("line"), "code": hostile("code"),
        "modifiers": [hostile("mod")], "billed_amount": 10.0, "paid_amount": 0.0, "verdict": "appeal_candidate",
        "adjustments": [{"group": hostile("grp"), "reason": hostile("carc"), "amount": 10.0, "units": None}],
        "remarks": [hostile("rarc")], "payer_outcome": "denied", "payer_reason_family": hostile("family"),
        "decision": "billable", "reason": hostile("reason"), "rule": hostile("rule"), "by": hostile("by"),
        "detail": hostile("detail"), "expected_amount": 5.0, "next_step": "appeal", "citation": hostile("cite"),
        "replaced_by": [{"code": hostile("rcode"), "units": 1, "modifiers": [hostile("rmod")]}],
        "corrected_lines": [{"code": hostile("ccode"), "units": 1, "modifiers": []}]}
    by = {v: {"rows": 0, "billed": 0.0, "paid": 0.0} for v in VERDICTS} | {
        "appeal_candidate": {"rows": 1, "billed": 10.0, "paid": 0.0}}
    return {"id": 3, "name": hostile("name"), "created": hostile("created"), "rules": hostile("rules"),
            "rows": [row], "summary": {"rows": 1, "by_verdict": by, "appealable_billed": 10.0, "paid_at_risk": 0.0,
                                       "provider_adjustments": 0.0},
            "errors": [{"encounter_id": hostile("eid"), "error": {"field": hostile("field"),
                                                                  "message": hostile("msg")}}],
            "warnings": [], "provider_adjustments": [], "notes": [hostile("note")]}


def _pages() -> dict[str, str]:
    rec = _rec()
    kept = [{"id": 3, "name": hostile("kname"), "created": hostile("kcreated"), "rules": hostile("krules"),
             "summary": rec["summary"]}]
    return {"home": home_page(kept, hostile("hrules"), error=hostile("err")),
            "list": list_page(rec, DenialFilters(carc=hostile("grp"))),
            "list_all": list_page(rec, DenialFilters()),
            "claim": claim_page(rec, hostile("claim"))}


def test_hostile_text_stays_text():
    got = _pages()
    expect = {"home": ["kname", "kcreated", "krules", "hrules", "err"],
              "list_all": ["name", "claim", "line", "code", "mod", "grp", "carc", "rarc", "family", "reason", "eid",
                           "field", "msg", "note", "ccode"],
              "claim": ["claim", "line", "code", "grp", "carc", "rarc", "family", "reason", "rule", "by", "detail",
                        "cite", "rcode", "rmod", "ccode"]}
    for page, text in got.items():
        for markup in RAW:
            assert markup not in text, (page, markup)
        assert re.findall(r"<script[^>]*>", text) == ['<script src="/workbench/static/workbench.js" defer>']
    for page, tags in expect.items():
        for tag in tags:
            assert str(escape(hostile(tag))) in got[page], (page, tag)
    assert claim_page(_rec(), "no such claim") is None


def test_store_and_filters(tmp_path):
    store = DenialStore(tmp_path / "wb.sqlite")
    rows = [{"verdict": "appeal_candidate", "code": "77002", "payer_reason_family": "bundling",
             "adjustments": [{"group": "CO", "reason": "97"}]},
            {"verdict": "agrees_paid", "code": "20610", "payer_reason_family": "contractual",
             "adjustments": [{"group": "CO", "reason": "45"}, {"group": "PR", "reason": "2"}]}]
    rid = store.add("pair", "embedded", {"rows": rows, "summary": {"rows": 2}, "errors": []})
    assert [k["id"] for k in store.all()] == [rid] and store.get(rid)["rows"] == rows
    pick = {"verdict": "agrees_paid", "family": "bundling", "carc": "PR-2", "code": "77002"}
    for key, value in pick.items():
        assert [r["code"] for r in rows if DenialFilters(**{key: value}).keep(r)] == (
            ["20610"] if key in ("verdict", "carc") else ["77002"])
    assert [r["code"] for r in rows if DenialFilters(carc="97").keep(r)] == ["77002"]
    assert DenialFilters.of({"verdict": " agrees_paid ", "other": "x"}).items() == [("verdict", "agrees_paid")]
    store.delete(rid)
    assert store.get(rid) is None
