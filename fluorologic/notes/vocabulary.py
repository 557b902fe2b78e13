"""The words that say fluoroscopy: the modality, its machines, and the imaging views it produces.

Strong terms name the modality or the machine (fluoroscopy, fluoro, C-arm, mini C-arm, image intensifier,
brand names such as Xi-scan or FluoroScan, spot films). View phrases ("AP and lateral images", "on lateral
view") say fluoroscopy only inside a procedure and only when the sentence does not speak of plain films,
x-rays or cross-sectional imaging, and only beside a guided action (a needle, a wire, "checked under"): a
radiograph series ("AP and lateral views were obtained") is not fluoroscopy. Words that merely contain the
letters (fluoroquinolone, 5-fluorouracil, fluorescein) never match. The words are data
(``data/note_vocabulary.json``).

Examples
--------
>>> [t for _, _, t in find_mentions("The C-arm and image intensifier confirmed placement.")]
['C-arm', 'image intensifier']
>>> find_mentions("Cipro, a fluoroquinolone, and 5-fluorouracil were given.")
[]
>>> [t for _, _, t in find_mentions("Needle position was checked on AP and lateral views.")]
['AP and lateral views']
>>> find_mentions("AP and lateral views were obtained.")
[]
>>> find_mentions("AP and lateral x-rays of both knees were taken.")
[]

"""

from __future__ import annotations

import re
from itertools import islice

from fluorologic.notes.lexicon import pattern

__all__ = ["GENERIC", "STRONG", "VIEW", "WEAK", "find_mentions", "is_strong"]

STRONG = pattern("modality")
# "under x-ray" and the view phrases say imaging, not live imaging: they count only beside a guided action.
WEAK = pattern("weak_modality")
VIEW = pattern("views")
# Imaging without a modality: it says nothing about fluoroscopy when affirmed ("under imaging guidance"
# may be CT or ultrasound), but "without image guidance" does say fluoroscopy was not used.
GENERIC = pattern("generic")
_PLAIN_FILM = pattern("films")
_LIVE = pattern("view_live_context")


# Every match of STRONG or VIEW contains one of these (a cheap pre-filter, checked by the tests).
_KEYS = ("fl", "arm", "intensif", "image", "scan", "spot", "live", "view", "projection", "plan", "imaging",
         "radiograph", "radiolog", "ray", "direction", "ziehm", "oec", "siremobil")


def _without(p: re.Pattern[str], text: str) -> str:
    """``text`` with the matches of ``p`` blanked out (same length)."""
    return p.sub(lambda m: " " * len(m.group(0)), text)


def is_strong(term: str) -> bool:
    """True when ``term`` names the modality or the machine (not only a view)."""
    return STRONG.fullmatch(term) is not None


def find_mentions(sentence: str, limit: int | None = None, before: str = "") -> list[tuple[int, int, str]]:
    """Fluoroscopy mentions in one sentence: (start, end, text), in order, without overlaps.

    ``limit`` keeps only the first mentions of each family (the reader's bound on the work per sentence).
    ``before`` is the sentence before it: a guided action there ("the needle was advanced. On lateral view it
    lay ...") makes a view phrase here live imaging too.
    """
    low = sentence.lower()
    if not any(k in low for k in _KEYS):
        return []

    def first(pattern: re.Pattern[str]) -> list[tuple[int, int, str]]:
        return [(m.start(), m.end(), m.group(0)) for m in islice(pattern.finditer(sentence), limit)]

    strong = first(STRONG)
    views: list[tuple[int, int, str]] = []
    if not strong:
        views = first(WEAK) + first(VIEW)
        if views and (_PLAIN_FILM.search(_without(WEAK, sentence)) or not (_LIVE.search(sentence) or
                                                                           _LIVE.search(before))):
            views = []
    out: list[tuple[int, int, str]] = []
    for item in sorted(strong + views + first(GENERIC)):
        if not out or item[0] >= out[-1][1]:
            out.append(item)
    return out[:limit]
