"""One claim, several encounters: its lines grouped by date and place of service, each group validated.

Both readers (837P and FHIR) hand over the claim's lines with the place in the claim file each came from;
:func:`claim_encounters` makes one contract encounter per date of service (and place of service, when lines
of one date differ in it), validates it, and names a refused field by its place in the claim file.

Examples
--------
>>> import datetime as dt
>>> lines = [ClaimLine(dt.date(2024, 8, 1), "11", {"code": "20610", "line_id": "1"}, {"charge": "90"}, "LX 1"),
...          ClaimLine(dt.date(2024, 8, 2), "11", {"code": "20610", "line_id": "2"}, {"charge": "90"}, "LX 2")]
>>> [(e["encounter_id"], e["claim"]["lines"][0]["line_id"]) for e, _ in claim_encounters("c1", {}, lines, "CLM")]
[('c1@2024-08-01', '1'), ('c1@2024-08-02', '2')]

"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from fluorologic.contract.encounter import parse_encounter
from fluorologic.contract.errors import InputError
from fluorologic.contract.places import default_places

__all__ = ["ClaimLine", "claim_encounters"]


@dataclass(frozen=True)
class ClaimLine:
    """A claim line as read: its date and place of service, the contract line, what the claim says beside it."""

    date: dt.date
    place: str
    line: dict[str, Any]
    extra: dict[str, Any]
    where: str


def _charge(text: Any) -> float | int | None:
    """A submitted charge (837P SV102, FHIR ``item.net.value``) as a number, or None when it is not one."""
    try:
        value = Decimal(str(text))
    except (InvalidOperation, ValueError):
        return None
    if not value.is_finite() or value < 0:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def claim_encounters(claim_id: str, claim: dict[str, Any], lines: list[ClaimLine], where: str
                     ) -> list[tuple[dict[str, Any], list[int]]]:
    """The encounters of a claim, each with the indices of its lines in ``lines``.

    ``claim`` is the contract's ``claim`` object without ``lines``; each encounter's copy gets the ``extra``
    of its lines as ``claim.lines``. ``where`` names the claim's own place in the file (for the fields that
    are not a line's).

    Raises
    ------
    InputError
        Naming the place in the claim file of the first field validation refused.

    """
    places = default_places()
    groups: dict[tuple[dt.date, str], list[int]] = {}
    for i, ln in enumerate(lines):
        groups.setdefault((ln.date, ln.place), []).append(i)
    dates = {d for d, _ in groups}
    out = []
    for (date, place), idx in groups.items():
        eid = claim_id
        if len(groups) > 1:
            eid += f"@{date.isoformat()}" + (f"/{place}" if len(groups) > len(dates) else "")
        charges = {lines[i].line["line_id"]: c for i in idx
                   if (c := _charge(lines[i].extra.get("charge"))) is not None}  # claim.charges: line id -> SV102
        raw = {"encounter_id": eid, "date_of_service": date.isoformat(), "place_of_service": place,
               "lines": [dict(lines[i].line) for i in idx],
               "claim": {**claim, **({"charges": charges} if charges else {}),
                         "lines": [{"line_id": lines[i].line.get("line_id"), **lines[i].extra} for i in idx]}}
        try:
            parse_encounter(raw, places)
        except InputError as err:
            m = re.match(r"lines\[(\d+)\]", err.field)
            at = lines[idx[int(m.group(1))]].where if m and int(m.group(1)) < len(idx) else where
            raise InputError(at, f"{err.message} (the encounter's {err.field})") from None
        out.append((raw, idx))
    return out
