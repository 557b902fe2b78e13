"""Anatomy in a note: spine or not, spinal levels (normalised), laterality, and the body area named.

Examples
--------
>>> classify_target("a 22 gauge spinal needle entered over the mid-trochanter")
'nonspinal'
>>> classify_target("Right L5-S1 intralaminar epidural steroid injection")
'spinal'
>>> [lv for _, _, lv in find_levels("L4-5, L4-L5, L5/S1, C6-7, L45 and T8")]
['L4-L5', 'L4-L5', 'L5-S1', 'C6-C7', 'L4-L5', 'T8']
>>> find_laterality("Left L4-5 and right L5-S1 injections")
'bilateral'

"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import islice

from fluorologic.notes.lexicon import pattern

__all__ = ["BODY_AREA", "classify_target", "find_body_area", "find_laterality", "find_levels", "find_sides",
           "target_span"]

# Phrases in which "spinal" does not name the target (the needle, the anaesthetic, the table).
_NOT_TARGET = re.compile(r"\bspinal\s+(?:needles?|anesthe\w*|anaesthe\w*|block\s+anesthe\w*|table|cord\s+monitoring)"
                         r"|\bjackson\s+spinal\s+table", re.IGNORECASE)
# ``(?=[a-z])`` first: the search skips digits and punctuation at once (a note of digits is read fast).
_SPINE_WORDS = pattern("spine_words", "(?=[a-z])")
_LIMB_WORDS = pattern("limb_words", "(?=[a-z])")
# Objects named after a body part that are not the anatomy imaged (a hand drill, a shoulder roll).
_NOT_AREA = re.compile(r"\bhand[\s-]*(?:drill|holder|held)\b|\b(?:shoulder|hip|knee|arm)\s+(?:rolls?|rests?|bumps?|"
                       r"holders?|boards?|tables?)\b|\bfoot\s*(?:pedal|switch)\b", re.IGNORECASE)
_LEVEL = re.compile(
    r"(?<![\w#])L5S1(?![\w#])|(?<![\w#])L([1-5])([1-5])(?![\w#])"
    r"|(?<![\w#])([CTLS])(\d{1,2})"
    r"(?:[ \t]{0,3}(?:-|–|/|to|through)[ \t]{0,3}(?:([CTLS])[ \t]{0,2})?(\d{1,2}))?(?![\w#])",
    re.IGNORECASE,
)
_MAX = {"C": 8, "T": 12, "L": 5, "S": 5}
_NEXT = {"C": "T", "T": "L", "L": "S"}
_SIDE = re.compile(r"\b(left|right|bilateral(?:ly)?|both\s+sides)\b", re.IGNORECASE)
BODY_AREA = re.compile(
    r"(?=[a-z])\b(?:(?:left|right|bilateral)\s+)?(?:"
    r"(?:(?:lumbar|cervical|thoracic|lumbosacral|thoracolumbar|thoracodorsal|sacral)\s+(?:spine|area|region|regions))"
    r"|(?:lumbar|cervical|thoracic)\s+(?:facets?|medial\s+branch(?:es)?|epidural\s+space)"
    r"|sacroiliac\s+joints?|sacral\s+hiatus|sacrum|coccyx|sacral\s+alar\s+notch|costochondral\s+(?:cartilages?|junctions?)"
    r"|(?:distal\s+|proximal\s+)?(?:radius|humerus|femur|tibia|fibula|ulna|tibial\s+shaft|femoral\s+neck)"
    r"|(?:[CTLS]\d{1,2}(?:\s*-\s*[CTLS]?\d{1,2})?\s+)?(?:vertebra(?:e|l\s+bod(?:y|ies))?|vertebral\s+bod(?:y|ies)|pedicles?)"
    r"|[CTLS]\d{1,2}(?:\s*-\s*[CTLS]?\d{1,2})?\s+(?:fracture|level|lamina|interspace|dis[ck](?:\s+space)?)"
    r"|(?:knee|hip|shoulder|elbow|wrist|ankle|acromioclavicular|glenohumeral)\s+joint|knee|hip|shoulder|elbow|wrist|"
    r"ankle|foot|hand|forearm|talus|fifth\s+metatarsal|metatarsal|pharyngeal\s+airway|airway|iliac\s+arter(?:y|ies)|"
    r"stellate\s+ganglion|lumbar\s+sympathetic\s+chain|sympathetic\s+chain|hypogastric\s+plexus|celiac\s+plexus|"
    r"(?:facet|articular)\s+(?:joints?|pillars?)|neural\s+foram(?:en|ina)|intervertebral\s+foramen|"
    r"spinal\s+canal|epidural\s+space|disc\s+spaces?|disk\s+spaces?|spine|fracture\s+site)\b",
    re.IGNORECASE,
)


def classify_target(text: str) -> str | None:
    """``spinal``, ``nonspinal`` or None: what kind of target the text names.

    Words of the spine win over words of the limbs; bare level tokens (``T1``) count for the spine only
    when no limb is named, so "great toe, T1 fracture" stays non-spinal.
    """
    found = target_span(text)
    return found[0] if found else None


def target_span(text: str) -> tuple[str, int, int] | None:
    """The target kind the text names and the span of the word that decides it, as (kind, start, end).

    Examples
    --------
    >>> target_span("Subtalar arthrodesis of the left foot")
    ('nonspinal', 0, 8)

    """
    probe = _NOT_TARGET.sub(lambda m: " " * len(m.group(0)), text)
    m = _SPINE_WORDS.search(probe)
    if m:
        return "spinal", m.start(), m.end()
    m = _LIMB_WORDS.search(probe)
    if m:
        return "nonspinal", m.start(), m.end()
    for m in _LEVEL.finditer(probe):
        if _level_of(m.group(0)):
            return "spinal", m.start(), m.end()
    return None


def _normal(a: str, n: int, b: str | None, m: int | None) -> str | None:
    a = a.upper()
    if not 1 <= n <= _MAX[a]:
        return None
    if m is None:
        return f"{a}{n}"
    b = (b or a).upper()
    if b == a and m <= n:
        # "L45" style compact or "C6-7": the second number is the next segment of the same region
        return None
    if b != a and b != _NEXT.get(a):
        return None
    if not 1 <= m <= _MAX[b]:
        return None
    return f"{a}{n}-{b}{m}"


@lru_cache(maxsize=1024)
def _level_of(token: str) -> str | None:
    """The normalised level a matched token names (the same token is read once per process)."""
    mt = _LEVEL.fullmatch(token)
    if mt is None:
        return None
    if mt.group(0).upper() == "L5S1":
        return "L5-S1"
    if mt.group(1):
        n, m = int(mt.group(1)), int(mt.group(2))
        return f"L{n}-L{m}" if m == n + 1 else None
    return _normal(mt.group(3), int(mt.group(4)), mt.group(5), int(mt.group(6)) if mt.group(6) else None)


def find_levels(text: str, limit: int | None = None) -> list[tuple[int, int, str]]:
    """Spinal levels as (start, end, normalised level): ``L4-L5``, ``L5-S1``, ``C6-C7``, ``T8``.

    ``limit`` reads only the first level tokens of the text (the reader's bound on the work per sentence).
    """
    out = []
    for mt in islice(_LEVEL.finditer(text), limit):
        level = _level_of(mt.group(0))
        if level:
            out.append((mt.start(), mt.end(), level))
    return out


def find_sides(text: str) -> list[tuple[int, int, str]]:
    """Side words as (start, end, ``left``/``right``/``bilateral``)."""
    return [(m.start(), m.end(), "bilateral" if m.group(1).lower().startswith(("bilateral", "both")) else
             m.group(1).lower()) for m in _SIDE.finditer(text)]


def find_laterality(text: str) -> str | None:
    """``left``, ``right``, ``bilateral`` or None, from the side words in the text."""
    sides = {side for _, _, side in find_sides(text)}
    if not sides:
        return None
    if "bilateral" in sides or {"left", "right"} <= sides:
        return "bilateral"
    return sides.pop()


def find_body_area(text: str) -> tuple[int, int, str] | None:
    """The first anatomic area named in the text, as (start, end, text)."""
    m = BODY_AREA.search(_NOT_AREA.sub(lambda x: " " * len(x.group(0)), text))
    return (m.start(), m.end(), m.group(0)) if m else None
