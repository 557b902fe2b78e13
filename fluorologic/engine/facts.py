"""Turn a validated encounter and its rule rows into input atoms: Python terms, then clingo symbols, never text.

Examples
--------
>>> from fluorologic.contract.encounter import parse_encounter
>>> from fluorologic.rules.ruledata import RuleData
>>> enc = parse_encounter({"encounter_id": "x", "date_of_service": "2024-08-01", "place_of_service": "11",
...                        "lines": [{"code": "20610"}, {"code": "77002"}]})
>>> facts = build_facts(enc, RuleData.embedded())
>>> facts.terms[0]
('dos', (20240801,))
>>> str(facts.atoms[0])
'dos(20240801)'

"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from clingo import Symbol

from fluorologic.contract.encounter import Encounter
from fluorologic.contract.places import default_places
from fluorologic.engine.opps_facts import add_opps_rows
from fluorologic.engine.terms import Atom, Const, Term, atom_symbol, const
from fluorologic.notes import NoteFindings, scan_note
from fluorologic.notes.encounter_note import merge_documentation, note_distinct_lines
from fluorologic.rules.opps import OppsData
from fluorologic.rules.ruledata import OPEN_END, AttrRow, CodeRow, FeeRow, MueRow, PtpRow, RuleData, Selection

__all__ = ["Facts", "build_facts", "claim_locality", "encounter_facts", "rule_facts"]

R = TypeVar("R")
X = TypeVar("X")
T = TypeVar("T")


@dataclass
class Facts:
    """The atoms of one encounter (as Python terms, see :mod:`fluorologic.engine.terms`) and the rows they cite."""

    terms: list[Atom] = field(default_factory=list)
    rows: dict[tuple[str, int], Any] = field(default_factory=dict)
    note: NoteFindings | None = None

    @property
    def atoms(self) -> list[Symbol]:
        """The atoms as clingo symbols."""
        return [atom_symbol(a) for a in self.terms]

    def add(self, name: str, *args: Term) -> None:
        """Append the atom ``name(args)``."""
        self.terms.append((name, args))

    def row(self, table: str, obj: Any) -> tuple[str, int]:
        """Register a data row and return its row id (the term ``(table, index)``)."""
        key = (table, len(self.rows))
        self.rows[key] = obj
        return key


def build_facts(enc: Encounter, data: RuleData, places: dict[str, tuple[str, str]] | None = None) -> Facts:
    """All input atoms for ``enc`` (see ``encodings/input.lp``), built from Python values only."""
    if places is None:
        places = default_places()
    own = encounter_facts(enc, places)
    rules = rule_facts(data, {ln.code for ln in enc.lines}, enc.dos_number, claim_locality(enc),
                       claim_type=enc.claim_type, setting=places[enc.place_of_service][0])
    return Facts(terms=own.terms + rules.terms, rows=rules.rows, note=own.note)


def encounter_facts(enc: Encounter, places: dict[str, tuple[str, str]] | None = None) -> Facts:
    """The encounter's own atoms (date, place, lines, documentation, note findings), without rule rows."""
    if places is None:
        places = default_places()
    f = Facts()
    f.add("dos", enc.dos_number)
    if enc.claim_type == "institutional":
        f.add("claim_type", const("institutional"))
    f.add("pos", enc.place_of_service)
    setting, default_owner = places[enc.place_of_service]
    f.add("pos_setting", enc.place_of_service, const(setting))
    f.add("pos_owner", enc.place_of_service, const(default_owner))
    if enc.owner_given:
        f.add("owner_given", const(enc.owner))
    for i, line in enumerate(enc.lines, start=1):
        f.add("line", i, line.code, line.units)
        for mod in line.modifiers:
            f.add("modifier", i, mod)
        if line.site:
            f.add("site", i, line.site)
        site_class = line.site_class
        if site_class:
            f.add("site_class", i, const(site_class))
        if line.distinct:
            f.add("distinct", i)
    doc = enc.documentation
    if enc.note is not None:
        f.note = scan_note(enc.note)
        doc = merge_documentation(doc, f.note)
        _add_note(f, f.note)
        for i in note_distinct_lines(enc.lines, f.note):
            f.add("distinct", i)
    if doc.fluoroscopy_time_seconds is not None:
        f.add("documented", const("fluoro_time"))
    if doc.indication:
        f.add("documented", const("indication"))
    if doc.body_area:
        f.add("documented", const("body_area"))
    return f


