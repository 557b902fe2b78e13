"""The verdict on one line: the payer's outcome beside fluorologic's decision, the next step and its citation.

contract.md, "Remittance reconciliation":

* paid (or cut for a contractual reason only): ``agrees_paid``; ``overpayment_risk`` with ``refund_review`` when
  fluorologic excludes the line (or allows fewer units than were paid); a line that is only ``replaced`` stays
  ``agrees_paid``, with ``correct_and_resubmit`` when the replacement is expected to pay more;
* denied or reduced for a rules family (bundling, units, add-on, modifier, not in force): ``agrees_denied`` when
  fluorologic excludes, trims or replaces the line too (``correct_and_resubmit`` with the replacement line, or
  with the units the rules allow when the line was denied outright), else ``appeal_candidate`` with ``appeal``
  and why the denial does not hold on that date;
* denied for a family fluorologic does not decide (coverage, administrative, other): ``outside_rules``, ``review``.

Citations name the rule row and its quarter, from the Result's audit (or, for "no edit", from the loaded data).

Examples
--------
>>> from fluorologic.reconcile.decide import LineDecision
>>> v = judge(LineDecision("billable", 26.3), "denied", "bundling", Context("77002", 1, "2024-08-14", [],
...           {"audit": []}, None, ("20610",)))
>>> v.verdict, v.next_step
('appeal_candidate', 'appeal')

"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from fluorologic.reconcile.decide import LineDecision
from fluorologic.rules.ruledata import RuleData, date_number

__all__ = ["Context", "Verdict", "is_add_on", "judge"]

_RULES_FAMILIES = frozenset({"bundling", "units", "add_on", "modifier", "not_in_force"})
#: The code attribute a policy rule rests on, where the Result's audit names no table row.
_RULE_ATTRIBUTE = {"guidance.integral": "fluoroscopy_integral", "guidance.included": "includes_guidance",
                   "guidance.more_specific": "supersedes_general_fluoroscopy", "guidance.wrong_code": "guidance_for"}
_DELETED = re.compile(r"deleted (\d{4}-\d{2}-\d{2})")


@dataclass(frozen=True)
class Context:
    """What a verdict reads beside the decision: the line, its encounter's Result and the rule data."""

    code: str
    units: int
    date: str
    modifiers: list[str]
    result: dict[str, Any]
    data: RuleData | None
    others: tuple[str, ...]
    paid_units: float | None = None


@dataclass
class Verdict:
    """A verdict, its next step, the corrected lines of a resubmission and the citation."""

    verdict: str
    next_step: str
    citation: str | None = None
    corrected_lines: list[dict[str, Any]] = field(default_factory=list)


def _subject(entry: dict[str, Any]) -> list[str]:
    subject = entry.get("subject")
    return [str(s) for s in subject] if isinstance(subject, list) else [str(subject)]


def _audit(ctx: Context, rule: str | None) -> list[dict[str, Any]]:
    return [a for a in ctx.result.get("audit", []) if a.get("rule") == rule and ctx.code in _subject(a)]


def _row(entry: dict[str, Any]) -> str | None:
    src = entry.get("source")
    if not isinstance(src, dict):
        return None
    quarter = f" {src['quarter']}" if src.get("quarter") else ""
    return f"{src.get('table')}{quarter}: {src.get('row')}"


def rule_citation(ctx: Context, dec: LineDecision) -> str | None:
    """The rule row (with its quarter) behind the decision's exclusion, trim or replacement."""
    rows = [r for a in _audit(ctx, dec.rule) if (r := _row(a))]
    if rows:
        return f"{dec.rule}: {rows[0]}"
    if dec.rule:
        text = f"{dec.rule}: {dec.detail}" if dec.detail else dec.rule
        if dec.rule.startswith("bilateral."):  # the bilateral indicator is a column of the code's MPFS row
            fee = [r for a in _audit(ctx, "fee.pfs") if (r := _row(a))]
            if fee:
                return f"{text} ({fee[0]})"
        attr = _RULE_ATTRIBUTE.get(dec.rule)
        attrs = getattr(ctx.data, "attrs", None) or {}
        for code in (dec.by, ctx.code):
            row = next((a for a in attrs.get(code or "", ()) if a.attribute == attr), None)
            if row is not None:
                return f"{text} (code attribute {code} {row.attribute}={row.value}: {row.source}; rule data " \
                       f"{_ptp_quarter(ctx)})"
        return text
    return None


def is_add_on(data: Any, code: str) -> bool:
    """True when the loaded NCCI add-on code table lists ``code`` as an add-on code."""
    return code in (getattr(data, "aoc_by_addon", None) or {})


def _ptp_quarter(ctx: Context) -> str:
    quarters = ctx.data.quarters() if hasattr(ctx.data, "quarters") else []
    return quarters[-1] if quarters else "loaded"


def _mue_row(ctx: Context) -> Any:
    if ctx.data is None:
        return None
    day = date_number(ctx.date) or 0
    mue = getattr(ctx.data, "mue", None) or {}
    rows = sorted((m for m in mue.get(ctx.code, ()) if m.effective <= day), key=lambda m: m.effective)
    return rows[-1] if rows else None


