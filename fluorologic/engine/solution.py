"""The answer of one encounter: the shown atoms of its optimal answer set, with the facts behind them.

The solver makes it, decode and the explanation read it; it holds no live clingo object.

Examples
--------
>>> from fluorologic.engine.solver import Engine
>>> sol = Engine().solve_encounter(parse_encounter({"encounter_id": "e", "date_of_service": "2024-08-01",
...                                                 "place_of_service": "11", "lines": [{"code": "20610"}]}))
>>> any(a.name == "billed" for a in sol.atoms)
True

"""

from __future__ import annotations

from dataclasses import dataclass

import clingo

from fluorologic.contract.encounter import Encounter, parse_encounter  # noqa: F401 (parse_encounter: example)
from fluorologic.engine.facts import Facts

__all__ = ["Solution"]


@dataclass(frozen=True)
class Solution:
    """The shown atoms of the optimal answer set, with the facts that produced them."""

    encounter: Encounter
    facts: Facts
    #: The shown atoms as clingo's integer representations, in clingo's order (:mod:`~.engine.fastpath.rawsym`).
    reps: tuple[int, ...]

    @property
    def atoms(self) -> tuple[clingo.Symbol, ...]:
        """The shown atoms as clingo symbols, in clingo's order."""
        return tuple(map(clingo.Symbol, self.reps))
