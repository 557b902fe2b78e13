"""Turn a validated encounter and its rule rows into clingo symbols (never into program text).

Examples
--------
>>> from fluorologic.encounter import parse_encounter
>>> from fluorologic.ruledata import RuleData
>>> enc = parse_encounter({"encounter_id": "x", "date_of_service": "2024-08-01", "place_of_service": "11",
...                        "lines": [{"code": "20610"}, {"code": "77002"}]})
>>> facts = build_facts(enc, RuleData.embedded())
>>> str(facts.atoms[0])
'dos(20240801)'

"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from clingo import Function, Number, String, Symbol

from fluorologic.encounter import Encounter
from fluorologic.notes import NoteFindings, scan_note
from fluorologic.notes.encounter_note import merge_documentation
from fluorologic.ruledata import RuleData

__all__ = ["Facts", "build_facts", "encounter_facts", "rule_facts"]


def _f(name: str, *args: Symbol) -> Symbol:
    return Function(name, list(args))


def _c(name: str) -> Symbol:
    return Function(name, [])


def _row(table: str, index: int) -> Symbol:
    return Function("", [String(table), Number(index)])


@dataclass
class Facts:
    """The atoms of one encounter and the data rows their row ids point at."""

    atoms: list[Symbol] = field(default_factory=list)
    rows: dict[tuple[str, int], Any] = field(default_factory=dict)
    note: NoteFindings | None = None

    def add(self, name: str, *args: Symbol) -> None:
        """Append the atom ``name(args)``."""
        self.atoms.append(_f(name, *args))

    def row(self, table: str, obj: Any) -> Symbol:
        """Register a data row and return its row-id symbol."""
        key = (table, len(self.rows))
        self.rows[key] = obj
        return _row(*key)


def build_facts(enc: Encounter, data: RuleData, places: dict[str, tuple[str, str]] | None = None) -> Facts:
    """All input atoms for ``enc`` (see ``encodings/input.lp``), built from symbols only."""
    own = encounter_facts(enc, places)
    rules = rule_facts(data, {ln.code for ln in enc.lines}, enc.dos_number)
    return Facts(atoms=own.atoms + rules.atoms, rows=rules.rows, note=own.note)


def encounter_facts(enc: Encounter, places: dict[str, tuple[str, str]] | None = None) -> Facts:
    """The encounter's own atoms (date, place, lines, documentation, note findings), without rule rows."""
    if places is None:
        from fluorologic.ruledata import default_places

        places = default_places()
    f = Facts()
    f.add("dos", Number(enc.dos_number))
    f.add("pos", String(enc.place_of_service))
    setting, default_owner = places[enc.place_of_service]
    f.add("pos_setting", String(enc.place_of_service), _c(setting))
    f.add("pos_owner", String(enc.place_of_service), _c(default_owner))
    if enc.owner_given:
        f.add("owner_given", _c(enc.owner))
    for i, line in enumerate(enc.lines, start=1):
        f.add("line", Number(i), String(line.code), Number(line.units))
        for mod in line.modifiers:
            f.add("modifier", Number(i), String(mod))
        if line.site:
            f.add("site", Number(i), String(line.site))
        if line.site_class:
            f.add("site_class", Number(i), _c(line.site_class))
        if line.distinct:
            f.add("distinct", Number(i))
    doc = enc.documentation
    if enc.note is not None:
        f.note = scan_note(enc.note)
        doc = merge_documentation(doc, f.note)
        _add_note(f, f.note)
    if doc.fluoroscopy_time_seconds is not None:
        f.add("documented", _c("fluoro_time"))
    if doc.indication:
        f.add("documented", _c("indication"))
    if doc.body_area:
        f.add("documented", _c("body_area"))
    return f


def rule_facts(data: RuleData, codes: set[str], dos: int) -> Facts:
    """The rule rows of ``codes`` (and the codes the rules may add) in force on ``dos``, with their row ids."""
    f = Facts()
    _add_rule_rows(f, data, codes, dos)
    return f


def _add_note(f: Facts, note: NoteFindings) -> None:
    """The note's findings as ``note/1``, ``note_target/1`` and ``note_kind/1`` atoms."""
    if note.fluoroscopy_used:
        f.add("note", _c("fluoroscopy_used"))
    if note.fluoroscopy_negated:
        f.add("note", _c("fluoroscopy_negated"))
    if note.spinal is not None:
        f.add("note_target", _c("spinal" if note.spinal else "nonspinal"))
    for kind in note.procedure_kinds:
        f.add("note_kind", _c(kind))


def _add_rule_rows(f: Facts, data: RuleData, codes: set[str], dos: int) -> None:
    sel = data.select(codes, dos)
    for c in sel.codes:
        f.add("code", String(c.code))
        f.add("code_kind", String(c.code), _c(c.kind))
        if c.target:
            f.add("target", String(c.code), _c(c.target))
        if c.effective is not None:
            f.add("code_effective", String(c.code), Number(c.effective))
        if c.deletion is not None:
            f.add("code_deleted", String(c.code), Number(c.deletion))
        pctc = data.pctc(c.code, dos)
        if pctc is not None:
            f.add("attr", String(c.code), _c("pctc"), Number(pctc))
    for a in sel.attrs:
        f.add("attr", String(a.code), _c(a.attribute), _c(a.value))
    for p in sel.ptp:
        f.add("ptp", String(p.column_1), String(p.column_2), Number(p.indicator), Number(p.deletion), f.row("ptp", p))
    for m in sel.mue:
        f.add("mue", String(m.code), Number(m.value), Number(m.mai), Number(m.effective), f.row("mue", m))
    for code in sorted(sel.addons):
        f.add("addon", String(code))
    for a in sel.aoc:
        f.add("aoc", String(a.primary), String(a.add_on), Number(a.edit_type), f.row("aoc", a))
    for i in sel.inclusive:
        f.add("inclusive", String(i.without), String(i.guidance), String(i.with_code), f.row("inclusive", i))
    for fee in sel.fees:
        mod = _c("global") if fee.mod == "" else String(fee.mod)
        row = None
        for setting in ("facility", "nonfacility"):
            cents = fee.cents(setting)
            if cents is not None:
                row = row or f.row("pfs", fee)
                f.add("fee", String(fee.code), mod, _c(setting), Number(cents), row)
