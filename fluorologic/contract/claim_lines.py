"""The claim's own line numbering, and which input lines each Result entry stands for.

The engine works on the lines in a canonical order (:meth:`fluorologic.contract.encounter.Line.sort_key`), so
that a result never depends on the order of the input. People read a claim in its own order: an 837P's lines
by their ``LX01`` (the reader keeps it as ``claim.lines[].lx``), any other input by the order of its lines.
Every view that numbers lines (the workbench's pages, ``why``, ``graph``, the flat CSV and the edits report)
takes its numbers from here, so that they agree with each other and with the claim.

Examples
--------
>>> raw = {"encounter_id": "e", "date_of_service": "2024-08-01", "place_of_service": "11",
...        "lines": [{"code": "99214", "line_id": "a"}, {"code": "20610", "line_id": "b"}]}
>>> line_numbers(raw)
[1, 2]
>>> canonical_positions(raw)  # the engine's first line (20610) is the claim's second
[1, 0]
>>> raw["claim"] = {"lines": [{"line_id": "a", "lx": "3"}, {"line_id": "b", "lx": "4"}]}
>>> line_numbers(raw)
[3, 4]
>>> rec = {"billable": [{"code": "20610", "line_ids": ["b"]}],
...        "excluded": [{"code": "99214", "reason": "ptp_bundled", "line_id": "a"}]}
>>> entry_positions(raw, rec)
{'billable': [[1]], 'excluded': [[0]]}

"""

from __future__ import annotations

from typing import Any

from fluorologic.contract.encounter import _line
from fluorologic.contract.schema import validate_encounter

__all__ = ["canonical_positions", "entry_positions", "line_charges", "line_numbers", "raw_lines"]


def raw_lines(raw: Any) -> list[dict[str, Any]]:
    """The input's lines (objects only), in the claim's order."""
    lines = raw.get("lines") if isinstance(raw, dict) else None
    return [ln for ln in lines if isinstance(ln, dict)] if isinstance(lines, list) else []


def _claim_lines(raw: Any) -> dict[str, dict[str, Any]]:
    claim = raw.get("claim") if isinstance(raw, dict) else None
    lines = claim.get("lines") if isinstance(claim, dict) else None
    if not isinstance(lines, list):
        return {}
    return {str(c["line_id"]): c for c in lines if isinstance(c, dict) and c.get("line_id") is not None}


def line_numbers(raw: Any) -> list[int]:
    """Each input line's number in the claim: its 837P ``LX01`` where the reader kept it, else its position (1-).

    The numbers are used only when they are whole numbers and distinct; otherwise every line gets its position.
    """
    lines = raw_lines(raw)
    by_id = _claim_lines(raw)
    lx = [str(by_id.get(str(ln.get("line_id")), {}).get("lx") or "") for ln in lines]
    if lines and all(v.isdigit() for v in lx) and len(set(map(int, lx))) == len(lx):
        return [int(v) for v in lx]
    return list(range(1, len(lines) + 1))


def line_charges(raw: Any) -> list[float | None]:
    """Each input line's submitted charge (``claim.charges`` by line id, else the 837P reader's SV102), or None."""
    claim = raw.get("claim") if isinstance(raw, dict) else None
    charges = claim.get("charges") if isinstance(claim, dict) else None
    charges = charges if isinstance(charges, dict) else {}
    by_id = _claim_lines(raw)
    out: list[float | None] = []
    for ln in raw_lines(raw):
        lid = ln.get("line_id")
        value = charges.get(lid) if lid is not None else None
        if value is None and lid is not None:
            value = by_id.get(str(lid), {}).get("charge")
        try:
            out.append(None if value is None or isinstance(value, bool) else float(value))
        except (TypeError, ValueError):
            out.append(None)
    return out


def canonical_positions(raw: Any) -> list[int]:
    """For each line in the engine's canonical order, its position (0-based) in the input.

    The same stable sort :func:`fluorologic.contract.encounter.parse_encounter` makes, so the engine's line
    ``L{k}`` is input line ``canonical_positions(raw)[k - 1]``.

    Raises
    ------
    InputError
        The encounter is not valid (as ``parse_encounter`` would say).

    """
    lines = [_line(v) for v in validate_encounter(raw).get("lines") or ()]
    return sorted(range(len(lines)), key=lambda i: lines[i].sort_key())


def entry_positions(raw: Any, record: dict[str, Any]) -> dict[str, list[list[int]]]:
    """For each ``billable`` and ``excluded`` entry of a Result, the input positions (0-based) it stands for.

    By the echoed ``line_ids`` / ``line_id`` when the input gave line ids; otherwise by code, in order: an
    exclusion takes the first line of its code not yet taken by another exclusion (a ``unit_limit`` trim keeps
    its line billable), and a billable entry stands for the lines of its code that are not wholly excluded.
    An entry for a code no input line has (an added code) stands for no line.
    """
    lines = raw_lines(raw)
    pos_of = {str(ln["line_id"]): i for i, ln in enumerate(lines) if ln.get("line_id") is not None}
    out: dict[str, list[list[int]]] = {"billable": [], "excluded": []}
    gone: set[int] = set()
    trimmed: set[int] = set()
    for e in record.get("excluded", ()):
        lid = e.get("line_id")
        if lid is not None and str(lid) in pos_of:
            at = [pos_of[str(lid)]]
        else:
            taken = trimmed if e.get("reason") == "unit_limit" else gone
            at = [next((i for i, ln in enumerate(lines) if ln.get("code") == e.get("code")
                        and i not in taken and i not in gone), -1)]
            at = [] if at == [-1] else at
        (trimmed if e.get("reason") == "unit_limit" else gone).update(at)
        out["excluded"].append(at)
    for b in record.get("billable", ()):
        ids = [str(i) for i in b.get("line_ids") or () if str(i) in pos_of]
        if ids:
            out["billable"].append(sorted(pos_of[i] for i in ids))
        else:
            out["billable"].append([i for i, ln in enumerate(lines) if ln.get("code") == b.get("code")
                                    and i not in gone])
    return out
