r"""X12 835 (5010 X221A1) in: the payer's answer, claim by claim and service line by service line.

The remittance is walked with pyx12's map-driven reader (:class:`pyx12.x12context.X12ContextReader` on pyx12's
own ``835.5010.X221.A1`` map), which places every segment in its loop and checks the envelopes and elements;
this module keeps what reconciliation needs:

* 2100 ``CLP`` (CLP01 the provider's claim id = the 837P CLM01, CLP02 status, CLP03 charge, CLP04 payment),
  its ``CAS`` (claim-level adjustments), ``MOA`` / ``MIA`` remark codes and ``DTM`` dates;
* 2110 ``SVC`` (SVC01 ``HC:code:mod...`` as paid, SVC02 charge, SVC03 payment, SVC05 units, SVC06 the code as
  submitted when the payer changed it, SVC07 the units as submitted), its ``CAS``, ``REF*6R`` (the line item
  control number of the claim), ``LQ*HE`` (remark codes, RARC), ``DTM*472`` / ``150`` (the date of service)
  and ``AMT*B6`` (the allowed amount);
* ``PLB`` provider-level adjustments (kept and reported; they belong to no claim line).

Several interchanges (ISA/IEA) may follow one another, and a file of bare transaction sets (``ST``..``SE``
with no ISA/GS envelope, as some payers' portals hand them out) is read inside a synthetic envelope
(``005010X221A1``) that fluorologic adds around them: such a file says so in :attr:`Remittance.notes`, and
segment positions always count the file's own segments. What cannot be read names its segment and element
(``segment 14 SVC03``) and the rest of the file is still read; what pyx12's map finds wrong but does not stop
the reading is a warning.

Examples
--------
>>> text = ("ST*835*1~BPR*I*80*C*CHK************20240901~TRN*1*1*1~N1*PR*MEDICARE~N1*PE*CLINIC*XX*1~LX*1~"
...         "CLP*C1*1*200*80**MB*P1~SVC*HC:20610:LT*200*80**1~DTM*472*20240814~CAS*CO*45*120~REF*6R*1~SE*11*1~")
>>> remit = read_835(text)
>>> line = remit.claims[0].lines[0]
>>> line.code, line.modifiers, line.paid, [(a.group, a.reason, a.amount) for a in line.adjustments], line.ref6r
('20610', ['LT'], 80.0, [('CO', '45', 120.0)], '1')
>>> remit.notes
['no ISA/GS envelope: the transaction sets were read inside a synthetic 005010X221A1 envelope']

"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import pyx12.error_handler
import pyx12.params
import pyx12.x12context
from pyx12.segment import Segment

from fluorologic.claims.errors import ClaimError

__all__ = ["Adjustment", "ProviderAdjustment", "RemitClaim", "RemitLine", "Remittance", "is_835",
           "read_835"]

_SYNTHETIC_VERSION = "005010X221A1"
_CAS_GROUPS = frozenset({"CO", "PR", "OA", "PI", "CR"})
_CODE_RE = re.compile(r"^[0-9A-Z]{5}$")
_MOD_RE = re.compile(r"^[0-9A-Z]{2}$")


@dataclass(frozen=True)
class Adjustment:
    """One CAS adjustment: group (CO, PR, OA, PI, CR), reason (the CARC), amount and units."""

    group: str
    reason: str
    amount: float
    units: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """The contract's ``{group, reason, amount, units}``."""
        return {"group": self.group, "reason": self.reason, "amount": self.amount, "units": self.units}