def claim_locality(enc: Encounter) -> str | None:
    """The MPFS payment locality the claim names (``claim.locality``, ``MAC:locality``), or None.

    Examples
    --------
    >>> from fluorologic.contract.encounter import parse_encounter
    >>> claim_locality(parse_encounter({"encounter_id": "x", "date_of_service": "2024-08-01", "place_of_service": "11",
    ...                                 "lines": [{"code": "20610"}], "claim": {"locality": "01112:26"}}))
    '01112:26'

    """
    if enc.claim is None or '"locality"' not in enc.claim:  # most claims name none: no need to parse them
        return None
    claim = json.loads(enc.claim)
    locality = claim.get("locality") if isinstance(claim, dict) else None
    return locality if isinstance(locality, str) else None


def rule_facts(data: RuleData, codes: set[str], dos: int, locality: str | None = None, *,
               claim_type: str = "professional", setting: str | None = None) -> Facts:
    """The rule rows of ``codes`` (and the codes the rules may add) in force on ``dos``, with their row ids.

    Fees are priced in ``locality`` (``MAC:locality``) where its GPCIs are loaded for the year, else nationally;
    with ``setting`` (``facility`` or ``nonfacility``, the place of service's rate) only the fees of that rate
    are given (the only ones ``amounts.lp`` reads), else both.
    A hospital's claim (``claim_type`` institutional) takes the I/OCE's tables (:mod:`fluorologic.engine.opps_facts`).
    """
    f = Facts()
    if claim_type == "institutional":
        add_opps_rows(f, data, codes, dos, _year_after(OppsData.embedded().coverage()[1]))
    else:
        _add_rule_rows(f, data, codes, dos, locality, setting)
    return f


def _year_after(day: int) -> int:
    """The same day a year later (``20251231`` -> ``20261231``; 29 February gives 28 February)."""
    return day + 10000 - (1 if day % 10000 == 229 else 0)


def _add_note(f: Facts, note: NoteFindings) -> None:
    """The note's findings as ``note/1``, ``note_target/1`` and ``note_kind/1`` atoms."""
    if note.fluoroscopy_used:
        f.add("note", const("fluoroscopy_used"))
    if note.fluoroscopy_negated:
        f.add("note", const("fluoroscopy_negated"))
    if note.fluoroscopy_not_performed:
        f.add("note", const("fluoroscopy_not_performed"))
    if note.spinal is not None:
        f.add("note_target", const("spinal" if note.spinal else "nonspinal"))
    for kind in note.procedure_kinds:
        f.add("note_kind", const(kind))


#: Terms made from one row object, by the row's ``id`` with the row itself (kept, so that the id stays its own):
#: the rows of a RuleData live as long as it does and recur in every encounter that bills their codes.
_PIECES: dict[tuple[Callable[[Any, Any], Any], int, Any], tuple[object, Any]] = {}
_MAX_PIECES = 50_000  # a store that makes its rows anew per lookup (StoreRuleData) only churns it


def _piece(make: Callable[[R, X], T], row: R, extra: X) -> T:
    """``make(row, extra)``, remembered for ``row`` (by identity) and ``extra``.

    >>> from fluorologic.rules.ruledata import RuleData
    >>> row = RuleData.embedded().codes["77003"]
    >>> _piece(_code_atoms, row, 1) is _piece(_code_atoms, row, 1)
    True
    """
    key = (make, id(row), extra)
    hit = _PIECES.get(key)
    if hit is not None and hit[0] is row:
        return hit[1]  # type: ignore[no-any-return]
    if len(_PIECES) >= _MAX_PIECES:
        _PIECES.clear()
    made = make(row, extra)
    _PIECES[key] = (row, made)
    return made


def _code_atoms(c: CodeRow, pctc: int | None) -> tuple[Atom, ...]:
    """The atoms of one row of the code table, with the PC/TC indicator in force."""
    out: list[Atom] = [("code", (c.code,)), ("code_kind", (c.code, const(c.kind)))]
    if c.target:
        out.append(("target", (c.code, const(c.target))))
    if c.effective is not None:
        out.append(("code_effective", (c.code, c.effective)))
    if c.deletion is not None:
        out.append(("code_deleted", (c.code, c.deletion)))
    if c.first_seen is not None:
        out.append(("code_known_from", (c.code, c.first_seen)))
    if pctc is not None:
        out.append(("attr", (c.code, const("pctc"), pctc)))
    return tuple(out)


