"""Read a documented anatomic site as a spinal / paraspinous or a non-spinal target.

Examples
--------
>>> classify_site("L5-S1"), classify_site("left knee"), classify_site("unspecified")
('spinal', 'nonspinal', None)

"""

from __future__ import annotations

import functools
import re

__all__ = ["classify_site"]

_SPINAL = re.compile(
    r"\b(?:[ctls]\d{1,2}\s*[-/]\s*[ctls]?\d{1,2}|[ctl]\d{1,2}|s1|spine|spinal|lumbar|lumbosacral|cervical|thoracic|"
    r"sacral|sacroiliac|si joint|epidural|facet|medial branch|paraspin\w*|paravertebral|vertebra\w*|intrathecal|"
    r"interlaminar|transforaminal|foramen|foraminal|nerve root|caudal|coccyx)\b"
)
_NONSPINAL = re.compile(
    r"\b(?:knee|hip|shoulder|elbow|wrist|ankle|hand|foot|finger|toe|thumb|bursa|femur|femoral|tibia\w*|fibula|"
    r"humer\w*|radius|radial|ulna\w*|glenohumeral|acromioclavicular|subacromial|trochanter\w*|patell\w*|"
    r"metacarp\w*|metatars\w*|tarsal|carpal|ganglion|joint)\b"
)


def classify_site(text: str | None) -> str | None:
    """Return ``"spinal"``, ``"nonspinal"`` or None when the text names neither (or is empty).

    A practice writes the same few hundred site texts all day, and each reading runs two regular
    expressions (about 18 µs), so the answers of the last 8,192 distinct texts are remembered.
    """
    if not text:
        return None
    return _classify(text)


@functools.lru_cache(maxsize=8192)
def _classify(text: str) -> str | None:
    low = text.lower()
    if _SPINAL.search(low):
        return "spinal"
    if _NONSPINAL.search(low):
        return "nonspinal"
    return None
