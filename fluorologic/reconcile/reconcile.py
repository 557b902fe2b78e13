"""Remittance reconciliation: one row per claim line (and per remittance line no claim line answers).

The claim lines (837P, FHIR Claims or fluorologic JSON encounters with ``claim.claim_id`` and ``line_id``) are
decided by the engine (the same Result as ``solve``), the payer's 835 lines are matched to them
(:mod:`fluorologic.reconcile.match`), and each pair gets the payer's outcome and reason family
(:mod:`fluorologic.reconcile.families`) and a verdict (:mod:`fluorologic.reconcile.verdict`). The summary counts
rows and dollars by verdict: the billed dollars of appeal candidates and the paid dollars at overpayment risk.

Examples
--------
>>> from fluorologic.engine.solver import Engine
>>> from fluorologic.reconcile.remit import read_835
>>> enc = {"encounter_id": "K1", "date_of_service": "2024-08-14", "place_of_service": "11",
...        "claim": {"claim_id": "K1", "charges": {"1": 240, "2": 180}},
...        "lines": [{"code": "20610", "modifiers": ["LT"], "line_id": "1"}, {"code": "77002", "line_id": "2"}]}
>>> remit = read_835("ST*835*1~CLP*K1*1*420*36.22**MB*P1~SVC*HC:20610:LT*240*36.22**1~DTM*472*20240814~"
...                  "CAS*CO*45*194.73~CAS*PR*2*9.05~REF*6R*1~SVC*HC:77002*180*0**1~DTM*472*20240814~"
...                  "CAS*CO*97*180~LQ*HE*M80~REF*6R*2~SE*13*1~")
>>> rec = reconcile([enc], remit, Engine())
>>> [(r["code"], r["payer_outcome"], r["payer_reason_family"], r["verdict"], r["next_step"]) for r in rec.rows]
[('20610', 'paid', 'contractual', 'agrees_paid', 'none'), ('77002', 'denied', 'bundling', 'appeal_candidate', 'appeal')]
>>> rec.summary["appealable_billed"], rec.summary["paid_at_risk"]
(180.0, 0.0)

"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from fluorologic.claims.errors import ClaimError
from fluorologic.engine.solver import Engine
from fluorologic.reconcile.decide import LineDecision, decide_lines
from fluorologic.reconcile.families import TABLE
from fluorologic.reconcile.match import ClaimKey, RemitKey, match_lines
from fluorologic.reconcile.remit import RemitClaim, RemitLine, Remittance
from fluorologic.reconcile.verdict import Context, Verdict, is_add_on, judge

__all__ = ["COLUMNS", "VERDICTS", "Reconciliation", "reconcile"]

#: The verdicts, in the order summaries list them.
VERDICTS = ("agrees_paid", "agrees_denied", "appeal_candidate", "overpayment_risk", "outside_rules", "unmatched")

#: The fields of a row, in order (contract.md, "Remittance reconciliation").
COLUMNS = ("claim_id", "encounter_id", "line_id", "code", "modifiers", "units", "date_of_service", "billed_amount",
           "paid_amount", "adjustments", "remarks", "payer_outcome", "payer_reason_family", "decision",
           "replaced_by", "reason", "rule", "by", "detail", "expected_amount", "verdict", "next_step",
           "corrected_lines", "citation", "remit_segment")


@dataclass
class Reconciliation:
    """The rows, their summary, and what could not be read (claims, remittance) or was found odd (warnings)."""

    rows: list[dict[str, Any]]
    summary: dict[str, Any]
    errors: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    provider_adjustments: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class _ClaimLine:
    key: ClaimKey
    encounter_id: str
    line: dict[str, Any]
    billed: float | None
    decision: LineDecision
    ctx: Context


def _money(value: Any) -> float | None:
    try:
        return float(round(Decimal(str(value)), 2)) if value not in (None, "") else None
    except ArithmeticError:
        return None


def _with_line_ids(raw: dict[str, Any]) -> dict[str, Any]:
    """The encounter with each line's id filled in (its 1-based position) where it has none."""
    lines = raw.get("lines")
    if not isinstance(lines, list) or all(isinstance(ln, dict) and ln.get("line_id") for ln in lines):
        return raw
    taken = {ln.get("line_id") for ln in lines if isinstance(ln, dict)}
    filled = []
    for i, ln in enumerate(lines):
        if isinstance(ln, dict) and not ln.get("line_id") and str(i + 1) not in taken:
            ln = {**ln, "line_id": str(i + 1)}
        filled.append(ln)
    return {**raw, "lines": filled}