def _attr_atom(a: AttrRow, _: None = None) -> Atom:
    """The atom of one code attribute (``attr_dated`` when it holds only between days)."""
    if a.dated:
        return "attr_dated", (a.code, const(a.attribute), const(a.value), a.start or 0, a.end or OPEN_END)
    return "attr", (a.code, const(a.attribute), const(a.value))


def _ptp_args(p: PtpRow, _: None = None) -> tuple[str, str, int, int]:
    """The arguments of a ``ptp`` atom but its row id."""
    return p.column_1, p.column_2, p.indicator, p.deletion


def _mue_args(m: MueRow, _: None = None) -> tuple[str, int, int, int]:
    """The arguments of a ``mue`` atom but its row id."""
    return m.code, m.value, m.mai, m.effective


def _pfs_atoms(fee: FeeRow, facility: bool) -> tuple[Atom, ...]:
    """The atoms :func:`_add_pfs_indicators` makes of one fee row."""
    out: list[Atom] = []
    if fee.mod != "":
        return ()
    if fee.glob_days.isdigit():
        out.append(("global_days", (fee.code, int(fee.glob_days))))
    if fee.pctc == 1 and facility:
        out.append(("pfs_listed", (fee.code,)))
        if fee.facility_total is None:
            out.append(("facility_na", (fee.code, const("global"))))
    return tuple(out)


def _add_pfs_indicators(f: Facts, fees: Iterable[FeeRow], facility: bool = True) -> None:
    """What the global PFS rows in force say besides fees: global days and, for a PC/TC code, the facility rate.

    ``global_days(C,D)`` where the global period is a number of days (000, 010, 090); for a code with a
    professional / technical split (PC/TC indicator 1), ``pfs_listed(C)`` and, where CMS writes the facility
    total as NA (the readers keep none), ``facility_na(C,global)``: the facts ``facility.lp`` reads (only in a
    facility place: not ``facility``, the place is paid at the non-facility rate, and they are left out).

    >>> from fluorologic.rules.ruledata import RuleData
    >>> f = Facts()
    >>> _add_pfs_indicators(f, RuleData.embedded().select({"77003", "27506"}, 20240815).fees)
    >>> sorted(str(a) for a in f.atoms if str(a.arguments[0]) in ('"77003"', '"27506"'))
    ['facility_na("77003",global)', 'global_days("27506",90)', 'pfs_listed("77003")']
    """
    terms = f.terms
    for fee in fees:
        if fee.mod == "":
            terms.extend(_piece(_pfs_atoms, fee, facility))


def _add_rule_rows(f: Facts, data: RuleData, codes: set[str], dos: int, locality: str | None = None,
                   setting: str | None = None) -> None:
    """The rule rows of ``codes`` in force on ``dos`` as atoms, each cited row registered (see :func:`rule_facts`).

    The atoms of a row are made once for the row (:func:`_piece`); only the row ids, which number the rows of
    one encounter, are new.
    """
    sel = data.select(codes, dos)
    first, last = data.coverage()
    terms, rows = f.terms, f.rows
    terms.append(("data_covers", (first, _year_after(last))))
    for c in sel.codes:
        terms.extend(_piece(_code_atoms, c, data.pctc(c.code, dos)))
    for a in sel.attrs:
        terms.append(_piece(_attr_atom, a, None))
    for p in sel.ptp:
        key = ("ptp", len(rows))
        rows[key] = p
        terms.append(("ptp", (*_piece(_ptp_args, p, None), key)))
    for m in sel.mue:
        key = ("mue", len(rows))
        rows[key] = m
        terms.append(("mue", (*_piece(_mue_args, m, None), key)))
    for code in sorted(sel.addons):
        terms.append(("addon", (code,)))
    for a in sel.aoc:
        key = ("aoc", len(rows))
        rows[key] = a
        if a.dated:
            terms.append(("aoc_dated", (a.primary, a.add_on, a.edit_type, a.start or 0, a.end or OPEN_END, key)))
        else:
            terms.append(("aoc", (a.primary, a.add_on, a.edit_type, key)))
    for i in sel.inclusive:
        key = ("inclusive", len(rows))
        rows[key] = i
        terms.append(("inclusive", (i.without, i.guidance, i.with_code, key)))
    _add_pfs_indicators(f, sel.fees, setting != "nonfacility")
    _add_fees(f, data, sel, dos, locality, setting)


_SETTINGS = ("facility", "nonfacility")
#: The MPFS multiple-procedure indicators the encodings read (multiple_procedure.lp, imaging_family.lp).
_RANKED_MULT_PROC = (2, 3, 4)


