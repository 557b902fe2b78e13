r"""X12 837P (4010 X098A1, 5010 X222A1, X222A2) and 837I (4010 X096A1, 5010 X223A1-A3) in: one encounter per claim.

What an 837I reads differently (SV2, the facility type code) is in :mod:`fluorologic.claims.x12_institutional`.

The interchange is tokenised and its envelopes are checked by pyx12 (:class:`pyx12.x12file.X12Reader`: the
delimiters come from the ISA segment, and ST/SE, GS/GE and ISA/IEA control numbers and counts and the HL
numbering are verified); this module walks the segments it yields and maps the few loops fluorologic needs
(docs/claims.md gives the map and says why pyx12's map-driven walker is not used):

* 2000B/2000C ``HL`` and 2010BB ``NM1*PR``: the payer; 2300 ``CLM``: the claim id (CLM01), the charge (CLM02)
  and the place of service (CLM05-1); ``HI``: the diagnoses; 2310B ``NM1*82``: the rendering NPI;
* 2400 ``LX``, ``SV1`` (SV101 ``HC:code:mod:mod:mod:mod``, SV102 charge, SV104 units, SV105 place of service,
  SV107 diagnosis pointers), ``DTP*472`` (the date of service, overriding the claim's) and ``REF*6R``.

Every claim gives one encounter per date of service (and place of service), or one error record naming
the segment and element at fault; a transaction set whose envelope is broken (a missing SE, a wrong SE01
count, an unknown version) gives an error record for each of its claims, and the rest is still read.

Examples
--------
>>> from pathlib import Path
>>> import pytest
>>> path = Path(__file__).parents[2].parent / "shared/reference/claims/lfh_demo.example1.837"
>>> path.exists() or pytest.skip("needs ../shared/reference/claims (the shared reference files beside the clone)")
True
>>> items = list(read_x12(io.StringIO(path.read_text())))
>>> [(e["encounter_id"], [ln["code"] for ln in e["lines"]]) for e in items][:1]
[('26463774@2006-10-03', ['99213', '87070'])]

"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, TextIO

import pyx12.errors
from pyx12.segment import Segment
from pyx12.x12file import X12Reader

from fluorologic.claims.errors import ClaimError
from fluorologic.claims.x12_institutional import INSTITUTIONAL_VERSIONS, service_line_sv2
from fluorologic.claims.x12_loops import Transaction, X12Claim, X12Line, finish_claim
from fluorologic.claims.x12_segments import SegmentStream, Skipped
from fluorologic.contract.errors import InputError
from fluorologic.contract.places import default_places
from fluorologic.contract.schema import CODE_PATTERN

__all__ = ["VERSIONS", "Interchange", "is_x12", "read_interchange", "read_x12"]

#: The implementation guides read (GS08 / ST03); any other version gives error records.
VERSIONS = ("004010X098A1", "005010X222A1", "005010X222A2")
_CODE_RE = re.compile(CODE_PATTERN)  # the contract's code format
_MOD_RE = re.compile(r"^[0-9A-Z]{2}$")
_DIAGNOSIS_QUALIFIERS = frozenset({"ABK", "ABF", "BK", "BF"})  # ICD-10-CM (5010), ICD-9-CM (4010)
_CLOSES_CLAIM = frozenset({"CLM", "HL", "SE", "GE", "IEA", "ST"})


def _el(seg: Segment, n: int, sub: int = 1) -> str:
    """Element ``n`` (1-based), sub-element ``sub``, of a segment, or "" when absent."""
    elements = seg.elements
    if n > len(elements):
        return ""
    comp = elements[n - 1].elements
    return comp[sub - 1].value if sub <= len(comp) else ""


def _subs(seg: Segment, n: int) -> list[str]:
    """The sub-elements of element ``n`` (1-based), or [] when absent."""
    return [e.value for e in seg.elements[n - 1].elements] if n <= len(seg.elements) else []


def _date(seg: Segment, pos: int) -> dt.date:
    fmt, text = _el(seg, 2), _el(seg, 3)
    if fmt == "RD8" and "-" in text:
        text = text.split("-", 1)[0]  # a range: its first day
    elif fmt != "D8":
        raise InputError(f"segment {pos} DTP02", f"date format {fmt!r} is not D8 or RD8")
    try:
        return dt.datetime.strptime(text, "%Y%m%d").date()
    except ValueError:
        raise InputError(f"segment {pos} DTP03", f"{text!r} is not a date written CCYYMMDD") from None


def _units(text: str, pos: int) -> int:
    try:
        value = Decimal(text or "1")
    except InvalidOperation:
        raise InputError(f"segment {pos} SV104", f"the units {text!r} are not a number") from None
    if value != value.to_integral_value() or value < 1:
        raise InputError(f"segment {pos} SV104", f"the units {text!r} are not a whole number of at least 1")
    return int(value)


def _service_line(line: X12Line, seg: Segment, pos: int) -> None:
    """Read SV1 into ``line``; raise InputError naming the element at fault."""
    line.sv1 = pos
    comp = _subs(seg, 1)
    if len(comp) < 2 or comp[0] != "HC":
        got = seg.elements[0].format() if seg.elements else ""
        raise InputError(f"segment {pos} SV101", f"must be a composite HC{{sub}}code[{{sub}}modifier...] (a CPT/HCPCS "
                                                 f"procedure); got {got!r}")
    if not _CODE_RE.fullmatch(comp[1]):
        raise InputError(f"segment {pos} SV101-2", f"{comp[1]!r} is not a 5-character CPT/HCPCS code")
    mods = [m for m in comp[2:6] if m]
    for i, mod in enumerate(mods):
        if not _MOD_RE.fullmatch(mod):
            raise InputError(f"segment {pos} SV101-{i + 3}", f"{mod!r} is not a 2-character modifier")
    line.code, line.modifiers = comp[1], mods
    line.charge = _el(seg, 2)
    basis = _el(seg, 3)
    if basis not in ("UN", ""):
        raise InputError(f"segment {pos} SV103", f"unit basis {basis!r}: only UN (units) is read; MJ (minutes) is "
                                                 "anesthesia time")
    line.units = _units(_el(seg, 4), pos)
    line.place = _el(seg, 5) or None
    pointers = []
    for p in _subs(seg, 7):
        if p:
            if not p.isdigit() or not 1 <= int(p) <= 12:
                raise InputError(f"segment {pos} SV107", f"diagnosis pointer {p!r} is not a number from 1 to 12")
            pointers.append(int(p))
    line.pointers = pointers


class _Walker:
    """Walk the segments of one interchange and give its transaction sets and stray envelope errors."""

    def __init__(self) -> None:
        self.tx: Transaction | None = None
        self.group_version: str | None = None
        self.gs_at = 0
        self.hl = ""
        self.payers: dict[str, tuple[str | None, str | None]] = {}
        self.claim: X12Claim | None = None
        self.line: X12Line | None = None
        self.places = default_places()
        self.unterminated = False  # a missing SE was reported: pyx12's "unterminated loop" at GE/IEA says it again
        self.pending: tuple[str, str] | None = None  # a piece not read between two claims: the next claim's error
        self.handlers = {"HL": self._hl, "NM1": self._nm1, "SBR": self._sbr, "CLM": self._clm, "HI": self._hi,
                         "DTP": self._dtp, "LX": self._lx, "SV1": self._sv1, "REF": self._ref, "SV2": self._sv2}

    def segment(self, pos: int, seg: Segment, errors: list[Any]) -> Iterator[Transaction | ClaimError]:
        """Take segment ``pos`` and the errors pyx12 found in it; give a transaction set when one closes."""
        sid = seg.seg_id or ""
        if sid in ("ST", "GE", "IEA") and self.tx is not None:  # the open transaction set has no SE
            self.tx.fail(f"segment {pos} {sid}", f"no SE closes transaction set {self.tx.control} (ST at segment "
                                                 f"{self.tx.st}) before this {sid}")
            yield self._close(pos)
            self.unterminated = True
        if self.unterminated and sid in ("GE", "IEA"):
            errors = [e for e in errors if (e[0], e[1]) not in (("gs", "3"), ("isa", "024"))]
            self.unterminated = self.unterminated and sid == "GE"
        if sid == "ST":
            self._open(pos, seg)
        for kind, code, message, _value, _line in errors:
            where = f"segment {pos} {sid}"
            if self.tx is not None:
                self.tx.fail(where, f"{message} (pyx12 {kind} error {code})")
            else:
                yield ClaimError(None, where, f"{message} (pyx12 {kind} error {code})")
        if self.tx is None:
            if sid == "GS":
                self.group_version, self.gs_at = _el(seg, 8), pos
            return
        if sid in _CLOSES_CLAIM:
            self._end_claim(pos)
        handler = self.handlers.get(sid)
        if handler is not None:
            try:
                handler(pos, seg)
            except InputError as err:
                if self.claim is not None:
                    if self.claim.error is None:
                        self.claim.error = ClaimError(self.claim.claim_id, err.field, err.message)
                else:
                    self.tx.fail(err.field, err.message)
        if sid == "SE":
            yield self._close(pos)

    def skipped(self, item: Skipped) -> Iterator[ClaimError]:
        """A piece not read (empty, too long, after the last terminator): an error for the claim that holds it.

        Between two claims, the next claim of the transaction set holds it; outside claims, the transaction set;
        outside transaction sets, it is an error record of its own.
        """
        where, message = f"segment {item.position}", item.message()
        if self.claim is not None:
            if self.claim.error is None:
                self.claim.error = ClaimError(self.claim.claim_id, where, message)
        elif self.tx is not None and self.hl:
            self.pending = self.pending or (where, message)
        elif self.tx is not None:
            self.tx.fail(where, message)
        else:
            yield ClaimError(None, where, message)

    def end(self, pos: int, errors: list[Any]) -> Iterator[Transaction | ClaimError]:
        """At the end of the input: an open transaction set lacks its SE; pyx12's missing trailers."""
        if self.tx is not None:
            self.tx.fail(f"segment {pos} (end of input)", f"no SE closes transaction set {self.tx.control} (ST at "
                                                          f"segment {self.tx.st})")
            yield self._close(pos + 1)
            errors = [e for e in errors if e[0] != "st"]
        for kind, code, message, _value, _line in errors:
            yield ClaimError(None, f"segment {pos} (end of input)", f"{message} (pyx12 {kind} error {code})")

    def _open(self, pos: int, seg: Segment) -> None:
        version = _el(seg, 3) or self.group_version
        self.tx = Transaction(st=pos, control=_el(seg, 2), version=version)
        self.hl, self.payers = "", {}
        if _el(seg, 1) != "837":
            self.tx.fail(f"segment {pos} ST01", f"transaction set {_el(seg, 1)!r} is not an 837")
        elif version not in VERSIONS + INSTITUTIONAL_VERSIONS:
            where = f"segment {pos} ST03" if _el(seg, 3) else f"segment {self.gs_at} GS08"
            self.tx.fail(where, f"version {version!r} is not an 837P or 837I implementation guide fluorologic reads "
                                f"({', '.join(VERSIONS + INSTITUTIONAL_VERSIONS)})")

    def _close(self, pos: int) -> Transaction:
        self._end_claim(pos)
        if self.pending is not None and self.tx is not None:
            self.tx.fail(*self.pending)
        self.pending = None
        tx, self.tx = self.tx, None
        assert tx is not None
        tx.se = pos
        return tx

    def _end_claim(self, pos: int) -> None:
        if self.line is not None:
            self.line.end = pos
            self.line = None
        if self.claim is not None:
            self.claim.end = pos
            finish_claim(self.claim, self.places)
            assert self.tx is not None
            self.tx.claims.append(self.claim)
            self.claim = None

    def _hl(self, _pos: int, seg: Segment) -> None:
        self.hl = _el(seg, 1)
        parent = _el(seg, 2)
        self.payers[self.hl] = self.payers.get(parent, (None, None)) if _el(seg, 3) == "23" else (None, None)

    def _nm1(self, _pos: int, seg: Segment) -> None:
        entity = _el(seg, 1)
        if entity == "PR" and self.claim is None:  # 2010BB: the subscriber's payer
            self.payers[self.hl] = (_el(seg, 9) or None, _el(seg, 3) or None)
        elif (entity == "82" and self.claim is not None and self.line is None
              and not self.claim.in_other_subscriber and _el(seg, 8) == "XX"):  # 2310B rendering provider
            self.claim.rendering_npi = _el(seg, 9) or None

    def _sbr(self, _pos: int, _seg: Segment) -> None:
        if self.claim is not None:
            self.claim.in_other_subscriber = True  # 2320: other payers' loops follow

    def _clm(self, pos: int, seg: Segment) -> None:
        assert self.tx is not None
        payer, name = self.payers.get(self.hl, (None, None))
        self.claim = X12Claim(claim_id=_el(seg, 1), clm=pos, charge=_el(seg, 2), place=_el(seg, 5, 1), payer=payer,
                              payer_name=name, version=self.tx.version or "",
                              institutional=(self.tx.version or "") in INSTITUTIONAL_VERSIONS)
        if self.pending is not None:
            self.claim.error, self.pending = ClaimError(self.claim.claim_id, *self.pending), None
        if not self.claim.claim_id:
            raise InputError(f"segment {pos} CLM01", "the claim has no id (CLM01)")

    def _hi(self, _pos: int, seg: Segment) -> None:
        if self.claim is not None and self.line is None:
            for comp in seg.elements:
                parts = [e.value for e in comp.elements]
                if len(parts) >= 2 and parts[0] in _DIAGNOSIS_QUALIFIERS and parts[1]:
                    self.claim.diagnoses.append(parts[1])

    def _dtp(self, pos: int, seg: Segment) -> None:
        if _el(seg, 1) == "434" and self.claim is not None and self.claim.institutional and self.line is None:
            self.claim.statement = _date(seg, pos)  # 837I statement dates: the claim's date where a line has none
        if _el(seg, 1) != "472" or self.claim is None:
            return
        if self.line is not None:
            self.line.date = _date(seg, pos)
        else:
            self.claim.date = _date(seg, pos)

    def _lx(self, pos: int, seg: Segment) -> None:
        if self.claim is None:
            return
        if self.line is not None:
            self.line.end = pos
        self.line = X12Line(number=len(self.claim.lines) + 1, lx=pos, lx01=_el(seg, 1))
        self.claim.lines.append(self.line)

    def _sv1(self, pos: int, seg: Segment) -> None:
        if self.line is not None:
            _service_line(self.line, seg, pos)

    def _sv2(self, pos: int, seg: Segment) -> None:
        if self.line is not None and self.claim is not None and self.claim.institutional:
            service_line_sv2(self.line, seg, pos)

    def _ref(self, _pos: int, seg: Segment) -> None:
        if self.line is not None and _el(seg, 1) == "6R":
            self.line.ref6r = _el(seg, 2) or None


