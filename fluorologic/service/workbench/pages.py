"""The workbench's HTML pages: Jinja2 templates (``templates/``, autoescaped) filled with what each page shows.

Pages are plain HTML with one local stylesheet and one small local script (the file upload); filters,
what-if controls and the quarter comparison are ordinary GET/POST forms, so everything works without
script too, except choosing a file to load. Each function here gathers a page's values; its template lays
them out, and escapes every one of them.

Examples
--------
>>> page = home_page([{"id": 1, "name": "<b>x</b>.json", "created": "now", "total": 2, "done": 2,
...                    "status": "done", "rules": "embedded"}], "embedded")
>>> "&lt;b&gt;x&lt;/b&gt;.json" in page and "<b>x</b>" not in page and "/workbench/static/workbench.css" in page
True

"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from markupsafe import Markup

from fluorologic.service.workbench.charts import bar_chart
from fluorologic.service.workbench.db import PAGE, SORTS, Filters
from fluorologic.service.workbench.templates import BASE, batch_url, render

__all__ = ["BASE", "claim_page", "dashboard_page", "home_page", "impact_page", "list_page", "progress_page"]

_FILTER_NAMES = {"reason": "excluded for reason", "excluded_code": "excluded code", "added_reason": "added for reason",
                 "added_code": "added code", "alert": "alert", "code": "code", "pos": "place of service",
                 "date_from": "from", "date_to": "to", "changed": "changed", "error": "input error", "q": "search"}
#: The dashboard's facet sections: title, query parameter, column label, table id, bar colour.
_SECTIONS = (("Excluded lines by reason", "reason", "reason", "excluded-by-reason", "#dc2626"),
             ("Excluded lines by code", "excluded_code", "code", "excluded-by-code", "#ea580c"),
             ("Added lines by reason", "added_reason", "reason", "added-by-reason", "#7c3aed"),
             ("Added lines by code", "added_code", "code", "added-by-code", "#9333ea"),
             ("Alerts by kind", "alert", "kind", "alerts-by-kind", "#d97706"))


def home_page(batches: Sequence[dict[str, Any]], rules: str) -> str:
    """Load a batch, and the batches kept in the database."""
    return render("home.html", title="Batches", batch=None, refresh=False, batches=batches, rules=rules)


def progress_page(batch: dict[str, Any]) -> str:
    """The batch while it solves (the page reloads itself every second)."""
    return render("progress.html", title=f"Solving {batch['name']}", batch=batch, refresh=True)


def _chart(bid: int, rows: Sequence[dict[str, Any]], param: str, title: str, colour: str) -> Markup:
    """The encounters per value (the 14 most frequent), each bar a link to the list filtered by it."""
    top = sorted(rows, key=lambda r: (-r["encounters"], r["value"]))[:14]
    bars = [(r["value"], r["encounters"], batch_url(bid, "list", **{param: r["value"]})) for r in top]
    return bar_chart(bars, title=title, colour=colour)


def dashboard_page(batch: dict[str, Any], s: dict[str, Any]) -> str:
    """Counts, reasons by code, alerts by kind, billed vs expected: every count a link to the filtered list."""
    bid = batch["id"]
    money_chart = bar_chart([("billed as claimed", s["billed"], batch_url(bid, "list", sort="billed", dir="desc")),
                             ("expected by fluorologic", s["expected"], batch_url(bid, "list", sort="difference"))],
                            title="billed vs expected", money=True, colour="#059669")
    sections = [{"title": title, "param": param, "label": label, "tid": tid, "rows": s["facets"][param],
                 "chart": _chart(bid, s["facets"][param], param, title, colour)}
                for title, param, label, tid, colour in _SECTIONS]
    return render("dashboard.html", title=f"Dashboard: {batch['name']}", batch=batch, refresh=False, s=s,
                  money_chart=money_chart, sections=sections)


def list_page(batch: dict[str, Any], rows: Sequence[dict[str, Any]], total: int, filters: Filters,
              s: dict[str, Any], *, sort: str, descending: bool, page: int) -> str:
    """The filtered, searchable, sortable list, with its CSV export."""
    bid = batch["id"]
    params = dict(filters.items())
    heads = []
    for key, label in (("seq", "#"), ("encounter", "encounter"), (None, "claim"), ("date", "date"), (None, "POS"),
                       (None, "billable"), (None, "excluded"), (None, "added"), (None, "alerts"),
                       ("billed", "billed"), ("expected", "expected"), ("difference", "difference")):
        link = ""
        if key is not None:
            flip = not descending if key == sort else key in ("billed", "expected")
            link = batch_url(bid, "list", **params, sort=key, dir="desc" if flip else "asc")
        heads.append({"key": key, "label": label, "link": link})
    direction = "desc" if descending else "asc"

    def page_link(n: int) -> str:
        return batch_url(bid, "list", **params, sort=sort, dir=direction, page=n)

    return render("list.html", title=f"List: {batch['name']}", batch=batch, refresh=False, rows=rows, total=total,
                  filters=filters, params=params, s=s, sort=sort, descending=descending,
                  direction=direction, page=page, page_link=page_link,
                  export_link=batch_url(bid, "export.csv", **params, sort=sort, dir=direction),
                  pages=max(1, -(-total // PAGE)),
                  heads=heads, sorts=list(SORTS), filter_names=_FILTER_NAMES)


def claim_page(batch: dict[str, Any], enc: dict[str, Any], *, sections: str | None, evidence: Sequence[Any],
               whatif: dict[str, Any] | None, places: Sequence[str], changes: Sequence[dict[str, str]],
               totals: tuple[float, float] | None, note: str = "") -> str:
    """One encounter: the explanation page live, with what-if controls that re-solve on the server.

    ``sections`` is the explanation's HTML (:func:`fluorologic.explanation.report_html.sections`, which escapes
    every value it shows) or None to show the stored record's tables.
    """
    raw = enc["raw"]
    lines = [ln for ln in raw.get("lines", ()) if isinstance(ln, dict)] if isinstance(raw, dict) else []
    return render("claim.html", title=f"Encounter {enc['encounter_id'] or '(no id)'}", batch=batch, refresh=False,
                  enc=enc, rec=enc["record"], lines=lines,
                  sections=None if sections is None else Markup(sections),  # noqa: S704 (escaped where built)
                  evidence=evidence, whatif=whatif, places=places, changes=changes, totals=totals, note=note)


def impact_page(batch: dict[str, Any], quarters: Sequence[str], runs: Sequence[dict[str, Any]],
                current: dict[str, Any] | None) -> str:
    """Pick two rule sets, re-solve the batch under each, and list the claims whose decision changes."""
    return render("impact.html", title=f"Quarter impact: {batch['name']}", batch=batch,
                  refresh=current is not None and current["status"] == "solving", quarters=quarters, runs=runs,
                  current=current, first=current["first"] if current else quarters[0],
                  second=current["second"] if current else quarters[-1])
