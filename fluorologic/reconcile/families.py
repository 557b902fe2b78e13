"""The payer's reason, from the CARC/RARC codes of a remittance line, as one family, and the payer's outcome.

The table is data (``fluorologic/data/payer_reasons.json``): CARC and RARC codes (external X12 code lists)
and fluorologic's own short wording of each family. The family of a line is the first in ``precedence``
among the families of its adjustments' CARCs (a CARC paired with a RARC may take the pair's family: CARC 96
with N362 is ``units``, without it ``coverage``; B15 on an add-on code is ``add_on``) and of its RARCs.

Examples
--------
>>> from fluorologic.reconcile.remit import Adjustment
>>> TABLE.family([Adjustment("CO", "97", 80.0)], ["M80"], add_on=False)
'bundling'
>>> TABLE.family([Adjustment("CO", "96", 80.0)], ["N362"], add_on=False)
'units'
>>> TABLE.family([Adjustment("CO", "B15", 30.0)], [], add_on=True)
'add_on'
>>> TABLE.family([Adjustment("CO", "45", 20.0), Adjustment("PR", "2", 16.0)], [], add_on=False)
'contractual'
>>> TABLE.outcome(0.0, [Adjustment("CO", "97", 80.0)], "bundling")
'denied'

"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

from fluorologic.contract.errors import DataError
from fluorologic.reconcile.remit import Adjustment

__all__ = ["TABLE", "ReasonTable"]


@dataclass(frozen=True)
class ReasonTable:
    """The CARC/RARC -> family table and the wording of each family."""

    families: dict[str, str]
    carc: dict[str, str]
    rarc: dict[str, str]
    paired: tuple[tuple[frozenset[str], frozenset[str], str], ...]
    add_on_carc: dict[str, str]
    precedence: tuple[str, ...]
    rules_families: frozenset[str]
    reduction_carc: frozenset[str]

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> ReasonTable:
        """Build the table from its JSON form; raise DataError naming what is malformed."""
        try:
            table = cls(families=dict(raw["families"]), carc=dict(raw["carc"]), rarc=dict(raw["rarc"]),
                        paired=tuple((frozenset(p["carc"]), frozenset(p["rarc"]), p["family"])
                                     for p in raw["paired"]),
                        add_on_carc=dict(raw["add_on_carc"]), precedence=tuple(raw["precedence"]),
                        rules_families=frozenset(raw["rules_families"]),
                        reduction_carc=frozenset(raw["reduction_carc"]))
        except (KeyError, TypeError) as exc:
            raise DataError(f"payer_reasons.json is malformed: {exc}") from exc
        named = set(table.carc.values()) | set(table.rarc.values()) | {p[2] for p in table.paired}
        unknown = (named | set(table.precedence)) - set(table.families)
        if unknown:
            raise DataError(f"payer_reasons.json names families it does not word: {sorted(unknown)}")
        return table

    def to_dict(self) -> dict[str, Any]:
        """The table's JSON form (``from_dict(t.to_dict()) == t``)."""
        return {"families": dict(self.families), "carc": dict(self.carc), "rarc": dict(self.rarc),
                "paired": [{"carc": sorted(c), "rarc": sorted(r), "family": f} for c, r, f in self.paired],
                "add_on_carc": dict(self.add_on_carc), "precedence": list(self.precedence),
                "rules_families": sorted(self.rules_families), "reduction_carc": sorted(self.reduction_carc)}

    def carc_family(self, reason: str, remarks: Sequence[str], *, add_on: bool) -> str:
        """The family of one CARC beside the line's RARCs."""
        if add_on and reason in self.add_on_carc:
            return self.add_on_carc[reason]
        for carcs, rarcs, family in self.paired:
            if reason in carcs and rarcs.intersection(remarks):
                return family
        return self.carc.get(reason, "other")

    def family(self, adjustments: Sequence[Adjustment], remarks: Sequence[str], *, add_on: bool) -> str | None:
        """The payer reason family of a line, or None when it has neither an adjustment nor a remark."""
        found = {self.carc_family(a.reason, remarks, add_on=add_on) for a in adjustments}
        found.update(self.rarc[r] for r in remarks if r in self.rarc)
        for family in self.precedence:
            if family in found:
                return family
        return None

    def outcome(self, paid: float, adjustments: Sequence[Adjustment], family: str | None) -> str:
        """``paid``, ``reduced`` (paid less for a rule reason) or ``denied`` (paid 0 for a non-contractual reason)."""
        if paid <= 0:
            return "paid" if family in (None, "contractual") else "denied"
        cut = family in self.rules_families or any(a.reason in self.reduction_carc and a.amount > 0
                                                   for a in adjustments)
        return "reduced" if cut else "paid"


def _load() -> ReasonTable:
    text = resources.files("fluorologic.data").joinpath("payer_reasons.json").read_text(encoding="utf-8")
    return ReasonTable.from_dict(json.loads(text))


#: The table shipped with fluorologic.
TABLE = _load()
