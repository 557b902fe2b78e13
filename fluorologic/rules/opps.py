"""The hospital's claim: OPPS status indicators, APC payments and the I/OCE edit tables by OCE quarter.

The embedded tables ``fluorologic/data/opps_*.csv``, ``ptp_outpatient.csv.gz`` and ``mue_outpatient.csv``
(built by ``tools/build_opps_data.py`` from the CMS I/OCE reference data, OCE 20.2-27.1, 2019Q3-2026Q2)
hold, for every code of the families, its status indicator and APC by OCE version range, the APC payment
rates, the outpatient-hospital NCCI PTP pairs and the add-on maps with their version ranges, and the
outpatient-hospital MUEs of 2024Q3. :class:`OppsData` holds them in memory, indexed by code; the
outpatient PTP table is read only when a hospital claim is first decided.

Examples
--------
>>> data = OppsData.embedded()
>>> [(r.status_indicator, r.apc, r.versions) for r in data.status["64483"]][-1]
('T', '5443', '20.2-27.1')
>>> [(r.column_2, r.indicator, r.rationale) for r in data.ptp.pairs("64483")["77003"]]
[('77003', 1, 'OCE 20.2-27.1; CMS 2024Q3: HCPCS/CPT procedure code definition')]
>>> data.release(20240815).label
'OPPS 2024Q3, I/OCE 25.2'

"""

from __future__ import annotations

import csv
import functools
import gzip
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from typing import Any

from fluorologic.contract.errors import DataError
from fluorologic.rules.ruledata import OPEN_END, MueRow, PtpIndex, PtpRow, date_number

__all__ = ["AlternativeRow", "ApcRow", "OceVersion", "OppsAddonRow", "OppsData", "OppsStatusRow",
           "OutpatientMueRow", "OutpatientPtpRow", "adjustment_detail", "opps_citation"]

#: Where the I/OCE tables come from (named in every citation).
OCE_SOURCE = "CMS I/OCE reference data 2019Q3-2026Q2 (pyoce 0.1.0, OCE 20.2-27.1)"


@dataclass(frozen=True, slots=True)
class OutpatientPtpRow(PtpRow):
    """One outpatient-hospital NCCI PTP row of the I/OCE (``rationale`` holds its OCE version range)."""


@dataclass(frozen=True)
class OutpatientMueRow(MueRow):
    """One medically unlikely edit row of outpatient hospital services."""


@dataclass(frozen=True)
class OppsStatusRow:
    """A code's OPPS status indicator and APC (None: no APC) from ``effective`` through ``deletion``."""

    code: str
    status_indicator: str
    apc: str | None
    effective: int
    deletion: int
    versions: str


@dataclass(frozen=True)
class ApcRow:
    """An APC's national unadjusted OPPS payment rate, in cents, over a range of OCE versions."""

    apc: str
    cents: int
    status_indicator: str
    effective: int
    deletion: int
    versions: str


@dataclass(frozen=True)
class OppsAddonRow:
    """An I/OCE add-on map row: ``primary`` is an eligible primary of ``add_on`` (``CCCCC``: type 2, none named)."""

    primary: str
    add_on: str
    addon_type: int
    effective: int
    deletion: int
    versions: str


@dataclass(frozen=True)
class OceVersion:
    """One quarterly I/OCE data version."""

    version: str
    quarter: str
    first: int
    last: int

    @property
    def label(self) -> str:
        """The OPPS quarter and I/OCE version, as ``pricing.release`` names them."""
        return f"OPPS {self.quarter}, I/OCE {self.version}"


@dataclass(frozen=True)
class AlternativeRow:
    """``code`` (status indicator B: not payable under OPPS) is reported on the hospital's claim as ``alternative``."""

    code: str
    alternative: str
    source: str


class _OutpatientPtpIndex(PtpIndex):
    """The outpatient PTP table, rows parsed on first use as :class:`OutpatientPtpRow`."""

    def _row(self, r: list[str]) -> PtpRow:
        rationale = self._rationales.setdefault(r[5], r[5])
        return OutpatientPtpRow(r[0], r[1], date_number(r[2], default=0), date_number(r[3], default=OPEN_END)
                                or OPEN_END, int(r[4]), rationale, self.quarter, self.source)


def _rows(name: str) -> Iterator[dict[str, str]]:
    with resources.files("fluorologic.data").joinpath(name).open(encoding="utf-8", newline="") as fh:
        yield from csv.DictReader(fh)


def _start(text: str) -> int:
    return date_number(text, default=0) or 0


