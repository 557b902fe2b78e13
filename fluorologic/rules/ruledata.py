"""Rule data: the CMS rows and code attributes the encodings reason over, indexed by code.

The embedded tables in ``fluorologic/data`` are the default; :class:`RuleData` holds them in
memory, indexed by code, so that the rows for one encounter are found without scanning a table.
Another store (e.g. an imported CMS quarter) only has to provide :meth:`RuleData.select`.

Examples
--------
>>> data = RuleData.embedded()
>>> sel = data.select({"27093", "77002"}, 20260115)
>>> [(r.column_1, r.column_2, r.deletion) for r in sel.ptp if r.column_2 == "77002"]
[('27093', '77002', 20100331)]

"""

from __future__ import annotations

import csv
import functools
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from importlib import resources
from typing import Any

from fluorologic.contract.errors import DataError
from fluorologic.contract.places import default_places

__all__ = ["AocRow", "AttrRow", "CodeRow", "FeeRow", "InclusiveRow", "MueRow", "PtpRow", "RuleData", "Selection",
           "date_number", "default_places"]

OPEN_END = 99991231


def date_number(text: str, *, default: int | None = None) -> int | None:
    """``'2010-03-31'`` -> ``20100331``; empty text gives ``default``."""
    text = text.strip()
    if not text:
        return default
    y, m, d = text.split("-")
    return int(y) * 10000 + int(m) * 100 + int(d)


@dataclass(frozen=True)
class PtpRow:
    """One NCCI procedure-to-procedure edit row."""

    column_1: str
    column_2: str
    effective: int | None
    deletion: int
    indicator: int
    rationale: str
    quarter: str
    source: str


@dataclass(frozen=True)
class MueRow:
    """One medically unlikely edit row (practitioner services)."""

    code: str
    value: int
    mai: int
    mai_text: str
    rationale: str
    effective: int
    quarter: str
    source: str


@dataclass(frozen=True)
class AocRow:
    """One add-on code edit: ``primary`` is an eligible primary of ``add_on`` (``CCCCC``: contractor-defined)."""

    primary: str
    add_on: str
    edit_type: int
    quarter: str
    source: str


