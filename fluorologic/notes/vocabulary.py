"""The words that say fluoroscopy: the modality, its machines, and the imaging views it produces.

Strong terms name the modality or the machine (fluoroscopy, fluoro, C-arm, mini C-arm, image intensifier,
brand names such as Xi-scan or FluoroScan, spot films). View phrases ("AP and lateral images", "on lateral
view") say fluoroscopy only inside a procedure and only when the sentence does not speak of plain films,
x-rays or cross-sectional imaging. Words that merely contain the letters (fluoroquinolone,
5-fluorouracil, fluorescein) never match.

Examples
--------
>>> [t for _, _, t in find_mentions("The C-arm and image intensifier confirmed placement.")]
['C-arm', 'image intensifier']
>>> find_mentions("Cipro, a fluoroquinolone, and 5-fluorouracil were given.")
[]
>>> [t for _, _, t in find_mentions("Position was checked on AP and lateral views.")]
['AP and lateral views']
>>> find_mentions("AP and lateral x-rays of both knees were taken.")
[]

"""

from __future__ import annotations

import re
from itertools import islice

__all__ = ["GENERIC", "STRONG", "VIEW", "find_mentions", "is_strong"]

STRONG = re.compile(
    r"\b(?:non-?)?(?:video)?fl(?:uo|ou|u|o)roscop\w*"
    r"|\bfluoro\b(?!-?(?:quin|uracil))"
    r"|\bmini[\s-]?c[\s-]?arms?\b|\bc[\s-]arms?\b|\bo-arm\b"
    r"|\bimage[\s-]?intensif\w+|\bintensifier\b|\b(?:direct|biplanar|biplane)\s+(?:image\s+)?intensification\b"
    r"|\bimage\s+control\b|\bxi-?scan\b|\bfluoroscan\b|\bmini-?view\b|\bziehm\b"
    r"|\bspot\s+(?:films?|images?|radiographs?)\b|\blive\s+(?:imaging|x-?ray)\b"
    r"|\b(?:x-?ray|radiographic|radiologic(?:al)?)\s+(?:guidance|control|visuali[sz]ation|monitoring)\b"
    r"|\bunder\s+(?:direct\s+)?x-?ray\b",
    re.IGNORECASE,
)
VIEW = re.compile(
    r"\b(?:AP|A-P|PA|anteroposterior|posteroanterior)\s*(?:and|&|/|,)\s*(?:the\s+)?lateral\s+"
    r"(?:fluoroscopic\s+)?(?:images?|views?|projections?|planes?|imaging|directions?|radiographs?)\b"
    r"|\b(?:lateral|oblique|AP|A-P|anteroposterior|biplanar)\s+(?:views?|projections?|images?|imaging)\b"
    r"|\bbiplanar\b",
    re.IGNORECASE,
)
# Imaging without a modality: it says nothing about fluoroscopy when affirmed ("under imaging guidance"
# may be CT or ultrasound), but "without image guidance" does say fluoroscopy was not used.
GENERIC = re.compile(r"\bimag(?:e|ing)[\s-]+guid\w*|\bimage[\s-]+guided\b", re.IGNORECASE)
_PLAIN_FILM = re.compile(r"\bx-?rays?\b|\bradiographs?\b|\bfilms?\b|\bMRI\b|\bCT\b|\bscans?\b|\bmyelogram\b",
                         re.IGNORECASE)


# Every match of STRONG or VIEW contains one of these (a cheap pre-filter, checked by the tests).
_KEYS = ("fl", "arm", "intensif", "image", "scan", "spot", "live", "view", "projection", "plan", "imaging",
         "radiograph", "radiolog", "ray", "direction", "ziehm")


def is_strong(term: str) -> bool:
    """True when ``term`` names the modality or the machine (not only a view)."""
    return STRONG.fullmatch(term) is not None


def find_mentions(sentence: str, limit: int | None = None) -> list[tuple[int, int, str]]:
    """Fluoroscopy mentions in one sentence: (start, end, text), in order, without overlaps.

    ``limit`` keeps only the first mentions of each family (the reader's bound on the work per sentence).
    """
    low = sentence.lower()
    if not any(k in low for k in _KEYS):
        return []

    def first(pattern: re.Pattern[str]) -> list[tuple[int, int, str]]:
        return [(m.start(), m.end(), m.group(0)) for m in islice(pattern.finditer(sentence), limit)]

    strong = first(STRONG)
    views: list[tuple[int, int, str]] = []
    if not strong and not _PLAIN_FILM.search(sentence):
        views = first(VIEW)
    out: list[tuple[int, int, str]] = []
    for item in sorted(strong + views + first(GENERIC)):
        if not out or item[0] >= out[-1][1]:
            out.append(item)
    return out[:limit]
