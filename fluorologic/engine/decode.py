"""Decode the shown atoms of the optimal answer set into the contract's Result.

Nothing here decides: every entry is one atom, put into the contract's shape and words.

Examples
--------
>>> from fluorologic.engine.solver import Engine
>>> engine = Engine()
>>> res = engine.solve({"encounter_id": "bp", "date_of_service": "2024-08-01", "place_of_service": "22",
...                     "lines": [{"code": "62273"}, {"code": "77003"}]})
>>> [(b["code"], b["modifiers"]) for b in res["billable"]]
[('62273', []), ('77003', ['26'])]

"""

from __future__ import annotations

import json
import pickle
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from clingo import Symbol

from fluorologic.engine.fastpath.rawsym import plain, plain_atom
from fluorologic.engine.pricing import pricing
from fluorologic.notes.encounter_note import note_audit, note_evidence
from fluorologic.rules.messages import (
    added_detail,
    alert_detail,
    bypass_text,
    coverage_words,
    date_text,
    excluded_detail,
    mue_scope,
    validity_words,
)
from fluorologic.rules.opps import adjustment_detail, opps_citation
from fluorologic.rules.ruledata import AocRow, FeeRow, InclusiveRow, MueRow, PtpRow

if TYPE_CHECKING:
    from fluorologic.contract.encounter import Encounter
    from fluorologic.engine.solution import Solution

__all__ = ["SCHEMA_VERSION", "decode", "py", "row_citation"]

SCHEMA_VERSION = "1"


def py(sym: Symbol) -> Any:
    """A clingo symbol as a plain Python value (tuples become lists, constants their names): :func:`.rawsym.plain`.

    >>> from clingo import parse_term
    >>> py(parse_term('("a", l(2), global)'))
    ['a', {'l': 2}, 'global']
    """
    return plain(sym._rep)


_CONVERTED: dict[int, tuple[str, list[Any]]] = {}


def _converted(rep: int) -> tuple[str, list[Any]]:
    """The name and arguments (as Python values) of the atom whose integer is ``rep``, remembered.

    The same atoms recur in every encounter, and clingo interns symbols, so the integer is a cheap key.
    """
    hit = _CONVERTED.get(rep)
    if hit is None:
        if len(_CONVERTED) >= 30_000:
            _CONVERTED.clear()
        hit = _CONVERTED[rep] = plain_atom(rep)
    return hit


def row_citation(row: Any) -> dict[str, Any]:
    """The source citation of a data row, as shown in the audit trail."""
    opps = opps_citation(row)  # a row of the hospital's claim (I/OCE tables)
    if opps is not None:
        return opps
    if isinstance(row, PtpRow):
        deleted = "not deleted" if row.deletion >= 99991231 else f"deleted {date_text(row.deletion)}"
        return {"table": "NCCI PTP practitioner", "quarter": row.quarter, "source": row.source,
                "row": f"{row.column_1}/{row.column_2}, modifier indicator {row.indicator}, {deleted}, "
                       f"rationale: {row.rationale}"}
    if isinstance(row, MueRow):
        return {"table": "NCCI MUE practitioner", "quarter": row.quarter, "source": row.source,
                "row": f"{row.code} MUE {row.value}, MAI {row.mai_text}, rationale: {row.rationale}"}
    if isinstance(row, AocRow):
        return {"table": "NCCI add-on code edits", "quarter": row.quarter, "source": row.source,
                "row": f"primary {row.primary}, add-on {row.add_on}, type {row.edit_type}"}
    if isinstance(row, FeeRow):
        return {"table": "MPFS PPRRVU", "quarter": row.release, "source": row.source,
                "row": f"{row.code}{('-' + row.mod) if row.mod else ''} facility total {row.facility_total or 'NA'}, "
                       f"non-facility total {row.nonfacility_total or 'NA'}, CF {row.conv_factor}"}
    if isinstance(row, InclusiveRow):
        return {"table": "fluorologic imaging-inclusive codes", "quarter": None, "source": row.source,
                "row": f"{row.without} + {row.guidance} -> {row.with_code}"}
    return {"table": None, "quarter": None, "source": None, "row": None}


