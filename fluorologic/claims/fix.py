"""The corrected 837P: the same interchange with the decisions applied, envelopes and counts kept valid.

For every line of every claim that was read and solved, the edits report row (:mod:`fluorologic.claims.edits`)
says what to do:

* ``modifier_added`` / ``units_trimmed`` / ``replaced``: the SV1 segment is rewritten (SV101-2 the code,
  SV101-3..6 the modifiers: those billed stay in their order and new ones follow; SV104 the units);
* ``excluded``: the line's 2400 loop (LX up to the next LX, CLM, HL or SE) is removed (an E/M removed only because
  it lacks 25 or 57 is named in ``notes`` with the ``em_modifier_25`` alert: bill it with 25 if the record
  documents a significant, separately identifiable E/M), the claim's remaining
  LX01 numbers are made consecutive again (the implementation guide numbers them 1, 2, ...), CLM02 (the
  claim's total charge) drops by the removed lines' SV102 charges, and SE01 is recounted.

Nothing else changes: every other segment is written byte for byte as read, with the separators and line
breaks of the input. ST, GS and ISA envelopes are never removed, so GE01 and IEA01 stay right. A claim that
gave an error record, or whose every line would be removed, is left as it was (and said so in ``notes``).

Examples
--------
>>> sv1 = "SV1*HC:77002:RT*100*UN*2***1"
>>> _rewrite_sv1(sv1, ("~", "*", ":"), code="77003", modifiers=["RT", "26"], units=1)
'SV1*HC:77003:RT:26*100*UN*1***1'

"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from fluorologic.claims.edits import edit_rows
from fluorologic.claims.x12 import Interchange
from fluorologic.claims.x12_institutional import rewrite_sv2
from fluorologic.claims.x12_loops import Transaction, X12Claim

__all__ = ["FixResult", "fix_interchange"]


@dataclass
class FixResult:
    """The corrected interchange text, the edits report rows, what was left alone and why, and the lines changed."""

    text: str
    rows: list[dict[str, Any]]
    notes: list[str] = field(default_factory=list)
    changed_lines: int = 0


def _rewrite_sv1(body: str, terms: tuple[str, str, str], *, code: str, modifiers: list[str], units: int | None) -> str:
    """SV1 with a new code, modifiers and (when given) units; every other element as it was."""
    _, ele, sub = terms
    elements = body.split(ele)
    comp = elements[1].split(sub)
    desc = comp[6:7]
    comp = [comp[0], code, *modifiers, *([""] * (4 - len(modifiers)) + desc if desc else [])]
    elements[1] = sub.join(comp)
    if units is not None:
        while len(elements) < 5:
            elements.append("")
        elements[4] = str(units)
    return ele.join(elements)


def _set_element(body: str, ele: str, n: int, value: str) -> str:
    elements = body.split(ele)
    elements[n] = value
    return ele.join(elements)


def _modifiers(old: list[str], new: list[str]) -> list[str]:
    """The new modifier set in the claim's order: those kept where they were, the added ones after them."""
    return [m for m in old if m in new] + [m for m in new if m not in old]