def _end(text: str) -> int:
    return date_number(text, default=OPEN_END) or OPEN_END


class OppsData:
    """The OPPS and I/OCE tables in memory, indexed by code (the outpatient PTP table read on first use)."""

    def __init__(self) -> None:
        try:
            self.versions = [OceVersion(r["oce_version"], r["quarter"], _start(r["first_day"]), _end(r["last_day"]))
                             for r in _rows("opps_oce_versions.csv")]
            self.status: dict[str, list[OppsStatusRow]] = defaultdict(list)
            for r in _rows("opps_status.csv"):
                self.status[r["code"]].append(OppsStatusRow(r["code"], r["status_indicator"], r["apc"] or None,
                                                            _start(r["effective_date"]), _end(r["deletion_date"]),
                                                            r["oce_versions"]))
            self.apc: dict[str, list[ApcRow]] = defaultdict(list)
            for r in _rows("opps_apc.csv"):
                self.apc[r["apc"]].append(ApcRow(r["apc"], int(r["payment_cents"]), r["status_indicator"],
                                                 _start(r["effective_date"]), _end(r["deletion_date"]),
                                                 r["oce_versions"]))
            self.addons: dict[str, list[OppsAddonRow]] = defaultdict(list)
            for r in _rows("opps_addon.csv"):
                self.addons[r["add_on_code"]].append(OppsAddonRow(r["primary_code"], r["add_on_code"],
                                                                  int(r["addon_type"]), _start(r["effective_date"]),
                                                                  _end(r["deletion_date"]), r["oce_versions"]))
            self.mue: dict[str, list[MueRow]] = defaultdict(list)
            for r in _rows("mue_outpatient.csv"):
                self.mue[r["hcpcs_code"]].append(OutpatientMueRow(
                    r["hcpcs_code"], int(r["mue_value"]), int(r["mai"]), r["mai_text"], r["mue_rationale"],
                    _start(r["effective_date"]), r["quarter"], r["source"]))
            #: Codes OPPS treats as bilateral only with modifier 50 (two units for the T discount: 150%).
            self.bilateral_conditional = frozenset(r["code"] for r in _rows("opps_bilateral.csv"))
            self.alternatives: dict[str, list[AlternativeRow]] = defaultdict(list)
            for r in _rows("opps_alternative.csv"):
                self.alternatives[r["code"]].append(AlternativeRow(r["code"], r["alternative"], r["source"]))
        except (KeyError, ValueError) as exc:
            raise DataError(f"embedded OPPS data is malformed: {exc}") from exc

    @classmethod
    @functools.cache
    def embedded(cls) -> OppsData:
        """The OPPS tables that ship inside the package (one instance per process)."""
        return cls()

    @functools.cached_property
    def ptp(self) -> PtpIndex:
        """The outpatient-hospital NCCI PTP pairs of the I/OCE, by column-1 code (read on first use)."""
        text = gzip.decompress(resources.files("fluorologic.data").joinpath("ptp_outpatient.csv.gz").read_bytes())
        return _OutpatientPtpIndex(text.decode("utf-8"), "I/OCE outpatient-hospital table", OCE_SOURCE + ": map_ncci")

    def coverage(self) -> tuple[int, int]:
        """The first day of the oldest and the last day of the newest OCE version."""
        return self.versions[0].first, self.versions[-1].last

    def release(self, dos: int) -> OceVersion | None:
        """The OCE version whose quarter holds ``dos`` (None outside 2019Q3-2026Q2)."""
        return next((v for v in self.versions if v.first <= dos <= v.last), None)

    def code_dates(self, code: str) -> tuple[int | None, int | None]:
        """The first and last day ``code`` is in the OCE (None: before the first / after the newest version)."""
        rows = self.status.get(code)
        if not rows:
            return None, None
        first, last = min(r.effective for r in rows), max(r.deletion for r in rows)
        return (first or None), (None if last >= OPEN_END else last)


def _span(effective: int, deletion: int) -> str:
    first = "2019-07-01 or earlier" if not effective else _iso(effective)
    last = "2026-06-30 or later" if deletion >= OPEN_END else _iso(deletion)
    return f"{first} through {last}"


def _iso(n: int) -> str:
    return f"{n // 10000:04d}-{n // 100 % 100:02d}-{n % 100:02d}"


