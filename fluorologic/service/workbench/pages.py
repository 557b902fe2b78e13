"""The workbench's HTML pages, rendered on the server: every value from input or data is escaped here.

Pages are plain HTML with one local stylesheet and one small local script (the file upload); filters,
what-if controls and the quarter comparison are ordinary GET/POST forms, so everything works without
script too, except choosing a file to load.

Examples
--------
>>> page = layout("<b>title</b>", "<p>x</p>")
>>> "&lt;b&gt;title&lt;/b&gt;" in page and "/workbench/static/workbench.css" in page
True

"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from fluorologic.service.workbench.charts import bar_chart
from fluorologic.service.workbench.db import PAGE, SORTS, Filters

__all__ = ["BASE", "claim_page", "dashboard_page", "home_page", "impact_page", "layout", "list_page",
           "progress_page", "result_tables"]

BASE = "/workbench"
_FILTER_NAMES = {"reason": "excluded for reason", "excluded_code": "excluded code", "added_reason": "added for reason",
                 "added_code": "added code", "alert": "alert", "code": "code", "pos": "place of service",
                 "date_from": "from", "date_to": "to", "changed": "changed", "error": "input error", "q": "search"}


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _money(value: float | None) -> str:
    if value is None:
        return "-"
    return f"-${-value:,.2f}" if value < 0 else f"${value:,.2f}"


def _url(path: str, **params: Any) -> str:
    query = urlencode([(k, v) for k, v in params.items() if v not in (None, "")])
    return f"{path}?{query}" if query else path


def _batch_url(bid: int, sub: str = "", /, **params: Any) -> str:
    return _url(f"{BASE}/batches/{bid}/{sub}".rstrip("/"), **params)


def layout(title: str, body: str, *, batch: dict[str, Any] | None = None, refresh: bool = False) -> str:
    """A whole page: the title (escaped), the navigation of the batch when given, and ``body`` (trusted HTML)."""
    nav = [f'<a href="{BASE}/">Batches</a>']
    if batch:
        bid = batch["id"]
        nav += [f'<a href="{_batch_url(bid)}">Dashboard</a>', f'<a href="{_batch_url(bid, "list")}">List</a>',
                f'<a href="{_batch_url(bid, "impact")}">Quarter impact</a>']
    nav.append('<a href="/docs">API docs</a>')
    meta = '<meta http-equiv="refresh" content="1">' if refresh else ""
    crumb = f'<span class="batchname">{_e(batch["name"])}</span>' if batch else ""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{_e(title)} - fluorologic workbench</title>{meta}
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="{BASE}/static/workbench.css"><link rel="icon" href="{BASE}/static/favicon.svg">
<script src="{BASE}/static/workbench.js" defer></script></head>
<body><header><span class="brand">fluorologic workbench</span><nav>{' '.join(nav)}</nav>{crumb}</header>
<main><h1>{_e(title)}</h1>
{body}
</main></body></html>
"""


def home_page(batches: Sequence[dict[str, Any]], rules: str) -> str:
    """Load a batch, and the batches kept in the database."""
    rows = []
    for b in batches:
        bid = b["id"]
        state = b["status"] if b["status"] != "solving" else f"solving {b['done']}/{b['total']}"
        rows.append(f"<tr><td><a href='{_batch_url(bid)}'>{_e(b['name'])}</a></td><td>{_e(b['created'])}</td>"
                    f"<td class='num'>{b['total'] or 0}</td><td>{_e(state)}</td><td>{_e(b['rules'])}</td>"
                    f"<td><a href='{_batch_url(bid, 'list')}'>list</a> &middot; "
                    f"<a href='{_batch_url(bid, 'impact')}'>quarter impact</a></td>"
                    f"<td><form method='post' action='{_batch_url(bid, 'delete')}' class='inline'>"
                    f"<button type='submit' class='danger'>Delete</button></form></td></tr>")
    table = ("<table id='batches'><tr><th>batch</th><th>loaded</th><th>encounters</th><th>state</th><th>rules</th>"
             "<th>open</th><th></th></tr>" + "".join(rows) + "</table>") if rows else "<p>No batch loaded yet.</p>"
    return layout("Batches", f"""
<section class="card"><h2>Load a batch</h2>
<p class="meta">Encounters as JSON (one object or an array), JSON Lines or a claim-line CSV (docs/batch.md), or the
results written by <code>fluorologic solve</code>. New batches are solved under: <b>{_e(rules)}</b>.</p>
<form id="load-form" action="{BASE}/load" method="post">
<input type="file" id="load-file" name="file" accept=".json,.jsonl,.ndjson,.csv,.txt" required>
<button type="submit" id="load-button">Load and solve</button> <span id="load-status" role="status"></span>
</form></section>
<h2>Batches kept</h2>{table}""")


