"""What the 837P loops fluorologic reads hold (2300 claim, 2400 lines, the ST/SE set), and the encounters of a claim.

:func:`finish_claim` turns a claim read by :mod:`fluorologic.claims.x12` into its encounters (one per date and
place of service, ``claim`` and ``line_id`` filled, validated by the contract) or its error record, naming the
segment at fault.

Examples
--------
>>> import datetime as dt
>>> claim = X12Claim(claim_id="C1", clm=5, charge="90", place="11", payer="P", payer_name=None, version="005010X222A1")
>>> claim.lines.append(X12Line(number=1, lx=9, lx01="1", sv1=10, code="20610", date=dt.date(2024, 8, 1)))
>>> finish_claim(claim, {"11": ("nonfacility", "physician")})
>>> claim.encounters[0]["lines"], claim.lines[0].encounter_id
([{'code': '20610', 'units': 1, 'modifiers': [], 'line_id': '1'}], 'C1')

"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from fluorologic.claims.errors import ClaimError
from fluorologic.claims.grouping import ClaimLine, claim_encounters
from fluorologic.claims.x12_institutional import SOURCE_837I, place_of_facility
from fluorologic.contract.errors import InputError

__all__ = ["SOURCE", "Transaction", "X12Claim", "X12Line", "finish_claim"]

#: The ``claim.source`` of encounters read from an 837P.
SOURCE = "x12-837p"


@dataclass
class X12Line:
    """A 2400 service line: what it bills and where its segments are (1-based positions in the interchange)."""

    number: int
    lx: int
    lx01: str
    end: int = 0
    sv1: int = 0
    code: str = ""
    modifiers: list[str] = field(default_factory=list)
    units: int = 1
    charge: str = ""
    place: str | None = None
    date: dt.date | None = None
    pointers: list[int] = field(default_factory=list)
    ref6r: str | None = None
    revenue: str | None = None
    line_id: str = ""
    encounter_id: str = ""


@dataclass
class X12Claim:
    """A 2300 claim with its lines, and the encounters (or the error record) it gives."""

    claim_id: str
    clm: int
    charge: str
    place: str
    payer: str | None
    payer_name: str | None
    version: str
    end: int = 0
    date: dt.date | None = None
    rendering_npi: str | None = None
    diagnoses: list[str] = field(default_factory=list)
    lines: list[X12Line] = field(default_factory=list)
    in_other_subscriber: bool = False
    error: ClaimError | None = None
    encounters: list[dict[str, Any]] = field(default_factory=list)
    #: an 837I (the hospital's claim): CLM05-1 is the facility type code; ``statement`` the DTP*434 date
    institutional: bool = False
    statement: dt.date | None = None


@dataclass
class Transaction:
    """An ST/SE transaction set: its claims, and the envelope error that voids them all, if any."""

    st: int
    control: str
    version: str | None
    se: int = 0
    claims: list[X12Claim] = field(default_factory=list)
    error: tuple[str, str] | None = None

    def fail(self, where: str, message: str) -> None:
        """Record the first envelope error of the transaction set."""
        if self.error is None:
            self.error = (where, message)

    def items(self) -> Iterator[dict[str, Any] | ClaimError]:
        """The encounters and error records of the transaction set, in claim order."""
        if self.error is not None:
            where, message = self.error
            if not self.claims:
                yield ClaimError(None, where, message)
            for claim in self.claims:
                yield ClaimError(claim.claim_id, where, f"{message}; the claims of transaction set "
                                                        f"{self.control} are not read")
            return
        for claim in self.claims:
            if claim.error is not None:
                yield claim.error
            else:
                yield from claim.encounters


def _line_ids(lines: list[X12Line]) -> list[str]:
    """The line ids of a claim: REF*6R where given (else LX01) when distinct; else LX01; else the position."""
    for ids in ([ln.ref6r or ln.lx01 for ln in lines], [ln.lx01 for ln in lines]):
        if all(ids) and len(set(ids)) == len(ids):
            return ids
    return [str(ln.number) for ln in lines]


def finish_claim(claim: X12Claim, places: dict[str, tuple[str, str]]) -> None:
    """Make the claim's encounters (one per date and place of service), or its error record."""
    if claim.error is not None:
        return
    try:
        claim.encounters = _encounters(claim, places)
    except InputError as err:
        claim.error = ClaimError(claim.claim_id, err.field, err.message)


def _encounters(claim: X12Claim, places: dict[str, tuple[str, str]]) -> list[dict[str, Any]]:
    if not claim.lines:
        raise InputError(f"segment {claim.clm} CLM", "the claim has no service line (2400 LX/SV1)")
    read = []
    kept = []
    for line, line_id in zip(claim.lines, _line_ids(claim.lines), strict=True):
        if not line.sv1:
            raise InputError(f"segment {line.lx} LX", "the service line has no SV1" + ("/SV2" * claim.institutional))
        line.line_id = line_id
        if claim.institutional and not line.code:
            continue  # a revenue code billed without a HCPCS code: nothing to decide
        kept.append(line)
        date = line.date or claim.date or claim.statement
        if date is None:
            raise InputError(f"segment {line.sv1} SV1", "the service line has no date of service (DTP*472)")
        place = line.place or claim.place
        if claim.institutional:
            try:
                place = place_of_facility(claim.place, line.modifiers)
            except InputError as err:
                raise InputError(f"segment {claim.clm} {err.field}", err.message) from None
        if place not in places:
            where = f"segment {line.sv1} SV105" if line.place else f"segment {claim.clm} CLM05-1"
            raise InputError(where, f"place of service {place!r} is not one fluorologic knows: "
                                    f"{', '.join(sorted(places))}")
        for p in line.pointers:
            if p > len(claim.diagnoses):
                raise InputError(f"segment {line.sv1} SV107", f"diagnosis pointer {p} points past the "
                                                              f"{len(claim.diagnoses)} diagnoses of HI")
        read.append(ClaimLine(date, place, {"code": line.code, "units": line.units, "modifiers": list(line.modifiers),
                                            "line_id": line_id},
                              {"lx": line.lx01, "charge": line.charge,
                               "diagnoses": [claim.diagnoses[p - 1] for p in line.pointers],
                               **({"ref6r": line.ref6r} if line.ref6r else {}),
                               **({"revenue_code": line.revenue} if claim.institutional else {})},
                              f"segment {line.sv1} SV1"))
    head = {"claim_id": claim.claim_id, "payer": claim.payer, "payer_name": claim.payer_name,
            "rendering_npi": claim.rendering_npi, "diagnoses": list(claim.diagnoses),
            "source": SOURCE_837I if claim.institutional else SOURCE,
            "version": claim.version, "charge": claim.charge}
    out = []
    if not read:
        raise InputError(f"segment {claim.clm} CLM", "the claim has no service line with a HCPCS code (SV202)")
    for raw, idx in claim_encounters(claim.claim_id, head, read, f"segment {claim.clm} CLM"):
        for i in idx:
            kept[i].encounter_id = raw["encounter_id"]
        if claim.institutional:
            raw["claim_type"] = "institutional"
        out.append(raw)
    return out
