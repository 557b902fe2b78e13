"""The edits report: one row per input claim line, with what happens to it and why (what a scrubber shows).

A row pairs an input line (its claim id, its number on the claim, line id, code, units and modifiers) with its
disposition in the Result. Rows come in the claim's order and ``line`` numbers them as the claim does (an 837P's
``LX01``, else the input order: :mod:`fluorologic.contract.claim_lines`). The disposition:

========================  ==================================================================================
``billed_as_is``          billable with the code, units and modifiers given
``modifier_added``        billable with other modifiers (``new_modifiers``: the whole new list)
``units_trimmed``         billable with fewer units (``new_units``), the rest excluded as ``unit_limit``
``replaced``              excluded, and the code fluorologic bills instead stands for it (``new_code``)
``excluded``              not billed at all
``error``                 the encounter could not be read or validated (one row: ``reason`` names the field)
========================  ==================================================================================

``reason``, ``rule`` and ``sentence`` come from the Result's entry for the line (the exclusion, the trim or
the ``modifier_added`` alert). Lines are matched by ``line_id`` (echoed by the Result), or by code when the
input gives no line ids.

Examples
--------
>>> raw = {"encounter_id": "bp", "lines": [{"code": "62273", "line_id": "1"}, {"code": "77002", "line_id": "2"}]}
>>> res = {"encounter_id": "bp", "billable": [
...     {"code": "62273", "units": 1, "modifiers": [], "line_ids": ["1"]},
...     {"code": "77003", "units": 1, "modifiers": ["26"], "line_ids": ["2"]}],
...   "excluded": [{"code": "77002", "units": 1, "reason": "wrong_guidance_code", "by": "77003",
...                 "rule": "guidance.wrong_code", "detail": "77003 applies.", "line_id": "2"}],
...   "added": [{"code": "77003", "replaces": "77002"}], "alerts": []}
>>> [(r["line_id"], r["disposition"], r["new_code"]) for r in edit_rows(raw, res)]
[('1', 'billed_as_is', ''), ('2', 'replaced', '77003')]

"""

from __future__ import annotations

import csv
import io
from typing import Any

from fluorologic.contract.claim_lines import line_numbers
from fluorologic.contract.render import to_json

__all__ = ["DISPOSITIONS", "EDIT_COLUMNS", "edit_rows", "edits_csv", "edits_json"]

EDIT_COLUMNS = ("claim_id", "encounter_id", "line", "line_id", "code", "units", "modifiers", "disposition", "new_code",
                "new_units", "new_modifiers", "reason", "rule", "sentence")
DISPOSITIONS = ("billed_as_is", "modifier_added", "units_trimmed", "replaced", "excluded", "error")


def _claim_id(raw: Any, record: dict[str, Any]) -> str:
    claim = raw.get("claim") if isinstance(raw, dict) else None
    cid = claim.get("claim_id") if isinstance(claim, dict) else None
    if not isinstance(cid, str):
        cid = getattr(raw, "encounter_id", None) or record.get("encounter_id")
    return cid or ""


def _row(claim_id: str, eid: str, line_id: str, line: dict[str, Any], disposition: str, **rest: Any) -> dict[str, Any]:
    row = {"claim_id": claim_id, "encounter_id": eid, "line": "", "line_id": line_id, "code": line.get("code", ""),
           "units": line.get("units", 1), "modifiers": list(line.get("modifiers") or []), "disposition": disposition,
           "new_code": "", "new_units": "", "new_modifiers": [], "reason": "", "rule": "", "sentence": ""}
    row.update(rest)
    return row


