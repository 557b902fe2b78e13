"""ConText-style assertion of a mention: negated, hypothetical (planned), historical, or affirmed.

The algorithm is ConText (Harkema et al., J Biomed Inform 2009), reduced to what fluoroscopy mentions
need: trigger phrases with a direction and a largest reach in words, pseudo-triggers that look like
triggers but are not (``no complications``), and terminators that end a scope (``but``, ``;``). Scopes
never leave the sentence. The rules are data (``data/note_context_rules.json``), never code literals.

Examples
--------
>>> rules = ContextRules.embedded()
>>> s = "The injection was done without fluoroscopic guidance."
>>> i = s.index("fluoro")
>>> sorted(rules.modifiers(s, i, i + 13))
['NEGATED']
>>> s = "Fluoroscopy, which was available throughout the case, was not used."
>>> sorted(rules.modifiers(s, 0, 11))
['NEGATED']
>>> s = "Under fluoroscopy the needle was placed without complications."
>>> sorted(rules.modifiers(s, 6, 17))
[]

"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

from fluorologic.contract.errors import DataError

__all__ = ["CATEGORIES", "ContextRule", "ContextRules"]

CATEGORIES = ("NEGATED", "HYPOTHETICAL", "HISTORICAL", "PSEUDO", "TERMINATE", "TERMINATE_NEGATION")
_DIRECTIONS = ("forward", "backward", "both")
_WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class ContextRule:
    """One modifier: a regular expression, its category, its direction and its reach in words."""

    pattern: re.Pattern[str]
    category: str
    direction: str = "forward"
    max_tokens: int = 10

    @classmethod
    def from_dict(cls, raw: dict[str, object], where: str) -> ContextRule:
        """Build a rule from its JSON object; ``where`` names it in error messages."""
        category = raw.get("category")
        if category not in CATEGORIES:
            raise DataError(f"{where}: category must be one of {', '.join(CATEGORIES)}")
        direction = raw.get("direction", "forward")
        if direction not in _DIRECTIONS:
            raise DataError(f"{where}: direction must be one of {', '.join(_DIRECTIONS)}")
        reach = raw.get("max_tokens", 10)
        if not isinstance(reach, int) or reach < 1:
            raise DataError(f"{where}: max_tokens must be a positive whole number")
        text = raw.get("pattern")
        if not isinstance(text, str) or not text:
            raise DataError(f"{where}: pattern must be a non-empty regular expression")
        try:
            pattern = re.compile(text, re.IGNORECASE)
        except re.error as exc:
            raise DataError(f"{where}: pattern does not compile: {exc}") from None
        return cls(pattern, str(category), str(direction), reach)

    def to_dict(self) -> dict[str, object]:
        """The JSON object of this rule (round-trips through :meth:`from_dict`)."""
        return {"pattern": self.pattern.pattern, "category": self.category, "direction": self.direction,
                "max_tokens": self.max_tokens}


def _words_between(text: str, start: int, end: int) -> int:
    return len(_WORD.findall(text, start, end)) if end > start else 0


class ContextRules:
    """A set of ConText modifiers and the scope logic that applies them to one sentence."""

    def __init__(self, rules: list[ContextRule]) -> None:
        self.rules = rules
        self.triggers = [r for r in rules if r.category in ("NEGATED", "HYPOTHETICAL", "HISTORICAL")]
        self.pseudo = [r for r in rules if r.category == "PSEUDO"]
        self.stop_all = [r for r in rules if r.category == "TERMINATE"]
        self.stop_negation = [r for r in rules if r.category == "TERMINATE_NEGATION"]

    @classmethod
    @cache
    def embedded(cls) -> ContextRules:
        """The rules shipped in ``fluorologic/data/note_context_rules.json`` (parsed once)."""
        raw = json.loads(resources.files("fluorologic.data").joinpath("note_context_rules.json").read_text("utf-8"))
        return cls([ContextRule.from_dict(r, f"note_context_rules.json rule {i}") for i, r in enumerate(raw["rules"])])

    def modifiers(self, sentence: str, start: int, end: int, negation_reach: int | None = None) -> set[str]:
        """The categories whose scope covers ``sentence[start:end]`` (an empty set: affirmed).

        ``negation_reach`` caps the reach of negation triggers in words (procedures use a short reach:
        "no pinning was performed" negates the pinning, "lidocaine without epinephrine was injected
        into the bursa" does not negate the injection).
        """
        return {category for category, _, _ in self.triggers_of(sentence, start, end, negation_reach)}

    def triggers_of(self, sentence: str, start: int, end: int, negation_reach: int | None = None
                    ) -> list[tuple[str, int, int]]:
        """(category, start, end) of every trigger whose scope covers ``sentence[start:end]``."""
        triggers, stops, neg_stops = self._analyse(sentence)
        found: list[tuple[str, int, int]] = []
        for rule, t0, t1 in triggers:
            if t0 < end and t1 > start:
                continue
            bounds = neg_stops if rule.category == "NEGATED" and rule.direction == "forward" else stops
            reach = rule.max_tokens
            if rule.category == "NEGATED" and negation_reach is not None:
                reach = min(reach, negation_reach)
            if self._covers(sentence, rule, t0, t1, start, end, bounds, reach):
                found.append((rule.category, t0, t1))
        return sorted(found, key=lambda t: (t[1], t[2], t[0]))

    @lru_cache(maxsize=512)  # noqa: B019 - one rule set per process; sentences repeat within a note
    def _analyse(self, sentence: str) -> tuple[tuple[tuple[ContextRule, int, int], ...], list[int], list[int]]:
        """The triggers (outside pseudo-triggers) and the terminator offsets of one sentence."""
        blocked = [(m.start(), m.end()) for r in self.pseudo for m in r.pattern.finditer(sentence)]
        stops = sorted(m.start() for r in self.stop_all for m in r.pattern.finditer(sentence))
        neg_stops = sorted(stops + [m.start() for r in self.stop_negation for m in r.pattern.finditer(sentence)])
        triggers = tuple((rule, m.start(), m.end()) for rule in self.triggers for m in rule.pattern.finditer(sentence)
                         if not blocked or not any(a <= m.start() < b for a, b in blocked))
        return triggers, stops, neg_stops

    @staticmethod
    def _covers(text: str, rule: ContextRule, t0: int, t1: int, start: int, end: int, stops: list[int],
                reach: int) -> bool:
        if rule.direction in ("forward", "both") and start >= t1:
            limit = min([s for s in stops if s >= t1] or [len(text)])
            if start < limit and _words_between(text, t1, start) < reach:
                return True
        return (rule.direction in ("backward", "both") and end <= t0
                and not any(end <= s < t0 for s in stops) and _words_between(text, end, t0) < reach)
