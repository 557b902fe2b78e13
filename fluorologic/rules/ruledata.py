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

import bisect
import csv
import functools
import gzip
import io
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, KeysView, Mapping
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from importlib import resources
from typing import Any

from fluorologic.contract.errors import DataError
from fluorologic.contract.places import default_places

__all__ = ["AocRow", "AttrRow", "CodeRow", "FeeRow", "InclusiveRow", "MueRow", "PfsRelease", "PtpIndex", "PtpRow",
           "RuleData", "Selection", "date_number", "default_places", "quarter_end"]

OPEN_END = 99991231
#: :meth:`RuleData.fee_day`'s memo for a day that a loaded release prices itself.
_NOT_MISSING = (-1, None)


def date_number(text: str, *, default: int | None = None) -> int | None:
    """``'2010-03-31'`` -> ``20100331``; empty text gives ``default``."""
    text = text.strip()
    if not text:
        return default
    y, m, d = text.split("-")
    return int(y) * 10000 + int(m) * 100 + int(d)


@dataclass(frozen=True, slots=True)
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
    #: First and last day of the edit (the I/OCE add-on maps date them); None: no date known.
    start: int | None = None
    end: int | None = None

    @property
    def dated(self) -> bool:
        """Whether the edit holds only between known days."""
        return self.start is not None or self.end is not None

    def in_force(self, dos: int) -> bool:
        """Whether the edit is in force on ``dos``."""
        return (self.start is None or self.start <= dos) and (self.end is None or dos <= self.end)


@dataclass(frozen=True)
class FeeRow:
    """One MPFS (PPRRVU) row: RVUs, indicators and conversion factor of a code and modifier in one release.

    ``gpci`` (work, practice expense, malpractice) and ``locality`` are set on a copy priced for a payment
    locality (:meth:`for_locality`); the national row has neither.
    """

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
    work: Decimal | None = None
    pe_nonfacility: Decimal | None = None
    pe_facility: Decimal | None = None
    mp: Decimal | None = None
    mult_proc: int | None = None
    bilateral: int | None = None
    imaging_family: int | None = None
    locality: str = "national"
    gpci: tuple[Decimal, Decimal, Decimal] | None = None

    def total(self, setting: str) -> Decimal | None:
        """Total RVUs at the ``facility`` or ``nonfacility`` rate, or None where the rate is not applicable."""
        return self.facility_total if setting == "facility" else self.nonfacility_total

    def cents(self, setting: str) -> int | None:
        """The fee schedule amount in cents, or None where the rate is not applicable.

        National: total RVUs x CF; in a locality: (work x work GPCI + PE x PE GPCI + MP x MP GPCI) x CF
        (42 CFR 414.26; the PFS Relative Value File's formula), rounded half up to the cent once, at the end.

        Examples
        --------
        >>> row = FeeRow("64483", "", "A", Decimal("7.40"), Decimal("3.32"), 0, "000", Decimal("33.2875"), "RVU24C",
        ...              20240701, 20240930, "src", Decimal("1.90"), Decimal("5.32"), Decimal("1.24"), Decimal("0.18"))
        >>> alabama = (Decimal("1.000"), Decimal("0.869"), Decimal("0.575"))  # GPCI 2024, MAC 10112 locality 00
        >>> row.cents("nonfacility"), row.for_locality("10112:00", alabama).cents("nonfacility")
        (24633, 22058)

        """
        total = self.total(setting)
        if total is None:
            return None
        pe = self.pe_facility if setting == "facility" else self.pe_nonfacility
        if self.gpci is not None and self.work is not None and pe is not None and self.mp is not None:
            total = self.work * self.gpci[0] + pe * self.gpci[1] + self.mp * self.gpci[2]
        return int((total * self.conv_factor * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))

    def for_locality(self, locality: str, gpci: tuple[Decimal, Decimal, Decimal]) -> FeeRow:
        """The same row priced in the payment locality ``locality`` with its three GPCIs."""
        return replace(self, locality=locality, gpci=gpci)


