"""The reconciliation rows as JSON Lines, CSV or a table for people, and the summary as text.

Examples
--------
>>> row = {c: None for c in COLUMNS} | {"claim_id": "C1", "line_id": "2", "code": "77002", "modifiers": [],
...        "adjustments": [{"group": "CO", "reason": "97", "amount": 180.0, "units": None}], "remarks": ["M80"],
...        "replaced_by": [], "corrected_lines": [], "billed_amount": 180.0, "paid_amount": 0.0,
...        "verdict": "appeal_candidate", "next_step": "appeal", "citation": "no NCCI PTP edit"}
>>> rows_csv([row]).splitlines()[1].split(",")[:4]
['C1', '', '2', '77002']
>>> payer_codes(row)
'CO-97 M80'
>>> safe = rows_csv([row | {"detail": "=HYPERLINK(1)", "paid_amount": -1.5}], spreadsheet_safe=True)
>>> next(csv.DictReader(io.StringIO(safe)))["detail"], next(csv.DictReader(io.StringIO(safe)))["paid_amount"]
("'=HYPERLINK(1)", '-1.50')

"""

from __future__ import annotations

import csv
import io
from typing import Any

from fluorologic.contract.render import to_json
from fluorologic.reconcile.reconcile import COLUMNS, VERDICTS

__all__ = ["payer_codes", "rows_csv", "rows_jsonl", "rows_table", "summary_text"]


def _lines(lines: list[dict[str, Any]]) -> str:
    return "; ".join(f"{ln['code']}{''.join('-' + m for m in ln.get('modifiers', []))} x{ln.get('units', 1)}"
                     for ln in lines)


def payer_codes(row: dict[str, Any]) -> str:
    """The payer's CARCs (group-reason) and RARCs of a row, e.g. ``CO-97 M80``."""
    return " ".join([f"{a['group']}-{a['reason']}" for a in row.get("adjustments") or []] + list(row.get("remarks")
                                                                                                 or []))


def _cell(name: str, value: Any) -> str:
    if value is None:
        return ""
    if name == "modifiers" or name == "remarks":
        return " ".join(value)
    if name == "adjustments":
        return "; ".join(f"{a['group']}-{a['reason']} {a['amount']:.2f}" + (f" ({a['units']:g} units)"
                                                                            if a.get("units") is not None else "")
                         for a in value)
    if name in ("replaced_by", "corrected_lines"):
        return _lines(value)
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def _neutral(value: Any, text: str) -> str:
    """A text cell a spreadsheet will not run as a formula (a leading ``=``, ``+``, ``-``, ``@`` gets a ``'``)."""
    risky = not isinstance(value, int | float) and text[:1] in ("=", "+", "-", "@", "\t", "\r")
    return "'" + text if risky else text


def rows_csv(rows: list[dict[str, Any]], *, spreadsheet_safe: bool = False) -> str:
    """One CSV row per reconciliation row, the columns of :data:`COLUMNS`.

    With ``spreadsheet_safe`` (the workbench's export) text cells a spreadsheet would run as a formula get a
    leading ``'``; numbers are written as they are.
    """
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n")
    out.writerow(COLUMNS)
    for row in rows:
        cells = [_cell(c, row.get(c)) for c in COLUMNS]
        if spreadsheet_safe:
            cells = [_neutral(row.get(c), text) for c, text in zip(COLUMNS, cells, strict=True)]
        out.writerow(cells)
    return buf.getvalue()


def rows_jsonl(rows: list[dict[str, Any]]) -> str:
    """One JSON object per line."""
    return "".join(to_json(r) + "\n" for r in rows)


_TABLE = (("claim", lambda r: r["claim_id"]), ("line", lambda r: r["line_id"] or ""),
          ("code", lambda r: r["code"] + "".join("-" + m for m in r["modifiers"] or [])),
          ("billed", lambda r: _cell("", r["billed_amount"])), ("paid", lambda r: _cell("", r["paid_amount"])),
          ("payer codes", payer_codes), ("outcome", lambda r: r["payer_outcome"]),
          ("family", lambda r: r["payer_reason_family"] or ""),
          ("fluorologic", lambda r: (r["decision"] or "") + (f" ({r['reason']})" if r["reason"] else "")),
          ("expected", lambda r: _cell("", r["expected_amount"])), ("verdict", lambda r: r["verdict"]),
          ("next step", lambda r: r["next_step"] + (f": {_lines(r['corrected_lines'])}" if r["corrected_lines"]
                                                    else "")))


def rows_table(rows: list[dict[str, Any]]) -> str:
    """A fixed-width table for people; each citation below it, numbered from its row's ``ref`` column."""
    cells = []
    notes = []
    for r in rows:
        ref = ""
        if r.get("citation"):
            notes.append(r["citation"])
            ref = f"[{len(notes)}]"
        cells.append([f(r) for _, f in _TABLE] + [ref])
    head = [h for h, _ in _TABLE] + ["ref"]
    widths = [max([len(h)] + [len(c[i]) for c in cells]) for i, h in enumerate(head)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    if notes:
        lines.append("")
        lines += [f"[{i}] {n}" for i, n in enumerate(notes, 1)]
    return "\n".join(lines) + "\n"


def summary_text(summary: dict[str, Any]) -> str:
    """The summary: rows and dollars by verdict, appealable billed dollars, paid dollars at risk."""
    lines = [f"fluorologic reconcile: {summary['rows']} rows"]
    for v in VERDICTS:
        s = summary["by_verdict"][v]
        if s["rows"]:
            lines.append(f"  {v}: {s['rows']} rows, billed {s['billed']:.2f}, paid {s['paid']:.2f}")
    lines.append(f"  appealable billed: {summary['appealable_billed']:.2f}; paid at overpayment risk: "
                 f"{summary['paid_at_risk']:.2f}; provider adjustments (PLB): {summary['provider_adjustments']:.2f}")
    return "\n".join(lines) + "\n"
