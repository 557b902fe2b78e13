"""The note reader's vocabulary, read from ``data/note_vocabulary.json``: named patterns and heading word lists.

Vocabulary is data (style guide, "Edit tables are data"): each named pattern is a list of alternatives,
joined with ``|`` and compiled case-insensitive once per process. Code asks for a pattern by its name.

Examples
--------
>>> bool(pattern("films").search("AP and lateral views were obtained"))
True
>>> section_words()[0][0]
'codes'

"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from typing import Any

from fluorologic.contract.errors import DataError

__all__ = ["pattern", "runon_headings", "section_words"]


@cache
def _raw() -> dict[str, Any]:
    raw = json.loads(resources.files("fluorologic.data").joinpath("note_vocabulary.json").read_text("utf-8"))
    if not isinstance(raw, dict) or not isinstance(raw.get("patterns"), dict):
        raise DataError("note_vocabulary.json: expected an object with 'patterns'")
    return raw


@cache
def pattern(name: str, prefix: str = "") -> re.Pattern[str]:
    """The named pattern (its alternatives joined), compiled case-insensitive; ``prefix`` goes in front.

    Raises
    ------
    DataError
        When the name is missing, the entry is not a list of strings, or it does not compile.

    """
    alts = _raw()["patterns"].get(name)
    if not isinstance(alts, list) or not alts or not all(isinstance(a, str) and a for a in alts):
        raise DataError(f"note_vocabulary.json: pattern {name!r} must be a non-empty list of regular expressions")
    try:
        return re.compile(prefix + "(?:" + "|".join(alts) + ")", re.IGNORECASE)
    except re.error as exc:
        raise DataError(f"note_vocabulary.json: pattern {name!r} does not compile: {exc}") from None


@cache
def section_words() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The section kinds and the heading words that open them, in the order they are tried."""
    kinds = _raw().get("section_kinds")
    if not isinstance(kinds, list) or not all(isinstance(k, list) and len(k) == 2 for k in kinds):
        raise DataError("note_vocabulary.json: section_kinds must be a list of [kind, [words]] pairs")
    return tuple((str(kind), tuple(str(w) for w in words)) for kind, words in kinds)


@cache
def runon_headings() -> tuple[str, ...]:
    """Heading words of the sections that may run on into the procedure narrative (INDICATION, REASON)."""
    return tuple(str(w) for w in _raw().get("runon_headings", ()))