@dataclass(frozen=True)
class PfsRelease:
    """One quarterly MPFS release: its days, conversion factor, and whether its rows are loaded."""

    name: str
    start: int
    end: int
    conv_factor: Decimal | None
    loaded: bool
    source: str


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
    pctc: int | None = None
    #: The earliest day a CMS row shows the code in use, where its first day is unknown or loosely bounded.
    first_seen: int | None = None


@dataclass(frozen=True)
class AttrRow:
    """One sourced code attribute, true from ``start`` through ``end`` (None: no date known, every day)."""

    code: str
    attribute: str
    value: str
    source: str
    start: int | None = None
    end: int | None = None

    @property
    def dated(self) -> bool:
        """Whether the attribute holds only between dates."""
        return self.start is not None or self.end is not None


@dataclass(frozen=True)
class InclusiveRow:
    """``without`` billed with ``guidance`` is reported as the single code ``with_code``."""

    without: str
    guidance: str
    with_code: str
    source: str


class PtpIndex(Mapping[str, list[PtpRow]]):
    r"""PTP rows by column-1 code, parsed from the table's text only when a code is first asked for.

    The embedded table holds half a million rows; an encounter needs a handful, so rows stay text
    until their column-1 code is looked up. ``pairs(c1)`` gives them by column-2 code.

    Examples
    --------
    >>> idx = PtpIndex("column_1,column_2,effective_date,deletion_date,modifier_indicator,ptp_edit_rationale\n"
    ...                "20610,76000,,9999-12-31,1,Misuse\n", "2024Q3", "src")
    >>> [(p.column_2, p.deletion) for p in idx["20610"]], list(idx.pairs("20610"))
    ([('76000', 99991231)], ['76000'])

    """

    def __init__(self, text: str, quarter: str, source: str) -> None:
        self.text, self.quarter, self.source = text, quarter, source
        self.text = text[text.index("\n") + 1:]
        if not self.text.endswith("\n"):
            self.text += "\n"
        # rows are sorted by column 1: one match per column-1 code spans all of its lines
        self.spans: dict[str, tuple[int, int]] = {
            m.group(1): m.span() for m in re.finditer(r"^([^,\n]+),.*\n(?:\1,.*\n)*", self.text, re.MULTILINE)}
        self.count = self.text.count("\n")
        self._rows: dict[str, list[PtpRow]] = {}
        self._pairs: dict[str, dict[str, list[PtpRow]]] = {}
        self._rationales: dict[str, str] = {}

    def __getitem__(self, code: str) -> list[PtpRow]:
        rows = self._rows.get(code)
        if rows is None:
            a, b = self.spans[code]
            rows = self._rows[code] = [self._row(r) for r in csv.reader(io.StringIO(self.text[a:b]))]
        return rows

    def _row(self, r: list[str]) -> PtpRow:
        rationale = self._rationales.setdefault(r[5], r[5])
        return PtpRow(r[0], r[1], date_number(r[2]), date_number(r[3], default=OPEN_END) or OPEN_END, int(r[4]),
                      rationale, self.quarter, self.source)

    def pairs(self, code: str) -> Mapping[str, list[PtpRow]]:
        """The rows of column-1 ``code`` by column-2 code (empty when it has none).

        Only the column-2 codes are read at first (a code may have a thousand rows, an encounter needs a
        few): a pair's rows are parsed when they are first asked for.
        """
        got = self._pairs.get(code)
        if got is None:
            got = self._pairs[code] = _Pairs(self, code)
        return got

    def __iter__(self) -> Iterator[str]:
        return iter(self.spans)

    def __len__(self) -> int:
        return len(self.spans)

    def __contains__(self, code: object) -> bool:
        return code in self.spans