class _Atoms:
    """The shown atoms grouped by predicate name (the converted arguments are shared: read them, never change them)."""

    def __init__(self, reps: tuple[int, ...]) -> None:
        self.by_name: dict[str, list[list[Any]]] = defaultdict(list)
        self.audit: list[int] = []
        for rep in reps:
            name, args = _converted(rep)
            if name == "audit":
                self.audit.append(rep)
            else:
                self.by_name[name].append(args)

    def __getitem__(self, name: str) -> list[list[Any]]:
        return self.by_name.get(name, [])

    def audit_entries(self) -> list[list[Any]]:
        """The audit atoms in the trail's order, as fresh copies (they reach the Result as they are)."""
        return [pickle.loads(_audit(rep)[1]) for rep in sorted(self.audit, key=lambda rep: _audit(rep)[0])]  # noqa: S301


_AUDIT: dict[int, tuple[tuple[Any, ...], bytes]] = {}


def _audit(rep: int) -> tuple[tuple[Any, ...], bytes]:
    """An audit atom's place in the trail (stage, rule, printed subject and facts) and its value, pickled.

    Remembered per atom; unpickling the bytes (made here, never input) is the cheapest fresh deep copy.
    """
    hit = _AUDIT.get(rep)
    if hit is None:
        if len(_AUDIT) >= 30_000:
            _AUDIT.clear()
        args = _converted(rep)[1]
        stage, rule, subject, facts = args
        hit = _AUDIT[rep] = ((stage, rule, repr(subject), repr(facts)),
                             pickle.dumps(args, protocol=pickle.HIGHEST_PROTOCOL))
    return hit


def _node_key(node: Any) -> str:
    return repr(node)