class _Prefixed:
    """A text stream with its first characters read ahead (pyx12 reads with ``read(n)`` and checks ``closed``)."""

    closed = False

    def __init__(self, head: str, rest: TextIO) -> None:
        self.head, self.rest = head, rest

    def read(self, n: int = -1) -> str:
        if self.head:
            if n < 0:
                out, self.head = self.head + self.rest.read(), ""
                return out
            out, self.head = self.head[:n], self.head[n:]
            return out if len(out) == n else out + self.rest.read(n - len(out))
        return self.rest.read(n)


def is_x12(head: str) -> bool:
    """True when text starts (after a BOM and blank space) with an ISA segment.

    >>> is_x12("\ufeffISA*00*"), is_x12('{"encounter_id": "a"}')
    (True, False)

    """
    return head.lstrip("\ufeff \t\r\n").startswith("ISA")


def _walk(stream: TextIO, terms: list[tuple[str, str, str]] | None = None) -> Iterator[Transaction | ClaimError]:
    """Transaction sets and stray envelope errors of the interchange(s) in ``stream``; never raises on bad input."""
    head = stream.read(4096)
    stripped = head.lstrip("\ufeff \t\r\n")
    try:
        reader = X12Reader(_Prefixed(stripped, stream))  # type: ignore[arg-type]
    except pyx12.errors.X12Error as exc:
        yield ClaimError(None, "segment 1 ISA", f"not a readable X12 interchange: {exc}")
        return
    if terms is not None:
        terms.append((reader.seg_term or "~", reader.ele_term or "*", reader.subele_term or ":"))
    segments = SegmentStream(reader.raw.fd, reader.raw.seg_term, head=reader.raw.buffer)
    reader.raw = segments  # type: ignore[assignment]  # pyx12's own loop stops at "~~" and past 8 KB
    walker = _Walker()
    pos = 0
    try:
        for seg in reader:
            for item in segments.take_skipped():
                reader.seg_count += item.reason == "too_long"  # a segment the sender counted in SE01, not read
                yield from walker.skipped(item)
            pos = segments.position
            yield from walker.segment(pos, seg, reader.pop_errors())
        for item in segments.take_skipped():
            yield from walker.skipped(item)
        pos = segments.position
        reader.cleanup()
        yield from walker.end(pos, reader.pop_errors())
    except Exception as exc:  # the boundary (pyx12's X12Error on a second ISA, or a shape not foreseen): no crash
        yield from walker.end(pos, [])
        yield ClaimError(None, f"segment {pos + 1}", f"the interchange cannot be read past this segment: "
                                                     f"{exc or type(exc).__name__}")


