"""Read an operative or procedure note: the contract's "Note findings", each resting on evidence spans.

:func:`scan_note` splits the note into sections and sentences, finds the fluoroscopy mentions and asserts
each one (affirmed, negated, planned or historical) with ConText-style modifiers and the section it
sits in, reads the documented time and dose, the procedures and their target, the spinal levels, the
laterality, the body area and the stated reason for imaging, and derives the recommended fluoroscopy
code. Nothing is logged; the findings carry only the spans of text they rest on.

Examples
--------
>>> f = scan_note("PROCEDURE: Right knee joint injection. Under fluoroscopic guidance, to confirm needle "
...               "position, a 22-gauge needle was placed. Fluoroscopy time: 0:45.")
>>> f.fluoroscopy_used, f.fluoroscopy_time_seconds, f.recommended_fluoro_code, f.spinal
(True, 45, '77002', False)
>>> scan_note("Thoracic epidural steroid injection without fluoroscopy.").to_dict()["fluoroscopy_negated"]
True

"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from fluorologic.contract.errors import InputError
from fluorologic.notes.anatomy import (
    classify_target,
    find_body_area,
    find_laterality,
    find_levels,
    find_sides,
    target_span,
)
from fluorologic.notes.context import ContextRules
from fluorologic.notes.lexicon import pattern
from fluorologic.notes.procedures import ProcedureHit, ProcedureTable
from fluorologic.notes.sections import Sentence, split_sentences
from fluorologic.notes.timing import Quantity, find_doses, find_times
from fluorologic.notes.vocabulary import GENERIC, find_mentions, is_strong

__all__ = ["MAX_NOTE_CHARS", "Evidence", "NoteFindings", "scan_note"]

MAX_NOTE_CHARS = 200_000
# No real sentence names fluoroscopy more than a few times; reading only the first few keeps the work per
# sentence bounded, so a hostile note of repeated "C-arm" is read in linear time (issue 13, D5).
MAX_MENTIONS_PER_SENTENCE = 8
MAX_LEVELS_PER_SENTENCE = 16
MAX_MENTIONS_BEFORE = 400  # how much of the sentence before a view phrase is read for a guided action
MAX_FALLBACK_CHARS = 20_000  # the unheaded text read for the target when no procedure names one
MAX_AREA_SENTENCES = 64  # the body area is named near the imaging or in the first sentences of the procedure
_CONTENT = ("procedure", "title", "other")
_IGNORED = ("codes", "consent", "diagnosis")
_TITLE_HEADING = re.compile(r"PROCEDURE|OPERATION|SURGERY|TITLE|NAME OF|EXAM", re.IGNORECASE)
_PURPOSE = re.compile(
    r"\b(?:to|for)\s+(?:the\s+)?(?:confirm\w*|verif\w*|identif\w*|locali[sz]\w*|visuali[sz]\w*|guid\w*|check\w*|"
    r"ensure|assur\w*|assess\w*|evaluat\w*|locat\w*|mark\w*|triangulat\w*|monitor\w*|document\w*)\b[^.;,]{0,90}"
    r"|\b(?:(?:correct|proper|good|satisfactory|appropriate|final|acceptable)\s+)?(?:needle|catheter|cannula|"
    r"screw|wire|guidewire|pin|hardware|implant|reduction|positioning|position|placement|alignment|level|"
    r"trajectory|localization|fracture)s?\s+(?:\w+\s+){0,3}(?:was|were)\s+(?:confirmed|verified|checked|"
    r"visualized|identified|seen)\b[^.;]{0,60}"
    r"|\b(?:confirm\w*|verif\w*)\s+(?:the\s+)?(?:(?:correct|proper|good|satisfactory|appropriate|adequate)\s+)?(?:needle|catheter|position|placement|"
    r"reduction|alignment|level|location)\w*[^.;]{0,60}",
    re.IGNORECASE,
)
_NEEDLE_ACT = re.compile(r"\b(?:needles?|catheters?|cannula|trocar|guidewires?|tuohy)\b[^.;]{0,60}?\b(?:was|were)\s+"
                         r"(?:placed|advanced|directed|guided|passed|inserted|introduced|positioned|redirected)\b"
                         r"[^.;]{0,60}", re.IGNORECASE)
_NARRATIVE = re.compile(r"\b(?:was|were|is|are|had|has)\b", re.IGNORECASE)
_PLACE = re.compile(r"\s+(?:suite|table|room|bed|lab(?:oratory)?)\b", re.IGNORECASE)
#: The needle placed without imaging: by anatomic landmarks or palpation (a technique that contradicts guidance).
_WITHOUT_IMAGING = re.compile(
    r"\b(?:anatomic(?:al)?|surface|bony|palpable)\s+landmarks?\b|\b(?:by|using|with|via|per)\s+(?:the\s+)?landmarks?\b"
    r"|\blandmark[- ](?:guided|based|guidance|technique)\b|\b(?:by|with|using|via)\s+palpation\b|\bpalpation\s+of\b",
    re.IGNORECASE)
_DISTINCT = pattern("distinct_service")
# every match of the distinct-service pattern holds one of these words (a cheap pre-filter, checked by a test)
_DISTINCT_WORDS = ("separate", "different", "distinct", "second", "another", "additional", "contralateral", "later",
                   "earlier")


@dataclass(frozen=True)
class Evidence:
    """The span of the note a finding rests on: character offsets and the text between them."""

    fact: str
    start: int
    end: int
    text: str
    value: Any = None

    def to_dict(self) -> dict[str, Any]:
        """The contract's evidence object (``value`` added where the span is read as a value)."""
        out: dict[str, Any] = {"fact": self.fact, "start": self.start, "end": self.end, "text": self.text}
        if self.value is not None:
            out["value"] = self.value
        return out