def opps_citation(row: Any) -> dict[str, Any] | None:
    """The citation of an OPPS / I/OCE row for the audit trail (None for a row of another table).

    >>> opps_citation(OppsStatusRow("77003", "N", None, 0, OPEN_END, "20.2-27.1"))["row"]
    '77003 status indicator N, no APC, OCE 20.2-27.1 (2019-07-01 or earlier through 2026-06-30 or later)'
    """
    if isinstance(row, OutpatientPtpRow):
        versions, _, why = row.rationale.partition("; CMS 2024Q3: ")
        return {"table": "NCCI PTP outpatient hospital (I/OCE map_ncci)", "quarter": row.quarter,
                "source": row.source,
                "row": f"{row.column_1}/{row.column_2}, modifier indicator {row.indicator}, {versions} "
                       f"({_span(row.effective or 0, row.deletion)})"
                       + (f", rationale (CMS 2024Q3): {why}" if why else "")}
    if isinstance(row, OutpatientMueRow):
        return {"table": "NCCI MUE outpatient hospital", "quarter": row.quarter, "source": row.source,
                "row": f"{row.code} MUE {row.value}, MAI {row.mai_text}, rationale: {row.rationale}"}
    if isinstance(row, OppsStatusRow):
        apc = f"APC {row.apc}" if row.apc else "no APC"
        return {"table": "I/OCE HCPCS status (data_hcpcs)", "quarter": "I/OCE status table", "source": OCE_SOURCE,
                "row": f"{row.code} status indicator {row.status_indicator}, {apc}, OCE {row.versions} "
                       f"({_span(row.effective, row.deletion)})"}
    if isinstance(row, ApcRow):
        return {"table": "I/OCE APC payment (data_apc)", "quarter": "I/OCE APC table", "source": OCE_SOURCE,
                "row": f"APC {row.apc} national unadjusted payment ${row.cents / 100:,.2f}, OCE {row.versions} "
                       f"({_span(row.effective, row.deletion)})"}
    if isinstance(row, OppsAddonRow):
        return {"table": f"I/OCE add-on map type {row.addon_type}", "quarter": "I/OCE add-on maps",
                "source": OCE_SOURCE, "row": f"primary {row.primary}, add-on {row.add_on}, type {row.addon_type}, "
                                             f"OCE {row.versions}"}
    if isinstance(row, AlternativeRow):
        return {"table": "fluorologic OPPS alternative codes", "quarter": None, "source": row.source,
                "row": f"{row.code} -> {row.alternative}"}
    return None


_ADJUSTMENTS = {
    ("packaged", "N"): "Status indicator N: packaged into the claim's other OPPS services (reported, no separate "
                       "payment; OPPS Addendum D1, 42 CFR 419.2(b)).",
    ("packaged", "Q1"): "Status indicator Q1: packaged, because the claim has a service of status S, T or V "
                        "(OPPS Addendum D1).",
    ("packaged", "Q2"): "Status indicator Q2: packaged, because the claim has a service of status T (OPPS "
                        "Addendum D1).",
    ("packaged", "J1"): "Packaged into the comprehensive APC of {by} (status indicator J1): one payment for every "
                        "service of the claim (C-APC policy of the CY2015 OPPS final rule).",
    ("multiple_procedure", "later_units"): "Status indicator T, the highest-paid procedure: its first unit at 100%, "
                                           "every further unit at 50% (42 CFR 419.44(a)).",
    ("multiple_procedure", "every_unit"): "Status indicator T, not the highest-paid procedure of the claim: paid at "
                                          "50% (42 CFR 419.44(a)).",
    ("bilateral", "conditional"): "Modifier 50 on a conditionally bilateral code (I/OCE bilateral_conditional): the "
                                  "line for both sides counts two units for the T discount, so 150% where it is the "
                                  "highest-paid procedure, else 2 x 50% (42 CFR 419.44(a)).",
}


def adjustment_detail(rule: str, why: Any) -> tuple[float, str]:
    """The factor and sentence of a payment adjustment of a hospital's claim (``opps_adj/3`` of the encodings).

    >>> adjustment_detail("packaged", {"j1": "64635"})[1][:47]
    'Packaged into the comprehensive APC of 64635 (s'
    """
    if rule == "bilateral":
        return 2.0, _ADJUSTMENTS[(rule, str(why))]
    if rule == "packaged":
        if isinstance(why, dict) and "j1" in why:
            return 0.0, _ADJUSTMENTS[(rule, "J1")].format(by=why["j1"])
        return 0.0, _ADJUSTMENTS[(rule, why["si"] if isinstance(why, dict) else str(why))]
    return 0.5, _ADJUSTMENTS[(rule, str(why))]