def read_x12(stream: TextIO) -> Iterator[dict[str, Any] | ClaimError]:
    """The encounters (contract dicts, ``claim`` and ``line_id`` filled) and error records of an 837P, in order.

    Examples
    --------
    >>> isa = ("ISA*00*" + " " * 10 + "*00*" + " " * 10 + "*ZZ*A" + " " * 14 + "*ZZ*B" + " " * 14
    ...        + "*240801*1200*^*00599*000000001*0*P*:~")
    >>> [e.field for e in read_x12(io.StringIO(isa))]
    ['segment 1 ISA']

    """
    for item in _walk(stream):
        if isinstance(item, Transaction):
            yield from item.items()
        else:
            yield item


@dataclass
class Interchange:
    """A whole 837P file as read for correcting it: its raw segments, delimiters and transaction sets."""

    text: str
    terms: tuple[str, str, str]
    segments: list[tuple[str, str]]
    tail: str
    transactions: list[Transaction]
    errors: list[ClaimError]

    def items(self) -> Iterator[dict[str, Any] | ClaimError]:
        """The encounters and error records, as :func:`read_x12` gives them."""
        yield from self.errors
        for tx in self.transactions:
            yield from tx.items()


def read_interchange(text: str) -> Interchange:
    r"""Read a whole 837P for :func:`fluorologic.claims.fix.fix_interchange`: raw segments kept byte for byte.

    Examples
    --------
    >>> ic = read_interchange("ISA*00*" + " " * 10 + "*00*" + " " * 10 + "*ZZ*A" + " " * 14 + "*ZZ*B" + " " * 14
    ...                       + "*240801*1200*^*00501*000000001*0*P*:~\nIEA*0*000000001~\n")
    >>> ic.terms, [body[:3] for _, body in ic.segments], ic.tail, ic.errors
    (('~', '*', ':'), ['ISA', 'IEA'], '\n', [])

    """
    terms: list[tuple[str, str, str]] = []
    transactions: list[Transaction] = []
    errors: list[ClaimError] = []
    for item in _walk(io.StringIO(text), terms):
        (transactions if isinstance(item, Transaction) else errors).append(item)  # type: ignore[arg-type]
    seg_term = terms[0][0] if terms else "~"
    body_start = len(text) - len(text.lstrip("\ufeff \t\r\n"))
    parts = text[body_start:].split(seg_term)
    segments: list[tuple[str, str]] = []  # every piece, an empty one too: positions are the reader's
    for part in parts[:-1]:
        body = part.lstrip("\n\r")
        segments.append((part[: len(part) - len(body)], body))
    tail = parts[-1]
    if segments:
        segments[0] = (text[:body_start] + segments[0][0], segments[0][1])
    return Interchange(text=text, terms=terms[0] if terms else ("~", "*", ":"), segments=segments, tail=tail,
                       transactions=transactions, errors=errors)