@dataclass(frozen=True)
class NoteFindings:
    """What a note documents about fluoroscopy (contract.md, "Note findings")."""

    fluoroscopy_used: bool = False
    fluoroscopy_negated: bool = False
    fluoroscopy_time_seconds: float | int | None = None
    indication: str | None = None
    body_area: str | None = None
    spinal: bool | None = None
    procedure_kinds: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()
    recommended_fluoro_code: str = "none"
    confidence: str = "high"
    evidence: tuple[Evidence, ...] = ()
    laterality: str | None = field(default=None, compare=False)
    distinct: bool = False

    @property
    def fluoroscopy_not_performed(self) -> bool:
        """The note documents a procedure (or a needle placed by landmarks), and fluoroscopy only as planned or past.

        Such a note contradicts a billed guidance line; a note that is merely silent about imaging (or too
        short to document a procedure) does not.

        >>> NoteFindings(procedure_kinds=("joint_injection",),
        ...              evidence=(Evidence("fluoroscopy_planned", 0, 5, "x"),)).fluoroscopy_not_performed
        True
        >>> NoteFindings(procedure_kinds=("joint_injection",)).fluoroscopy_not_performed
        False

        """
        facts = {e.fact for e in self.evidence}
        return (not self.fluoroscopy_used and not self.fluoroscopy_negated
                and (bool(self.procedure_kinds) or "performed_without_imaging" in facts)
                and bool(facts & {"fluoroscopy_planned", "fluoroscopy_historical"}))

    def to_dict(self) -> dict[str, Any]:
        """The "Note findings" object of the contract, exactly its fields."""
        return {
            "fluoroscopy_used": self.fluoroscopy_used,
            "fluoroscopy_negated": self.fluoroscopy_negated,
            "fluoroscopy_time_seconds": self.fluoroscopy_time_seconds,
            "indication": self.indication,
            "body_area": self.body_area,
            "spinal": self.spinal,
            "procedure_kinds": list(self.procedure_kinds),
            "levels": list(self.levels),
            "recommended_fluoro_code": self.recommended_fluoro_code,
            "confidence": self.confidence,
            "evidence": [e.to_dict() for e in self.evidence],
        }


@dataclass
class _Mention:
    sentence: Sentence
    start: int
    end: int
    text: str
    status: str  # affirmed, negated, hypothetical, historical, ignored
    span_start: int = 0
    span_end: int = 0