def appeal_citation(ctx: Context, family: str) -> str:
    """Why a denial for ``family`` does not hold on the date of service (the edit's deletion, no edit, the MUE)."""
    code, day = ctx.code, ctx.date
    if family in ("bundling", "add_on"):
        for a in _audit(ctx, "ptp.lapsed"):
            src = a.get("source") or {}
            m = _DELETED.search(str(src.get("row", "")))
            when = f"deleted {m.group(1)}, before" if m else "not in force on"
            return (f"ptp.lapsed: {src.get('table')} {src.get('quarter')}: {src.get('row')}: the edit was {when} the "
                    f"date of service {day}")
        for a in _audit(ctx, "ptp.bypassed"):
            return f"ptp.bypassed: {_row(a) or a.get('rule')}: a modifier indicator 1 edit, and the record documents " \
                   f"a distinct service ({', '.join(ctx.modifiers) or 'no modifier'})"
        others = ", ".join(o for o in ctx.others if o != code) or "no other code"
        text = f"no NCCI PTP edit pairs {code} with {others} on {day} (NCCI PTP practitioner {_ptp_quarter(ctx)})"
        if family == "add_on" and is_add_on(ctx.data, code):
            prim = [r for r in ctx.data.aoc_by_addon.get(code, ()) if r.primary in ctx.others]
            if prim:
                text += f"; {code} is an add-on code and {prim[0].primary} its primary (NCCI AOC {prim[0].quarter})"
        return text
    if family == "units":
        row = _mue_row(ctx)
        if row is not None:
            return (f"units.mue: NCCI MUE practitioner {row.quarter}: {code} MUE {row.value}, MAI {row.mai}: "
                    f"{ctx.units} unit(s) billed are within it")
        return f"no NCCI MUE row limits {code} on {day}: {ctx.units} unit(s) billed"
    if family == "not_in_force":
        row = ctx.data.codes.get(code) if ctx.data is not None else None
        source = f" ({row.source})" if row is not None else ""
        return f"{code} is in force on {day} in the code table{source}"
    return f"the rules in force on {day} bill {code} with modifiers {ctx.modifiers or 'none'} as submitted"


#: Modifiers that bypass a PTP edit of modifier indicator 1 (59 and X{EPSU}; 25 and 57 on an E/M).
_BYPASS = frozenset({"59", "XE", "XS", "XP", "XU", "25", "57"})


def bypass_billed(dec: LineDecision, ctx: Context) -> bool:
    """The line is excluded only by a PTP edit of indicator 1, and it was billed with a modifier that bypasses it.

    The payer may rightly have accepted the bypass; only the record can say (fluorologic bills it with ``distinct``).

    >>> ctx = Context("20610", 1, "2024-08-01", ["XS"], {}, None, ("64483",))
    >>> bypass_billed(LineDecision("excluded", reason="ptp_bundled", by="64483"), ctx)  # no rule data: not known
    False
    """
    if dec.reason != "ptp_bundled" or not _BYPASS & set(ctx.modifiers) or ctx.data is None or not dec.by:
        return False
    day = date_number(ctx.date) or 0
    rows = [p for p in getattr(ctx.data, "ptp_by_col1", {}).get(dec.by, ())
            if p.column_2 == ctx.code and p.deletion >= day and p.indicator != 9]
    return bool(rows) and all(p.indicator == 1 for p in rows)


def judge(dec: LineDecision, outcome: str, family: str | None, ctx: Context) -> Verdict:
    """The verdict, next step and citation for a matched claim line."""
    rules = family in _RULES_FAMILIES
    if outcome == "paid" or (outcome == "reduced" and not rules):
        if dec.decision == "excluded" and bypass_billed(dec, ctx):  # no refund flag for a bypass the payer accepted
            return Verdict("agrees_paid", "review", _bypass_citation(ctx, dec))
        if dec.decision == "excluded":
            return Verdict("overpayment_risk", "refund_review", rule_citation(ctx, dec))
        if dec.decision == "trimmed" and ctx.paid_units is not None and ctx.paid_units > dec.units:
            return Verdict("overpayment_risk", "refund_review", rule_citation(ctx, dec))
        if dec.decision == "replaced":
            return Verdict("agrees_paid", "none", rule_citation(ctx, dec))
        return Verdict("agrees_paid", "none")
    if outcome in ("denied", "reduced") and rules:
        if dec.decision == "replaced" or (dec.decision == "billable" and dec.modifiers_changed
                                          and family == "modifier"):
            return Verdict("agrees_denied", "correct_and_resubmit", rule_citation(ctx, dec), list(dec.replaced_by))
        if dec.decision == "trimmed":
            if outcome == "denied":
                fixed = {"code": ctx.code, "units": dec.units, "modifiers": sorted(ctx.modifiers)}
                return Verdict("agrees_denied", "correct_and_resubmit", rule_citation(ctx, dec), [fixed])
            return Verdict("agrees_denied", "none", rule_citation(ctx, dec))
        if dec.decision == "excluded" and bypass_billed(dec, ctx):
            return Verdict("agrees_denied", "review", _bypass_citation(ctx, dec))
        if dec.decision == "excluded":
            return Verdict("agrees_denied", "none", rule_citation(ctx, dec))
        return Verdict("appeal_candidate", "appeal", appeal_citation(ctx, family or ""))
    return Verdict("outside_rules", "review")


def _bypass_citation(ctx: Context, dec: LineDecision) -> str:
    base = rule_citation(ctx, dec) or f"ptp.bundled: {dec.by}/{ctx.code}"
    mods = "/".join(sorted(_BYPASS & set(ctx.modifiers)))
    return (f"{base}; modifier indicator 1, billed with {mods}: the bypass holds if the record documents a distinct "
            "service (or a significant, separately identifiable E/M): review the record")