def edit_rows(raw: Any, record: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows of one input encounter ``raw`` and its record (a Result or an error record)."""
    eid = record.get("encounter_id") or ""
    claim_id = _claim_id(raw, record)
    if "error" in record:
        err = record["error"]
        return [_row(claim_id, eid, "", {"code": "", "units": ""}, "error", reason=err.get("field", ""),
                     sentence=err.get("message", ""))]
    lines = raw.get("lines") if isinstance(raw, dict) else None
    if not isinstance(lines, list):
        return []
    has_ids = any("line_ids" in b for b in record["billable"]) or any("line_id" in e for e in record["excluded"])
    taken: set[int] = set()
    rows = []
    numbers = iter(line_numbers(raw))
    for i, line in enumerate(lines):
        if not isinstance(line, dict):
            continue
        lid = line.get("line_id") if isinstance(line.get("line_id"), str) else None
        rows.append(_line_row(claim_id, eid, lid or str(i + 1), line, record, lid if has_ids else None, taken))
        rows[-1]["line"] = next(numbers)
    return rows


def _line_row(claim_id: str, eid: str, shown_id: str, line: dict[str, Any], record: dict[str, Any], lid: str | None,
              taken: set[int]) -> dict[str, Any]:
    code, units = line.get("code", ""), line.get("units", 1)
    mods = sorted(set(line.get("modifiers") or []))

    def mine(entry: dict[str, Any], idx: int) -> bool:
        if lid is not None:
            return entry.get("line_id") == lid or lid in (entry.get("line_ids") or ())
        return idx not in taken

    excluded = [(i, e) for i, e in enumerate(record["excluded"]) if e["code"] == code and mine(e, i)]
    trim = next((e for _, e in excluded if e["reason"] == "unit_limit"), None)
    gone_at = next(((i, e) for i, e in excluded if e["reason"] != "unit_limit"), None)
    billable = list(enumerate(record["billable"], start=len(record["excluded"])))
    if gone_at is not None:
        taken.add(gone_at[0])
        gone = gone_at[1]
        replaced_by = {a["code"] for a in record.get("added", ()) if a.get("replaces") == code}
        # the billed code that stands for this line; one line per replacement (two 77002 lines become one 77003)
        new_at = next(((i, b) for i, b in billable if b["code"] in replaced_by and i not in taken
                       and (lid is None or mine(b, i))), None)
        if new_at is not None:
            taken.add(new_at[0])
            new = new_at[1]
            return _row(claim_id, eid, shown_id, line, "replaced", new_code=new["code"], new_units=new["units"],
                        new_modifiers=list(new["modifiers"]), reason=gone["reason"], rule=gone["rule"],
                        sentence=gone["detail"])
        return _row(claim_id, eid, shown_id, line, "excluded", reason=gone["reason"], rule=gone["rule"],
                    sentence=gone["detail"])
    own_at = next(((i, b) for i, b in billable if b["code"] == code and mine(b, i)), None)
    if own_at is None:
        return _row(claim_id, eid, shown_id, line, "excluded", reason="not_in_result",
                    sentence="the Result has no entry for this line")
    taken.add(own_at[0])
    own = own_at[1]
    changed_mods = sorted(own["modifiers"]) != mods
    extra: dict[str, Any] = {}
    if changed_mods:
        extra["new_modifiers"] = list(own["modifiers"])
    if trim is not None:
        return _row(claim_id, eid, shown_id, line, "units_trimmed", new_units=own["units"], reason=trim["reason"],
                    rule=trim["rule"], sentence=trim["detail"], **extra)
    if changed_mods:
        alert = next((a for a in record.get("alerts", ()) if a["kind"] == "modifier_added" and a["code"] == code), None)
        added = ", ".join(m for m in own["modifiers"] if m not in mods)
        return _row(claim_id, eid, shown_id, line, "modifier_added", reason="modifier_added",
                    rule=alert["rule"] if alert else "",
                    sentence=alert["detail"] if alert else f"Modifier {added} is appended to {code}.", **extra)
    if own["units"] != units:
        return _row(claim_id, eid, shown_id, line, "units_trimmed", new_units=own["units"])
    return _row(claim_id, eid, shown_id, line, "billed_as_is")


def edits_csv(rows: list[dict[str, Any]], *, header: bool = True) -> str:
    """The rows as CSV (modifiers separated by spaces), with the header line unless ``header`` is False.

    >>> print(edits_csv([]), end="")
    claim_id,encounter_id,line,line_id,code,units,modifiers,disposition,new_code,new_units,new_modifiers,reason,rule,sentence

    """
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=EDIT_COLUMNS, lineterminator="\n")
    if header:
        writer.writeheader()
    for row in rows:
        writer.writerow({**row, "modifiers": " ".join(row["modifiers"]),
                         "new_modifiers": " ".join(row["new_modifiers"])})
    return out.getvalue()


def edits_json(rows: list[dict[str, Any]]) -> str:
    """The rows as a JSON array, one row per line of text.

    >>> print(edits_json([{"line_id": "1", "disposition": "billed_as_is"}]), end="")
    [
      {"line_id": "1", "disposition": "billed_as_is"}
    ]

    """
    return "[\n" + ",\n".join("  " + to_json(r) for r in rows) + ("\n]\n" if rows else "]\n")
