r"""Split a note into sections (by their headings) and sentences, keeping character offsets.

A heading stays in the first sentence of its section, so that ``FLUOROSCOPY: none`` reads as one sentence.

A heading is an upper-case label at the start of a line, ending in a colon (``PROCEDURE:``), a
title-case label of a known kind (``Plan:``, ``History of present illness:``), or an upper-case line on
its own (``CAUDAL EPIDURAL STEROID INJECTION``). Each heading is read into one of a
few section kinds, which tell the assertion step how to read what is written under it: a fluoroscopy
mention under ``PLAN`` is a plan, under ``HISTORY`` it is history, under ``CPT CODES`` it is billing text.

Examples
--------
>>> note = "HISTORY:  Prior fluoroscopy showed a fracture.\nPROCEDURE:  Under fluoroscopy, a needle was placed."
>>> [(s.section, s.text[:24]) for s in split_sentences(note)]
[('history', 'HISTORY:  Prior fluorosc'), ('procedure', 'PROCEDURE:  Under fluoro')]

"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from fluorologic.notes.lexicon import pattern, runon_headings, section_words

__all__ = ["MAX_SENTENCE_CHARS", "Sentence", "section_kind", "split_sentences"]

# A real sentence is far shorter (the longest in the development set has 424 characters); a longer run of text
# is read in pieces of at most this many characters, cut at a blank, so that no per-sentence step can grow
# with the length of the note.
MAX_SENTENCE_CHARS = 1000

_HEADING = re.compile(r"^[ \t]*([A-Z][A-Z0-9 ,/&()'\-.#]{1,70}?)[ \t]*:{1,2}(?=\s|$)", re.MULTILINE)
_TITLE_CASE = re.compile(r"^[ \t]*([A-Z][a-z]+(?:[ /-][A-Za-z]+){0,4})[ \t]*:(?=\s|$)", re.MULTILINE)
_CAPS_LINE = re.compile(r"^[ \t]*([A-Z][A-Z0-9 ,/&()'\-]{3,80})[ \t]*$", re.MULTILINE)
# A break starts only where a run of blanks starts (the look-behind), so a long run is scanned once.
_BREAK = re.compile(r"(?<=[.!?])[ \t]+(?=[A-Z0-9(*#\[])|(?<![ \t])[ \t]*\n[\s]*")
_NARRATIVE = pattern("narrative_start")
_NUMBER = re.compile(r"[ \t]*\(?\d{1,2}[.)][ \t]*$")
_ABBREV = re.compile(r"(?:\b(?:Dr|Mr|Mrs|Ms|St|No|vs|approx|e\.g|i\.e|p\.o|q|b\.i\.d|t\.i\.d|p\.r\.n|a\.m|p\.m|cc|Fig)"
                     r"|\b[A-Za-z])\.$")

@dataclass(frozen=True)
class Sentence:
    """One sentence of the note: its offsets, its text and the kind of section it sits in."""

    start: int
    end: int
    text: str
    section: str
    heading: str | None = None


def section_kind(heading: str | None) -> str:
    """The kind of section a heading opens.

    Returns one of ``procedure``, ``plan``, ``history``, ``consent``, ``diagnosis``, ``codes``, ``title``
    (an upper-case line naming the procedure) or ``other``.

    Examples
    --------
    >>> section_kind("PROCEDURES PLANNED AND PERFORMED"), section_kind("POSTOPERATIVE PLAN")
    ('procedure', 'plan')

    """
    if heading is None:
        return "other"
    probe = heading.upper() + ":"
    if probe.startswith("EXAM:"):
        return "procedure"
    for kind, words in section_words():  # data/note_vocabulary.json: the first keyword found wins
        if any(w in probe for w in words):
            return kind
    return "other"


def _headings(text: str) -> list[tuple[int, int, str, str]]:
    """(heading start, content start, heading text, kind) for every heading, in order."""
    found: dict[int, tuple[int, int, str, str]] = {}
    for m in _HEADING.finditer(text):
        label = m.group(1).strip()
        if sum(c.isalpha() for c in label) >= 2:
            found[m.start(1)] = (m.start(1), m.end(), label, section_kind(label))
    for m in _TITLE_CASE.finditer(text):
        label = m.group(1).strip()
        kind = section_kind(label)
        if m.start(1) not in found and kind != "other":
            found[m.start(1)] = (m.start(1), m.end(), label, kind)
    for m in _CAPS_LINE.finditer(text):
        label = m.group(1).strip()
        if m.start(1) not in found and sum(c.isalpha() for c in label) >= 4:
            kind = section_kind(label)
            if kind == "other" and not text[:m.start(1)].strip():
                kind = "title"  # the note opens with an upper-case line naming the procedure
            found[m.start(1)] = (m.start(1), m.start(1), label, kind)
    return [found[k] for k in sorted(found)]


def _cut(text: str, start: int, end: int, out: list[tuple[int, int]]) -> None:
    """Append ``text[start:end]`` to ``out``, in pieces of at most ``MAX_SENTENCE_CHARS`` cut at a blank."""
    while end - start > MAX_SENTENCE_CHARS:
        stop = start + MAX_SENTENCE_CHARS
        blank = max(text.rfind(" ", start + 1, stop), text.rfind("\t", start + 1, stop))
        cut = blank if blank > start else stop
        out.append((start, cut))
        start = cut
    out.append((start, end))


def _pieces(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence boundaries inside ``text[start:end]``, never splitting after an abbreviation."""
    out: list[tuple[int, int]] = []
    cur = start
    for m in _BREAK.finditer(text, start, end):
        if "\n" not in m.group(0) and _ABBREV.search(text, max(cur, m.start() - 8), m.start()):
            continue
        if _NUMBER.match(text, cur, m.start()):
            continue
        if m.start() > cur:
            _cut(text, cur, m.start(), out)
        cur = m.end()
    if cur < end:
        _cut(text, cur, end, out)
    return out


def _run_on(sentences: list[Sentence]) -> list[Sentence]:
    """Sentences of an INDICATION (or REASON) section that run on into the procedure, read as procedure.

    From the first sentence that begins the narrative ("was placed in the prone position", "prepped and
    draped", "time-out"), the rest of the section is the procedure itself (issue 14, point 8).
    """
    words = runon_headings()
    out: list[Sentence] = []
    narrative = False
    for s in sentences:
        runon = s.section == "history" and s.heading is not None and any(w in s.heading.upper() for w in words)
        if not runon or s.text.upper().startswith(str(s.heading).upper()):
            narrative = False  # a new section begins
        if runon and (narrative or _NARRATIVE.search(s.text)):
            narrative = True
            s = replace(s, section="procedure")
        out.append(s)
    return out


def split_sentences(text: str) -> list[Sentence]:
    """Every sentence of ``text`` with its offsets and section kind (whitespace-only pieces dropped)."""
    heads = _headings(text)
    spans: list[tuple[int, int, str, str | None]] = []
    first = heads[0][0] if heads else len(text)
    if first > 0:
        spans.append((0, first, "other", None))
    for i, (head, _, label, kind) in enumerate(heads):
        stop = heads[i + 1][0] if i + 1 < len(heads) else len(text)
        spans.append((head, stop, kind, label))
    out: list[Sentence] = []
    for s, e, kind, label in spans:
        for a, b in _pieces(text, s, e):
            while a < b and text[a].isspace():
                a += 1
            while b > a and text[b - 1].isspace():
                b -= 1
            if b > a:
                out.append(Sentence(a, b, text[a:b], kind, label))
    return _run_on(out)
