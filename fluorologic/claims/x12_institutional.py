"""The 837I (4010 X096A1, 5010 X223A1-A3: the hospital's claim): what differs from the 837P, read into the same loops.

:mod:`fluorologic.claims.x12` walks both: for an 837I transaction set it takes the claim's facility type
code (CLM05-1, the first two digits of the type of bill) for the place of service, 2400 ``SV2`` for the
service line (SV201 revenue code, SV202 ``HC:code:mod..``, SV203 charge, SV204 ``UN``, SV205 units), and the
statement dates (``DTP*434``) as the claim's date where a line has no ``DTP*472``. Encounters read from an
837I have ``claim_type`` institutional and keep each line's revenue code in ``claim.lines[].revenue_code``.
A line without a HCPCS code (SV202 absent: a revenue code billed alone, e.g. supplies) is not an encounter
line: it is kept as it is by ``fix``.

Examples
--------
>>> place_of_facility("13", ["RT"]), place_of_facility("13", ["PO"]), place_of_facility("85", [])
('22', '19', '22')
>>> rewrite_sv2("SV2*0360*HC:77002:RT*100*UN*2", ("~", "*", ":"), code="77003", modifiers=["RT"], units=1)
'SV2*0360*HC:77003:RT*100*UN*1'

"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from fluorologic.contract.errors import InputError
from fluorologic.contract.schema import CODE_PATTERN

if TYPE_CHECKING:
    from pyx12.segment import Segment

    from fluorologic.claims.x12_loops import X12Line

__all__ = ["INSTITUTIONAL_VERSIONS", "SOURCE_837I", "place_of_facility", "rewrite_sv2", "service_line_sv2"]

#: The 837I implementation guides read (GS08 / ST03).
INSTITUTIONAL_VERSIONS = ("004010X096A1", "005010X223A1", "005010X223A2", "005010X223A3")
#: The ``claim.source`` of encounters read from an 837I.
SOURCE_837I = "x12-837i"

_CODE_RE = re.compile(CODE_PATTERN)
_MOD_RE = re.compile(r"^[0-9A-Z]{2}$")
_REVENUE_RE = re.compile(r"^[0-9]{3,4}$")  # 4010 claims may drop the leading zero
#: Facility type codes (NUBC type of bill, first two digits) and the place of service they stand for.
_FACILITY = {"13": "22", "85": "22", "14": "22", "11": "21", "12": "21", "83": "24"}
#: Modifiers of an off-campus provider-based department (PO excepted, PN non-excepted): POS 19.
_OFF_CAMPUS = frozenset({"PO", "PN"})


def place_of_facility(facility: str, modifiers: list[str]) -> str:
    """The place of service of an 837I line: its facility type code, off campus with modifier PO or PN.

    Raises
    ------
    InputError
        When the facility type code is not one fluorologic reads.

    """
    place = _FACILITY.get(facility)
    if place is None:
        raise InputError("CLM05-1", f"facility type code {facility!r} is not a hospital bill type fluorologic reads "
                                    f"({', '.join(sorted(_FACILITY))})")
    return "19" if place == "22" and _OFF_CAMPUS & set(modifiers) else place


def _element(seg: Segment, n: int) -> list[str]:
    return [e.value for e in seg.elements[n - 1].elements] if n <= len(seg.elements) else []


def service_line_sv2(line: X12Line, seg: Segment, pos: int) -> None:
    """Read SV2 into ``line`` (revenue code, code, modifiers, charge, units); raise InputError naming the element."""
    line.sv1 = pos
    revenue = (_element(seg, 1) or [""])[0]
    if not _REVENUE_RE.fullmatch(revenue):
        raise InputError(f"segment {pos} SV201", f"{revenue!r} is not a revenue code (4 digits)")
    line.revenue = revenue.zfill(4)
    comp = _element(seg, 2)
    if comp and comp[0] not in ("HC", ""):
        raise InputError(f"segment {pos} SV202", f"qualifier {comp[0]!r}: only HC (CPT/HCPCS) is read")
    if len(comp) >= 2 and comp[1]:
        if not _CODE_RE.fullmatch(comp[1]):
            raise InputError(f"segment {pos} SV202-2", f"{comp[1]!r} is not a 5-character CPT/HCPCS code")
        mods = [m for m in comp[2:6] if m]
        for i, mod in enumerate(mods):
            if not _MOD_RE.fullmatch(mod):
                raise InputError(f"segment {pos} SV202-{i + 3}", f"{mod!r} is not a 2-character modifier")
        line.code, line.modifiers = comp[1], mods
    line.charge = (_element(seg, 3) or [""])[0]
    basis = (_element(seg, 4) or [""])[0]
    if basis not in ("UN", "DA", ""):
        raise InputError(f"segment {pos} SV204", f"unit basis {basis!r}: only UN (units) or DA (days) is read")
    text = (_element(seg, 5) or ["1"])[0] or "1"
    try:
        units = Decimal(text)
    except InvalidOperation:
        raise InputError(f"segment {pos} SV205", f"the units {text!r} are not a number") from None
    if units != units.to_integral_value() or units < 1:
        raise InputError(f"segment {pos} SV205", f"the units {text!r} are not a whole number of at least 1")
    line.units = int(units)


def rewrite_sv2(body: str, terms: tuple[str, str, str], *, code: str, modifiers: list[str], units: int | None) -> str:
    """SV2 with a new code, modifiers and (when given) units; every other element as it was."""
    _, ele, sub = terms
    elements = body.split(ele)
    comp = elements[2].split(sub)
    desc = comp[6:7]
    comp = [comp[0] or "HC", code, *modifiers, *([""] * (4 - len(modifiers)) + desc if desc else [])]
    elements[2] = sub.join(comp)
    if units is not None:
        while len(elements) < 6:
            elements.append("")
        elements[5] = str(units)
    return ele.join(elements)