@dataclass
class RemitLine:
    """A 2110 service line as the payer reports it."""

    segment: int
    code: str = ""
    modifiers: list[str] = field(default_factory=list)
    submitted_code: str | None = None
    submitted_modifiers: list[str] | None = None
    billed: float = 0.0
    paid: float = 0.0
    units: float = 1.0
    submitted_units: float | None = None
    date: dt.date | None = None
    ref6r: str | None = None
    allowed: float | None = None
    adjustments: list[Adjustment] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)
    error: ClaimError | None = None

    @property
    def payer_allowed(self) -> float:
        """What the payer allowed: AMT*B6 when given, else the payment plus the patient's share and sequestration."""
        if self.allowed is not None:
            return self.allowed
        shares = sum(a.amount for a in self.adjustments if a.group == "PR" or a.reason == "253")
        return round(self.paid + shares, 2)

    @property
    def billed_code(self) -> str:
        """The code as submitted (SVC06 when the payer changed it, else SVC01)."""
        return self.submitted_code or self.code

    @property
    def billed_modifiers(self) -> list[str]:
        """The modifiers as submitted (SVC06 when the payer changed the code, else SVC01)."""
        return self.submitted_modifiers if self.submitted_code else self.modifiers


@dataclass
class RemitClaim:
    """A 2100 claim payment: CLP, its claim-level CAS, remarks and dates, and its service lines."""

    segment: int
    claim_id: str
    status: str = ""
    billed: float = 0.0
    paid: float = 0.0
    patient_responsibility: float = 0.0
    payer_claim_id: str = ""
    transaction: str = ""
    date: dt.date | None = None
    adjustments: list[Adjustment] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)
    lines: list[RemitLine] = field(default_factory=list)


@dataclass(frozen=True)
class ProviderAdjustment:
    """One PLB adjustment (PLB03-1 reason, PLB03-2 reference, PLB04 amount): kept, reported, never matched."""

    segment: int
    provider: str
    date: dt.date | None
    reason: str
    reference: str
    amount: float

    def to_dict(self) -> dict[str, Any]:
        """The adjustment as JSON-ready values."""
        return {"segment": self.segment, "provider": self.provider,
                "date": self.date.isoformat() if self.date else None, "reason": self.reason,
                "reference": self.reference, "amount": self.amount}


