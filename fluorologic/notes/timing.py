"""Fluoroscopy time and dose as written in a note, converted to seconds; dose is kept apart from time.

Time is read after a time anchor ("fluoroscopy time", "fluoro time", "total fluoroscopy time was",
"fluoroscopy was used for"), or before the modality with a unit ("1.4 minutes of fluoroscopy time", "45 seconds
of fluoro"), never when a tourniquet, lesion, ablation or anaesthesia word owns it, in the forms ``1.2 min``,
``0:45``, ``1:35``, ``1 minute 35 seconds``,
``12 minutes and 43 seconds``, ``72 sec``, ``0`` and ``zero``. A bare number is read as minutes, as
fluoroscopy units display it. A number followed by a dose unit (mGy, cGy·cm2, Gy·cm², µGy·m², DAP) is a
dose, never a time.

Examples
--------
>>> [t.seconds for t in find_times("FLUOROSCOPY TIME:  1.2 minutes.")]
[72.0]
>>> [t.seconds for t in find_times("Total fluoroscopy time was 12 minutes and 43 seconds.")]
[763.0]
>>> [t.seconds for t in find_times("Fluoro time 1:35, dose 2.1 mGy")]
[95.0]
>>> [t.seconds for t in find_times("The case used 1.4 minutes of fluoroscopy time.")]
[84.0]
>>> [d.text for d in find_doses("Fluoro time 1:35, dose 2.1 mGy, DAP 340 cGy·cm2")]
['2.1 mGy', '340 cGy·cm2']

"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fluorologic.notes.lexicon import pattern

__all__ = ["Quantity", "find_doses", "find_times"]

_ANCHOR = re.compile(
    r"\b(?:total\s+)?(?:fluoro(?:scopy|scopic)?|flouroscopy|fluroscopy|screening|beam[- ]on)\s+"
    r"(?:exposure\s+|screening\s+)?time\b|\btime\s+of\s+fluoroscopy\b|\bfluoro(?:scopy)?\s+(?:was\s+)?used\s+for\b"
    r"|\bfluoro(?:scopy)?\s*:\s*(?:yes\b[,;]?\s*)?(?=\d)",
    re.IGNORECASE,
)
# Every quantifier here is bounded or starts only where its run starts, so each pattern runs in time linear in
# the note: a run of digits, spaces or colons is tried once, never once per character (issue 13, D5).
_DOSE_UNIT = (r"(?:[mcdµu]?Gy[ \t]{0,2}[·*x.\-]?[ \t]{0,2}c?m(?:2|²|\^2)|mGy|cGy|µGy|uGy|Gy|mrem|mSv|R\b)")
_DOSE = re.compile(r"(?<![\d.,])(?=\d)(\d{1,7}(?:[.,]\d{1,4})?)[ \t]{0,3}(" + _DOSE_UNIT + ")", re.IGNORECASE)
_FILLER = (r"[\s:=,\-]{0,8}(?:(?:was|is|of|were|approximately|approx\.?|about|total(?:ed)?|used|for)\b\.?"
           r"[\s:=,\-]{0,8}){0,6}")
_VALUE = re.compile(
    _FILLER + r"(?:"
    r"(?P<h>\d{1,2}):(?P<hm>\d{2}):(?P<hs>\d{2})"
    r"|(?P<m>\d{1,4}):(?P<s>\d{2})(?!\d)"
    r"|(?P<mm>\d{1,4}(?:\.\d{1,3})?)\s{0,3}(?:minutes?|mins?\.?|m)\s{0,3},?\s{0,3}(?:and\s{0,3})?(?P<ss>\d{1,4}(?:\.\d{1,3})?)"
    r"\s{0,3}(?:seconds?|secs?\.?|s)\b"
    r"|(?P<min>\d{1,4}(?:\.\d{1,3})?)\s{0,3}(?:minutes?|mins?\.?|m)\b(?!\s{0,3}(?:Gy|Sv))"
    r"|(?P<sec>\d{1,5}(?:\.\d{1,3})?)\s{0,3}(?:seconds?|secs?\.?|s)\b"
    r"|(?P<hr>\d{1,2}(?:\.\d{1,3})?)\s{0,3}(?:hours?|hrs?)\b"
    r"|(?P<zero>zero|none|nil)\b"
    r"|(?P<bare>\d{1,4}(?:\.\d{1,3})?)(?![\d.:]|\s{0,3}(?:" + _DOSE_UNIT + r"|%|mg|mL|cc|gauge|g\b|cm|mm)))",
    re.IGNORECASE,
)


# A value with a unit written before the modality: "1.4 minutes of fluoroscopy time", "45 seconds of fluoro".
_BEFORE = re.compile(
    r"(?<![\w.:])(?=\d)(?:"
    r"(?P<mm>\d{1,4}(?:\.\d{1,3})?)\s{0,3}(?:minutes?|mins?\.?)\s{0,3},?\s{0,3}(?:and\s{0,3})?(?P<ss>\d{1,4}(?:\.\d{1,3})?)"
    r"\s{0,3}(?:seconds?|secs?\.?)"
    r"|(?P<min>\d{1,4}(?:\.\d{1,3})?)\s{0,3}(?:minutes?|mins?\.?)"
    r"|(?P<sec>\d{1,5}(?:\.\d{1,3})?)\s{0,3}(?:seconds?|secs?\.?)"
    r"|(?P<m>\d{1,4}):(?P<s>\d{2}))"
    r"\s{0,3}(?:of\s{1,3})?(?:total\s{1,3})?(?:fluoro(?:scop\w*)?|flouroscop\w*|fluroscop\w*)\b"
    r"(?:\s{1,3}(?:exposure\s{1,3}|screening\s{1,3})?time\b)?",
    re.IGNORECASE,
)
# The other times of an operation (tourniquet, lesion, anaesthesia, ...) are never fluoroscopy time.
_OTHER_TIME = pattern("not_fluoro_time")


@dataclass(frozen=True)
class Quantity:
    """A time (in seconds) or a dose found in the text, with the span it was read from."""

    start: int
    end: int
    text: str
    seconds: float | None = None


def _seconds(m: re.Match[str]) -> float:
    g = dict.fromkeys(("h", "hm", "hs", "m", "s", "mm", "ss", "min", "sec", "hr", "zero")) | m.groupdict()
    if g["h"]:
        return float(int(g["h"]) * 3600 + int(g["hm"]) * 60 + int(g["hs"]))
    if g["m"]:
        return float(int(g["m"]) * 60 + int(g["s"]))
    if g["mm"]:
        return float(g["mm"]) * 60 + float(g["ss"])
    if g["min"]:
        return float(g["min"]) * 60
    if g["sec"]:
        return float(g["sec"])
    if g["hr"]:
        return float(g["hr"]) * 3600
    if g["zero"]:
        return 0.0
    return float(g["bare"]) * 60


def find_times(text: str) -> list[Quantity]:
    """Every documented fluoroscopy time: the anchor and its value, in order of appearance."""
    low = text.lower()
    if not any(k in low for k in ("fluor", "flour", "flur", "screening", "beam")):
        return []
    out = []
    for a in _ANCHOR.finditer(text):
        m = _VALUE.match(text, a.end())
        if m and m.end() - a.end() <= 60:
            out.append(Quantity(a.start(), m.end(), text[a.start():m.end()], round(_seconds(m), 1)))
    for m in _BEFORE.finditer(text):
        if any(q.start <= m.start() < q.end or m.start() <= q.start < m.end() for q in out[-4:]):
            continue  # already read after an anchor
        before = text[max(0, m.start() - 40):m.start()]
        before = before[max(before.rfind("."), before.rfind(";"), before.rfind("\n")) + 1:]
        if _OTHER_TIME.search(before):
            continue  # "a lesion for 90 seconds of fluoroscopy" is the lesion's time
        out.append(Quantity(m.start(), m.end(), text[m.start():m.end()], round(_seconds(m), 1)))
    return sorted(out, key=lambda q: q.start)


def find_doses(text: str) -> list[Quantity]:
    """Every radiation dose written with a dose unit (recorded as evidence, never used as a time)."""
    low = text.lower()
    if not any(k in low for k in ("gy", "sv", "dose", "dap", "kerma", "exposure")):
        return []  # a dose is written with a dose unit or beside a dose word
    out = []
    for m in _DOSE.finditer(text):
        unit = m.group(2)
        if re.search(r"gy|sv", unit, re.IGNORECASE) or re.search(
                r"\b(?:dose|dap|kerma|exposure)\b", text[max(0, m.start() - 30):m.start()], re.IGNORECASE):
            out.append(Quantity(m.start(), m.end(), m.group(0).strip()))
    return out