def _assert(rules: ContextRules, s: Sentence, a: int, b: int, term: str) -> tuple[str, int, int]:
    """The status of a mention and the span (sentence offsets) that shows it: the term and its trigger."""
    if s.section in _IGNORED:
        return "ignored", a, b
    if s.section == "plan":
        return "hypothetical", a, b
    if s.section == "history":
        return "historical", a, b
    found = rules.triggers_of(s.text, a, b)
    for category in ("HYPOTHETICAL", "HISTORICAL", "NEGATED"):
        spans = [(t0, t1) for c, t0, t1 in found if c == category]
        if spans:
            t0, t1 = spans[0] if spans[0][0] < a else spans[-1]
            return category.lower(), min(a, t0), max(b, t1)
    if term.lower().startswith("non"):
        return "negated", a, b
    if _PLACE.match(s.text, b):
        return "place", a, b  # "the fluoroscopy suite": where the patient lay, not that the unit was used
    return "affirmed", a, b


def _time_value(seconds: float) -> float | int:
    return int(seconds) if float(seconds).is_integer() else seconds


def _pick_time(times: list[Quantity]) -> Quantity | None:
    totals = [t for t in times if t.text.lower().startswith("total")]
    return (totals or times or [None])[0]


def _distinct(sentences: Iterable[Sentence]) -> Iterator[Sentence]:
    """Each sentence once, in the order first given (a sentence may hold several mentions)."""
    seen: set[int] = set()
    for s in sentences:
        if s.start not in seen:
            seen.add(s.start)
            yield s


def _span(text: str, start: int, end: int) -> tuple[int, int, str]:
    while end > start and text[end - 1] in " ,:-":
        end -= 1
    return start, end, text[start:end]


def _site(target: str | None, kept: list[ProcedureHit], title: list[Sentence], affirmed: list[_Mention],
          sentences: list[Sentence], used: bool) -> Evidence | None:
    """The span that decides the target (its ``value`` the target kind), read from the imaged site.

    The deciding procedure's own words first; else the first sentence (title, the imaging sentences, the
    procedure text) that names a target of the same kind. When fluoroscopy was used and nothing names a
    target, the imaging is not spinal: nothing in the note names the spine, and the first imaging sentence
    is the evidence.
    """
    if target is not None:
        where = next((h for h in kept if h.target == target), None)
        if where is not None:
            return Evidence("spinal", where.start, where.end, where.text, target)
    if target is None and not used:
        return None  # no procedure and no imaging: a consultation names no target
    pool = title + [m.sentence for m in affirmed] + [s for s in sentences if s.section in _CONTENT]
    for s in islice(_distinct(pool), MAX_AREA_SENTENCES):
        found = target_span(s.text)
        if found and (target is None or found[0] == target):
            kind, a, b = found
            return Evidence("spinal", s.start + a, s.start + b, s.text[a:b], kind)
    if used and target is None and affirmed:
        m = affirmed[0]
        return Evidence("spinal", m.start, m.end, m.text, "nonspinal")
    return None


def _recommend(table: ProcedureTable, kept: list[ProcedureHit], fallback: str | None, used: bool,
               affirmed: list[_Mention], negated: list[_Mention], timed: Quantity | None
               ) -> tuple[str, str, Evidence | None]:
    """The recommended code, its confidence (``high``/``low``) and the evidence that decided it.

    A procedure of the table decides the code (high); a procedure whose code follows a target the note does
    not name, or fluoroscopy with no procedure the table knows, gives ``bundled`` with low confidence: the
    reader never guesses a separately billable code. Use that rests only on a view phrase or "under x-ray"
    (no word of live imaging, no documented time) lowers the confidence too.
    """
    if not used:
        first = negated[0] if negated else None
        why = Evidence("fluoroscopy_negated", first.span_start, first.span_end, first.sentence.text[
            first.span_start - first.sentence.start:first.span_end - first.sentence.start]) if first else None
        return "none", "high", why
    weak = not (timed and timed.seconds) and not any(is_strong(m.text) for m in affirmed)
    shown = next((m for m in affirmed if is_strong(m.text)), affirmed[0] if affirmed else None)
    mention = Evidence("fluoroscopy_used", shown.start, shown.end, shown.text) if shown else \
        Evidence("fluoroscopy_time_seconds", timed.start, timed.end, timed.text) if timed else None
    if kept:
        code, deciding = table.recommend(kept, fallback)
        if deciding is not None:
            if code == "unknown_target":
                return "bundled", "low", Evidence("procedure_kinds", deciding.start, deciding.end, deciding.text,
                                                  deciding.kind)
            return code, "low" if weak else "high", Evidence("recommended_fluoro_code", deciding.start,
                                                             deciding.end, deciding.text, code)
    return "bundled", "low", mention


