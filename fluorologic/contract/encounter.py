"""The validated encounter: the only shape of input that reaches the solver.

Every string that later becomes a clingo symbol is checked here against its format, and every
error names the JSON field that caused it (contract.md).

Examples
--------
>>> enc = parse_encounter({"encounter_id": "e1", "date_of_service": "2024-08-01",
...                        "place_of_service": "11", "lines": [{"code": "20610"}]})
>>> enc.lines[0].code, enc.lines[0].units, enc.owner
('20610', 1, 'physician')

"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from typing import Any

from fluorologic.contract.errors import InputError
from fluorologic.contract.places import default_places
from fluorologic.contract.schema import (
    CODE_PATTERN,
    MAX_NOTE,
    LineIn,
    validate_encounter,
)
from fluorologic.contract.sites import classify_site

__all__ = ["MAX_NOTE", "Documentation", "Encounter", "Line", "parse_encounter"]

CODE_RE = re.compile(CODE_PATTERN)


@dataclass(frozen=True)
class Line:
    """One claimed line, as validated."""

    code: str
    units: int = 1
    modifiers: tuple[str, ...] = ()
    site: str | None = None
    distinct: bool = False
    #: The caller's id of the line (837P LX / REF*6R, FHIR item.sequence), echoed on the entries it yields.
    line_id: str | None = None

    @property
    def site_class(self) -> str | None:
        """``spinal``, ``nonspinal`` or None, read from the documented site."""
        return classify_site(self.site) if self.site else None

    def sort_key(self) -> tuple[Any, ...]:
        """The canonical order of lines, so that results never depend on input order."""
        return (self.code, self.units, self.modifiers, self.site or "", self.distinct, self.line_id or "")


@dataclass(frozen=True)
class Documentation:
    """What the operative or procedure note documents about fluoroscopy."""

    fluoroscopy_time_seconds: float | None = None
    indication: str | None = None
    body_area: str | None = None


@dataclass(frozen=True)
class Encounter:
    """One operative session of one patient with one rendering provider."""

    encounter_id: str
    date_of_service: dt.date
    place_of_service: str
    owner: str
    owner_given: bool
    lines: tuple[Line, ...]
    documentation: Documentation = field(default_factory=Documentation)
    note: str | None = None
    #: The ``claim`` object as given, kept as its JSON text (hashable; echoed on the Result, never decided on).
    claim: str | None = None
    #: Whose claim: ``professional`` (837P, MPFS) or ``institutional`` (837I, OPPS).
    claim_type: str = "professional"

    @property
    def dos_number(self) -> int:
        """The date of service as the integer YYYYMMDD used by the encodings."""
        d = self.date_of_service
        return d.year * 10000 + d.month * 100 + d.day


def _text(value: str | None) -> str | None:
    return value if value and value.strip() else None


def _line(valid: LineIn) -> Line:
    site = valid.get("site")
    mods = valid.get("modifiers")
    return Line(code=valid["code"], units=valid.get("units", 1), modifiers=tuple(sorted(set(mods))) if mods else (),
                site=" ".join(site.split()).lower() if site and not site.isspace() else None,
                distinct=valid.get("distinct", False), line_id=valid.get("line_id"))


def parse_encounter(raw: Any, places: dict[str, tuple[str, str]] | None = None) -> Encounter:
    """Validate one encounter (:mod:`fluorologic.contract.schema`); return it with its lines in canonical order.

    Parameters
    ----------
    raw
        The decoded JSON object.
    places
        Known places of service: code -> (fee setting, default owner). Defaults to the embedded table.

    Raises
    ------
    InputError
        Naming the first invalid field.

    """
    if places is None:
        places = default_places()
    valid = validate_encounter(raw)
    pos = valid["place_of_service"]
    if pos not in places:
        raise InputError("place_of_service", f"{pos!r} is not a place of service fluorologic knows: "
                                             f"{', '.join(sorted(places))}")
    doc = valid.get("documentation")
    claim = valid.get("claim")
    owner = valid.get("equipment_owner")
    return Encounter(
        encounter_id=valid["encounter_id"],
        date_of_service=dt.date.fromisoformat(valid["date_of_service"]),
        place_of_service=pos,
        owner=owner or places[pos][1],
        owner_given=owner is not None,
        lines=tuple(sorted(map(_line, valid.get("lines") or ()), key=Line.sort_key)),
        documentation=Documentation() if doc is None else Documentation(
            fluoroscopy_time_seconds=doc.get("fluoroscopy_time_seconds"), indication=_text(doc.get("indication")),
            body_area=_text(doc.get("body_area"))),
        note=valid.get("note"),
        claim=None if claim is None else json.dumps(claim, ensure_ascii=False, separators=(",", ":")),
        claim_type=valid.get("claim_type") or "professional",
    )