class _Pairs(Mapping[str, list[PtpRow]]):
    """The PTP rows of one column-1 code by column-2 code, each pair parsed on first use.

    A pair's lines are kept as one text (a string is no object the garbage collector has to visit; a code
    may have a thousand pairs).
    """

    def __init__(self, index: PtpIndex, code: str) -> None:
        self.index = index
        self.lines: dict[str, str] = {}
        span = index.spans.get(code)
        if span is not None:
            lines = self.lines
            for line in index.text[span[0]:span[1]].split("\n")[:-1]:  # the span ends with a line end
                c2 = line.split(",", 2)[1]
                lines[c2] = f"{lines[c2]}{line}\n" if c2 in lines else f"{line}\n"
        self.rows: dict[str, list[PtpRow]] = {}

    def __getitem__(self, column_2: str) -> list[PtpRow]:
        rows = self.rows.get(column_2)
        if rows is None:
            rows = self.rows[column_2] = [self.index._row(r) for r in csv.reader(io.StringIO(self.lines[column_2]))]
        return rows

    def __iter__(self) -> Iterator[str]:
        return iter(self.lines)

    def __len__(self) -> int:
        return len(self.lines)

    def keys(self) -> KeysView[str]:  # type: ignore[override]
        """The column-2 codes (a set view: ``wanted & pairs.keys()``)."""
        return self.lines.keys()


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
    #: ``(missing, used)`` when the release in force on the date is not loaded and an earlier one of its year prices.
    fee_prior: tuple[str, str] | None = None


def _rows(name: str) -> Iterator[dict[str, str]]:
    with resources.files("fluorologic.data").joinpath(name).open(encoding="utf-8", newline="") as fh:
        yield from csv.DictReader(fh)


def _gz_text(name: str) -> str:
    return gzip.decompress(resources.files("fluorologic.data").joinpath(name).read_bytes()).decode("utf-8")


def quarter_end(day: int) -> int:
    """The last day of the quarter of ``day`` (``20251001`` -> ``20251231``)."""
    year, month = day // 10000, day // 100 % 100
    last = (month - 1) // 3 * 3 + 3
    return year * 10000 + last * 100 + (31 if last in (3, 12) else 30)


def _decimal(text: str) -> Decimal | None:
    return Decimal(text) if text.strip() else None


