"""One self-contained HTML page an analyst can open offline: the encounter, the result and the conflict graph.

No script, no external stylesheet, font or image: the graph is inline SVG. Every text from the input is
HTML-escaped; the note itself is never printed (it may hold protected health information).

Examples
--------
>>> from fluorologic.explanation.explain import explain
>>> ex = explain({"encounter_id": "k", "date_of_service": "2024-08-14", "place_of_service": "11",
...               "lines": [{"code": "62270"}, {"code": "76000"}]})
>>> page = to_html(ex, svg_engine="python")
>>> page.startswith("<!DOCTYPE html>") and "ptp_bundled" in page and "<script" not in page
True

"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from fluorologic.explanation.graph_render import COLOURS, to_svg

if TYPE_CHECKING:
    from fluorologic.explanation.explain import Explanation

__all__ = ["CSS", "sections", "to_html"]

CSS = """
body{font-family:Helvetica,Arial,sans-serif;margin:24px;color:#1f2937;max-width:1200px}
h1{font-size:22px;margin-bottom:4px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ddd}
table{border-collapse:collapse;width:100%;font-size:13px;margin-top:6px}
th,td{border:1px solid #d1d5db;padding:5px 8px;text-align:left;vertical-align:top}
th{background:#f3f4f6}td.num{text-align:right}ul{margin:0;padding-left:18px}.meta{color:#4b5563;font-size:13px}
.reason{font-weight:bold}.src{color:#4b5563;font-size:12px}.pill{display:inline-block;padding:2px 8px;
border-radius:10px;border:1px solid;margin-right:8px;font-size:12px}
.graph{overflow:auto;border:1px solid #e5e7eb;padding:8px;margin-top:8px}.graph svg{max-width:100%;height:auto}

"""


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _money(value: float | None) -> str:
    return "-" if value is None else f"${value:,.2f}"


def _legend() -> str:
    names = {"billed": "billed", "excluded": "excluded", "added": "added by fluorologic",
             "considered": "considered, not added", "fact": "fact of the encounter"}
    pills = "".join(f'<span class="pill" style="background:{f};border-color:{c}">{_e(names[s])}</span>'
                    for s, (f, c) in COLOURS.items())
    return (f'<p class="legend">{pills}<br><span class="src">Solid arrows: suppresses, blocks, replaces, trims. '
            "Dashed: requires, supports, indicates, modifies, implies. Dotted: bypassed or lapsed edit.</span></p>")


def _lines_table(ex: Explanation) -> str:
    rows = []
    for i, ln in enumerate(ex.encounter.lines, start=1):
        rows.append(f"<tr><td>{i}</td><td>{_e(ln.code)}</td><td class='num'>{ln.units}</td>"
                    f"<td>{_e(', '.join(ln.modifiers) or '-')}</td><td>{_e(ln.site or '-')}</td>"
                    f"<td>{'yes' if ln.distinct else 'no'}</td></tr>")
    return ("<table><tr><th>line</th><th>code</th><th>units</th><th>modifiers</th><th>site</th>"
            "<th>distinct service documented</th></tr>" + "".join(rows) + "</table>")


def _billable_table(res: dict[str, Any]) -> str:
    rows = [f"<tr><td>{_e(b['code'])}</td><td class='num'>{b['units']}</td><td>{_e(', '.join(b['modifiers']) or '-')}"
            f"</td><td class='num'>{_money(b['amount'])}</td></tr>" for b in res["billable"]]
    rows.append(f"<tr><th colspan='3'>expected total (billed as given: {_money(res['totals']['billed'])})</th>"
                f"<th class='num'>{_money(res['totals']['expected'])}</th></tr>")
    return ("<table id='billable'><tr><th>code</th><th>units</th><th>modifiers</th><th>expected allowed amount</th>"
            "</tr>" + "".join(rows) + "</table>")


def _reason_items(ex: Explanation, code: str) -> list[dict[str, Any]]:
    g = ex.graph()
    nodes = sorted(n for n, d in g.nodes(data=True) if d.get("code") == code and d["kind"] == "line")
    items = []
    for n in nodes:
        for src, _t, d in sorted(g.in_edges(n, data=True), key=lambda x: x[0]):
            for r in d["relations"]:
                if r["reason"] and r not in items:
                    items.append({**r, "by_label": g.nodes[src]["label"].split("\n")[0]})
    return items


def _exclusions(ex: Explanation, what_if: dict[str, str]) -> str:
    rows = []
    for e in ex.result["excluded"]:
        items = _reason_items(ex, e["code"])
        items.sort(key=lambda r: (r["reason"] != e["reason"] or r["rule"] != e["rule"], r["reason"], r["rule"]))
        listed = "".join(
            f"<li><span class='reason'>{_e(r['reason'])}</span> by {_e(r['by_label'])} "
            f"<span class='src'>[rule {_e(r['rule'])}]"
            f"{('<br>source: ' + _e(r['row'])) if r['row'] else ''}</span></li>" for r in items)
        change = f"<td>{_e(what_if.get(e['code'], '-'))}</td>" if what_if else ""
        rows.append(f"<tr class='excluded' data-code='{_e(e['code'])}'><td>{_e(e['code'])}</td>"
                    f"<td class='num'>{e['units']}</td><td><span class='reason'>{_e(e['reason'])}</span><br>"
                    f"{_e(e['detail'])}<br><span class='src'>by {_e(e['by'] or '-')}, rule {_e(e['rule'])}</span>"
                    f"</td><td><ul>{listed}</ul></td>{change}</tr>")
    if not rows:
        return "<p>Nothing was excluded.</p>"
    head = "<th>what would change it</th>" if what_if else ""
    return ("<table id='excluded'><tr><th>code</th><th>units</th><th>reason shown on the result</th>"
            f"<th>every reason that applies, with its source</th>{head}</tr>" + "".join(rows) + "</table>")


def _what_if(ex: Explanation) -> dict[str, str]:
    """For each excluded code, the smallest documented change that bills it, or why nothing would."""
    out = {}
    for code in sorted({e["code"] for e in ex.result["excluded"]}):
        w = ex.explain(code).get("what_would_change")
        if w:
            out[code] = "; or ".join(o["change"] for o in w["options"]) if w["options"] else w.get("nothing", "")
    return out


def _added(res: dict[str, Any]) -> str:
    if not res["added"]:
        return "<p>Nothing was added.</p>"
    rows = [f"<tr><td>{_e(a['code'])}</td><td class='num'>{a['units']}</td><td class='reason'>{_e(a['reason'])}</td>"
            f"<td>{_e(a['replaces'] or '-')}</td><td>{_e(a['detail'])}</td></tr>" for a in res["added"]]
    return ("<table id='added'><tr><th>code</th><th>units</th><th>reason</th><th>replaces</th><th>why</th></tr>"
            + "".join(rows) + "</table>")


def _alerts(res: dict[str, Any]) -> str:
    if not res["alerts"]:
        return "<p>No alerts.</p>"
    return "<ul>" + "".join(f"<li><b>{_e(a['kind'])}</b>: {_e(a['detail'])}</li>" for a in res["alerts"]) + "</ul>"


def to_html(ex: Explanation, *, svg_engine: str = "auto", what_if: bool = False) -> str:
    """The analyst's page for one explained encounter (one file, readable offline, no script).

    Parameters
    ----------
    ex
        The explained encounter.
    svg_engine
        How the graph is drawn (see :func:`fluorologic.explanation.graph_render.to_svg`).
    what_if
        Add a "what would change it" column (re-solves modified encounters, see :mod:`fluorologic.explanation.whatif`).

    """
    enc = ex.encounter
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>fluorologic: {_e(enc.encounter_id)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>{CSS}</style></head>
<body>
<h1>Encounter {_e(enc.encounter_id)}</h1>
{sections(ex, svg_engine=svg_engine, what_if=what_if)}
<p class="src">Generated by fluorologic. Sources: NCCI PTP, MUE and add-on code edits, MPFS RVU files as embedded
or imported.</p>
</body></html>

"""


def sections(ex: Explanation, *, svg_engine: str = "auto", what_if: bool = False) -> str:
    """The page's sections below its title (the workbench's claim page embeds them); see :func:`to_html`."""
    enc, res = ex.encounter, ex.result
    owner = f"{enc.owner} ({'as given' if enc.owner_given else 'default for the place of service'})"
    doc = enc.documentation
    fluoro = "-" if doc.fluoroscopy_time_seconds is None else f"{doc.fluoroscopy_time_seconds:g} s"
    svg = to_svg(ex.graph(), engine=svg_engine)
    return f"""<p class="meta">Date of service {_e(enc.date_of_service.isoformat())} &middot; place of service
{_e(enc.place_of_service)} &middot; equipment owner {_e(owner)} &middot; fluoroscopy time {_e(fluoro)}
&middot; indication {_e(doc.indication or '-')} &middot; body area {_e(doc.body_area or '-')}</p>
<h2>Lines as claimed</h2>{_lines_table(ex)}
<h2>Billable lines</h2>{_billable_table(res)}
<h2>Excluded</h2>{_exclusions(ex, _what_if(ex) if what_if else {})}
<h2>Added</h2>{_added(res)}
<h2>Alerts</h2>{_alerts(res)}
<h2>Conflict graph</h2>
<p class="meta">Each arrow says who suppressed, replaced, trimmed or modified whom, under which rule; the graph is
built from the reasons the rule engine derived for this very result.</p>
{_legend()}
<div class="graph">{svg}</div>
"""