def decode(sol: Solution) -> dict[str, Any]:
    """The contract Result of a solved encounter."""
    enc, rows = sol.encounter, sol.facts.rows
    at = _Atoms(sol.reps)
    code_of = {_node_key(n): c for n, c in at["node_code"]}
    units_of = {_node_key(n): u for n, u in at["final_units"]}
    mods_of: dict[str, list[str]] = defaultdict(list)
    for n, m in at["final_mod"]:
        mods_of[_node_key(n)].append(m)
    amount_of = {_node_key(n): c for n, c, _ in at["amount"]}
    fee_row_of = {_node_key(n): r for n, _, r in at["amount"]}
    adjusted_of: dict[str, list[list[Any]]] = defaultdict(list)
    for n, *adj in at["adjusted"]:
        adjusted_of[_node_key(n)].append(adj)
    setting = next((s for (s,) in at["setting"]), None)
    ties = {_node_key(n): code_of.get(_node_key(m)) for side, n, m in at["mp_tie"] if side == "final"}

    def row(rid: Any) -> Any:
        return rows.get(tuple(rid)) if isinstance(rid, list) else None

    def cite(rid: Any) -> str:
        r = row(rid)
        return row_citation(r)["row"] + f", {r.quarter}" if isinstance(r, PtpRow | MueRow) else ""

    ids = any(line.line_id is not None for line in enc.lines)  # line ids are echoed only when given
    opps = _opps_pricing(at, amount_of) if enc.claim_type == "institutional" else None
    replaced_codes = {code: replaced for code, _, replaced in at["added"]}
    billable = []
    for (n,) in at["billed"]:
        key = _node_key(n)
        if units_of.get(key, 0) > 0:
            cents = amount_of.get(key)
            fee = row(fee_row_of.get(key))
            billable.append({"code": code_of[key], "units": units_of[key], "modifiers": sorted(mods_of[key]),
                             "amount": None if cents is None else round(cents / 100, 2),
                             "pricing": pricing(fee, setting, adjusted_of.get(key, []), ties.get(key))
                             if isinstance(fee, FeeRow) else None})
            if opps is not None:
                billable[-1]["pricing"] = opps.get(key)
            if ids:
                billable[-1]["line_ids"] = _line_ids(enc, n, replaced_codes)
    billable.sort(key=lambda b: (b["code"], b["units"], b["modifiers"]))

    excluded = []
    dos = enc.date_of_service.isoformat()
    ems = {c for (c,) in at["em"]}
    for lnum, reason, rule, by, rid in at["excluded"]:
        line = enc.lines[lnum - 1]
        by_code, slots = _by(by, rid, row, cite, em=line.code in ems)
        excluded.append({"code": line.code, "units": line.units, "reason": reason, "by": by_code, "rule": rule,
                         "detail": excluded_detail(reason, rule, code=line.code, dos=dos, **slots)})
        if ids:
            excluded[-1]["line_id"] = line.line_id
        if by_code == "note" and sol.facts.note is not None:
            excluded[-1]["evidence"] = note_evidence(sol.facts.note, "fluoroscopy_negated", "fluoroscopy_planned",
                                                     "fluoroscopy_historical", "fluoroscopy_time_seconds")
    for n, t, rule, rid in at["trimmed"]:
        key = _node_key(n)
        if not (isinstance(n, dict) and "l" in n):
            continue
        r = row(rid)
        per = mue_scope(r.mai if isinstance(r, MueRow) else None)
        where = cite(rid) if r else "once-per-session rule"
        excluded.append({"code": code_of[key], "units": t, "reason": "unit_limit",
                         "by": "mue" if r else "once_per_session", "rule": rule,
                         "detail": excluded_detail("unit_limit", code=code_of[key], limit=r.value if r else 1, per=per,
                                                   row=where, units=t)})
        if ids:
            excluded[-1]["line_id"] = enc.lines[n["l"] - 1].line_id
    excluded.sort(key=lambda e: (e["code"], e["reason"], e["units"], e["by"] or ""))

    kinds = dict(at["guidance_kind"])
    added = []
    for code, reason, replaced in at["added"]:
        key = _node_key({"b" if reason == "bilateral_one_line" else "a": code})
        kind = kinds.get(code, "").replace("nonspinal", "non-spinal")
        added.append({"code": code, "units": units_of.get(key, 1), "modifiers": sorted(mods_of[key]),
                      "reason": reason, "replaces": None if replaced == "none" else replaced,
                      "detail": added_detail(reason, code=code, replaces=replaced, kind=kind)})
        if reason == "missed_billable" and sol.facts.note is not None:
            added[-1]["evidence"] = note_evidence(sol.facts.note, "fluoroscopy_used", "procedure_kinds")
    added.sort(key=lambda a: (a["code"], a["replaces"] or ""))

    cycle = ", ".join(sorted(c for (c,) in at["cycle_code"]))
    alerts = []
    billed_codes = {b["code"] for b in billable}
    for kind, code, rule, data in at["alert"]:
        c = None if code == "none" else code
        if kind == "rules_not_in_force":
            data = coverage_words(data)
        elif kind == "fee_from_prior_release":
            data = (f"The MPFS release in force on the date of service, {data[0]}, is not loaded: {c} is priced from "
                    f"{data[1]}, the latest earlier release of the same year (named in pricing.release).")
        # an unknown code that another rule excluded is not "passed through as billable": its own sentence
        wording = f"{rule}.excluded" if kind == "not_in_rule_base" and c not in billed_codes else rule
        alerts.append({"kind": kind, "code": c, "rule": rule,
                       "detail": alert_detail(kind, wording, code=c, data=data, cycle=cycle, dos=dos)})
    alerts.sort(key=lambda a: (a["kind"], a["code"] or "", a["rule"]))

    audit = []
    if sol.facts.note is not None:  # what the note reader found comes first, as it came first in the flow
        for entry in note_audit(sol.facts.note):
            audit.append({"step": len(audit) + 1, **entry})
    for _stage, rule, subject, facts in at.audit_entries():
        rid = facts[-1] if isinstance(facts, list) and facts and isinstance(facts[-1], list) else facts
        r = row(rid)
        if r is not None:  # the row id is replaced by the row's citation
            facts = facts[:-1] if facts is not rid else None
            facts = facts[0] if isinstance(facts, list) and len(facts) == 1 else facts
        audit.append({"step": len(audit) + 1, "rule": rule, "subject": subject, "facts": facts,
                      "source": row_citation(r) if r is not None else None})

    billed_total = sum(c for _, c in at["given_amount"])
    expected_total = sum(c for c in amount_of.values())
    given_priced = {lnum for lnum, _ in at["given_amount"]}
    without_fee = sum(1 for i in range(1, len(enc.lines) + 1) if i not in given_priced)
    without_fee += sum(1 for (n,) in at["billed"] if units_of.get(_node_key(n), 0) > 0
                       and _node_key(n) not in amount_of
                       and not (isinstance(n, dict) and "l" in n and n["l"] not in given_priced))
    result: dict[str, Any] = {"schema_version": SCHEMA_VERSION, "encounter_id": enc.encounter_id}
    if enc.claim is not None:
        result["claim"] = json.loads(enc.claim)
    return result | {
        "billable": billable,
        "excluded": excluded,
        "added": added,
        "alerts": alerts,
        "audit": audit,
        "totals": {"billed": round(billed_total / 100, 2), "expected": round(expected_total / 100, 2),
                   "lines_without_fee": without_fee},
    }