class RuleData:
    """All rule rows in memory, indexed by code; :meth:`select` returns the rows for one encounter."""

    def __init__(self, *, codes: Iterable[CodeRow], attrs: Iterable[AttrRow], ptp: Iterable[PtpRow] | PtpIndex,
                 mue: Iterable[MueRow], aoc: Iterable[AocRow], inclusive: Iterable[InclusiveRow],
                 fees: Iterable[FeeRow], label: str = "embedded", first_day: int | None = None,
                 releases: Iterable[PfsRelease] = (),
                 gpci: Mapping[tuple[int, str], tuple[Decimal, Decimal, Decimal]] | None = None) -> None:
        self.label = label
        self.as_of: str | None = None
        self.codes = {r.code: r for r in codes}
        self.attrs: dict[str, list[AttrRow]] = defaultdict(list)
        for a in attrs:
            self.attrs[a.code].append(a)
        self.ptp_by_col1: Mapping[str, list[PtpRow]]
        if isinstance(ptp, PtpIndex):
            self.ptp_by_col1 = ptp
        else:
            by_col1: dict[str, list[PtpRow]] = defaultdict(list)
            for p in ptp:
                by_col1[p.column_1].append(p)
            self.ptp_by_col1 = by_col1
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
        self.first_day = first_day
        self.releases = sorted(releases, key=lambda r: r.start)
        self.gpci = dict(gpci or {})

    @classmethod
    @functools.cache
    def embedded(cls) -> RuleData:
        """The sourced rule data that ships inside the package (see ``fluorologic/data/README.md``)."""
        try:
            tables = {r["table"]: r for r in _rows("tables.csv")}
            ptp = tables["ptp_practitioner"]
            releases = [PfsRelease(r["release"], date_number(r["date_start"]) or 0, date_number(r["date_end"]) or 0,
                                   _decimal(r["conv_factor"]), r["loaded"] == "yes", r["source"])
                        for r in _rows("pfs_releases.csv")]
            return cls(
                codes=[CodeRow(r["code"], r["kind"], r["target"], r["description"], date_number(r["effective_date"]),
                               date_number(r["deletion_date"]), r["source"],
                               int(r["pctc_ind"]) if r["pctc_ind"].strip() else None,
                               date_number(r.get("first_seen") or "")) for r in _rows("codes.csv")],
                attrs=[AttrRow(r["code"], r["attribute"], r["value"], r["source"], date_number(r["effective_date"]),
                               date_number(r["deletion_date"])) for r in _rows("code_attributes.csv")],
                ptp=PtpIndex(_gz_text("ptp_practitioner.csv.gz"), ptp["quarter"], ptp["source"]),
                mue=[MueRow(r["hcpcs_code"], int(r["mue_value"]), int(r["mai"]), r["mai_text"], r["mue_rationale"],
                            date_number(r["effective_date"]) or 0, r["quarter"], r["source"])
                     for r in _rows("mue_practitioner.csv")],
                aoc=[AocRow(r["primary_code"], r["add_on_code"], int(r["aoc_edit_type"]), r["quarter"], r["source"],
                            date_number(r.get("effective_date") or ""), date_number(r.get("deletion_date") or ""))
                     for r in _rows("aoc.csv")],
                inclusive=[InclusiveRow(r["without_code"], r["guidance_code"], r["with_code"], r["source"])
                           for r in _rows("imaging_inclusive.csv")],
                fees=_fee_rows(releases),
                first_day=date_number(tables["codes"]["first_day"]),
                releases=releases,
                gpci=_gpci_rows(),
            )
        except (KeyError, ValueError, ArithmeticError) as exc:
            raise DataError(f"embedded rule data is malformed: {exc}") from exc

    def candidate_codes(self, codes: Iterable[str]) -> set[str]:
        """The encounter's codes plus every code the rules may add (right guidance code, "with imaging" code)."""
        found = set(codes)
        found.update(self._always())
        inclusive = self.inclusive
        for c in list(found):
            rows = inclusive.get(c)
            if rows:
                found.update(i.with_code for i in rows)
        return found

    def _always(self) -> tuple[str, ...]:
        """The guidance codes and the "with imaging" codes they give: candidates of every encounter."""
        cached = self.__dict__.get("_always_codes")
        if cached is None:
            found = set(self.guidance_codes)
            for c in self.guidance_codes:
                found.update(i.with_code for i in self.inclusive.get(c, ()))
            cached = self.__dict__["_always_codes"] = tuple(sorted(found))
        return cached

    def select(self, codes: Iterable[str], dos: int) -> Selection:
        """Rows involving ``codes`` (plus candidates); fees only from the PFS release in force on ``dos``."""
        wanted = self.candidate_codes(codes)
        sel = Selection()
        price_day, sel.fee_prior = self.fee_day(dos)
        price_period = self._period(price_day)
        known, attrs, mue, aoc_by_addon, inclusive = self.codes, self.attrs, self.mue, self.aoc_by_addon, self.inclusive
        for c in sorted(wanted):
            row = known.get(c)
            if row is not None:
                sel.codes.append(row)
            found = attrs.get(c)
            if found:
                sel.attrs.extend(found)
            sel.ptp.extend(self._ptp_between(c, wanted))
            found = mue.get(c)
            if found:
                sel.mue.extend(found)
            if aoc_by_addon.get(c):
                sel.addons.add(c)
                sel.aoc.extend(self._aoc_with(c, wanted))
            found = inclusive.get(c)
            if found:
                sel.inclusive.extend(i for i in found if i.guidance in wanted)
            sel.fees.extend(self._fees_on(c, price_day, price_period))
        return sel

    def _aoc_with(self, add_on: str, wanted: set[str]) -> list[AocRow]:
        """The add-on edits of ``add_on`` whose primary is in ``wanted`` or contractor-defined, in table order.

        An add-on code may list a hundred primaries (77002: 75): they are indexed once by primary.

        >>> [a.primary for a in RuleData.embedded()._aoc_with("77002", {"20610", "27093"})]
        ['20610', '27093']
        """
        memo = self._memo("_aoc_memo")
        index = memo.get(add_on)
        if index is None:
            by_primary: dict[str, list[int]] = defaultdict(list)
            for i, a in enumerate(self.aoc_by_addon.get(add_on, ())):
                by_primary[a.primary].append(i)
            index = memo[add_on] = {p: tuple(found) for p, found in by_primary.items()}
        at = [i for p in wanted if p in index for i in index[p]]
        if "CCCCC" not in wanted:
            at.extend(index.get("CCCCC", ()))
        rows = self.aoc_by_addon[add_on]
        return [rows[i] for i in sorted(at)]

    def _period(self, day: int) -> int:
        """The fee period of ``day``: days of one period see the same fee rows and releases (:meth:`fee_bounds`)."""
        bounds = self.__dict__.get("_fee_bounds")
        if bounds is None:  # the rows never change after loading; a store's own bounds are not these rows'
            bounds = self.__dict__["_fee_bounds"] = RuleData.fee_bounds(self)
        return bisect.bisect_right(bounds, day)

    def _memo(self, name: str) -> dict[Any, Any]:
        """A memo of answers that depend only on the loaded rows and a fee period (kept for the data's life)."""
        memo = self.__dict__.get(name)
        if memo is None:
            memo = self.__dict__.setdefault(name, {})
        return memo

    def _fees_on(self, code: str, day: int, period: int | None = None) -> tuple[FeeRow, ...]:
        """The fee rows of ``code`` in force on ``day`` (``period``: the day's :meth:`_period`)."""
        rows = self.fees.get(code)
        if not rows:
            return ()
        memo = self._memo("_fees_memo")
        key = (code, self._period(day) if period is None else period)
        found = memo.get(key)
        if found is None:
            found = memo[key] = tuple(f for f in rows if f.start <= day <= f.end)
        return found

    def fee_day(self, dos: int) -> tuple[int, tuple[str, str] | None]:
        """The day whose fee rows price ``dos``, and ``(missing, used)`` when that is an earlier release's.

        A release that is not loaded (RVU24D, RVU25B) is priced from the latest loaded release of the same
        year that starts before it; with none, no fee applies (a day no row covers).

        Examples
        --------
        >>> RuleData.embedded().fee_day(20241115)
        (20240930, ('RVU24D', 'RVU24C'))
        >>> RuleData.embedded().fee_day(20240815)
        (20240815, None)

        """
        memo = self._memo("_fee_day_memo")
        key = (self._period(dos), dos // 10000)  # the release missing on the day, and the year's earlier ones
        found = memo.get(key)
        if found is None:
            found = memo[key] = self._earlier_release(dos)
        return (dos, None) if found is _NOT_MISSING else found

    def _earlier_release(self, dos: int) -> tuple[int, tuple[str, str] | None]:
        """:meth:`fee_day` of a day in a release that is not loaded; ``_NOT_MISSING`` for a day of a loaded one."""
        missing = next((r for r in self.releases if r.start <= dos <= r.end and not r.loaded), None)
        if missing is None:
            return _NOT_MISSING
        year = dos // 10000
        earlier = [r for r in self.releases if r.loaded and r.start < missing.start and r.start // 10000 == year]
        if not earlier:
            return 0, None
        return earlier[-1].end, (missing.name, earlier[-1].name)

    def indicator_row(self, code: str, dos: int) -> FeeRow | None:
        """The PFS row whose bilateral, multiple-procedure and imaging-family indicators apply to ``code`` on ``dos``.

        The global row in force (else its first row in force); on a date no loaded release prices, the
        nearest release's (the latest before the date, else the earliest after): the indicators are the
        code's payment policy, which a release without rows here does not change as far as is known.

        Examples
        --------
        >>> row = RuleData.embedded().indicator_row("64483", 20260310)
        >>> row.release, row.bilateral, row.mult_proc
        ('RVU25D', 1, 2)

        """
        rows = self.fees.get(code, ())
        if not rows:
            return None
        memo = self._memo("_indicator_memo")
        key = (code, self._period(dos))
        if key not in memo:
            memo[key] = self._indicator_row(rows, dos)
        return memo[key]

    def _indicator_row(self, rows: list[FeeRow], dos: int) -> FeeRow:
        day, _ = self.fee_day(dos)
        in_force = [f for f in rows if f.start <= day <= f.end]
        if not in_force:
            before = [f for f in rows if f.end < dos]
            in_force = [max(before, key=lambda f: f.end)] if before else [min(rows, key=lambda f: f.start)]
            in_force = [f for f in rows if f.release == in_force[0].release]
        return next((f for f in in_force if f.mod == ""), in_force[0])

    def fee_bounds(self) -> list[int]:
        """The days on which the fee rows in force (or the release missing) change: the fee periods' bounds."""
        bounds = {d for r in self.releases for d in (r.start, r.end + 1)}
        bounds.update(d for rows in self.fees.values() for f in rows for d in (f.start, f.end + 1))
        return sorted(bounds)

    def locality_gpci(self, locality: str | None, dos: int) -> tuple[Decimal, Decimal, Decimal] | None:
        """The work, PE and MP GPCIs of ``locality`` (``MAC:locality``) in the year of ``dos``, if loaded."""
        if not locality:
            return None
        return self.gpci.get((dos // 10000, locality))

    def _ptp_between(self, code: str, wanted: set[str]) -> Iterator[PtpRow]:
        """The PTP rows with column 1 ``code`` and column 2 in ``wanted``."""
        if isinstance(self.ptp_by_col1, PtpIndex):
            pairs = self.ptp_by_col1.pairs(code)
            for c2 in sorted(wanted & pairs.keys()):
                yield from pairs[c2]
        else:
            yield from (p for p in self.ptp_by_col1.get(code, ()) if p.column_2 in wanted)

    def pctc(self, code: str, dos: int) -> int | None:
        """The PC/TC indicator of the global PFS row in force on ``dos`` (else the latest), else the code table's.

        The code table's is the newest PPRRVU release that lists the code.

        >>> RuleData.embedded().pctc("77003", 20240815), RuleData.embedded().pctc("27506", 20240815)
        (1, 0)
        """
        memo = self._memo("_pctc_memo")
        key = (code, self._period(dos))
        if key in memo:
            return memo[key]
        rows = [f for f in self.fees.get(code, ()) if f.mod == ""]
        in_force = [f for f in rows if f.start <= dos <= f.end] or sorted(rows, key=lambda f: f.start)[-1:]
        if in_force:
            found = in_force[0].pctc
        else:
            row = self.codes.get(code)
            found = row.pctc if row is not None else None
        memo[key] = found
        return found

    def coverage(self) -> tuple[int, int]:
        """The first day the loaded data is dated from and the last day of its newest quarter.

        A date of service before the first, or more than a year after the last, is one no loaded data
        covers (``rules_not_in_force``).
        """
        cached = self.__dict__.get("_coverage")
        if cached is not None:  # the rows never change after loading
            return cached
        starts = [m.effective for rows in self.mue.values() for m in rows if m.effective]
        starts += [f.start for rows in self.fees.values() for f in rows if f.start]
        starts += [d for d in map(_quarter_start, self.quarters()) if d]
        first = self.first_day or 0  # without a dated history, no lower bound is known
        found = first, quarter_end(max(starts)) if starts else OPEN_END  # nor, without dated rows, an upper one
        self.__dict__["_coverage"] = found
        return found

    def quarters(self) -> list[str]:
        """The NCCI quarters of the loaded PTP table."""
        if isinstance(self.ptp_by_col1, PtpIndex):
            return [self.ptp_by_col1.quarter]
        return sorted({p.quarter for rows in self.ptp_by_col1.values() for p in rows})

    def forced(self, quarter: str) -> RuleData:
        """The same data, decided as of ``quarter`` (``--as-of-quarter``): its MUE rows apply on every date of service.

        Examples
        --------
        >>> RuleData.embedded().forced("2024Q3").select({"77002"}, 20240501).mue[0].effective
        0

        """
        out = object.__new__(type(self))
        out.__dict__.update(self.__dict__)
        out.__dict__.pop("_coverage", None)  # its MUE rows are dated otherwise
        out.as_of = quarter
        out.label = f"{self.label} as of {quarter}"
        out.mue = {c: [MueRow(m.code, m.value, m.mai, m.mai_text, m.rationale, 0, m.quarter, m.source) for m in rows]
                   for c, rows in self.mue.items()}
        return out

    def describe(self) -> dict[str, Any]:
        """What is loaded: row counts, quarters, the code count and the dates of service the data covers."""
        if isinstance(self.ptp_by_col1, PtpIndex):
            ptp_rows = self.ptp_by_col1.count
        else:
            ptp_rows = sum(len(rows) for rows in self.ptp_by_col1.values())
        first, last = self.coverage()
        dated = [c for c in self.codes.values() if c.effective or c.deletion]
        return {
            "store": self.label,
            "ptp_rows": ptp_rows,
            "ptp_quarters": self.quarters(),
            "mue_rows": sum(len(v) for v in self.mue.values()),
            "aoc_rows": sum(len(v) for v in self.aoc_by_addon.values()),
            "pfs_releases": sorted({f.release for rows in self.fees.values() for f in rows}),
            "codes": len(self.codes),
            "codes_dated": len(dated),
            "covers": {"from": _iso(first), "newest_quarter_end": _iso(last)},
        }


def _iso(n: int) -> str:
    return f"{n // 10000:04d}-{n // 100 % 100:02d}-{n % 100:02d}"


def _quarter_start(quarter: str) -> int | None:
    """``'2024Q3'`` -> ``20240701`` (None for a label that is not a quarter)."""
    m = re.fullmatch(r"(\d{4})Q([1-4])", quarter)
    return int(m.group(1)) * 10000 + ((int(m.group(2)) - 1) * 3 + 1) * 100 + 1 if m else None


def _int(text: str) -> int | None:
    return int(text) if text.strip().isdigit() else None


def _fee_rows(releases: list[PfsRelease]) -> list[FeeRow]:
    """The embedded PPRRVU rows, one per code, modifier and loaded release (``pfs_rvu.csv.gz``)."""
    loaded = [r for r in releases if r.loaded]
    index = {r.name: i for i, r in enumerate(loaded)}
    decimals: dict[str, Decimal] = {}

    def dec(text: str) -> Decimal | None:
        if not text.strip():
            return None
        got = decimals.get(text)
        if got is None:
            got = decimals[text] = Decimal(text)
        return got

    out = []
    for r in csv.DictReader(io.StringIO(_gz_text("pfs_rvu.csv.gz"))):
        shared = {
            "code": r["hcpcs"], "mod": r["mod"], "status": r["status_code"],
            "nonfacility_total": None if r["non_fac_na_indicator"] == "NA" else dec(r["non_facility_total"]),
            "facility_total": None if r["facility_na_indicator"] == "NA" else dec(r["facility_total"]),
            "pctc": _int(r["pctc_ind"]), "glob_days": r["glob_days"], "work": dec(r["work_rvu"]),
            "pe_nonfacility": dec(r["non_fac_pe_rvu"]), "pe_facility": dec(r["facility_pe_rvu"]),
            "mp": dec(r["mp_rvu"]), "mult_proc": _int(r["mult_proc"]), "bilateral": _int(r["bilat_surg"]),
            "imaging_family": _int(r["diag_imaging_family_ind"])}
        for rel in loaded[index[r["first_release"]]:index[r["last_release"]] + 1]:
            out.append(FeeRow(**shared, conv_factor=rel.conv_factor or Decimal(0), release=rel.name, start=rel.start,
                              end=rel.end, source=rel.source))
    return out


def _gpci_rows() -> dict[tuple[int, str], tuple[Decimal, Decimal, Decimal]]:
    """The GPCIs by (year, ``MAC:locality``) (``pfs_gpci.csv``)."""
    return {(int(r["year"]), f"{r['mac']}:{r['locality']}"): (Decimal(r["pw_gpci"]), Decimal(r["pe_gpci"]),
                                                              Decimal(r["mp_gpci"])) for r in _rows("pfs_gpci.csv")}