def _claim_lines(raws: list[dict[str, Any]], results: list[dict[str, Any]], engine: Engine
                 ) -> tuple[list[_ClaimLine], list[dict[str, Any]]]:
    out: list[_ClaimLine] = []
    errors: list[dict[str, Any]] = []
    for raw, res in zip(raws, results, strict=True):
        if "error" in res:
            errors.append(res)
            continue
        claim = raw.get("claim") or {}
        claim_id = str(claim.get("claim_id") or raw["encounter_id"])
        charges = claim.get("charges") or {}
        side = {c.get("line_id"): c.get("charge") for c in claim.get("lines", []) if isinstance(c, dict)}
        lines = raw["lines"]
        codes = tuple(sorted({ln["code"] for ln in lines}))
        for ln, dec in zip(lines, decide_lines(res, lines), strict=True):
            lid = str(ln["line_id"])
            mods = list(ln.get("modifiers", []))
            ref6r = next((c.get("ref6r") for c in claim.get("lines", []) if isinstance(c, dict)
                          and c.get("line_id") == lid), None)
            key = ClaimKey(claim_id, lid, ln["code"], tuple(mods), raw["date_of_service"], ref6r)
            ctx = Context(ln["code"], int(ln.get("units", 1)), raw["date_of_service"], mods, res, engine.data, codes)
            out.append(_ClaimLine(key, raw["encounter_id"], ln, _money(charges.get(lid, side.get(lid))), dec, ctx))
    return out, errors


def _payer(claim: RemitClaim, line: RemitLine, code: str, engine: Engine) -> tuple[list[Any], str | None, str]:
    adjustments = list(line.adjustments)
    if not adjustments and line.paid <= 0:
        adjustments = list(claim.adjustments)  # a claim denied as a whole may say why at claim level only
    family = TABLE.family(adjustments, line.remarks, add_on=is_add_on(engine.data, code))
    return adjustments, family, TABLE.outcome(line.paid, adjustments, family)


def _row(cl: _ClaimLine | None, rc: RemitClaim | None, rl: RemitLine | None, engine: Engine) -> dict[str, Any]:
    family: str | None = None
    outcome = "not_in_remit"
    if rc is not None and rl is not None:
        code = cl.key.code if cl is not None else rl.billed_code
        _adjustments, family, outcome = _payer(rc, rl, code, engine)
    if cl is None:
        assert rc is not None and rl is not None
        head = {"claim_id": rc.claim_id, "encounter_id": None, "line_id": rl.ref6r, "code": rl.billed_code,
                "modifiers": sorted(rl.billed_modifiers), "units": rl.submitted_units or rl.units,
                "date_of_service": rl.date.isoformat() if rl.date else None, "billed_amount": rl.billed}
        dec: dict[str, Any] = {"decision": None, "replaced_by": [], "reason": None, "rule": None, "by": None,
                               "detail": None, "expected_amount": None}
        verdict = Verdict("unmatched", "review")
    else:
        d = cl.decision
        head = {"claim_id": cl.key.claim_id, "encounter_id": cl.encounter_id, "line_id": cl.key.line_id,
                "code": cl.key.code, "modifiers": sorted(cl.key.modifiers), "units": cl.ctx.units,
                "date_of_service": cl.key.date,
                "billed_amount": cl.billed if cl.billed is not None else (rl.billed if rl is not None else None)}
        dec = {"decision": d.decision, "replaced_by": d.replaced_by if d.decision == "replaced" else [],
               "reason": d.reason, "rule": d.rule, "by": d.by, "detail": d.detail,
               "expected_amount": d.expected_amount}
        if rl is None:
            verdict = Verdict("unmatched", "review")
        else:
            ctx = replace(cl.ctx, paid_units=rl.units)
            verdict = judge(d, outcome, family, ctx)
            if verdict.verdict == "agrees_paid" and d.decision == "replaced" and d.expected_amount is not None \
                    and d.expected_amount > rl.payer_allowed + 0.005:  # the replacement pays more
                verdict = Verdict("agrees_paid", "correct_and_resubmit", verdict.citation, list(d.replaced_by))
    return {**head, "paid_amount": rl.paid if rl is not None else None,
            "adjustments": [a.to_dict() for a in rl.adjustments] if rl is not None else [],
            "remarks": list(rl.remarks) if rl is not None else [], "payer_outcome": outcome,
            "payer_reason_family": family, **dec, "verdict": verdict.verdict, "next_step": verdict.next_step,
            "corrected_lines": verdict.corrected_lines, "citation": verdict.citation,
            "remit_segment": rl.segment if rl is not None else None}