def _opps_pricing(at: _Atoms, amount_of: dict[str, int]) -> dict[str, dict[str, Any]]:
    """The ``pricing`` of each priced billable node of a hospital's claim, by node key (national APC payment)."""
    release = next((f"OPPS {q}, I/OCE {v}" for v, q in at["opps_release"]), "I/OCE (date outside 2019Q3-2026Q2)")
    adjustments: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for n, rule, why in sorted(at["opps_adj"], key=repr):
        factor, detail = adjustment_detail(rule, why)
        adjustments[_node_key(n)].append({"rule": rule, "factor": factor, "detail": detail})
    out = {}
    for n, si, apc in at["opps_line"]:
        key = _node_key(n)
        if key in amount_of:
            out[key] = {"release": release, "site_of_service": None, "row": None, "rvu": None,
                        "conversion_factor": None, "locality": "national", "adjustments": adjustments[key],
                        "apc": None if apc == "none" else apc, "status_indicator": None if si == "none" else si}
    return out


def _line_ids(enc: Encounter, node: Any, replaced_codes: dict[str, str]) -> list[str]:
    """The ids of the input lines a billable node stands for: its line, or the lines an added code replaces."""
    if isinstance(node, dict) and "l" in node:
        lines = [enc.lines[node["l"] - 1]]
    elif isinstance(node, dict) and "b" in node:
        lines = [line for line in enc.lines if line.code == node["b"]]
    else:
        replaced = replaced_codes.get(node["a"]) if isinstance(node, dict) and "a" in node else None
        lines = [line for line in enc.lines if line.code == replaced]
    return sorted(line.line_id for line in lines if line.line_id is not None)


def _by(by: Any, rid: Any, row: Any, cite: Any, *, em: bool = False) -> tuple[str | None, dict[str, Any]]:
    """The ``by`` field and the template slots of an exclusion cause (``em``: the excluded code is an E/M)."""
    slots: dict[str, Any] = {"by": None, "row": "", "bypass": "", "kind": "", "when": "", "date": ""}
    if isinstance(by, dict) and "code" in by:
        slots["by"] = by["code"]
        r = row(rid)
        if isinstance(r, PtpRow):
            slots["row"] = cite(rid)
            slots["bypass"] = bypass_text(r.indicator, em=em)
        return by["code"], slots
    if isinstance(by, dict) and "pos" in by:
        return "place_of_service", slots
    if isinstance(by, dict) and "out_of_force" in by:
        when, day = by["out_of_force"]
        slots.update(when=validity_words(when), date=date_text(day))
        return "date_of_service", slots
    if isinstance(by, dict) and "right" in by:
        code, kind = by["right"]
        slots.update(by=code, kind=kind.replace("nonspinal", "non-spinal"))
        return code, slots
    if isinstance(by, dict) and "global" in by:
        slots["by"] = by["global"]
        return by["global"], slots
    if isinstance(by, dict) and "owner" in by:
        return "equipment_owner", slots
    if isinstance(by, dict) and "note" in by:
        return "note", slots
    if by == "none":
        return None, slots
    slots["by"] = by
    return by, slots
