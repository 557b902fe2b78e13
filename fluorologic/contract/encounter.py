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
import re
from dataclasses import dataclass, field
from typing import Any

from fluorologic.contract.errors import InputError
from fluorologic.contract.places import default_places
from fluorologic.contract.sites import classify_site

__all__ = ["Documentation", "Encounter", "Line", "parse_encounter"]

CODE_RE = re.compile(r"^(?:\d{5}|\d{4}[FTU]|[A-V]\d{4})$")
MODIFIER_RE = re.compile(r"^[0-9A-Z]{2}$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_UNITS = 999
MAX_LINES = 50
MAX_TEXT = 2000
MAX_NOTE = 200_000


@dataclass(frozen=True)
class Line:
    """One claimed line, as validated."""

    code: str
    units: int = 1
    modifiers: tuple[str, ...] = ()
    site: str | None = None
    distinct: bool = False

    @property
    def site_class(self) -> str | None:
        """``spinal``, ``nonspinal`` or None, read from the documented site."""
        return classify_site(self.site) if self.site else None

    def sort_key(self) -> tuple[Any, ...]:
        """The canonical order of lines, so that results never depend on input order."""
        return (self.code, self.units, self.modifiers, self.site or "", self.distinct)


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

    @property
    def dos_number(self) -> int:
        """The date of service as the integer YYYYMMDD used by the encodings."""
        d = self.date_of_service
        return d.year * 10000 + d.month * 100 + d.day


def _str(obj: dict[str, Any], key: str, path: str, *, required: bool, max_len: int = MAX_TEXT) -> str | None:
    value = obj.get(key)
    if value is None:
        if required:
            raise InputError(path, "is required")
        return None
    if not isinstance(value, str):
        raise InputError(path, f"must be a string, not {type(value).__name__}")
    if len(value) > max_len:
        raise InputError(path, f"is longer than {max_len} characters")
    return value


def _parse_date(value: Any, path: str) -> dt.date:
    if value is None:
        raise InputError(path, "is required")
    if not isinstance(value, str) or not DATE_RE.match(value):
        raise InputError(path, "must be a date written YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(path, f"{value!r} is not a real calendar date") from None


def _parse_line(raw: Any, path: str) -> Line:
    if not isinstance(raw, dict):
        raise InputError(path, "must be an object")
    code = raw.get("code")
    if not isinstance(code, str) or not CODE_RE.fullmatch(code):
        raise InputError(f"{path}.code", "must be a 5-character CPT/HCPCS code such as 77002")
    units = raw.get("units", 1)
    if isinstance(units, bool) or not isinstance(units, int):
        raise InputError(f"{path}.units", "must be a whole number")
    if not 1 <= units <= MAX_UNITS:
        raise InputError(f"{path}.units", f"must be between 1 and {MAX_UNITS}")
    mods = raw.get("modifiers", [])
    if not isinstance(mods, list):
        raise InputError(f"{path}.modifiers", "must be a list of 2-character modifiers")
    for i, mod in enumerate(mods):
        if not isinstance(mod, str) or not MODIFIER_RE.fullmatch(mod):
            raise InputError(f"{path}.modifiers[{i}]", "must be a 2-character modifier such as 26 or XS")
    distinct = raw.get("distinct", False)
    if not isinstance(distinct, bool):
        raise InputError(f"{path}.distinct", "must be true or false")
    site = _str(raw, "site", f"{path}.site", required=False, max_len=200)
    site = " ".join(site.split()).lower() if site and site.strip() else None
    return Line(code=code, units=units, modifiers=tuple(sorted(set(mods))), site=site, distinct=distinct)


def _parse_documentation(raw: Any) -> Documentation:
    if raw is None:
        return Documentation()
    if not isinstance(raw, dict):
        raise InputError("documentation", "must be an object")
    seconds = raw.get("fluoroscopy_time_seconds")
    if seconds is not None and (isinstance(seconds, bool) or not isinstance(seconds, int | float)
                                or seconds < 0 or seconds != seconds or seconds > 86400):
        raise InputError("documentation.fluoroscopy_time_seconds", "must be a number of seconds between 0 and 86400")
    texts = {k: _str(raw, k, f"documentation.{k}", required=False) for k in ("indication", "body_area")}
    return Documentation(
        fluoroscopy_time_seconds=seconds,
        indication=texts["indication"] if texts["indication"] and texts["indication"].strip() else None,
        body_area=texts["body_area"] if texts["body_area"] and texts["body_area"].strip() else None,
    )


def parse_encounter(raw: Any, places: dict[str, tuple[str, str]] | None = None) -> Encounter:
    """Validate one encounter object and return it with its lines in canonical order.

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
    if not isinstance(raw, dict):
        raise InputError("$", "an encounter must be a JSON object")
    eid = raw.get("encounter_id")
    if not isinstance(eid, str) or not 1 <= len(eid) <= 64:
        raise InputError("encounter_id", "must be a string of 1 to 64 characters")
    dos = _parse_date(raw.get("date_of_service"), "date_of_service")
    pos = raw.get("place_of_service")
    if not isinstance(pos, str) or not re.fullmatch(r"\d{2}", pos):
        raise InputError("place_of_service", "must be a two-digit CMS place of service code such as \"11\"")
    if pos not in places:
        raise InputError("place_of_service", f"{pos!r} is not a place of service fluorologic knows: "
                                             f"{', '.join(sorted(places))}")
    owner_raw = raw.get("equipment_owner")
    if owner_raw is not None and owner_raw not in ("physician", "facility"):
        raise InputError("equipment_owner", "must be \"physician\" or \"facility\"")
    note = _str(raw, "note", "note", required=False, max_len=MAX_NOTE)
    lines_raw = raw.get("lines")
    if lines_raw is None and note is None:
        raise InputError("lines", "is required (it may be empty when a note is given)")
    if lines_raw is None:
        lines_raw = []
    if not isinstance(lines_raw, list):
        raise InputError("lines", "must be a list")
    if len(lines_raw) > MAX_LINES:
        raise InputError("lines", f"has more than {MAX_LINES} lines")
    lines = tuple(sorted((_parse_line(x, f"lines[{i}]") for i, x in enumerate(lines_raw)), key=Line.sort_key))
    return Encounter(
        encounter_id=eid,
        date_of_service=dos,
        place_of_service=pos,
        owner=owner_raw or places[pos][1],
        owner_given=owner_raw is not None,
        lines=lines,
        documentation=_parse_documentation(raw.get("documentation")),
        note=note,
    )
