"""Render results: canonical JSON (byte-identical for the same input), JSON Lines, and a table for people.

Examples
--------
>>> to_json({"b": 1, "a": [1, 2]})
'{"b": 1, "a": [1, 2]}'
>>> from_json('{"b": 1, "a": [1, 2.5]}')
{'b': 1, 'a': [1, 2.5]}

"""

from __future__ import annotations

import json
from typing import Any

import orjson

__all__ = ["fast_json", "from_json", "to_json", "to_jsonl", "to_table"]


def from_json(text: str | bytes) -> Any:
    """The value of a JSON document, as ``json.loads`` gives it, read by orjson where orjson can.

    orjson reads a line of input several times faster. What it refuses (NaN, lone surrogates, malformed
    text) goes to ``json.loads``, and so does a text with a run of 19 digits or more (orjson reads an
    integer beyond 64 bits as a float), so the values accepted and the error messages
    (``json.JSONDecodeError``) are those of the standard library.
    """
    try:
        return fast_json(text)
    except ValueError:
        return json.loads(text)


def fast_json(text: str | bytes) -> Any:
    """The value of ``text`` read by orjson, where orjson reads it exactly as ``json.loads`` does.

    Raises
    ------
    ValueError
        Where it may not: a run of 19 digits or more, or anything orjson refuses (NaN, a lone surrogate, a
        number out of range, nesting past 1,024 levels, malformed text); the caller reads it the slow way.

    """
    raw = text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass")
    if _LONG_RUN in raw.translate(_DIGITS):  # 19 digits in a row (a regular expression costs 10x more)
        raise ValueError("a run of 19 digits")
    return orjson.loads(raw)


_DIGITS = bytes(57 if 48 <= i <= 57 else 32 for i in range(256))  # an ASCII digit -> "9", any other byte -> " "
_LONG_RUN = b"9" * 19


def to_json(obj: Any, *, indent: int | None = None) -> str:
    """JSON with the contract's field order and non-ASCII text kept as is."""
    return json.dumps(obj, ensure_ascii=False, indent=indent)


def to_jsonl(records: list[dict[str, Any]]) -> str:
    """One JSON object per line."""
    return "".join(to_json(r) + "\n" for r in records)


def _fmt_amount(value: float | None) -> str:
    return "unknown" if value is None else f"{value:.2f}"


def _fmt_pricing(pricing: dict[str, Any] | None) -> str:
    """The release and the adjustments of a priced line, e.g. ``  RVU24C x1.5 bilateral``."""
    if not pricing:
        return "  no fee known"
    adjustments = "".join(f" x{a['factor']:g} {a['rule']}" for a in pricing.get("adjustments") or ())
    return f"  {pricing['release']}{adjustments}"


def to_table(records: list[dict[str, Any]]) -> str:
    """A plain-text table per encounter: billable, excluded and added lines, then alerts."""
    out: list[str] = []
    for rec in records:
        if "error" in rec:
            out.append(f"{rec.get('encounter_id')}: ERROR {rec['error']['field']}: {rec['error']['message']}\n")
            continue
        totals = rec["totals"]
        unknown = totals.get("lines_without_fee") or 0
        left_out = f"  ({unknown} line(s) with no known fee, left out of both)" if unknown else ""
        out.append(f"Encounter {rec['encounter_id']}  billed {totals['billed']:.2f}  "
                   f"expected {totals['expected']:.2f}{left_out}")
        for b in rec["billable"]:
            mods = ",".join(b["modifiers"]) or "-"
            out.append(f"  BILL     {b['code']:<6} x{b['units']:<3} {mods:<8} {_fmt_amount(b['amount']):>9}"
                       f"{_fmt_pricing(b.get('pricing'))}")
        for e in rec["excluded"]:
            out.append(f"  EXCLUDE  {e['code']:<6} x{e['units']:<3} {e['reason']:<28} by {e['by'] or '-'}")
            out.append(f"           {e['detail']}")
        for a in rec["added"]:
            out.append(f"  ADD      {a['code']:<6} x{a['units']:<3} {a['reason']:<28} replaces {a['replaces'] or '-'}")
        for a in rec["alerts"]:
            out.append(f"  ALERT    {a['kind']:<26} {a['code'] or '-':<6} {a['detail']}")
        out.append("")
    return "\n".join(out)
