"""The claim page's what-if: apply the form's changes to an encounter, and compare the two answers.

The form changes what a coder changes on a claim: a line's units and modifiers (25, 50, 59, XS, RT, LT, 26 and
TC offered as boxes, one the line already has, or any other typed in), a distinct service documented, a line
removed, the date of service, the place of service, the equipment owner and the documentation. Lines are named
by their number on the claim (:mod:`fluorologic.contract.claim_lines`).

Examples
--------
>>> raw = {"encounter_id": "h", "date_of_service": "2009-11-03", "place_of_service": "11",
...        "lines": [{"code": "27093"}, {"code": "77002"}]}
>>> state = whatif_state(raw, {"wi": "1", "mod-2": ["59"], "units-2": "1", "units-1": "1", "pos": "11",
...                            "dos": "2009-11-03"})
>>> apply_whatif(raw, state)["lines"][1]["modifiers"]
['59']
>>> whatif_state(raw, {"wi": "1", "mod-1": ["RT"], "modx-1": "q6 rt"})["mods"][1]
['RT', 'Q6']
>>> edits(raw, state)
['line 2 (77002): modifier 59 added']
>>> before = {"billable": [], "excluded": [{"code": "77002", "units": 1, "reason": "ptp_bundled"}], "added": [],
...           "totals": {"expected": 0.0}}
>>> after = {"billable": [{"code": "77002", "units": 1, "modifiers": ["59"], "amount": 30.0}], "excluded": [],
...          "added": [], "totals": {"expected": 30.0}}
>>> [(c["code"], c["before"], c["after"], c["after_amount"]) for c in compare(before, after)["rows"]]
[('77002', 'excluded x1: ptp_bundled', 'billed x1 59', 30.0)]

"""

from __future__ import annotations

import copy
from typing import Any

from fluorologic.contract.claim_lines import line_numbers, raw_lines

__all__ = ["MODIFIERS", "apply_whatif", "compare", "edits", "modifier_options", "whatif_state"]

#: The modifiers the form offers on every line (a line's own modifiers are offered too).
MODIFIERS = ("25", "50", "59", "XS", "RT", "LT", "26", "TC")


def _ints(values: Any) -> set[int]:
    values = values if isinstance(values, list) else [values] if values else []
    return {int(v) for v in values if isinstance(v, str) and v.isascii() and v.isdigit() and len(v) <= 6}


def _list(values: Any) -> list[str]:
    values = values if isinstance(values, list) else [values] if values else []
    return [str(v).strip().upper()[:2] for v in values if isinstance(v, str) and v.strip()]


def modifier_options(line: dict[str, Any]) -> list[str]:
    """The modifiers offered for a line: :data:`MODIFIERS`, then any other the line has."""
    own = [str(m) for m in line.get("modifiers") or () if isinstance(m, str)]
    return [*MODIFIERS, *sorted(set(own) - set(MODIFIERS))]


