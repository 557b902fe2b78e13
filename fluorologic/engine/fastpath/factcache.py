"""Input facts with the rule-row part cached: the rows for a set of codes are looked up once per fee period.

:func:`fluorologic.engine.facts.build_facts` turns an encounter into its own facts (date, place, lines, ...)
and the rule rows of its codes (PTP, MUE, AOC, fees, attributes). The rule rows depend only on the set
of codes and on which fee release is in force on the date of service, and the same combinations of
codes recur all day long in a practice, so :class:`FactCache` keeps them (as :class:`RulePart`) and
builds only the encounter's own facts each time. The result is equal to ``build_facts``, atom for atom.

Examples
--------
>>> from fluorologic.contract.encounter import parse_encounter
>>> from fluorologic.engine.facts import build_facts
>>> from fluorologic.rules.ruledata import RuleData
>>> enc = parse_encounter({"encounter_id": "x", "date_of_service": "2024-08-01", "place_of_service": "11",
...                        "lines": [{"code": "20610"}, {"code": "77002"}]})
>>> cache = FactCache(RuleData.embedded())
>>> facts, part = cache.facts(enc)
>>> facts.terms == build_facts(enc, RuleData.embedded()).terms and facts.rows == part.rows
True
>>> other = FactCache(RuleData.embedded())
>>> other.adopt(cache.parts_of([enc]))
>>> other.rule_part(enc).terms == part.terms
True

"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, replace

from fluorologic.contract.encounter import Encounter
from fluorologic.engine.facts import Facts, claim_locality, encounter_facts, rule_facts
from fluorologic.engine.fastpath.memokey import date_thresholds
from fluorologic.engine.terms import Atom
from fluorologic.rules.ruledata import RuleData, default_places

__all__ = ["FactCache", "RulePart", "with_rows"]


@dataclass(frozen=True)
class RulePart:
    """The rule-row atoms of one combination of codes in one fee period, with their row registry."""

    number: int
    terms: tuple[Atom, ...]
    rows: dict[tuple[str, int], object]
    #: The dates of these rows that the date of service is compared with (:mod:`~fluorologic.engine.fastpath.memokey`).
    thresholds: tuple[int, ...] = ()


class FactCache:
    """Build facts like ``build_facts``, looking up the rule rows of a code combination once per fee period.

    Safe from any number of threads: a part is numbered under a lock (the numbers key the memos).
    """

    def __init__(self, data: RuleData, places: dict[str, tuple[str, str]] | None = None, *,
                 max_entries: int = 4_000) -> None:
        self.data = data
        self.places = places or default_places()
        self.max_entries = max_entries
        self._parts: dict[Hashable, RulePart] = {}
        # A part keeps its number for the life of the cache, so that the clingo symbols made from it
        # (interned by clingo for the life of the process) are made once per code combination.
        self._numbers: dict[Hashable, int] = {}
        self._lock = threading.Lock()
        fees = getattr(data, "fees", None)
        bounds: set[int] = set()
        if hasattr(data, "fee_bounds"):
            bounds.update(data.fee_bounds())
        elif isinstance(fees, dict):
            for rows in fees.values():
                for f in rows:
                    bounds.update((f.start, f.end + 1))
        self._bounds = sorted(bounds) if isinstance(fees, dict) or hasattr(data, "fee_bounds") else None

    @property
    def numbered(self) -> int:
        """How many (code combination, fee period) keys have a part number (numbers are kept for the cache's life)."""
        return len(self._numbers)

    def _period(self, dos: int) -> int:
        """Dates in the same period see the same fee rows in force (so the same rule part)."""
        return dos if self._bounds is None else bisect.bisect_right(self._bounds, dos)

    def own_facts(self, enc: Encounter) -> Facts:
        """The encounter's own facts (no rule rows)."""
        return encounter_facts(enc, self.places)

    def part_key(self, enc: Encounter) -> Hashable:
        """The key of the encounter's rule part: codes, fee period, claim type, payment locality and rate (setting)."""
        return (tuple(sorted({ln.code for ln in enc.lines})), self._period(enc.dos_number), enc.claim_type,
                claim_locality(enc), self.places[enc.place_of_service][0])

    def rule_part(self, enc: Encounter) -> RulePart:
        """The cached rule rows of the encounter's codes on its date of service, for its claim type and locality."""
        key = self.part_key(enc)
        part = self._parts.get(key)
        if part is None:
            rules = rule_facts(self.data, {ln.code for ln in enc.lines}, enc.dos_number, claim_locality(enc),
                               claim_type=enc.claim_type, setting=key[-1])
            part = self._keep(key, RulePart(0, tuple(rules.terms), rules.rows, date_thresholds(rules.terms)))
        return part

    def _keep(self, key: Hashable, part: RulePart) -> RulePart:
        with self._lock:  # two threads must never give two code combinations one number
            if len(self._parts) >= self.max_entries:
                self._parts.clear()
            number = self._numbers.setdefault(key, len(self._numbers) + 1)
            part = self._parts[key] = replace(part, number=number)
        return part

    def known_part(self, enc: Encounter) -> RulePart | None:
        """The rule part of ``enc`` when it is cached already, else None (nothing is looked up)."""
        return self._parts.get(self.part_key(enc))

    def parts_of(self, encs: Iterable[Encounter]) -> dict[Hashable, RulePart]:
        """The rule parts of ``encs`` by key, for another process's cache on the same rule data (:meth:`adopt`).

        A process that has built the parts already (the memo in front of a pool needs them for the memo keys)
        hands them on with the encounters, so that the worker does not look the same rows up again.
        """
        return {self.part_key(enc): self.rule_part(enc) for enc in encs}

    def adopt(self, parts: dict[Hashable, RulePart]) -> None:
        """Keep the parts another cache on the same rule data built (:meth:`parts_of`), numbered here."""
        for key, part in parts.items():
            if key not in self._parts:
                self._keep(key, part)

    def facts(self, enc: Encounter) -> tuple[Facts, RulePart]:
        """The facts of ``enc`` (equal to ``build_facts``) and the rule part they include."""
        part = self.rule_part(enc)
        return with_rows(self.own_facts(enc), part), part


def with_rows(own: Facts, part: RulePart) -> Facts:
    """An encounter's own facts with the rule part of its codes: all its facts, as ``build_facts`` makes them."""
    return Facts(terms=own.terms + list(part.terms), rows=dict(part.rows), note=own.note)