def progress_page(batch: dict[str, Any]) -> str:
    """The batch while it solves (the page reloads itself every second)."""
    total, done = batch["total"] or 0, batch["done"]
    return layout(f"Solving {batch['name']}", f"""
<p id="progress-text">{done} of {total} encounters solved</p>
<progress id="progress" max="{max(total, 1)}" value="{done}"></progress>
<p class="meta">The dashboard opens when the batch is solved; you may leave and come back.</p>""",
                  batch=batch, refresh=True)


def _count(value: int, link: str, ident: str = "") -> str:
    ident = f" id='{_e(ident)}'" if ident else ""
    return f"<a class='count' href='{_e(link)}'{ident}>{value:,}</a>"


def _facet_table(bid: int, rows: Sequence[dict[str, Any]], param: str, label: str, tid: str) -> str:
    if not rows:
        return "<p class='meta'>none</p>"
    links = [_batch_url(bid, "list", **{param: r["value"]}) for r in rows]
    body = "".join(
        f"<tr><td>{_e(r['value'])}</td><td class='num'>{_count(r['lines'], link)}</td>"
        f"<td class='num'>{_count(r['encounters'], link)}</td></tr>" for r, link in zip(rows, links, strict=True))
    return (f"<table id='{tid}' class='facet'><tr><th>{_e(label)}</th><th>lines</th><th>encounters</th></tr>"
            f"{body}</table>")


def _chart(bid: int, rows: Sequence[dict[str, Any]], param: str, title: str, colour: str) -> str:
    """The encounters per value (the 14 most frequent), each bar a link to the list filtered by it."""
    top = sorted(rows, key=lambda r: (-r["encounters"], r["value"]))[:14]
    bars = [(r["value"], r["encounters"], _batch_url(bid, "list", **{param: r["value"]})) for r in top]
    return bar_chart(bars, title=title, colour=colour)


def dashboard_page(batch: dict[str, Any], s: dict[str, Any]) -> str:
    """Counts, reasons by code, alerts by kind, billed vs expected: every count a link to the filtered list."""
    bid = batch["id"]
    f = s["facets"]
    diff = s["expected"] - s["billed"]
    money = bar_chart([("billed as claimed", s["billed"], _batch_url(bid, "list", sort="billed", dir="desc")),
                       ("expected by fluorologic", s["expected"],
                        _batch_url(bid, "list", sort="difference"))], title="billed vs expected", money=True,
                      colour="#059669")
    sections = [
        ("Excluded lines by reason", "reason", "reason", "excluded-by-reason", "#dc2626"),
        ("Excluded lines by code", "excluded_code", "code", "excluded-by-code", "#ea580c"),
        ("Added lines by reason", "added_reason", "reason", "added-by-reason", "#7c3aed"),
        ("Added lines by code", "added_code", "code", "added-by-code", "#9333ea"),
        ("Alerts by kind", "alert", "kind", "alerts-by-kind", "#d97706"),
    ]
    blocks = "".join(
        f"<section class='card'><h2>{_e(title)}</h2><div class='pair'>"
        f"{_chart(bid, f[param], param, title, colour)}{_facet_table(bid, f[param], param, label, tid)}</div></section>"
        for title, param, label, tid, colour in sections)
    places = "".join(f"<li>POS {_e(p['value'])}: {_count(p['encounters'], _batch_url(bid, 'list', pos=p['value']))}"
                     "</li>" for p in s["places"])
    solved = _count(s["encounters"] - s["errors"], _batch_url(bid, "list", error="no"), "count-solved")
    return layout(f"Dashboard: {batch['name']}", f"""
<p class="meta">Loaded {_e(batch['created'])}; rules: {_e(batch['rules'])}.</p>
<div class="tiles">
<div class="tile"><span>encounters solved</span>{solved}</div>
<div class="tile"><span>changed</span>{_count(s['changed'], _batch_url(bid, 'list', changed='yes'), 'count-changed')}
</div>
<div class="tile"><span>with errors</span>{_count(s['errors'], _batch_url(bid, 'list', error='yes'), 'count-errors')}
</div>
<div class="tile"><span>billed as claimed</span><a class="count" id="total-billed"
 href="{_e(_batch_url(bid, 'list', sort='billed', dir='desc'))}">{_money(s['billed'])}</a></div>
<div class="tile"><span>expected</span><a class="count" id="total-expected"
 href="{_e(_batch_url(bid, 'list', sort='difference'))}">{_money(s['expected'])}</a>
<small>difference {_money(diff)}</small></div>
</div>
<section class="card"><h2>Billed vs expected</h2>{money}</section>
{blocks}
<section class="card"><h2>Places of service</h2><ul class="places">{places}</ul></section>""", batch=batch)