class _Plan:
    """What to write instead of the read segments: removals, replacements, and the transactions touched."""

    def __init__(self, ic: Interchange, em_alerts: dict[tuple[str, str], str] | None = None) -> None:
        self.ic = ic
        #: (encounter id, code) -> the em_modifier_25 alert's sentence: an E/M removed only for want of 25 or 57
        self.em_alerts = em_alerts or {}
        self.removed: set[int] = set()
        self.replace: dict[int, str] = {}
        self.touched: list[Transaction] = []
        self.notes: list[str] = []
        self.changed = 0

    def body(self, pos: int) -> str:
        return self.replace.get(pos, self.ic.segments[pos - 1][1])

    def claim(self, claim: X12Claim, rows_of: dict[int, list[dict[str, Any]]]) -> bool:
        """Plan one claim's changes from the edits rows of its encounters; True when it changes."""
        ele = self.ic.terms[1]
        rows = {(raw["encounter_id"], row["line_id"]): row
                for raw in claim.encounters for row in rows_of.get(id(raw), ())}
        plan: list[tuple[Any, dict[str, Any]]] = []
        for ln in claim.lines:
            row = rows.get((ln.encounter_id, ln.line_id))
            if row is None and claim.institutional and not ln.code:  # a revenue code alone: kept as it is
                row = {"disposition": "kept", "new_modifiers": []}
            if row is None or row["disposition"] == "error":
                self.notes.append(f"claim {claim.claim_id}: line {ln.line_id} has no decision; the claim is left as "
                                  "it was")
                return False
            plan.append((ln, row))
        if all(row["disposition"] == "excluded" for _, row in plan):
            self.notes.append(f"claim {claim.claim_id}: every line is excluded; the claim is left as it was for review")
            return False
        if any(len(row["new_modifiers"]) > 4 for _, row in plan):
            self.notes.append(f"claim {claim.claim_id}: a line would need more than 4 modifiers; the claim is left as "
                              "it was")
            return False
        removed_charge = Decimal(0)
        kept = 0
        changed = False
        for ln, row in plan:
            disp = row["disposition"]
            if disp == "excluded":
                self.removed.update(range(ln.lx, ln.end))
                em = self.em_alerts.get((ln.encounter_id, ln.code))
                if em is not None:
                    self.notes.append(f"claim {claim.claim_id}: line {ln.line_id} ({ln.code}) is removed: {em}")
                try:
                    removed_charge += Decimal(ln.charge or "0")
                except InvalidOperation:
                    self.notes.append(f"claim {claim.claim_id}: line {ln.line_id} charge {ln.charge!r} is not a "
                                      "number; CLM02 is not adjusted for it")
                changed = True
                self.changed += 1
                continue
            kept += 1
            if kept != ln.number:  # an earlier line of the claim is removed
                self.replace[ln.lx] = _set_element(self.body(ln.lx), ele, 1, str(kept))
            if disp in ("modifier_added", "units_trimmed", "replaced"):
                mods = _modifiers(ln.modifiers, row["new_modifiers"]) if row["new_modifiers"] or disp == "replaced" \
                    else ln.modifiers
                units = row["new_units"] if row["new_units"] not in ("", None, ln.units) else None
                rewrite = rewrite_sv2 if claim.institutional else _rewrite_sv1
                self.replace[ln.sv1] = rewrite(self.body(ln.sv1), self.ic.terms, code=row["new_code"] or ln.code,
                                               modifiers=mods, units=units)
                changed = True
                self.changed += 1
        if removed_charge:
            try:
                total = Decimal(claim.charge) - removed_charge
                self.replace[claim.clm] = _set_element(self.body(claim.clm), ele, 2, str(total))
            except InvalidOperation:
                self.notes.append(f"claim {claim.claim_id}: CLM02 {claim.charge!r} is not a number; not adjusted")
        return changed

    def text(self) -> str:
        ic = self.ic
        seg_term, ele, _ = ic.terms
        for tx in self.touched:
            count = sum(1 for p in range(tx.st, tx.se + 1)
                        if p not in self.removed and ic.segments[p - 1][1].strip())  # an empty piece is no segment
            self.replace[tx.se] = _set_element(self.body(tx.se), ele, 1, str(count))
        out = []
        for pos, (prefix, body) in enumerate(ic.segments, start=1):
            if pos not in self.removed:
                out.append(prefix + self.replace.get(pos, body) + seg_term)
        return "".join(out) + ic.tail


def fix_interchange(ic: Interchange, solved: list[tuple[Any, dict[str, Any]]]) -> FixResult:
    """The corrected interchange and its edits report, from the items of ``ic`` paired with their records.

    ``solved`` pairs each item of :meth:`Interchange.items` (an encounter dict or an error) with its record.
    """
    rows: list[dict[str, Any]] = []
    rows_of: dict[int, list[dict[str, Any]]] = {}
    em_alerts: dict[tuple[str, str], str] = {}
    for raw, record in solved:
        rows_of[id(raw)] = edit_rows(raw, record)
        rows.extend(rows_of[id(raw)])
        for alert in record.get("alerts") or ():
            if alert.get("kind") == "em_modifier_25":
                em_alerts[(record.get("encounter_id"), alert.get("code"))] = alert.get("detail", "")
    plan = _Plan(ic, em_alerts)
    for tx in ic.transactions:
        if tx.error is not None:
            continue
        touched = False
        for claim in tx.claims:
            if claim.error is None:
                touched = plan.claim(claim, rows_of) or touched
        if touched:
            plan.touched.append(tx)
    return FixResult(text=plan.text(), rows=rows, notes=plan.notes, changed_lines=plan.changed)