def whatif_state(raw: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
    """The controls' state: from the query when the form was sent (``wi``), else from ``raw`` as stored.

    Lines are keyed by their 1-based position in the input (``units-2``, ``mod-2``, ``distinct``, ``remove``).
    """
    doc = raw.get("documentation") if isinstance(raw.get("documentation"), dict) else {}
    lines = raw_lines(raw)
    if not params.get("wi"):
        fluoro = doc.get("fluoroscopy_time_seconds")
        return {"applied": False, "distinct": {i for i, ln in enumerate(lines, start=1) if ln.get("distinct") is True},
                "remove": set(), "units": {i: str(ln.get("units", 1)) for i, ln in enumerate(lines, start=1)},
                "mods": {i: [str(m) for m in ln.get("modifiers") or () if isinstance(m, str)]
                         for i, ln in enumerate(lines, start=1)},
                "dos": str(raw.get("date_of_service") or ""), "pos": str(raw.get("place_of_service") or ""),
                "owner": str(raw.get("equipment_owner") or ""),
                "fluoro": "" if fluoro is None else f"{fluoro:g}" if isinstance(fluoro, (int, float)) else "",
                "indication": str(doc.get("indication") or ""), "body_area": str(doc.get("body_area") or "")}

    def text(name: str) -> str:
        value = params.get(name)
        value = value[0] if isinstance(value, list) and value else value
        return str(value or "").strip()[:500]

    return {"applied": True, "distinct": _ints(params.get("distinct")), "remove": _ints(params.get("remove")),
            "units": {i: text(f"units-{i}") for i in range(1, len(lines) + 1)},
            "mods": {i: list(dict.fromkeys([*_list(params.get(f"mod-{i}")), *_list(text(f"modx-{i}").split())]))
                     for i in range(1, len(lines) + 1)},
            "dos": text("dos"), "pos": text("pos"), "owner": text("owner"), "fluoro": text("fluoro"),
            "indication": text("indication"), "body_area": text("body_area")}


def apply_whatif(raw: dict[str, Any], state: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``raw`` with the state's changes (invalid values are left for validation to name)."""
    out = copy.deepcopy(raw)
    lines = []
    for i, ln in enumerate(raw_lines(out), start=1):
        if i in state["remove"]:
            continue
        if i in state["distinct"]:
            ln["distinct"] = True
        else:
            ln.pop("distinct", None)
        units = state["units"].get(i, "")
        if units:
            ln["units"] = int(units) if units.isdigit() else units  # validation names lines[k].units
        mods = state["mods"].get(i)
        if mods is not None:
            ln["modifiers"] = list(dict.fromkeys(mods))
        lines.append(ln)
    out["lines"] = lines
    for key, name in (("dos", "date_of_service"), ("pos", "place_of_service")):
        if state[key]:
            out[name] = state[key]
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


def edits(raw: dict[str, Any], state: dict[str, Any]) -> list[str]:
    """The changes the form makes to the claim, in words (lines named by their claim number)."""
    if not state["applied"]:
        return []
    out = []
    numbers = line_numbers(raw)
    for i, ln in enumerate(raw_lines(raw), start=1):
        name = f"line {numbers[i - 1]} ({ln.get('code')})"
        if i in state["remove"]:
            out.append(f"{name}: removed")
            continue
        units = state["units"].get(i, "")
        if units and units != str(ln.get("units", 1)):
            out.append(f"{name}: units {ln.get('units', 1)} -> {units}")
        had = [str(m) for m in ln.get("modifiers") or ()]
        now = state["mods"].get(i, had)
        out += [f"{name}: modifier {m} added" for m in now if m not in had]
        out += [f"{name}: modifier {m} removed" for m in had if m not in now]
        if (i in state["distinct"]) != (ln.get("distinct") is True):
            out.append(f"{name}: distinct service {'documented' if i in state['distinct'] else 'not documented'}")
    for key, name, label in (("dos", "date_of_service", "date of service"), ("pos", "place_of_service",
                                                                               "place of service")):
        if state[key] and state[key] != str(raw.get(name) or ""):
            out.append(f"{label} {raw.get(name)} -> {state[key]}")
    doc = raw.get("documentation") if isinstance(raw.get("documentation"), dict) else {}
    if state["owner"] != str(raw.get("equipment_owner") or ""):
        out.append(f"equipment owner: {state['owner'] or 'default for the place of service'}")
    fluoro = doc.get("fluoroscopy_time_seconds")
    was = "" if fluoro is None else f"{fluoro:g}" if isinstance(fluoro, (int, float)) else str(fluoro)
    for key, label, before in (("fluoro", "fluoroscopy time (s)", was),
                               ("indication", "indication", str(doc.get("indication") or "")),
                               ("body_area", "body area", str(doc.get("body_area") or ""))):
        if state[key] != before:
            out.append(f"{label}: {before or '-'} -> {state[key] or '-'}")
    return out


def _status(rec: dict[str, Any]) -> dict[str, tuple[list[str], float | None]]:
    out: dict[str, tuple[list[str], float | None]] = {}

    def put(code: str, text: str, amount: float | None = None) -> None:
        texts, total = out.get(code, ([], None))
        out[code] = ([*texts, text], total if amount is None else (total or 0.0) + amount)

    for b in rec.get("billable", ()):
        put(b["code"], " ".join([f"billed x{b['units']}", *b["modifiers"]]) + (
            " (fee unknown)" if b.get("amount") is None else ""), b.get("amount"))
    for x in rec.get("excluded", ()):
        put(x["code"], f"excluded x{x['units']}: {x['reason']}")
    for a in rec.get("added", ()):
        put(a["code"], f"added x{a['units']}: {a['reason']}")
    return out


def compare(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """The stored answer beside the what-if answer: per code where the decision or amount differs, and totals."""
    a, b = _status(before), _status(after)
    rows = []
    for code in sorted(set(a) | set(b)):
        x, y = a.get(code, ([], None)), b.get(code, ([], None))
        bx, by = "; ".join(sorted(x[0])) or "-", "; ".join(sorted(y[0])) or "-"
        if bx != by or x[1] != y[1]:
            rows.append({"code": code, "before": bx, "after": by, "before_amount": x[1], "after_amount": y[1],
                         "difference": None if x[1] is None and y[1] is None else (y[1] or 0.0) - (x[1] or 0.0)})
    tb, ta = (before.get("totals") or {}).get("expected"), (after.get("totals") or {}).get("expected")
    return {"rows": rows, "before": tb, "after": ta,
            "difference": None if tb is None or ta is None else round(float(ta) - float(tb), 2)}
