"""One encounter, both claims: the physician's (837P) and the hospital's (837I) decided side by side.

``fluorologic pair PHYSICIAN HOSPITAL`` reads two claim files (JSON encounters, X12 837P/837I or FHIR Claims),
decides the first as professional claims and the second as institutional ones, and pairs each hospital
encounter with the physician encounter of the same date of service (where several share the date: the same
principal diagnosis, then the most codes in common). Each pair shows both Results and what agrees and
disagrees between the two billable sets:

* a code billable on both claims agrees (modifiers such as 26 aside);
* a physician's code whose OPPS alternative the hospital bills agrees (``opps_alternative_code``: 27096 on the
  837P, G0260 on the 837I is right);
* a code billable on one claim only is an alert: ``hospital_line_missing`` (e.g. the physician bills 77003-26
  and the hospital's claim has no 77003 line: on OPPS it is packaged, but it is reported) or
  ``physician_line_missing``, saying why the other claim leaves it out where it does.

Examples
--------
>>> from fluorologic.engine.solver import Engine
>>> prof = [{"encounter_id": "p", "date_of_service": "2024-08-14", "place_of_service": "22",
...          "lines": [{"code": "62273"}, {"code": "77003", "modifiers": ["26"]}]}]
>>> hosp = [{"encounter_id": "h", "date_of_service": "2024-08-14", "place_of_service": "22",
...          "lines": [{"code": "62273"}]}]
>>> out = pair_claims(prof, hosp, Engine())
>>> [(a["kind"], a["code"]) for a in out["pairs"][0]["alerts"]]
[('hospital_line_missing', '77003')]

"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from typing import Any

from fluorologic.claims.errors import ClaimError
from fluorologic.claims.formats import claim_items
from fluorologic.claims.x12 import is_x12
from fluorologic.contract.errors import InputError
from fluorologic.engine.solver import Engine
from fluorologic.rules.opps import OppsData
from fluorologic.run.streaming import open_input

__all__ = ["pair_claims", "read_items", "render_pairs"]


def read_items(text: str) -> list[Any]:
    """The encounters (and error records) of a claim file: X12 by its ISA header, FHIR by ``resourceType``, else JSON.

    >>> [type(i).__name__ for i in read_items('[{"encounter_id": "a"}]')]
    ['dict']
    """
    if is_x12(text):
        return list(claim_items(io.StringIO(text), "x12"))
    head = text.lstrip("\ufeff \t\r\n")[:4096]
    if '"resourceType"' in head and ('"Claim"' in text or '"Bundle"' in head):
        return list(claim_items(io.StringIO(text), "fhir"))
    try:
        return list(open_input(io.StringIO(text))[1])
    except InputError as err:
        return [ClaimError(None, err.field, err.message)]


_Solved = list[tuple[dict[str, Any] | None, dict[str, Any]]]


def _solved(items: Iterable[Any], claim_type: str, engine: Engine) -> _Solved:
    """Each item as (its encounter, its record), decided as ``claim_type``."""
    out: _Solved = []
    for item in items:
        if isinstance(item, ClaimError):
            out.append((None, item.record()))
        elif isinstance(item, dict):
            enc = {**item, "claim_type": claim_type}
            out.append((enc, engine.solve_record(enc)))
        else:
            out.append((None, engine.solve_record(item)))
    return out


def _principal(enc: dict[str, Any]) -> str | None:
    claim = enc.get("claim") if isinstance(enc.get("claim"), dict) else {}
    dx = claim.get("diagnoses") if isinstance(claim, dict) else None
    return dx[0] if isinstance(dx, list) and dx else None


def _codes(rec: dict[str, Any]) -> set[str]:
    return {b["code"] for b in rec.get("billable", ())}


def _compare(prof: dict[str, Any], hosp: dict[str, Any], alternatives: dict[str, str]) -> tuple[list[Any], list[Any]]:
    """What agrees and the alerts where the two billable sets disagree."""
    p_codes, h_codes = _codes(prof), _codes(hosp)
    agree: list[dict[str, Any]] = []
    alerts: list[dict[str, Any]] = []
    matched_h: set[str] = set()
    h_excluded = {x["code"]: x for x in hosp.get("excluded", ()) if x["reason"] != "unit_limit"}
    p_excluded = {x["code"]: x for x in prof.get("excluded", ()) if x["reason"] != "unit_limit"}
    for code in sorted(p_codes):
        alt = alternatives.get(code)
        if code in h_codes:
            agree.append({"physician": code, "hospital": code, "why": "same_code"})
            matched_h.add(code)
        elif alt in h_codes:
            agree.append({"physician": code, "hospital": alt, "why": "opps_alternative_code"})
            matched_h.add(alt)
        else:
            mods = next(("-" + "-".join(b["modifiers"]) for b in prof["billable"] if b["code"] == code
                         and b["modifiers"]), "")
            why = h_excluded.get(code)
            detail = (f"The physician bills {code}{mods} but the hospital's claim has no billable {code} line"
                      + (f": it excludes it ({why['reason']}: {why['detail']})" if why else
                         "; the facility's part of the service belongs on the hospital's claim") + ".")
            alerts.append({"kind": "hospital_line_missing", "code": code, "detail": detail.replace("..", ".")})
    back = {v: k for k, v in alternatives.items()}
    for code in sorted(h_codes - matched_h):
        if back.get(code) in p_codes:
            continue
        why = p_excluded.get(code)
        detail = (f"The hospital bills {code} but the physician's claim has no billable {code} line"
                  + (f": it excludes it ({why['reason']}: {why['detail']})" if why else "") + ".")
        alerts.append({"kind": "physician_line_missing", "code": code, "detail": detail.replace("..", ".")})
    return agree, alerts


def _match(h_enc: dict[str, Any], candidates: list[tuple[int, dict[str, Any], dict[str, Any]]],
           hosp: dict[str, Any], alternatives: dict[str, str]) -> int | None:
    """The index of the physician encounter that goes with ``h_enc`` (None when no encounter shares its date)."""
    same_day = [c for c in candidates if c[1].get("date_of_service") == h_enc.get("date_of_service")]
    if not same_day:
        return None
    back = {v: k for k, v in alternatives.items()}
    h_codes = {back.get(c, c) for c in _codes(hosp)} | {ln.get("code") for ln in h_enc.get("lines") or ()}

    def score(c: tuple[int, dict[str, Any], dict[str, Any]]) -> tuple[int, int, int]:
        p_codes = _codes(c[2]) | {ln.get("code") for ln in c[1].get("lines") or ()}
        return (int(_principal(c[1]) == _principal(h_enc) is not None), len(p_codes & h_codes), -c[0])

    return max(same_day, key=score)[0]


def pair_claims(physician: Iterable[Any], hospital: Iterable[Any], engine: Engine) -> dict[str, Any]:
    """Decide both claim sets and pair them (see the module docstring): ``pairs``, ``unpaired``, ``errors``."""
    alternatives = {code: rows[0].alternative for code, rows in OppsData.embedded().alternatives.items() if rows}
    prof = _solved(physician, "professional", engine)
    hosp = _solved(hospital, "institutional", engine)
    errors = [rec for enc, rec in prof + hosp if enc is None or "error" in rec]
    left = [(i, enc, rec) for i, (enc, rec) in enumerate(prof) if enc is not None and "error" not in rec]
    pairs: list[dict[str, Any]] = []
    unpaired: list[dict[str, Any]] = []
    for h_enc, h_rec in hosp:
        if h_enc is None or "error" in h_rec:
            continue
        i = _match(h_enc, left, h_rec, alternatives)
        if i is None:
            unpaired.append({"side": "hospital", "date_of_service": h_enc.get("date_of_service"), "result": h_rec})
            continue
        (p_enc, p_rec), = [(enc, rec) for j, enc, rec in left if j == i]
        left = [c for c in left if c[0] != i]
        agree, alerts = _compare(p_rec, h_rec, alternatives)
        pairs.append({"date_of_service": h_enc.get("date_of_service"), "physician": p_rec, "hospital": h_rec,
                      "agree": agree, "alerts": alerts})
    for _, enc, rec in left:
        unpaired.append({"side": "physician", "date_of_service": enc.get("date_of_service"), "result": rec})
    return {"pairs": pairs, "unpaired": unpaired, "errors": errors}


def _lines(rec: dict[str, Any]) -> str:
    out = []
    for b in rec.get("billable", ()):
        text = b["code"] + "".join("-" + m for m in b["modifiers"])
        amount = "n/a" if b["amount"] is None else f"${b['amount']:,.2f}"
        pricing = b.get("pricing") or {}
        si = f" SI {pricing['status_indicator']}" if pricing.get("status_indicator") else ""
        out.append(f"{text} {amount}{si}")
    return ", ".join(out) or "-"


def render_pairs(out: dict[str, Any]) -> str:
    """The pairs as a table for people: one block per pair, both claims' billable lines and the alerts."""
    rows = []
    for p in out["pairs"]:
        rows.append(f"{p['date_of_service']}  physician {p['physician']['encounter_id']} | hospital "
                    f"{p['hospital']['encounter_id']}")
        rows.append(f"  physician (837P): {_lines(p['physician'])}")
        rows.append(f"  hospital (837I):  {_lines(p['hospital'])}")
        for a in p["agree"]:
            if a["why"] != "same_code":
                rows.append(f"  agrees: {a['physician']} (physician) / {a['hospital']} (hospital): {a['why']}")
        for a in p["alerts"]:
            rows.append(f"  ALERT {a['kind']} {a['code']}: {a['detail']}")
    for u in out["unpaired"]:
        rows.append(f"{u['date_of_service']}  {u['side']} {u['result']['encounter_id']}: no claim of the other side "
                    "on this date")
    for e in out["errors"]:
        rows.append(f"error {e.get('encounter_id')}: {json.dumps(e.get('error'))}")
    return "\n".join(rows)