def _fee_prices(fee: FeeRow, settings: tuple[str, ...]) -> tuple[tuple[tuple[Term, Const, int], ...], bool]:
    """``(modifier, rate, cents)`` of each rate of ``settings`` the fee row prices, and whether it prices any rate.

    >>> from fluorologic.rules.ruledata import RuleData
    >>> fee = next(f for f in RuleData.embedded().select({"77002"}, 20240815).fees if f.mod == "26")
    >>> _fee_prices(fee, ("facility",))
    ((('26', const('facility'), 2630),), True)
    """
    mod: Term = const("global") if fee.mod == "" else fee.mod
    out: list[tuple[Term, Const, int]] = []
    for rate in settings:
        cents = fee.cents(rate)
        if cents is not None:
            out.append((mod, const(rate), cents))
    return tuple(out), bool(out) or any(fee.cents(r) is not None for r in _SETTINGS)


def _localized(fee: FeeRow, priced_in: tuple[str, tuple[Decimal, Decimal, Decimal]]) -> FeeRow:
    """The fee row priced in a payment locality: ``(locality, GPCIs)``."""
    return fee.for_locality(*priced_in)


def _indicator_atoms(fee: FeeRow, code: str) -> tuple[Atom, ...]:
    """``bilateral_ind``, ``mult_proc_ind`` and ``imaging_family`` of ``code`` from its indicator row."""
    out: list[Atom] = []
    if fee.bilateral is not None:
        out.append(("bilateral_ind", (code, fee.bilateral)))
    if fee.mult_proc in _RANKED_MULT_PROC:  # 0 and 9: no rule reads them
        out.append(("mult_proc_ind", (code, fee.mult_proc)))
    if fee.mult_proc == 4 and fee.imaging_family not in (None, 99):
        out.append(("imaging_family", (code, fee.imaging_family)))
    return tuple(out)


def _add_fees(f: Facts, data: RuleData, sel: Selection, dos: int, locality: str | None,
              setting: str | None = None) -> None:
    """The fee rows in force (priced in the locality where its GPCIs are loaded) and the MPFS indicators.

    ``fee/5`` per row and rate (only the rate ``setting`` when given, and ``fee_listed/1`` for a code priced at
    the other rate only: it has a fee on the date); ``bilateral_ind/2``, ``mult_proc_ind/2`` and
    ``imaging_family/2`` from the code's global row (else its first row), or, for a code with no row in force, the
    nearest release's
    (:meth:`RuleData.indicator_row`); ``fee_prior/2`` when an earlier release prices a release not loaded.

    >>> from fluorologic.rules.ruledata import RuleData
    >>> data, f = RuleData.embedded(), Facts()
    >>> _add_fees(f, data, data.select({"77002"}, 20240815), 20240815, None, "facility")
    >>> [str(a) for a in f.atoms if str(a.arguments[0]) == '"77002"']
    ['fee("77002","26",facility,2630,("pfs",0))', 'bilateral_ind("77002",0)']
    """
    gpci = data.locality_gpci(locality, dos) if locality and hasattr(data, "locality_gpci") else None
    priced_in = (locality, gpci) if gpci is not None and locality is not None else None
    indicators: dict[str, FeeRow] = {}
    settings = _SETTINGS if setting is None else (setting,)
    terms, rows = f.terms, f.rows
    priced: set[str] = set()
    elsewhere: set[str] = set()
    for national in sel.fees:
        fee = national
        if priced_in is not None:
            fee = _piece(_localized, national, priced_in)
        if fee.code not in indicators or fee.mod == "":
            indicators[fee.code] = fee
        prices, listed = _piece(_fee_prices, fee, settings)
        if not prices:
            if listed and setting is not None:
                elsewhere.add(fee.code)
            continue
        key = ("pfs", len(rows))
        rows[key] = fee
        code = fee.code
        for mod, rate, cents in prices:
            terms.append(("fee", (code, mod, rate, cents, key)))
        priced.add(code)
    for code in sorted(elsewhere - priced):
        terms.append(("fee_listed", (code,)))
    lookup = getattr(data, "indicator_row", None)
    for c in sel.codes:  # a code with no row in force takes its indicators from the nearest release
        if c.code not in indicators and lookup is not None:
            found = lookup(c.code, dos)
            if found is not None:
                indicators[c.code] = found
    for code, fee in sorted(indicators.items()):
        terms.extend(_piece(_indicator_atoms, fee, code))
    prior = getattr(sel, "fee_prior", None)
    if prior is not None and sel.fees:
        f.add("fee_prior", prior[0], prior[1])
