"""Results as flat rows: one row per result line (billable, excluded, added) and per alert, with ``changed``.

A line is *changed* when fluorologic's decision differs from the claim as billed: an excluded or added line
always; a billable line when its units were trimmed, a modifier was appended or it was added. An encounter is changed
when any of its lines is. ``fluorologic solve --format csv`` and the workbench's CSV export use these rows.

Given the input encounter too, each row names the claim lines it stands for in the ``line`` column, numbered as
on the claim (an 837P's ``LX01``, else the input order: :mod:`fluorologic.contract.claim_lines`), and the
billable and excluded rows come in that order (then added lines and alerts).

Examples
--------
>>> rec = {"encounter_id": "e1", "billable": [{"code": "20610", "units": 1, "modifiers": [], "amount": 70.1}],
...        "excluded": [{"code": "76000", "units": 1, "reason": "ptp_bundled", "by": "20610", "rule": "ptp.bundled",
...                      "detail": "d"}], "added": [], "alerts": [], "totals": {"billed": 90.0, "expected": 70.1}}
>>> [(r["disposition"], r["code"], r["changed"]) for r in flat_rows(rec)]
[('billable', '20610', 'no'), ('excluded', '76000', 'yes')]
>>> raw = {"lines": [{"code": "76000"}, {"code": "20610"}]}
>>> [(r["line"], r["code"]) for r in flat_rows(rec, raw)]
[('1', '76000'), ('2', '20610')]
>>> encounter_changed(rec)
True

"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from fluorologic.contract.claim_lines import entry_positions, line_numbers, raw_lines

__all__ = ["FLAT_COLUMNS", "encounter_changed", "flat_csv", "flat_rows"]

#: The columns of a flat row, in order.
FLAT_COLUMNS = ("encounter_id", "claim_id", "disposition", "line", "code", "units", "modifiers", "amount", "reason",
                "by", "rule", "replaces", "line_id", "changed", "detail", "error_field", "error_message")


def _changed_billable(rec: dict[str, Any]) -> set[str]:
    """Codes billable with changed units (trimmed) or an appended modifier."""
    codes = {e["code"] for e in rec.get("excluded", ()) if e.get("reason") == "unit_limit"}
    codes |= {a["code"] for a in rec.get("alerts", ()) if a.get("kind") == "modifier_added" and a.get("code")}
    return codes | {a["code"] for a in rec.get("added", ())}


def encounter_changed(rec: dict[str, Any]) -> bool:
    """True when the decision differs from the claim as billed (see the module docstring)."""
    if "error" in rec:
        return False
    return bool(rec.get("excluded") or rec.get("added") or _changed_billable(rec))


def _line_ids(entry: dict[str, Any]) -> str:
    ids = entry.get("line_ids")
    if ids:
        return " ".join(str(i) for i in ids)
    return "" if entry.get("line_id") is None else str(entry["line_id"])


def flat_rows(rec: dict[str, Any], raw: Any = None) -> list[dict[str, Any]]:
    """One dict per result line and alert of ``rec`` (an error record gives one ``error`` row); keys are FLAT_COLUMNS.

    ``raw``, the input encounter, fills the ``line`` column (the claim's numbers of the lines a row stands for)
    and orders the billable and excluded rows by it.
    """
    claim = rec.get("claim") or {}
    base = dict.fromkeys(FLAT_COLUMNS, "")
    base.update(encounter_id=rec.get("encounter_id") or "", claim_id=claim.get("claim_id") or "")
    if "error" in rec:
        err = rec["error"] or {}
        return [{**base, "disposition": "error", "error_field": err.get("field") or "",
                 "error_message": err.get("message") or ""}]
    changed = _changed_billable(rec)
    numbers = line_numbers(raw)
    at = entry_positions(raw, rec) if raw is not None else {"billable": [], "excluded": []}

    def line(kind: str, k: int) -> str:
        pos = at[kind][k] if k < len(at[kind]) else []
        return " ".join(str(numbers[p]) for p in pos)

    rows = []
    for k, b in enumerate(rec.get("billable", ())):
        rows.append({**base, "disposition": "billable", "line": line("billable", k), "code": b["code"],
                     "units": b["units"], "modifiers": " ".join(b.get("modifiers", ())),
                     "amount": "" if b.get("amount") is None else f"{b['amount']:.2f}",
                     "line_id": _line_ids(b), "changed": "yes" if b["code"] in changed else "no"})
    for k, e in enumerate(rec.get("excluded", ())):
        rows.append({**base, "disposition": "excluded", "line": line("excluded", k), "code": e["code"],
                     "units": e["units"], "reason": e.get("reason") or "", "by": e.get("by") or "",
                     "rule": e.get("rule") or "", "line_id": _line_ids(e), "changed": "yes",
                     "detail": e.get("detail") or ""})
    if raw is not None:  # the claim's order (rows for no claimed line keep their place after them)
        rows.sort(key=lambda r: (not r["line"], int((r["line"] or "0").split()[0]), r["disposition"] != "billable"))
    for a in rec.get("added", ()):
        rows.append({**base, "disposition": "added", "code": a["code"], "units": a["units"],
                     "modifiers": " ".join(a.get("modifiers", ())), "reason": a.get("reason") or "",
                     "replaces": a.get("replaces") or "", "changed": "yes", "detail": a.get("detail") or ""})
    for a in rec.get("alerts", ()):
        code = a.get("code") or ""
        rows.append({**base, "disposition": "alert", "code": code, "reason": a.get("kind") or "",
                     "rule": a.get("rule") or "", "detail": a.get("detail") or "",
                     "line": " ".join(str(n) for n, ln in zip(numbers, raw_lines(raw), strict=True)
                                      if code and ln.get("code") == code)})
    return rows


def _neutral(value: Any) -> Any:
    """A cell a spreadsheet will not run as a formula (a leading ``=``, ``+``, ``-``, ``@`` gets a ``'``)."""
    return "'" + value if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def flat_csv(records: Iterable[dict[str, Any]], *, header: bool = True, spreadsheet_safe: bool = False,
             raws: Iterable[Any] | None = None) -> str:
    r"""The flat rows of ``records`` as CSV text (with the header line unless ``header`` is false).

    With ``spreadsheet_safe`` (the workbench's export), text cells that a spreadsheet would run as a formula
    are prefixed with ``'``; the command line writes the values exactly. ``raws``, the input encounters in the
    same order, fill the ``line`` column (see :func:`flat_rows`).

    Examples
    --------
    >>> flat_csv([{"encounter_id": "x", "error": {"field": "lines", "message": "m"}}]).splitlines()[1]
    'x,,error,,,,,,,,,,,,,lines,m'
    >>> flat_csv([{"encounter_id": "=1+1", "error": {"field": "$", "message": "m"}}], header=False,
    ...          spreadsheet_safe=True)[:6]
    "'=1+1,"

    """
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=FLAT_COLUMNS, lineterminator="\n")
    if header:
        w.writeheader()
    records = list(records)
    raws = list(raws) if raws is not None else [None] * len(records)
    for rec, raw in zip(records, raws, strict=True):
        rows = flat_rows(rec, raw)
        w.writerows([{k: _neutral(v) for k, v in r.items()} for r in rows] if spreadsheet_safe else rows)
    return buf.getvalue()
