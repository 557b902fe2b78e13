"""The claim page's what-if: apply the form's changes to an encounter, and say what changed in the decision.

Examples
--------
>>> raw = {"encounter_id": "h", "date_of_service": "2009-11-03", "place_of_service": "11",
...        "lines": [{"code": "27093"}, {"code": "77002"}]}
>>> state = whatif_state(raw, {"wi": "1", "distinct": ["2"], "pos": "11"})
>>> apply_whatif(raw, state)["lines"][1]["distinct"]
True
>>> decision_changes({"billable": [], "excluded": [{"code": "77002", "units": 1, "reason": "ptp_bundled"}],
...                   "added": []},
...                  {"billable": [{"code": "77002", "units": 1, "modifiers": ["XS"], "amount": 1.0}],
...                   "excluded": [], "added": []})
[{'code': '77002', 'before': 'excluded x1: ptp_bundled', 'after': 'billed x1 XS'}]

"""

from __future__ import annotations

import copy
from typing import Any

__all__ = ["apply_whatif", "decision_changes", "whatif_state"]


def _ints(values: Any) -> set[int]:
    values = values if isinstance(values, list) else [values] if values else []
    return {int(v) for v in values if isinstance(v, str) and v.isascii() and v.isdigit() and len(v) <= 6}


def whatif_state(raw: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
    """The what-if controls' state: from the query when the form was sent (``wi``), else from ``raw`` as stored."""
    doc = raw.get("documentation") if isinstance(raw.get("documentation"), dict) else {}
    lines = [ln for ln in raw.get("lines", ()) if isinstance(ln, dict)]
    if not params.get("wi"):
        fluoro = doc.get("fluoroscopy_time_seconds")
        return {"applied": False, "distinct": {i for i, ln in enumerate(lines, start=1) if ln.get("distinct") is True},
                "remove": set(), "pos": str(raw.get("place_of_service") or ""),
                "owner": str(raw.get("equipment_owner") or ""),
                "fluoro": "" if fluoro is None else f"{fluoro:g}" if isinstance(fluoro, (int, float)) else "",
                "indication": str(doc.get("indication") or ""), "body_area": str(doc.get("body_area") or "")}

    def text(name: str) -> str:
        value = params.get(name)
        value = value[0] if isinstance(value, list) and value else value
        return str(value or "").strip()[:500]

    return {"applied": True, "distinct": _ints(params.get("distinct")), "remove": _ints(params.get("remove")),
            "pos": text("pos"), "owner": text("owner"), "fluoro": text("fluoro"), "indication": text("indication"),
            "body_area": text("body_area")}


def apply_whatif(raw: dict[str, Any], state: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``raw`` with the state's changes (invalid values are left for validation to name)."""
    out = copy.deepcopy(raw)
    lines = []
    for i, ln in enumerate(out.get("lines", ()), start=1):
        if i in state["remove"]:
            continue
        if isinstance(ln, dict):
            if i in state["distinct"]:
                ln["distinct"] = True
            else:
                ln.pop("distinct", None)
        lines.append(ln)
    out["lines"] = lines
    if state["pos"]:
        out["place_of_service"] = state["pos"]
    if state["owner"] in ("physician", "facility"):
        out["equipment_owner"] = state["owner"]
    else:
        out.pop("equipment_owner", None)
    doc = dict(out.get("documentation") or {})
    try:
        doc["fluoroscopy_time_seconds"] = float(state["fluoro"]) if state["fluoro"] else None
    except ValueError:
        doc["fluoroscopy_time_seconds"] = state["fluoro"]  # validation names the field
    doc["indication"] = state["indication"] or None
    doc["body_area"] = state["body_area"] or None
    out["documentation"] = doc
    return out


def _status(rec: dict[str, Any]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for b in rec.get("billable", ()):
        out.setdefault(b["code"], []).append(" ".join([f"billed x{b['units']}", *b["modifiers"]]))
    for x in rec.get("excluded", ()):
        out.setdefault(x["code"], []).append(f"excluded x{x['units']}: {x['reason']}")
    for a in rec.get("added", ()):
        out.setdefault(a["code"], []).append(f"added x{a['units']}: {a['reason']}")
    return out


def decision_changes(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, str]]:
    """Per code, the decision before and after where they differ (``-`` where a side has no line)."""
    a, b = _status(before), _status(after)
    changes = []
    for code in sorted(set(a) | set(b)):
        x, y = "; ".join(sorted(a.get(code, []))) or "-", "; ".join(sorted(b.get(code, []))) or "-"
        if x != y:
            changes.append({"code": code, "before": x, "after": y})
    return changes