def _select(name: str, options: Sequence[str], current: str, label: str) -> str:
    opts = "".join(f"<option value='{_e(o)}'{' selected' if o == current else ''}>{_e(o or 'any')}</option>"
                   for o in ["", *options])
    return f"<label>{_e(label)} <select name='{_e(name)}' id='f-{_e(name)}'>{opts}</select></label>"


def _summary_cells(rec: dict[str, Any]) -> tuple[str, str, str]:
    if "error" in rec:
        err = rec["error"] or {}
        return f"<span class='err'>error: {_e(err.get('field'))}: {_e(err.get('message'))}</span>", "", ""
    billable = ", ".join(_e(b["code"]) + (f"&times;{b['units']}" if b["units"] != 1 else "") for b in rec["billable"])
    excluded = "<br>".join(f"{_e(x['code'])} <span class='reason'>{_e(x['reason'])}</span>" for x in rec["excluded"])
    added = "<br>".join(f"{_e(x['code'])} <span class='reason'>{_e(x['reason'])}</span>" for x in rec["added"])
    return billable or "-", excluded or "-", added or "-"


def list_page(batch: dict[str, Any], rows: Sequence[dict[str, Any]], total: int, filters: Filters,
              s: dict[str, Any], *, sort: str, descending: bool, page: int) -> str:
    """The filtered, searchable, sortable list, with its CSV export."""
    bid = batch["id"]
    f = s["facets"]
    params = dict(filters.items())
    head_cells = []
    for key, label in (("seq", "#"), ("encounter", "encounter"), (None, "claim"), ("date", "date"), (None, "POS"),
                       (None, "billable"), (None, "excluded"), (None, "added"), (None, "alerts"),
                       ("billed", "billed"), ("expected", "expected"), ("difference", "difference")):
        if key is None:
            head_cells.append(f"<th>{label}</th>")
        else:
            flip = not descending if key == sort else key in ("billed", "expected")
            arrow = (" &darr;" if descending else " &uarr;") if key == sort else ""
            link = _batch_url(bid, "list", **params, sort=key, dir="desc" if flip else "asc")
            head_cells.append(f"<th><a href='{_e(link)}' data-sort='{key}'>{label}{arrow}</a></th>")
    body = []
    for r in rows:
        rec = r["record"]
        billable, excluded, added = _summary_cells(rec)
        alerts = ", ".join(_e(a["kind"]) for a in rec.get("alerts", ())) or "-"
        link = _batch_url(bid, f"claims/{r['seq']}")
        body.append(f"<tr class='enc{' changed' if r['changed'] else ''}' data-id='{_e(r['encounter_id'])}'>"
                    f"<td class='num'>{r['seq'] + 1}</td><td><a href='{_e(link)}'>{_e(r['encounter_id'] or '-')}</a>"
                    f"</td><td>{_e(r['claim_id'] or '-')}</td><td>{_e(r['dos'] or '-')}</td><td>{_e(r['pos'] or '-')}"
                    f"</td><td>{billable}</td><td>{excluded}</td><td>{added}</td><td>{alerts}</td>"
                    f"<td class='num'>{_money(r['billed'])}</td><td class='num'>{_money(r['expected'])}</td>"
                    f"<td class='num'>{_money(r['expected'] - r['billed'])}</td></tr>")
    chips = " ".join(f"<span class='chip'>{_e(_FILTER_NAMES[k])}: {_e(v)}</span>" for k, v in filters.items())
    pages = max(1, -(-total // PAGE))
    nav = []
    if page > 0:
        nav.append(f"<a href='{_e(_batch_url(bid, 'list', **params, sort=sort, dir=_dir(descending), page=page - 1))}'"
                   ">&larr; previous</a>")
    if page + 1 < pages:
        nav.append(f"<a href='{_e(_batch_url(bid, 'list', **params, sort=sort, dir=_dir(descending), page=page + 1))}'"
                   " id='next-page'>next &rarr;</a>")
    export = _batch_url(bid, "export.csv", **params, sort=sort, dir=_dir(descending))
    form = f"""<form id="filters" method="get" action="{_batch_url(bid, 'list')}" class="filters">
{_select('reason', [r['value'] for r in f['reason']], filters.reason, 'excluded for reason')}
{_select('excluded_code', [r['value'] for r in f['excluded_code']], filters.excluded_code, 'excluded code')}
{_select('added_reason', [r['value'] for r in f['added_reason']], filters.added_reason, 'added for reason')}
{_select('alert', [r['value'] for r in f['alert']], filters.alert, 'alert')}
{_select('code', sorted(r['value'] for r in f['code']), filters.code, 'code')}
{_select('pos', [p['value'] for p in s['places']], filters.pos, 'place of service')}
<label>from <input type="date" name="date_from" value="{_e(filters.date_from)}"></label>
<label>to <input type="date" name="date_to" value="{_e(filters.date_to)}"></label>
{_select('changed', ['yes', 'no'], filters.changed, 'changed')}
{_select('error', ['yes', 'no'], filters.error, 'input error')}
<label>search <input type="search" name="q" id="f-q" value="{_e(filters.q)}"
 placeholder="encounter or claim id"></label>
{_select('sort', list(SORTS), sort, 'sort')}{_select('dir', ['asc', 'desc'], _dir(descending), 'order')}
<button type="submit" id="apply-filters">Apply</button> <a href="{_batch_url(bid, 'list')}">clear</a>
</form>"""
    return layout(f"List: {batch['name']}", f"""{form}
<p class="meta"><span id="match-count">{total:,}</span> encounters match {chips}
&middot; <a id="export-csv" href="{_e(export)}" download>Export CSV</a> &middot; page {page + 1} of {pages}
{' '.join(nav)}</p>
<table id="encounters"><tr>{''.join(head_cells)}</tr>{''.join(body)}</table>""", batch=batch)


def _dir(descending: bool) -> str:
    return "desc" if descending else "asc"


def result_tables(rec: dict[str, Any]) -> str:
    """A stored record's billable, excluded, added lines and alerts (for results loaded without their input)."""
    if "error" in rec:
        err = rec["error"] or {}
        return f"<p class='err' id='input-error'>Input error in {_e(err.get('field'))}: {_e(err.get('message'))}</p>"
    billable = "".join(f"<tr><td>{_e(b['code'])}</td><td class='num'>{b['units']}</td>"
                       f"<td>{_e(', '.join(b['modifiers']) or '-')}</td><td class='num'>{_money(b['amount'])}</td></tr>"
                       for b in rec["billable"])
    excluded = "".join(f"<tr class='excluded' data-code='{_e(x['code'])}'><td>{_e(x['code'])}</td>"
                       f"<td class='num'>{x['units']}</td><td class='reason'>{_e(x['reason'])}</td>"
                       f"<td>{_e(x['detail'])}</td></tr>" for x in rec["excluded"])
    added = "".join(f"<tr><td>{_e(a['code'])}</td><td class='reason'>{_e(a['reason'])}</td><td>{_e(a['detail'])}</td>"
                    "</tr>" for a in rec["added"])
    alerts = "".join(f"<li><b>{_e(a['kind'])}</b>: {_e(a['detail'])}</li>" for a in rec["alerts"])
    return (f"<h2>Billable lines</h2><table id='billable'><tr><th>code</th><th>units</th><th>modifiers</th>"
            f"<th>amount</th></tr>{billable}</table><h2>Excluded</h2><table id='excluded'><tr><th>code</th>"
            f"<th>units</th><th>reason</th><th>detail</th></tr>{excluded}</table><h2>Added</h2><table id='added'>"
            f"<tr><th>code</th><th>reason</th><th>detail</th></tr>{added}</table><h2>Alerts</h2><ul>{alerts}</ul>")


def _whatif_form(action: str, raw: dict[str, Any], state: dict[str, Any], places: Sequence[str]) -> str:
    rows = []
    for i, ln in enumerate(raw.get("lines", ()), start=1):
        if not isinstance(ln, dict):
            continue
        mods = ", ".join(m for m in ln.get("modifiers", ()) if isinstance(m, str))
        distinct = " checked" if i in state["distinct"] else ""
        removed = " checked" if i in state["remove"] else ""
        rows.append(f"<tr><td>{i}</td><td>{_e(ln.get('code'))}</td><td>{_e(mods or '-')}</td>"
                    f"<td><label><input type='checkbox' name='distinct' value='{i}' id='distinct-{i}'{distinct}> "
                    f"distinct service</label></td><td><label><input type='checkbox' name='remove' value='{i}' "
                    f"id='remove-{i}'{removed}> remove</label></td></tr>")
    pos = "".join(f"<option value='{_e(p)}'{' selected' if p == state['pos'] else ''}>{_e(p)}</option>"
                  for p in places)
    owners = "".join(f"<option value='{o}'{' selected' if o == state['owner'] else ''}>{o or 'default'}</option>"
                     for o in ("", "physician", "facility"))
    return f"""<form id="whatif" method="get" action="{_e(action)}" class="whatif">
<input type="hidden" name="wi" value="1">
<table><tr><th>line</th><th>code</th><th>modifiers</th><th colspan="2">what if</th></tr>{''.join(rows)}</table>
<div class="filters"><label>place of service <select name="pos" id="wi-pos">{pos}</select></label>
<label>equipment owner <select name="owner" id="wi-owner">{owners}</select></label>
<label>fluoroscopy time (s) <input type="number" min="0" step="any" name="fluoro" id="wi-fluoro"
 value="{_e(state['fluoro'])}"></label>
<label>indication <input type="text" name="indication" id="wi-indication" value="{_e(state['indication'])}"></label>
<label>body area <input type="text" name="body_area" id="wi-body-area" value="{_e(state['body_area'])}"></label>
<button type="submit" id="resolve">Re-solve</button> <a href="{_e(action)}">reset</a></div></form>"""


def _changes(changes: Sequence[dict[str, str]], totals: tuple[float, float] | None) -> str:
    if totals is None:
        return ""
    if not changes:
        body = "<p id='no-change'>The decision does not change.</p>"
    else:
        body = ("<table id='changes'><tr><th>code</th><th>as stored</th><th>what if</th></tr>" + "".join(
            f"<tr data-code='{_e(c['code'])}'><td>{_e(c['code'])}</td><td>{_e(c['before'])}</td>"
            f"<td class='after'>{_e(c['after'])}</td></tr>" for c in changes) + "</table>")
    return (f"<section class='card changed' id='what-changed'><h2>What changed</h2>{body}<p>Expected total "
            f"{_money(totals[0])} &rarr; <b id='whatif-expected'>{_money(totals[1])}</b></p></section>")


def claim_page(batch: dict[str, Any], enc: dict[str, Any], *, sections: str | None, evidence: Sequence[Any],
               whatif: dict[str, Any] | None, places: Sequence[str], changes: Sequence[dict[str, str]],
               totals: tuple[float, float] | None, note: str = "") -> str:
    """One encounter: the explanation page live, with what-if controls that re-solve on the server."""
    bid, seq = batch["id"], enc["seq"]
    title = f"Encounter {enc['encounter_id'] or '(no id)'}"
    parts = [f"<p class='meta'>Batch position {seq + 1}; claim {_e(enc['claim_id'] or '-')}. "
             f"<a href='{_batch_url(bid, 'list')}'>back to the list</a></p>"]
    if note:
        parts.append(f"<p class='meta'>{_e(note)}</p>")
    if enc["raw"] is not None and whatif is not None:
        parts.append("<section class='card'><h2>What if</h2>"
                     + _whatif_form(_batch_url(bid, f"claims/{seq}"), enc["raw"], whatif, places) + "</section>")
        parts.append(_changes(changes, totals))
    if sections is not None:
        parts.append(sections)
        if evidence:
            items = "".join(f"<li><b>{_e(e.get('fact'))}</b> [{_e(e.get('start'))}-{_e(e.get('end'))}]: "
                            f"&ldquo;{_e(e.get('text'))}&rdquo;</li>" for e in evidence)
            parts.append(f"<h2>Note evidence</h2><ul id='evidence'>{items}</ul>")
    else:
        parts.append(result_tables(enc["record"]))
    return layout(title, "\n".join(parts), batch=batch)


def impact_page(batch: dict[str, Any], quarters: Sequence[str], runs: Sequence[dict[str, Any]],
                current: dict[str, Any] | None) -> str:
    """Pick two rule sets, re-solve the batch under each, and list the claims whose decision changes."""
    bid = batch["id"]
    first = current["first"] if current else quarters[0]
    second = current["second"] if current else quarters[-1]

    def options(chosen: str) -> str:
        return "".join(f"<option value='{_e(q)}'{' selected' if q == chosen else ''}>{_e(q)}</option>"
                       for q in quarters)

    form = f"""<form id="impact-form" method="post" action="{_batch_url(bid, 'impact')}" class="filters">
<label>from <select name="first" id="q-first">{options(first)}</select></label>
<label>to <select name="second" id="q-second">{options(second)}</select></label>
<button type="submit" id="run-impact">Compare</button></form>"""
    past = "".join(f"<li><a href='{_batch_url(bid, 'impact', run=r['id'])}'>{_e(r['first'])} &rarr; "
                   f"{_e(r['second'])}</a> ({_e(r['created'])}, {_e(r['status'])})</li>" for r in runs)
    body = [f"<p class='meta'>Sides: the embedded data and the quarters loaded in the rule store "
            f"(<code>fluorologic data import</code>).</p>{form}"]
    refresh = False
    if current is not None:
        if current["status"] == "solving":
            refresh = True
            body.append(f"<p id='impact-progress'>Solving: {current['done']} of {current['total']}</p>"
                        f"<progress max='{max(current['total'], 1)}' value='{current['done']}'></progress>")
        elif current["status"] == "failed":
            body.append(f"<p class='err'>{_e(current['message'])}</p>")
        else:
            body.append(_impact_result(bid, current["result"]))
    if past:
        body.append(f"<h2>Comparisons run</h2><ul>{past}</ul>")
    return layout(f"Quarter impact: {batch['name']}", "\n".join(body), batch=batch, refresh=refresh)


def _impact_result(bid: int, out: dict[str, Any]) -> str:
    a, b = out["quarters"]
    rows = []
    for c in out["changes"]:
        def side(x: dict[str, Any]) -> str:
            if "error" in x:
                return f"error: {_e(x['error'].get('field'))}"
            return (f"bill {_e(', '.join(x['billable']) or '-')}"
                    + (f"<br>excl {_e(', '.join(x['excluded']))}" if x["excluded"] else "")
                    + (f"<br>add {_e(', '.join(x['added']))}" if x["added"] else ""))
        rule_rows = "".join(f"<li class='minus'>&minus; {_e(r['table'])}: {_e(r['row'])}</li>"
                            for r in c["rows_only_before"])
        rule_rows += "".join(f"<li class='plus'>+ {_e(r['table'])}: {_e(r['row'])}</li>" for r in c["rows_only_after"])
        link = _batch_url(bid, "list", q=c["encounter_id"] or "")
        rows.append(f"<tr class='impact' data-id='{_e(c['encounter_id'])}'><td><a href='{_e(link)}'>"
                    f"{_e(c['encounter_id'])}</a></td><td>{side(c['before'])}</td><td>{side(c['after'])}</td>"
                    f"<td class='num'>{_money(c['difference'])}</td><td><ul>{rule_rows}</ul></td></tr>")
    table = ("<table id='impact'><tr><th>encounter</th><th>" + _e(a) + "</th><th>" + _e(b) +
             "</th><th>difference</th><th>rule rows that differ</th></tr>" + "".join(rows) + "</table>"
             ) if rows else "<p>No decision changes.</p>"
    return (f"<p id='impact-summary'><b>{_e(a)} &rarr; {_e(b)}</b>: {out['encounters']:,} encounters, "
            f"<span id='impact-changed'>{out['changed']:,}</span> changed, {out['errors']:,} errors; expected total "
            f"{_money(out['expected'][a])} &rarr; {_money(out['expected'][b])} (difference "
            f"{_money(out['difference'])})</p>{table}")
