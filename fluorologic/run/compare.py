"""Quarter impact: solve one batch under two rule sets and list the encounters whose decision changes.

A side is ``"embedded"`` (the tables shipped with the package) or a quarter loaded in the rule store
(``2024Q3``), exactly as ``fluorologic solve --as-of-quarter`` would use it. An encounter's *decision* is its
billable lines (code, units, modifiers), its excluded lines (code, units, reason) and its added lines; alerts
and the audit's quarter labels do not count. Each change carries the dollar difference of the expected totals
and the rule rows (the audit's data rows, table and row text) that only one side used.

Examples
--------
>>> batch = [{"encounter_id": "k", "date_of_service": "2024-08-01", "place_of_service": "11",
...           "lines": [{"code": "20610"}, {"code": "77002"}]}]
>>> out = compare_batch(batch, "embedded", "embedded")
>>> out["encounters"], out["changed"], out["changes"]
(1, 0, [])

"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from fluorologic.contract.errors import DataError
from fluorologic.engine.records import solve_chunk
from fluorologic.engine.solver import Engine
from fluorologic.rules.cms.quarter import normalize_quarter
from fluorologic.rules.source import rule_source

__all__ = ["EMBEDDED", "compare_batch", "compare_records", "engine_for", "render_compare", "side_name"]

#: The name of the side that uses the embedded tables.
EMBEDDED = "embedded"
_CHUNK = 64


def side_name(side: str) -> str:
    """``embedded`` or the normalised quarter (``2024q3`` -> ``2024Q3``); raises DataError when malformed."""
    if side.strip().lower() == EMBEDDED:
        return EMBEDDED
    try:
        return normalize_quarter(side)
    except ValueError as exc:
        raise DataError(f"--quarters: {exc}") from None


def engine_for(side: str, store: str | None = None) -> Engine:
    """The engine of one side: the embedded tables, or the store as of the quarter (DataError when not loaded)."""
    name = side_name(side)
    if name == EMBEDDED:
        return Engine()
    try:
        return Engine(data=rule_source(store, name))
    except DataError as exc:
        raise DataError(str(exc).replace("--as-of-quarter:", "--quarters:", 1)) from None


def _decision(rec: dict[str, Any]) -> Any:
    if "error" in rec:
        return ("error", rec["error"].get("field"), rec["error"].get("message"))
    return (sorted((b["code"], b["units"], tuple(b["modifiers"])) for b in rec["billable"]),
            sorted((e["code"], e["units"], e["reason"]) for e in rec["excluded"]),
            sorted((a["code"], a["units"], a["reason"], a.get("replaces") or "") for a in rec["added"]))


def _rows(rec: dict[str, Any]) -> set[tuple[str, str]]:
    out = set()
    for step in rec.get("audit", ()):
        src = step.get("source")
        if isinstance(src, dict) and src.get("row"):
            out.add((str(src.get("table")), str(src["row"])))
    return out


def _expected(rec: dict[str, Any]) -> float:
    return float((rec.get("totals") or {}).get("expected") or 0.0)


def _brief(rec: dict[str, Any]) -> dict[str, Any]:
    if "error" in rec:
        return {"error": rec["error"]}
    return {"billable": [" ".join([f"{b['code']}x{b['units']}", *b["modifiers"]]) for b in rec["billable"]],
            "excluded": [f"{e['code']} {e['reason']}" for e in rec["excluded"]],
            "added": [f"{a['code']} {a['reason']}" for a in rec["added"]],
            "expected": _expected(rec), "billed": float((rec.get("totals") or {}).get("billed") or 0.0)}


def compare_records(before: Sequence[dict[str, Any]], after: Sequence[dict[str, Any]], sides: tuple[str, str]
                    ) -> dict[str, Any]:
    """The comparison of two record lists of the same batch (same order), as :func:`compare_batch` returns it."""
    changes = []
    totals = dict.fromkeys(("before", "after"), 0.0)
    errors = 0
    for a, b in zip(before, after, strict=True):
        errors += "error" in a or "error" in b
        totals["before"] += _expected(a)
        totals["after"] += _expected(b)
        if _decision(a) == _decision(b):
            continue
        ra, rb = _rows(a), _rows(b)
        changes.append({"encounter_id": a.get("encounter_id"),
                        "claim_id": (a.get("claim") or {}).get("claim_id"),
                        "before": _brief(a), "after": _brief(b),
                        "difference": round(_expected(b) - _expected(a), 2),
                        "rows_only_before": [{"table": t, "row": r} for t, r in sorted(ra - rb)],
                        "rows_only_after": [{"table": t, "row": r} for t, r in sorted(rb - ra)]})
    return {"quarters": list(sides), "encounters": len(before), "changed": len(changes), "errors": errors,
            "expected": {sides[0]: round(totals["before"], 2), sides[1]: round(totals["after"], 2)},
            "difference": round(totals["after"] - totals["before"], 2), "changes": changes}


def compare_batch(items: Sequence[Any], first: str, second: str, *, store: str | None = None,
                  progress: Callable[[int], None] | None = None) -> dict[str, Any]:
    """Solve ``items`` (raw encounters, in order) under ``first`` and ``second``; the encounters that change.

    Parameters
    ----------
    items
        Raw encounters (dicts) or InputErrors, as read from a batch file.
    first, second
        ``embedded`` or a quarter loaded in ``store``.
    store
        The rule store (default: ``$FLUOROLOGIC_STORE`` or the per-user one).
    progress
        Called with the number of encounters solved so far (both sides count).

    Raises
    ------
    DataError
        A side is malformed or not loaded.

    """
    sides = (side_name(first), side_name(second))
    engines = [engine_for(s, store) for s in sides]
    records: list[list[dict[str, Any]]] = [[], []]
    done = 0
    for k, engine in enumerate(engines):
        for i in range(0, len(items), _CHUNK):
            chunk = list(items[i:i + _CHUNK])
            records[k].extend(solve_chunk(engine, chunk))
            done += len(chunk)
            if progress:
                progress(done)
    return compare_records(records[0], records[1], sides)


def render_compare(out: dict[str, Any]) -> str:
    """The comparison as a table for people.

    Examples
    --------
    >>> print(render_compare({"quarters": ["2024Q3", "2024Q4"], "encounters": 2, "changed": 0, "errors": 0,
    ...                       "expected": {"2024Q3": 1.0, "2024Q4": 1.0}, "difference": 0.0, "changes": []}))
    2024Q3 -> 2024Q4: 2 encounters, 0 changed, 0 errors
    expected total: 1.00 -> 1.00 (difference 0.00)

    """
    a, b = out["quarters"]
    lines = [f"{a} -> {b}: {out['encounters']} encounters, {out['changed']} changed, {out['errors']} errors",
             f"expected total: {out['expected'][a]:.2f} -> {out['expected'][b]:.2f} "
             f"(difference {out['difference']:.2f})"]
    if out["changes"]:
        lines.append(f"{'encounter':<24} {'difference':>10}  {a} -> {b}")
    for c in out["changes"]:
        def show(side: dict[str, Any]) -> str:
            if "error" in side:
                return "error " + str(side["error"].get("field"))
            return "bill " + (", ".join(side["billable"]) or "-") + (
                "; excl " + ", ".join(side["excluded"]) if side["excluded"] else "")
        lines.append(f"{c['encounter_id']!s:<24} {c['difference']:>10.2f}  {show(c['before'])}  ->  {show(c['after'])}")
        lines += [f"{'':<24} {'':>10}  - {r['table']}: {r['row']}" for r in c["rows_only_before"]]
        lines += [f"{'':<24} {'':>10}  + {r['table']}: {r['row']}" for r in c["rows_only_after"]]
    return "\n".join(lines)