def _distinct_service(rules: ContextRules, text: str, sentences: list[Sentence]) -> Evidence | None:
    """The words that document a second procedure at a separate site or session (affirmed), or None."""
    low = text.lower()
    if not any(w in low for w in _DISTINCT_WORDS) or not _DISTINCT.search(text):
        return None
    for s in sentences:
        if s.section not in _CONTENT:
            continue
        for m in _DISTINCT.finditer(s.text):
            if not rules.modifiers(s.text, m.start(), m.end(), negation_reach=3) & {"NEGATED", "HYPOTHETICAL",
                                                                                    "HISTORICAL"}:
                return Evidence("distinct", s.start + m.start(), s.start + m.end(), m.group(0), True)
    return None


def scan_note(text: str) -> NoteFindings:
    """Read one note and return its findings with the evidence spans.

    Parameters
    ----------
    text
        The free text of an operative or procedure note (at most ``MAX_NOTE_CHARS`` characters).

    Raises
    ------
    InputError
        When ``text`` is not a string or is too long (the message never quotes the note).

    """
    if not isinstance(text, str):
        raise InputError("note", f"must be a string, not {type(text).__name__}")
    if len(text) > MAX_NOTE_CHARS:
        raise InputError("note", f"is longer than {MAX_NOTE_CHARS} characters")
    rules = ContextRules.embedded()
    table = ProcedureTable.embedded()
    sentences = split_sentences(text)
    evidence: list[Evidence] = []

    mentions: list[_Mention] = []
    hits: list[ProcedureHit] = []
    anchors = table.anchors_in(text)
    before = ""
    for s in sentences:
        for a, b, term in find_mentions(s.text, MAX_MENTIONS_PER_SENTENCE, before[-MAX_MENTIONS_BEFORE:]):
            status, x, y = _assert(rules, s, a, b, term)
            if status != "negated" and GENERIC.fullmatch(term):
                continue  # "under imaging guidance" names no modality; only its negation speaks of fluoroscopy
            mentions.append(_Mention(s, s.start + a, s.start + b, term, status, s.start + x, s.start + y))
        if s.section in _CONTENT:
            for h in table.find(s.text, s.start, anchors):
                a, b = h.start - s.start, h.end - s.start
                if not rules.modifiers(s.text, a, b, negation_reach=2) & {"HYPOTHETICAL", "HISTORICAL", "NEGATED"}:
                    hits.append(h)
        before = s.text

    times = find_times(text)
    chosen = _pick_time(times)
    seconds = _time_value(chosen.seconds) if chosen and chosen.seconds is not None else None
    time_starts = [t.start for t in times]
    for m in mentions:
        i = bisect_right(time_starts, m.start) - 1
        inside = times[i] if i >= 0 and m.start < times[i].end else None
        if inside is not None and m.status in ("affirmed", "negated"):
            m.status = "negated" if inside.seconds == 0 else "affirmed"
    affirmed = [m for m in mentions if m.status == "affirmed"]
    negated = [m for m in mentions if m.status == "negated"]
    used = bool(affirmed) or bool(seconds)
    is_negated = not used and (bool(negated) or seconds == 0)
    fact_of = {"affirmed": "fluoroscopy_used", "negated": "fluoroscopy_negated",
               "hypothetical": "fluoroscopy_planned", "historical": "fluoroscopy_historical"}
    for m in mentions:
        if m.status in fact_of:
            evidence.append(Evidence(fact_of[m.status], m.span_start, m.span_end, text[m.span_start:m.span_end]))
    if chosen is not None:
        evidence.append(Evidence("fluoroscopy_time_seconds", chosen.start, chosen.end, chosen.text, seconds))
    for d in find_doses(text):
        evidence.append(Evidence("fluoroscopy_dose", d.start, d.end, d.text))

    kept = table.keep(hits)
    kinds: list[str] = []
    for h in kept:
        if h.kind not in kinds:
            kinds.append(h.kind)
        evidence.append(Evidence("procedure_kinds", h.start, h.end, h.text, h.kind))

    title = [s for s in sentences if s.section == "title" or (
        s.section == "procedure" and s.heading and _TITLE_HEADING.search(s.heading) and not _NARRATIVE.search(s.text))]
    fallback = next((t for t in (classify_target(s.text) for s in title) if t), None) or classify_target(
        " ".join(s.text for s in sentences if s.section in _CONTENT and not s.heading)[:MAX_FALLBACK_CHARS])
    target = table.target(kept, fallback)
    site = _site(target, kept, title, affirmed, sentences, used)
    if site is not None:
        target = site.value
        evidence.append(site)
    spinal = None if target is None else target == "spinal"
    if site is not None:
        evidence[-1] = Evidence("spinal", site.start, site.end, site.text, spinal)

    code, confidence, why = _recommend(table, kept, fallback, used, affirmed, negated, chosen)
    if why is not None:
        if why.fact == "recommended_fluoro_code":
            evidence.append(why)
        evidence.append(Evidence("confidence", why.start, why.end, why.text, confidence))

    distinct = None
    if kept:
        distinct = _distinct_service(rules, text, sentences)
        if distinct is not None:
            evidence.append(distinct)

    levels: list[str] = []
    if spinal:
        for s in sentences:
            if s.section in _CONTENT:
                for a, b, lv in find_levels(s.text, MAX_LEVELS_PER_SENTENCE):
                    if lv not in levels:
                        levels.append(lv)
                        evidence.append(Evidence("levels", s.start + a, s.start + b, s.text[a:b], lv))

    side_pool = title or [s for s in sentences if any(s.start <= h.start < s.end for h in kept)]
    sides = [(s.start + a, s.start + b, side) for s in side_pool for a, b, side in find_sides(s.text)]
    laterality = find_laterality(" ".join(side for _, _, side in sides))
    for a, b, side in sides:
        evidence.append(Evidence("laterality", a, b, text[a:b], side))

    indication = body_area = None
    if used:
        for s in _distinct(m.sentence for m in affirmed):
            found = _PURPOSE.search(s.text) or _NEEDLE_ACT.search(s.text)
            if found:
                a, b, words = _span(s.text, found.start(), found.end())
                indication = words
                evidence.append(Evidence("indication", s.start + a, s.start + b, words))
                break
        pools = [m.sentence for m in affirmed] + title + [s for s in sentences if s.section in _CONTENT]
        for s in islice(_distinct(pools), MAX_AREA_SENTENCES):
            area = find_body_area(s.text)
            if area:
                a, b, words = area
                body_area = words
                evidence.append(Evidence("body_area", s.start + a, s.start + b, words))
                break

    technique = _WITHOUT_IMAGING.search(text)
    if technique is not None and not used:
        evidence.append(Evidence("performed_without_imaging", technique.start(), technique.end(), technique.group()))
    evidence.sort(key=lambda e: (e.start, e.end, e.fact))
    return NoteFindings(
        fluoroscopy_used=used,
        fluoroscopy_negated=is_negated,
        fluoroscopy_time_seconds=seconds,
        indication=indication,
        body_area=body_area,
        spinal=spinal,
        procedure_kinds=tuple(kinds),
        levels=tuple(levels),
        recommended_fluoro_code=code,
        confidence=confidence,
        evidence=tuple(evidence),
        laterality=laterality,
        distinct=distinct is not None,
    )