@dataclass
class Remittance:
    """What an 835 file says: claims, provider adjustments, errors (unread parts) and warnings (pyx12 findings)."""

    claims: list[RemitClaim] = field(default_factory=list)
    provider_adjustments: list[ProviderAdjustment] = field(default_factory=list)
    errors: list[ClaimError] = field(default_factory=list)
    warnings: list[ClaimError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def lines(self) -> list[tuple[RemitClaim, RemitLine]]:
        """Every readable service line with its claim, in file order."""
        return [(c, ln) for c in self.claims for ln in c.lines if ln.error is None]


def is_835(head: str) -> bool:
    """True when text starts (after a BOM and blank space) with an ISA segment or an 835 ST segment.

    >>> is_835("ISA*00*"), is_835("ST*835*0001~"), is_835("ST*837*1~")
    (True, True, False)

    """
    text = head.lstrip("\ufeff \t\r\n")
    return text.startswith("ISA") or (len(text) > 6 and text.startswith("ST") and text[3:6] == "835")


class _Collect(pyx12.error_handler.errh_list):
    """pyx12's list of errors, drained after each segment into ``(refdes, message)`` pairs."""

    def drain(self) -> list[tuple[str | None, str]]:
        out: list[tuple[str | None, str]] = []
        for code, text in self.err_isa + self.err_gs + self.err_st:
            out.append((None, f"{text} (pyx12 error {code})"))
        for code, text, _value in self.err_seg:
            out.append((None, f"{text} (pyx12 error {code})"))
        for code, text, _value, refdes in self.err_ele:
            out.append((refdes, f"{text} (pyx12 error {code})"))
        self.reset()
        return out


@dataclass
class _Chunk:
    """One interchange of the file (or bare transaction sets in a synthetic envelope) and where it starts."""

    text: str
    first: int  # the file position (1-based) of its first own segment
    synthetic: bool


def _delimiters(text: str) -> tuple[str, str, str]:
    """Element separator, sub-element separator and segment terminator of an 835 text."""
    if text.startswith("ISA") and len(text) >= 106:
        return text[3], text[104], text[105]
    ele = text[2] if len(text) > 2 else "*"
    m = re.match(rf"ST{re.escape(ele)}[0-9A-Za-z{re.escape(ele)}]*", text)
    term = text[m.end()] if m and m.end() < len(text) else "~"
    sub_m = re.search(rf"SVC{re.escape(ele)}[A-Z]{{2}}([^0-9A-Za-z])", text)
    return ele, sub_m.group(1) if sub_m else ":", term


def _segments(text: str, term: str) -> list[str]:
    return [s.strip("\r\n") for s in text.split(term) if s.strip("\r\n \t")]


def _chunks(text: str) -> tuple[list[_Chunk], tuple[str, str, str]]:
    """The interchanges of the file; bare transaction sets wrapped in a synthetic envelope."""
    ele, sub, term = _delimiters(text)
    segs = _segments(text, term)
    chunks: list[_Chunk] = []
    start = 0
    for i in range(1, len(segs) + 1):
        if i == len(segs) or segs[i].startswith("ISA" + ele):
            group = segs[start:i]
            if group:
                chunks.append(_wrap(group, start + 1, ele, sub, term))
            start = i
    return chunks, (ele, sub, term)


def _wrap(group: list[str], first: int, ele: str, sub: str, term: str) -> _Chunk:
    if group[0].startswith("ISA" + ele):
        return _Chunk(term.join(group) + term, first, synthetic=False)
    sets = sum(1 for s in group if s.startswith("ST" + ele))
    head = (ele.join(["ISA", "00", " " * 10, "00", " " * 10, "ZZ", "FLUOROLOGIC".ljust(15), "ZZ",
                      "FLUOROLOGIC".ljust(15), "000101", "0000", "^", "00501", "000000001", "0", "P", sub]) + term
            + ele.join(["GS", "HP", "FLUOROLOGIC", "FLUOROLOGIC", "20000101", "0000", "1", "X", _SYNTHETIC_VERSION])
            + term)
    tail = ele.join(["GE", str(sets), "1"]) + term + ele.join(["IEA", "1", "000000001"]) + term
    return _Chunk(head + term.join(group) + term + tail, first - 2, synthetic=True)


def _num(text: str, where: str, *, default: float | None = None) -> float:
    if text == "" and default is not None:
        return default
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ClaimError(None, where, f"{text!r} is not a number") from None
    if not value.is_finite():
        raise ClaimError(None, where, f"{text!r} is not a number")
    return float(round(value, 2))


def _date(text: str, where: str) -> dt.date:
    try:
        return dt.datetime.strptime(text, "%Y%m%d").date()
    except ValueError:
        raise ClaimError(None, where, f"{text!r} is not a date written CCYYMMDD") from None


def _el(seg: Segment, n: int, sub: int = 1) -> str:
    """Element ``n`` (1-based), sub-element ``sub``, of a segment, or "" when absent."""
    if n > len(seg.elements):
        return ""
    comp = seg.elements[n - 1].elements
    return comp[sub - 1].value if sub <= len(comp) else ""


def _subs(seg: Segment, n: int) -> list[str]:
    return [e.value for e in seg.elements[n - 1].elements] if n <= len(seg.elements) else []


def _procedure(seg: Segment, n: int, where: str) -> tuple[str, list[str]]:
    comp = _subs(seg, n)
    if len(comp) < 2 or comp[0] not in ("HC", "HP", "AD", "ER", "IV", "N4", "NU", "WK"):
        raise ClaimError(None, where, "must be a composite qualifier:code[:modifier...] (HC for a CPT/HCPCS code)")
    if comp[0] == "HC" and not _CODE_RE.fullmatch(comp[1]):
        raise ClaimError(None, f"{where}-2", f"{comp[1]!r} is not a 5-character CPT/HCPCS code")
    mods = [m for m in comp[2:6] if m]
    for i, mod in enumerate(mods):
        if not _MOD_RE.fullmatch(mod):
            raise ClaimError(None, f"{where}-{i + 3}", f"{mod!r} is not a 2-character modifier")
    return comp[1], mods


class _Walker:
    """The loops of one 835 interchange, segment by segment, into a :class:`Remittance`."""

    def __init__(self, out: Remittance) -> None:
        self.out = out
        self.claim: RemitClaim | None = None
        self.line: RemitLine | None = None
        self.transaction = ""
        self.skip = False  # a transaction set that is not a readable 835

    def segment(self, pos: int, seg: Segment, loop: str | None) -> None:
        sid = seg.seg_id or ""
        try:
            self._take(pos, sid, seg, loop)
        except ClaimError as err:
            claim_id = self.claim.claim_id if self.claim is not None else None
            self.out.errors.append(ClaimError(claim_id, err.field, err.message))

    def _take(self, pos: int, sid: str, seg: Segment, loop: str | None) -> None:
        if sid == "ST":
            self.claim, self.line, self.transaction = None, None, _el(seg, 2)
            self.skip = _el(seg, 1) != "835"
            if self.skip:
                raise ClaimError(None, f"segment {pos} ST01", f"transaction set {_el(seg, 1)!r} is not an 835: "
                                                              "it is not read")
            return
        if sid == "SE" or self.skip:
            self.claim = self.line = None
            return
        where = f"segment {pos} {sid}"
        if sid == "CLP":
            self.line = None
            claim_id = _el(seg, 1)
            if not claim_id:
                self.claim = None
                raise ClaimError(None, f"{where}01", "the claim payment has no claim id (CLP01)")
            self.claim = RemitClaim(segment=pos, claim_id=claim_id, status=_el(seg, 2),
                                    payer_claim_id=_el(seg, 7), transaction=self.transaction)
            self.out.claims.append(self.claim)
            self.claim.billed = _num(_el(seg, 3), f"{where}03")
            self.claim.paid = _num(_el(seg, 4), f"{where}04")
            self.claim.patient_responsibility = _num(_el(seg, 5), f"{where}05", default=0.0)
        elif sid == "SVC" and self.claim is not None:
            self.line = RemitLine(segment=pos)
            self.claim.lines.append(self.line)
            try:
                self._svc(seg, where)
            except ClaimError as err:
                self.line.error = ClaimError(self.claim.claim_id, err.field, err.message)
                raise
        elif sid == "CAS":
            target = self.line if loop == "2110" or (loop is None and self.line is not None) else self.claim
            if target is not None:
                _cas(seg, where, target.adjustments)
        elif sid == "REF" and self.line is not None and _el(seg, 1) == "6R":
            self.line.ref6r = _el(seg, 2) or None
        elif sid == "LQ" and self.line is not None and _el(seg, 1) == "HE" and _el(seg, 2):
            self.line.remarks.append(_el(seg, 2))
        elif sid == "DTM":
            self._dtm(seg, where)
        elif sid == "AMT" and self.line is not None and _el(seg, 1) == "B6":
            self.line.allowed = _num(_el(seg, 2), f"{where}02")
        elif sid in ("MOA", "MIA") and self.claim is not None:
            places = (3, 4, 5, 6, 7) if sid == "MOA" else (5, 20, 21, 22, 23)
            self.claim.remarks.extend(_el(seg, n) for n in places if _el(seg, n))
        elif sid == "PLB":
            self.claim = self.line = None
            self._plb(pos, seg, where)

    def _svc(self, seg: Segment, where: str) -> None:
        assert self.line is not None
        line = self.line
        line.code, line.modifiers = _procedure(seg, 1, f"{where}01")
        line.billed = _num(_el(seg, 2), f"{where}02")
        line.paid = _num(_el(seg, 3), f"{where}03")
        line.units = _num(_el(seg, 5), f"{where}05", default=1.0)
        if _subs(seg, 6) and _el(seg, 6, 2):
            line.submitted_code, line.submitted_modifiers = _procedure(seg, 6, f"{where}06")
        if _el(seg, 7):
            line.submitted_units = _num(_el(seg, 7), f"{where}07")

    def _dtm(self, seg: Segment, where: str) -> None:
        qualifier, text = _el(seg, 1), _el(seg, 2)
        if self.line is not None and qualifier in ("472", "150"):
            if qualifier == "472" or self.line.date is None:
                self.line.date = _date(text, f"{where}02")
        elif self.claim is not None and self.line is None and qualifier == "232":
            self.claim.date = _date(text, f"{where}02")

    def _plb(self, pos: int, seg: Segment, where: str) -> None:
        provider = _el(seg, 1)
        date = _date(_el(seg, 2), f"{where}02") if _el(seg, 2) else None
        for n in range(3, 15, 2):
            if not _el(seg, n):
                continue
            amount = _num(_el(seg, n + 1), f"{where}{n + 1:02d}")
            self.out.provider_adjustments.append(ProviderAdjustment(pos, provider, date, _el(seg, n, 1),
                                                                    _el(seg, n, 2), amount))


def _cas(seg: Segment, where: str, out: list[Adjustment]) -> None:
    """Append the adjustments of a CAS to ``out``; a bad one is skipped and raised after the others are read."""
    group = _el(seg, 1)
    if group not in _CAS_GROUPS:
        raise ClaimError(None, f"{where}01", f"claim adjustment group {group!r} is not one of "
                                             f"{', '.join(sorted(_CAS_GROUPS))}")
    bad: ClaimError | None = None
    for n in range(2, 20, 3):  # CAS02-04, CAS05-07 ... CAS17-19: reason, amount, units
        reason = _el(seg, n)
        if not reason:
            continue
        try:
            amount = _num(_el(seg, n + 1), f"{where}{n + 1:02d}")
            units = _num(_el(seg, n + 2), f"{where}{n + 2:02d}") if _el(seg, n + 2) else None
        except ClaimError as err:
            bad = bad or err
            continue
        out.append(Adjustment(group, reason, amount, units))
    if bad is not None:
        raise bad


def _loop_of(node: Any, sid: str) -> str | None:
    """The loop id pyx12's map placed a segment in, or None when the map could not place it."""
    seg_node = getattr(node, "x12_map_node", None)
    if seg_node is None or getattr(seg_node, "id", None) != sid:
        return None
    parent = getattr(seg_node, "parent", None)
    return getattr(parent, "id", None)


def _read_chunk(chunk: _Chunk, out: Remittance) -> None:
    errh = _Collect()
    param = pyx12.params.params()
    walker = _Walker(out)
    index = -1

    def pos_of(i: int) -> int:
        return chunk.first + i

    try:
        reader = pyx12.x12context.X12ContextReader(param, errh, io.StringIO(chunk.text))
        for index, node in enumerate(reader.iter_segments()):
            seg: Segment = node.seg_data
            sid = seg.seg_id or ""
            synthetic = chunk.synthetic and (index < 2 or sid in ("GE", "IEA"))
            for refdes, message in errh.drain():
                if synthetic:
                    continue
                where = f"segment {pos_of(index)} {refdes or sid}"
                out.warnings.append(ClaimError(walker.claim.claim_id if walker.claim else None, where, message))
            if not synthetic:
                walker.segment(pos_of(index), seg, _loop_of(node, sid))
    except Exception as exc:  # noqa: BLE001 (the boundary: pyx12 stops on a shape it cannot walk)
        where = f"segment {pos_of(index + 1)}"
        out.errors.append(ClaimError(walker.claim.claim_id if walker.claim else None, where,
                                     f"the interchange cannot be read past this segment: "
                                     f"{exc or type(exc).__name__}"))


def read_835(text: str) -> Remittance:
    """Read an 835 file (one or more interchanges, or bare transaction sets) into a :class:`Remittance`.

    Never raises on bad input: what cannot be read is in ``errors``, naming the segment and element.

    Examples
    --------
    >>> read_835("hello").errors[0].field
    'segment 1'

    """
    out = Remittance()
    body = text.lstrip("\ufeff \t\r\n")
    if not is_835(body[:16]):
        out.errors.append(ClaimError(None, "segment 1", "not an X12 835: the file starts with neither ISA nor ST*835"))
        return out
    chunks, _terms = _chunks(body)
    if any(c.synthetic for c in chunks):
        out.notes.append(f"no ISA/GS envelope: the transaction sets were read inside a synthetic "
                         f"{_SYNTHETIC_VERSION} envelope")
    for chunk in chunks:
        _read_chunk(chunk, out)
    return out
