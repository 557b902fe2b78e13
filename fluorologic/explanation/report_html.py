"""One self-contained HTML page an analyst can open offline: the encounter, the result and the conflict graph.

No script, no external stylesheet, font or image: the graph is inline SVG. The page is a Jinja2 template
(``templates/report.html`` around ``templates/sections.html``, which the workbench's claim page includes too)
rendered with autoescape, so every text from the input reaches the page as text; the note itself is never
printed (it may hold protected health information). Lines are numbered as on the claim
(:mod:`fluorologic.contract.claim_lines`): an 837P's ``LX01``, else the order of the input.

Examples
--------
>>> from fluorologic.explanation.explain import explain
>>> ex = explain({"encounter_id": "k", "date_of_service": "2024-08-14", "place_of_service": "11",
...               "lines": [{"code": "76000"}, {"code": "62270", "site": "L5-S1"}]})
>>> page = to_html(ex, svg_engine="python")
>>> page.startswith("<!DOCTYPE html>") and "ptp_bundled" in page and "<script" not in page and "L5-S1" in page
True
>>> [(ln["number"], ln["code"], ln["decision"]) for ln in report_context(ex, svg_engine="python")["lines"]]
[(1, '76000', 'excluded: ptp_bundled'), (2, '62270', 'billed x1')]

"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from jinja2 import Environment, PackageLoader, Undefined
from markupsafe import Markup

from fluorologic.contract.claim_lines import entry_positions, line_charges, line_numbers, raw_lines
from fluorologic.explanation.graph_render import COLOURS, to_svg

if TYPE_CHECKING:
    from fluorologic.explanation.explain import Explanation

__all__ = ["CSS", "ENV", "money", "pricing_text", "report_context", "sections", "to_html", "total_text",
           "without_fee"]

CSS = """
body{font-family:Helvetica,Arial,sans-serif;margin:24px;color:#1f2937;max-width:1200px}
h1{font-size:22px;margin-bottom:4px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ddd}
table{border-collapse:collapse;width:100%;font-size:13px;margin-top:6px}
th,td{border:1px solid #d1d5db;padding:5px 8px;text-align:left;vertical-align:top}
th{background:#f3f4f6}td.num{text-align:right}ul{margin:0;padding-left:18px}.meta{color:#4b5563;font-size:13px}
.reason{font-weight:bold}.src{color:#4b5563;font-size:12px}.pill{display:inline-block;padding:2px 8px;
border-radius:10px;border:1px solid;margin-right:8px;font-size:12px}.unknown{color:#b45309;font-style:italic}
.graph{overflow:auto;border:1px solid #e5e7eb;padding:8px;margin-top:8px}.graph svg{max-width:100%;height:auto}
td.decision.excluded{color:#b91c1c}td.decision.changed{color:#b45309}
"""
_NAMES = {"billed": "billed", "excluded": "excluded", "added": "added by fluorologic",
          "considered": "considered, not added", "fact": "fact of the encounter"}


def money(value: Any) -> str:
    """Dollars as a coder reads them, or ``-`` when there is no amount.

    Examples
    --------
    >>> money(1650), money(None), money(-2.5)
    ('$1,650.00', '-', '-$2.50')

    """
    if value is None or isinstance(value, (bool, Undefined)):
        return "-"
    try:
        value = float(value)
    except (TypeError, ValueError):
        return "-"
    return f"-${-value:,.2f}" if value < 0 else f"${value:,.2f}"


#: The explanation's templates (autoescaped); the workbench loads them beside its own.
ENV = Environment(loader=PackageLoader("fluorologic.explanation", "templates"), autoescape=True,
                  trim_blocks=True, lstrip_blocks=True)
ENV.filters["money"] = money


def without_fee(rec: dict[str, Any]) -> int:
    """How many lines of a Result have no known fee: ``totals.lines_without_fee``, else billable lines with no amount.

    Its totals leave them out, so a total is shown with "fee unknown", never as if they were $0.00.

    Examples
    --------
    >>> without_fee({"billable": [{"amount": None}, {"amount": 3.0}], "totals": {"expected": 3.0}})
    1

    """
    n = (rec.get("totals") or {}).get("lines_without_fee")
    return n if isinstance(n, int) else sum(b.get("amount") is None for b in rec.get("billable", ()))


def total_text(rec: dict[str, Any], side: str) -> str:
    """A Result's total ``side`` (``billed`` or ``expected``) in dollars, saying so when some fee is unknown.

    Examples
    --------
    >>> total_text({"billable": [{"amount": None}], "totals": {"billed": 0.0, "expected": 0.0}}, "expected")
    'fee unknown'
    >>> total_text({"billable": [{"amount": None}, {"amount": 5.0}], "totals": {"expected": 5.0}}, "expected")
    '$5.00 + fee unknown'

    """
    value = (rec.get("totals") or {}).get(side)
    if not without_fee(rec):
        return money(value)
    return f"{money(value)} + fee unknown" if value else "fee unknown"


def pricing_text(pricing: Any) -> str:
    """How a billable line's amount was reached (the Result's ``pricing``), in one line; ``""`` when absent.

    Examples
    --------
    >>> pricing_text({"release": "RVU24C", "site_of_service": "non_facility", "row": "global", "rvu": 3.21,
    ...               "conversion_factor": 32.7442, "locality": "national",
    ...               "adjustments": [{"rule": "multiple_procedure", "factor": 0.5, "detail": "second by fee"}]})
    'RVU24C, non-facility, row global: 3.21 RVU x CF 32.7442 (national); multiple procedure x0.5 (second by fee)'

    """
    if not isinstance(pricing, dict):
        return ""
    get = pricing.get
    head = ", ".join(str(v).replace("_", "-") for v in (get("release"), get("site_of_service")) if v)
    if get("row"):
        head += f", row {get('row')}"
    if get("apc") or get("status_indicator"):
        head += f", APC {get('apc') or '-'} (status indicator {get('status_indicator') or '-'})"
    if get("rvu") is not None and get("conversion_factor") is not None:
        head += f": {get('rvu')} RVU x CF {get('conversion_factor')}"
    if get("locality"):
        head += f" ({get('locality')})"
    for a in get("adjustments") or ():
        if isinstance(a, dict):
            head += f"; {str(a.get('rule') or '').replace('_', ' ')} x{a.get('factor')}"
            head += f" ({a['detail']})" if a.get("detail") else ""
    return head


def _reason_items(ex: Explanation, code: str) -> list[dict[str, Any]]:
    g = ex.graph()
    nodes = sorted(n for n, d in g.nodes(data=True) if d.get("code") == code and d["kind"] == "line")
    items = []
    for n in nodes:
        for src, _t, d in sorted(g.in_edges(n, data=True), key=lambda x: x[0]):
            for r in d["relations"]:
                if r["reason"] and r not in items:
                    items.append({**r, "by_label": g.nodes[src]["label"].replace("\n", " ")})
    return items


def _what_if(ex: Explanation) -> dict[str, str]:
    """For each excluded code, the smallest documented change that bills it, or why nothing would."""
    out = {}
    for code in sorted({e["code"] for e in ex.result["excluded"]}):
        w = ex.explain(code).get("what_would_change")
        if w:
            out[code] = "; or ".join(o["change"] for o in w["options"]) if w["options"] else w.get("nothing", "")
    return out


def _claim(raw: dict[str, Any]) -> dict[str, Any] | None:
    claim = raw.get("claim")
    if not isinstance(claim, dict):
        return None
    charges = [c for c in line_charges(raw) if c is not None]
    total = claim.get("charge")
    try:
        total = float(total) if total is not None and not isinstance(total, bool) else None
    except (TypeError, ValueError):
        total = None
    if total is None and charges:
        total = sum(charges)
    diagnoses = claim.get("diagnoses")
    return {"claim_id": claim.get("claim_id"), "payer": claim.get("payer"), "payer_name": claim.get("payer_name"),
            "rendering_npi": claim.get("rendering_npi"), "source": claim.get("source"), "charge": total,
            "diagnoses": [str(d) for d in diagnoses] if isinstance(diagnoses, list) else []}


def _line_decisions(raw: dict[str, Any], res: dict[str, Any]) -> list[tuple[str, str]]:
    """Per input line: (state, decision text) from the Result entries that stand for it."""
    lines = raw_lines(raw)
    at = entry_positions(raw, res)
    out: list[tuple[str, str]] = [("billed", "not in the result")] * len(lines)
    replaced_by = {a["replaces"]: a["code"] for a in res["added"] if a.get("replaces")}
    for b, pos in zip(res["billable"], at["billable"], strict=True):
        mods = f" {'-'.join(b['modifiers'])}" if b["modifiers"] else ""
        for p in pos:
            claimed = lines[p]
            own = b["code"] == claimed.get("code") and sorted(set(claimed.get("modifiers") or [])) == b["modifiers"]
            out[p] = ("billed" if own else "changed", f"billed x{b['units']}{mods}" if own
                      else f"billed as {b['code']} x{b['units']}{mods}")
    for e, pos in zip(res["excluded"], at["excluded"], strict=True):
        for p in pos:
            if e["reason"] == "unit_limit":
                out[p] = ("changed", f"{out[p][1]}; {e['units']} unit(s) over the limit not billed")
            else:
                new = replaced_by.get(e["code"])
                out[p] = ("excluded", f"excluded: {e['reason']}" + (f" (replaced by {new})" if new else ""))
    return out


def report_context(ex: Explanation, *, svg_engine: str = "auto", what_if: bool = False) -> dict[str, Any]:
    """What the explanation sections show, every value as data (the template escapes them)."""
    enc, res, raw = ex.encounter, ex.result, ex.raw
    owner = f"{enc.owner} ({'as given' if enc.owner_given else 'default for the place of service'})"
    doc = enc.documentation
    numbers = line_numbers(raw)
    charges = line_charges(raw)
    claim_lines = {str(c.get("line_id")): c for c in ((raw.get("claim") or {}).get("lines") or ())
                   if isinstance(c, dict)} if isinstance(raw.get("claim"), dict) else {}
    decisions = _line_decisions(raw, res)
    lines = []
    for i, ln in enumerate(raw_lines(raw)):
        extra = claim_lines.get(str(ln.get("line_id")), {})
        diagnoses = extra.get("diagnoses") if isinstance(extra.get("diagnoses"), list) else []
        lines.append({"number": numbers[i], "line_id": ln.get("line_id"), "code": ln.get("code"),
                      "units": ln.get("units", 1), "modifiers": [str(m) for m in ln.get("modifiers") or ()],
                      "site": ln.get("site"), "distinct": ln.get("distinct") is True, "diagnoses": diagnoses,
                      "charge": charges[i], "state": decisions[i][0], "decision": decisions[i][1]})
    at = entry_positions(raw, res)
    billable = [{**b, "pricing": pricing_text(b.get("pricing")), "lines": [numbers[p] for p in pos]}
                for b, pos in zip(res["billable"], at["billable"], strict=True)]
    excluded = [{**e, "lines": [numbers[p] for p in pos], "sources": _ordered_items(ex, e)}
                for e, pos in zip(res["excluded"], at["excluded"], strict=True)]
    # the excluded entries in the claim's line order (entries for no claimed line last)
    excluded.sort(key=lambda e: (not e["lines"], e["lines"][:1]))
    return {"dos": enc.date_of_service.isoformat(), "pos": enc.place_of_service, "owner": owner,
            "fluoro": "-" if doc.fluoroscopy_time_seconds is None else f"{doc.fluoroscopy_time_seconds:g} s",
            "indication": doc.indication, "body_area": doc.body_area, "claim": _claim(raw), "lines": lines,
            "billable": billable, "totals": {**res["totals"], "lines_without_fee": without_fee(res),
                                               "billed_text": total_text(res, "billed"),
                                               "expected_text": total_text(res, "expected")},
            "excluded": excluded,
            "added": res["added"], "alerts": res["alerts"], "what_if": _what_if(ex) if what_if else {},
            "legend": [{"name": _NAMES[s], "fill": f, "line": c} for s, (f, c) in COLOURS.items()],
            "svg": Markup(to_svg(ex.graph(), engine=svg_engine))}  # noqa: S704 (drawn with every label escaped)


def _ordered_items(ex: Explanation, e: dict[str, Any]) -> list[dict[str, Any]]:
    items = _reason_items(ex, e["code"])
    items.sort(key=lambda r: (r["reason"] != e["reason"] or r["rule"] != e["rule"], r["reason"], r["rule"]))
    return items


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
    return ENV.get_template("report.html").render(title=ex.encounter.encounter_id, css=Markup(CSS),  # noqa: S704
                                                  x=report_context(ex, svg_engine=svg_engine, what_if=what_if))


def sections(ex: Explanation, *, svg_engine: str = "auto", what_if: bool = False) -> str:
    """The page's sections below its title (what the workbench's claim page shows); see :func:`to_html`."""
    return ENV.get_template("sections.html").render(x=report_context(ex, svg_engine=svg_engine, what_if=what_if))
