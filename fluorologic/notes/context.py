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
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from itertools import accumulate

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


@dataclass(frozen=True)
class _Sentence:
    """What one sentence holds for the scope logic, sorted so that every question is a binary search."""

    triggers: tuple[tuple[ContextRule, int, int], ...]  # sorted by start
    starts: tuple[int, ...]  # the triggers' starts
    stops: tuple[int, ...]
    neg_stops: tuple[int, ...]
    words: tuple[int, ...]  # where each word (a run of non-blanks) starts

    def words_between(self, text: str, start: int, end: int) -> int:
        """How many words ``text[start:end]`` holds, read on its own (a cut word counts)."""
        if end <= start:
            return 0
        n = bisect_left(self.words, end) - bisect_left(self.words, start)
        return n + (start > 0 and not text[start].isspace() and not text[start - 1].isspace())

    def word_window(self, start: int, end: int, reach: int) -> tuple[int, int]:
        """Character bounds ``reach`` words before ``start`` and after ``end``."""
        i = max(0, bisect_right(self.words, start) - 1 - reach)
        j = bisect_left(self.words, end) + reach
        return (self.words[i] if self.words else 0), (self.words[j] if j < len(self.words) else 1 << 62)


class ContextRules:
    """A set of ConText modifiers and the scope logic that applies them to one sentence."""

    def __init__(self, rules: list[ContextRule]) -> None:
        self.rules = rules
        self.triggers = [r for r in rules if r.category in ("NEGATED", "HYPOTHETICAL", "HISTORICAL")]
        self.pseudo = [r for r in rules if r.category == "PSEUDO"]
        self.stop_all = [r for r in rules if r.category == "TERMINATE"]
        self.stop_negation = [r for r in rules if r.category == "TERMINATE_NEGATION"]
        self._reach = max((r.max_tokens for r in self.triggers), default=1)

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
        info = self._analyse(sentence)
        # Only triggers within the longest reach of the mention can cover it: a binary search finds them, so
        # the work per mention does not grow with the sentence (issue 13, D5).
        lo, hi = info.word_window(start, end, self._reach + 8)  # a trigger phrase has a few words
        found: list[tuple[str, int, int]] = []
        for k in range(bisect_left(info.starts, lo), bisect_left(info.starts, hi)):
            rule, t0, t1 = info.triggers[k]
            if t0 < end and t1 > start:
                continue
            bounds = info.neg_stops if rule.category == "NEGATED" and rule.direction == "forward" else info.stops
            reach = rule.max_tokens
            if rule.category == "NEGATED" and negation_reach is not None:
                reach = min(reach, negation_reach)
            if self._covers(sentence, info, rule, (t0, t1), (start, end), bounds, reach):
                found.append((rule.category, t0, t1))
        return sorted(found, key=lambda t: (t[1], t[2], t[0]))

    @lru_cache(maxsize=512)  # noqa: B019 - one rule set per process; sentences repeat within a note
    def _analyse(self, sentence: str) -> _Sentence:
        """The triggers (outside pseudo-triggers), the terminator offsets and the word starts of one sentence."""
        blocked = sorted((m.start(), m.end()) for r in self.pseudo for m in r.pattern.finditer(sentence))
        block_starts = [a for a, _ in blocked]
        block_ends = list(accumulate((b for _, b in blocked), max))
        stops = tuple(sorted(m.start() for r in self.stop_all for m in r.pattern.finditer(sentence)))
        neg_stops = tuple(sorted(stops + tuple(m.start() for r in self.stop_negation
                                               for m in r.pattern.finditer(sentence))))

        def free(at: int) -> bool:
            i = bisect_right(block_starts, at) - 1
            return i < 0 or block_ends[i] <= at

        triggers = sorted(((rule, m.start(), m.end()) for rule in self.triggers
                           for m in rule.pattern.finditer(sentence) if free(m.start())), key=lambda t: (t[1], t[2]))
        words = tuple(m.start() for m in _WORD.finditer(sentence))
        return _Sentence(tuple(triggers), tuple(t[1] for t in triggers), stops, neg_stops, words)

    @staticmethod
    def _covers(text: str, info: _Sentence, rule: ContextRule, trigger: tuple[int, int], span: tuple[int, int],
                stops: tuple[int, ...], reach: int) -> bool:
        (t0, t1), (start, end) = trigger, span
        if rule.direction in ("forward", "both") and start >= t1:
            i = bisect_left(stops, t1)
            limit = stops[i] if i < len(stops) else len(text)
            if start < limit and info.words_between(text, t1, start) < reach:
                return True
        return (rule.direction in ("backward", "both") and end <= t0
                and bisect_left(stops, end) == bisect_left(stops, t0) and info.words_between(text, end, t0) < reach)