def _summary(rows: list[dict[str, Any]], remit: Remittance) -> dict[str, Any]:
    by: dict[str, dict[str, Any]] = {v: {"rows": 0, "billed": Decimal(0), "paid": Decimal(0)} for v in VERDICTS}
    for r in rows:
        s = by[r["verdict"]]
        s["rows"] += 1
        s["billed"] += Decimal(str(r["billed_amount"] or 0))
        s["paid"] += Decimal(str(r["paid_amount"] or 0))
    plb = sum((Decimal(str(p.amount)) for p in remit.provider_adjustments), Decimal(0))
    return {"rows": len(rows),
            "by_verdict": {v: {"rows": s["rows"], "billed": float(s["billed"]), "paid": float(s["paid"])}
                           for v, s in by.items()},
            "appealable_billed": float(by["appeal_candidate"]["billed"]),
            "paid_at_risk": float(by["overpayment_risk"]["paid"]),
            "provider_adjustments": float(plb)}


def reconcile(items: Iterable[dict[str, Any] | ClaimError], remit: Remittance, engine: Engine) -> Reconciliation:
    """Put ``remit`` beside the decisions for the claim lines of ``items`` (encounters and claim error records)."""
    raws: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    for item in items:
        if isinstance(item, ClaimError):
            errors.append(item.record())
        elif isinstance(item, dict) and "error" in item:
            errors.append(item)
        else:
            raws.append(_with_line_ids(item) if isinstance(item, dict) else item)
    results = engine.solve_many(raws)
    lines, solve_errors = _claim_lines(raws, results, engine)
    errors.extend(solve_errors)
    pairs = sorted(remit.lines, key=lambda p: p[0].status == "22")  # a reversal (CLP02 22) answers last
    keys = [RemitKey(c.claim_id, ln.ref6r, ln.billed_code, tuple(ln.billed_modifiers), ln.date) for c, ln in pairs]
    matched = match_lines([cl.key for cl in lines], keys)
    answer: dict[int, tuple[RemitClaim, RemitLine]] = {i: pairs[j] for j, i in enumerate(matched) if i is not None}
    rows = [_row(cl, *answer.get(i, (None, None)), engine) for i, cl in enumerate(lines)]
    rows += [_row(None, *pairs[j], engine) for j, i in enumerate(matched) if i is None]
    errors += [{"encounter_id": e.encounter_id, "error": e.to_dict(), "source": "remittance"} for e in remit.errors]
    return Reconciliation(rows=rows, summary=_summary(rows, remit), errors=errors,
                          warnings=[{"claim_id": w.encounter_id, **w.to_dict()} for w in remit.warnings],
                          provider_adjustments=[p.to_dict() for p in remit.provider_adjustments],
                          notes=list(remit.notes))
