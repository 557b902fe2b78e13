"""fluorologic's own decision for one claim line, read from the engine's Result for its encounter.

A line is ``billable`` (a ``billable`` entry with its code stands for it, units as billed), ``trimmed`` (the
same, with fewer units: a ``unit_limit`` exclusion), ``replaced`` (another entry stands for it: 77003 for
77002, one 64483-50 for 64483-RT and 64483-LT, the "with imaging" code; ``replaced_by`` names it) or
``excluded``. ``expected_amount`` is the billable entry's amount; an entry that stands for several lines
counts once, on the first of them (the others get 0.0).

Examples
--------
>>> result = {"billable": [{"code": "62273", "units": 1, "modifiers": [], "amount": 112.18, "line_ids": ["1"]},
...                        {"code": "77003", "units": 1, "modifiers": ["26"], "amount": 28.29, "line_ids": ["2"]}],
...           "excluded": [{"code": "77002", "units": 1, "reason": "wrong_guidance_code", "by": "62273",
...                         "rule": "guidance.wrong_code", "detail": "...", "line_id": "2"}],
...           "added": [{"code": "77003", "units": 1, "modifiers": ["26"], "reason": "wrong_guidance_code",
...                      "replaces": "77002", "detail": "..."}]}
>>> d = decide_lines(result, [{"code": "62273", "line_id": "1"}, {"code": "77002", "line_id": "2"}])
>>> [(x.decision, x.expected_amount) for x in d], d[1].replaced_by
([('billable', 112.18), ('replaced', 28.29)], [{'code': '77003', 'units': 1, 'modifiers': ['26']}])

"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["REPLACING", "LineDecision", "decide_lines"]

#: Exclusion reasons whose line another (``added``) line stands for.
REPLACING = frozenset({"wrong_guidance_code", "bilateral_one_line", "imaging_inclusive_code", "opps_alternative_code",
                       "components_combined"})


@dataclass
class LineDecision:
    """The decision for one claim line, as the Result gives it."""

    decision: str
    expected_amount: float | None = 0.0
    units: int = 1
    reason: str | None = None
    rule: str | None = None
    by: str | None = None
    detail: str | None = None
    replaced_by: list[dict[str, Any]] = field(default_factory=list)
    modifiers_changed: bool = False


def _line(entry: dict[str, Any]) -> dict[str, Any]:
    return {"code": entry["code"], "units": entry.get("units", 1), "modifiers": sorted(entry.get("modifiers", []))}


def decide_lines(result: dict[str, Any], lines: list[dict[str, Any]]) -> list[LineDecision]:
    """The decision for each of ``lines`` (the encounter's input lines, with ``line_id``), in order."""
    billable = result.get("billable", [])
    excluded = result.get("excluded", [])
    added = result.get("added", [])
    counted: set[int] = set()
    out = []
    for line in lines:
        lid, code = line.get("line_id"), line["code"]
        units = int(line.get("units", 1))
        mods = sorted(line.get("modifiers", []))
        excl = [e for e in excluded if e.get("line_id") == lid]
        bills = [b for b in billable if lid in (b.get("line_ids") or [])]
        replacing = [e for e in excl if e.get("reason") in REPLACING]
        same = [b for b in bills if b["code"] == code]
        other = [b for b in bills if b["code"] != code]
        stand: dict[str, Any] | None = None
        if replacing or (other and not same):
            if other:
                stand = other[0]
            else:  # the replacing line: an ``added`` entry for this code, found in ``billable``
                adds = [a for a in added if a.get("replaces") == code and a.get("reason") == replacing[0]["reason"]]
                stand = next((b for a in adds for b in billable if _line(b) == _line(a)), adds[0] if adds else None)
                stand = stand or (same[0] if same else None)
            note = (replacing or excl or [{}])[0]
            dec = LineDecision("replaced", units=units, reason=note.get("reason"), rule=note.get("rule"),
                               by=note.get("by"), detail=note.get("detail"),
                               replaced_by=[_line(stand)] if stand else [])
        elif same:
            stand = same[0]
            kept = sum(int(b.get("units", 1)) for b in same)
            trim = next((e for e in excl if e.get("reason") == "unit_limit"), None)
            kind = "trimmed" if kept < units and trim else "billable"
            note = trim or {}
            dec = LineDecision(kind, units=kept, reason=note.get("reason"), rule=note.get("rule"), by=note.get("by"),
                               detail=note.get("detail"), modifiers_changed=sorted(stand.get("modifiers", [])) != mods)
            if dec.modifiers_changed:
                dec.replaced_by = [_line(stand)]
        else:
            note = excl[0] if excl else {}
            dec = LineDecision("excluded", units=0, reason=note.get("reason"), rule=note.get("rule"),
                               by=note.get("by"), detail=note.get("detail"))
        if stand is not None and "amount" in stand:
            dec.expected_amount = 0.0 if id(stand) in counted else stand.get("amount")
            counted.add(id(stand))
        out.append(dec)
    return out
