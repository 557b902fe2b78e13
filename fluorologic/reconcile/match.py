"""Match the payer's service lines (835 2110) to the claim lines they answer.

A remittance line is matched, in this order, by its ``REF*6R`` line item control number to the claim line
whose ``line_id`` it is (within the claim ``CLP01`` names); else, among the claim's lines not yet matched and
in their order, the first with the same procedure and modifiers (``SVC06`` when the payer changed the code,
else ``SVC01``) and date of service, then the same procedure and date, then the same procedure. A line
matches at most one line of the other side; what is left is reported (``unmatched`` / ``not_in_remit``).

Examples
--------
>>> import datetime as dt
>>> claim = [ClaimKey("C1", "1", "20610", ("LT",), "2024-08-14"), ClaimKey("C1", "2", "77002", (), "2024-08-14")]
>>> remit = [RemitKey("C1", None, "77002", (), dt.date(2024, 8, 14)), RemitKey("C1", "1", "20610", ("LT",), None),
...          RemitKey("C9", None, "20610", (), None)]
>>> match_lines(claim, remit)
[1, 0, None]

"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import NamedTuple

__all__ = ["ClaimKey", "RemitKey", "match_lines"]


class ClaimKey(NamedTuple):
    """What matching reads of a claim line."""

    claim_id: str
    line_id: str
    code: str
    modifiers: tuple[str, ...]
    date: str
    ref6r: str | None = None


class RemitKey(NamedTuple):
    """What matching reads of a remittance line (the procedure as submitted)."""

    claim_id: str
    ref6r: str | None
    code: str
    modifiers: tuple[str, ...]
    date: dt.date | None


def match_lines(claim: Sequence[ClaimKey], remit: Sequence[RemitKey]) -> list[int | None]:
    """For each remittance line, the index of the claim line it answers, or None (unmatched)."""
    by_claim: dict[str, list[int]] = {}
    for i, c in enumerate(claim):
        by_claim.setdefault(c.claim_id, []).append(i)
    taken: set[int] = set()
    out: list[int | None] = [None] * len(remit)
    remit = [r._replace(claim_id=_claim_of(r.claim_id, by_claim)) for r in remit]
    for j, r in enumerate(remit):  # REF*6R first, over the whole file, so that order cannot steal its line
        if r.ref6r:
            hit = next((i for i in by_claim.get(r.claim_id, ())
                        if i not in taken and r.ref6r in (claim[i].line_id, claim[i].ref6r)), None)
            if hit is not None:
                out[j] = hit
                taken.add(hit)
    for j, r in enumerate(remit):
        if out[j] is not None:
            continue
        free = [i for i in by_claim.get(r.claim_id, ()) if i not in taken and claim[i].code == r.code]
        if free:
            hit = min(free, key=lambda i: (_rank(claim[i], r), i))
            out[j] = hit
            taken.add(hit)
    return out


def _claim_of(clp01: str, by_claim: dict[str, list[int]]) -> str:
    """The claim CLP01 names: the same id, else the one claim id it is a case-insensitive or cut-short copy of.

    Some payers keep only the first 20 characters of CLM01 (the 835's CLP01 may be shorter than the 837P's).
    """
    clp01 = clp01.strip()
    if clp01 in by_claim or not clp01:
        return clp01
    close = [cid for cid in by_claim if cid.upper() == clp01.upper()] or \
            [cid for cid in by_claim if len(clp01) >= 20 and cid.upper().startswith(clp01.upper())]
    return close[0] if len(close) == 1 else clp01


def _rank(c: ClaimKey, r: RemitKey) -> int:
    """0: same modifiers and date; 1: same date; 2: the same procedure only."""
    same_day = r.date is None or r.date.isoformat() == c.date
    if same_day and sorted(c.modifiers) == sorted(r.modifiers):
        return 0
    return 1 if same_day else 2