@dataclass(frozen=True)
class FeeRow:
    """One MPFS (PPRRVU) row: RVU totals and conversion factor of a code and modifier in one release."""

    code: str
    mod: str
    status: str
    nonfacility_total: Decimal | None
    facility_total: Decimal | None
    pctc: int | None
    glob_days: str
    conv_factor: Decimal
    release: str
    start: int
    end: int
    source: str

    def cents(self, setting: str) -> int | None:
        """National allowed amount in cents (total RVU x CF), or None where the rate is not applicable."""
        total = self.facility_total if setting == "facility" else self.nonfacility_total
        if total is None:
            return None
        return int((total * self.conv_factor * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class CodeRow:
    """One row of the code table."""

    code: str
    kind: str
    target: str
    description: str
    effective: int | None
    deletion: int | None
    source: str


@dataclass(frozen=True)
class AttrRow:
    """One sourced code attribute."""

    code: str
    attribute: str
    value: str
    source: str


@dataclass(frozen=True)
class InclusiveRow:
    """``without`` billed with ``guidance`` is reported as the single code ``with_code``."""

    without: str
    guidance: str
    with_code: str
    source: str


@dataclass
class Selection:
    """The rows that involve one encounter's codes, with row ids for the audit trail."""

    codes: list[CodeRow] = field(default_factory=list)
    attrs: list[AttrRow] = field(default_factory=list)
    ptp: list[PtpRow] = field(default_factory=list)
    mue: list[MueRow] = field(default_factory=list)
    aoc: list[AocRow] = field(default_factory=list)
    addons: set[str] = field(default_factory=set)
    inclusive: list[InclusiveRow] = field(default_factory=list)
    fees: list[FeeRow] = field(default_factory=list)


def _rows(name: str) -> Iterator[dict[str, str]]:
    with resources.files("fluorologic.data").joinpath(name).open(encoding="utf-8", newline="") as fh:
        yield from csv.DictReader(fh)


def _decimal(text: str) -> Decimal | None:
    return Decimal(text) if text.strip() else None


class RuleData:
    """All rule rows in memory, indexed by code; :meth:`select` returns the rows for one encounter."""

    def __init__(self, *, codes: Iterable[CodeRow], attrs: Iterable[AttrRow], ptp: Iterable[PtpRow],
                 mue: Iterable[MueRow], aoc: Iterable[AocRow], inclusive: Iterable[InclusiveRow],
                 fees: Iterable[FeeRow], label: str = "embedded") -> None:
        self.label = label
        self.codes = {r.code: r for r in codes}
        self.attrs: dict[str, list[AttrRow]] = defaultdict(list)
        for a in attrs:
            self.attrs[a.code].append(a)
        self.ptp_by_col1: dict[str, list[PtpRow]] = defaultdict(list)
        for p in ptp:
            self.ptp_by_col1[p.column_1].append(p)
        self.mue: dict[str, list[MueRow]] = defaultdict(list)
        for m in mue:
            self.mue[m.code].append(m)
        self.aoc_by_addon: dict[str, list[AocRow]] = defaultdict(list)
        for r in aoc:
            self.aoc_by_addon[r.add_on].append(r)
        self.inclusive: dict[str, list[InclusiveRow]] = defaultdict(list)
        for i in inclusive:
            self.inclusive[i.without].append(i)
        self.fees: dict[str, list[FeeRow]] = defaultdict(list)
        for f in fees:
            self.fees[f.code].append(f)
        self.guidance_codes = sorted(c for c, rows in self.attrs.items()
                                     if any(a.attribute == "guidance_for" for a in rows))

    @classmethod
    @functools.cache
    def embedded(cls) -> RuleData:
        """The sourced rule data that ships inside the package (see ``fluorologic/data/README.md``)."""
        try:
            return cls(
                codes=[CodeRow(r["code"], r["kind"], r["target"], r["description"], date_number(r["effective_date"]),
                               date_number(r["deletion_date"]), r["source"]) for r in _rows("codes.csv")],
                attrs=[AttrRow(r["code"], r["attribute"], r["value"], r["source"])
                       for r in _rows("code_attributes.csv")],
                ptp=[PtpRow(r["column_1"], r["column_2"], date_number(r["effective_date"]),
                            date_number(r["deletion_date"], default=OPEN_END) or OPEN_END,
                            int(r["modifier_indicator"]), r["ptp_edit_rationale"], r["quarter"], r["source"])
                     for r in _rows("ptp_practitioner.csv")],
                mue=[MueRow(r["hcpcs_code"], int(r["mue_value"]), int(r["mai"]), r["mai_text"], r["mue_rationale"],
                            date_number(r["effective_date"]) or 0, r["quarter"], r["source"])
                     for r in _rows("mue_practitioner.csv")],
                aoc=[AocRow(r["primary_code"], r["add_on_code"], int(r["aoc_edit_type"]), r["quarter"], r["source"])
                     for r in _rows("aoc.csv")],
                inclusive=[InclusiveRow(r["without_code"], r["guidance_code"], r["with_code"], r["source"])
                           for r in _rows("imaging_inclusive.csv")],
                fees=[_fee_row(r) for r in _rows("pfs_rvu.csv")],
            )
        except (KeyError, ValueError, ArithmeticError) as exc:
            raise DataError(f"embedded rule data is malformed: {exc}") from exc

    def candidate_codes(self, codes: Iterable[str]) -> set[str]:
        """The encounter's codes plus every code the rules may add (right guidance code, "with imaging" code)."""
        found = set(codes)
        found.update(self.guidance_codes)
        for c in list(found):
            found.update(i.with_code for i in self.inclusive.get(c, ()))
        return found

    def select(self, codes: Iterable[str], dos: int) -> Selection:
        """Rows involving ``codes`` (plus candidates); fees only from the PFS release in force on ``dos``."""
        wanted = self.candidate_codes(codes)
        sel = Selection()
        for c in sorted(wanted):
            if c in self.codes:
                sel.codes.append(self.codes[c])
            sel.attrs.extend(self.attrs.get(c, ()))
            sel.ptp.extend(p for p in self.ptp_by_col1.get(c, ()) if p.column_2 in wanted)
            sel.mue.extend(self.mue.get(c, ()))
            aoc = self.aoc_by_addon.get(c, ())
            if aoc:
                sel.addons.add(c)
                sel.aoc.extend(a for a in aoc if a.primary in wanted or a.primary == "CCCCC")
            sel.inclusive.extend(i for i in self.inclusive.get(c, ()) if i.guidance in wanted)
            sel.fees.extend(f for f in self.fees.get(c, ()) if f.start <= dos <= f.end)
        return sel

    def pctc(self, code: str, dos: int) -> int | None:
        """The PC/TC indicator of the global row in force on ``dos`` (else the latest release)."""
        rows = [f for f in self.fees.get(code, ()) if f.mod == ""]
        in_force = [f for f in rows if f.start <= dos <= f.end] or sorted(rows, key=lambda f: f.start)[-1:]
        return in_force[0].pctc if in_force else None

    def describe(self) -> dict[str, Any]:
        """What is loaded: row counts and quarters (for ``data info``)."""
        ptp = [p for rows in self.ptp_by_col1.values() for p in rows]
        return {
            "store": self.label,
            "ptp_rows": len(ptp),
            "ptp_quarters": sorted({p.quarter for p in ptp}),
            "mue_rows": sum(len(v) for v in self.mue.values()),
            "aoc_rows": sum(len(v) for v in self.aoc_by_addon.values()),
            "pfs_releases": sorted({f.release for rows in self.fees.values() for f in rows}),
            "codes": len(self.codes),
        }


def _fee_row(r: dict[str, str]) -> FeeRow:
    return FeeRow(
        code=r["hcpcs"], mod=r["mod"], status=r["status_code"],
        nonfacility_total=None if r["non_fac_na_indicator"] == "NA" else _decimal(r["non_facility_total"]),
        facility_total=None if r["facility_na_indicator"] == "NA" else _decimal(r["facility_total"]),
        pctc=int(r["pctc_ind"]) if r["pctc_ind"].strip().isdigit() else None,
        glob_days=r["glob_days"], conv_factor=Decimal(r["conv_factor"]), release=r["release"],
        start=date_number(r["date_start"]) or 0, end=date_number(r["date_end"], default=OPEN_END) or OPEN_END,
        source=r["source"],
    )
