"""Procedures a note documents, their kind and target, and the fluoroscopy code they call for.

Both tables are data: ``data/note_procedures.csv`` (one row per procedure: the contract kind, the
target, the fluoroscopy rule, the procedures that take precedence over it, the pattern and the source
of the rule) and ``data/note_fluoro_rules.csv`` (rule -> recommended code and rank). The recommendation
follows the engine's rules: a procedure whose code includes guidance, or surgery into which fluoroscopy
is integral, makes it ``bundled``; otherwise a spinal needle gives 77003, a non-spinal needle 77002, and
fluoroscopy for anything else 76000.

Examples
--------
>>> table = ProcedureTable.embedded()
>>> [(h.procedure, h.kind) for h in table.keep(table.find("Left L5 transforaminal epidural steroid injection"))]
[('transforaminal_epidural', 'transforaminal')]
>>> table.recommend([h for h in table.find("Right knee joint injection")], fallback_target=None)[0]
'77002'

"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from itertools import islice

from fluorologic.contract.errors import DataError
from fluorologic.notes.anatomy import classify_target

__all__ = ["KINDS", "ProcedureHit", "ProcedureRow", "ProcedureTable", "anchors_of"]

KINDS = ("epidural", "transforaminal", "facet", "medial_branch", "nerve_root", "sacroiliac", "vertebroplasty",
         "kyphoplasty", "joint_injection", "aspiration", "arthrography", "biopsy", "im_nailing", "orif",
         "closed_reduction", "external_fixation", "pedicle_screw", "other")
_TARGETS = ("spinal", "nonspinal", "context")
# A sentence names one procedure a few times at most; the cap bounds the work on a hostile note.
MAX_HITS_PER_ROW = 4


@dataclass(frozen=True)
class ProcedureRow:
    """One row of ``note_procedures.csv``."""

    procedure: str
    kind: str
    target: str
    rule: str
    suppressed_by: tuple[str, ...]
    pattern: re.Pattern[str]
    source: str
    anchors: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProcedureHit:
    """A procedure found in a sentence: the row, the span (note offsets) and the target it aims at."""

    row: ProcedureRow
    start: int
    end: int
    text: str
    target: str | None

    @property
    def procedure(self) -> str:
        """The procedure name of the row."""
        return self.row.procedure

    @property
    def kind(self) -> str:
        """The contract's procedure kind."""
        return self.row.kind


_COMMON = frozenset({"the", "was", "were", "and", "into", "through", "with", "for", "ies", "ing"})


def _top_level(pattern: str) -> list[str]:
    """The top-level alternatives of a pattern (split at ``|`` outside groups and classes)."""
    parts, depth, cls, cur, i = [], 0, False, [], 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            cur.append(pattern[i:i + 2])
            i += 2
            continue
        if cls:
            cls = ch != "]"
        elif ch == "[":
            cls = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            parts.append("".join(cur))
            cur = []
            i += 1
            continue
        cur.append(ch)
        i += 1
    parts.append("".join(cur))
    return parts


def _runs(text: str) -> set[str]:
    text = re.sub(r"[A-Za-z](?=[?*]|\{0)", " ", text)
    return {run.lower() for run in re.findall(r"[A-Za-z]{3,}", text)} - _COMMON


def anchors_of(pattern: str) -> tuple[str, ...]:
    r"""Lower-case literal words such that every match of the pattern contains one of them (a pre-filter).

    For each top-level alternative, escapes (``\b``, ``\w``), character classes, lookarounds and optional
    groups are dropped; the longest literal run left outside any group is required by every match of that
    alternative, so it alone stands for it; an alternative without one contributes all its runs.
    ``tests/notes/test_procedures.py`` checks on the corpus that the filter never loses a match.

    Examples
    --------
    >>> anchors_of(r"(?:knee|hip) (?:joint )?injections?|arthrocentesis")
    ('arthrocentesis', 'injection')

    """
    out: set[str] = set()
    for alt in _top_level(pattern):
        text = re.sub(r"\\[A-Za-z]", " ", alt)
        text = re.sub(r"\[[^\]]*\]", " ", text)
        while True:
            shorter = re.sub(r"\(\?<?[!=][^()]*\)|\((?:\?:)?[^()]*\)(?:[?*]|\{0,?\d*\})", " ", text)
            if shorter == text:
                break
            text = shorter
        outside = text
        while True:
            shorter = re.sub(r"\([^()]*\)", " ", outside)
            if shorter == outside:
                break
            outside = shorter
        required = _runs(outside)
        out |= {max(sorted(required), key=len)} if required else _runs(text)
    return tuple(sorted(out))


def _read(name: str) -> list[dict[str, str]]:
    with resources.files("fluorologic.data").joinpath(name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


class ProcedureTable:
    """The procedure patterns and the rule -> recommendation table."""

    def __init__(self, rows: list[ProcedureRow], rules: dict[str, tuple[str, int]]) -> None:
        self.rows = rows
        self.rules = rules
        self._anchors = tuple(sorted({a for r in rows for a in r.anchors}))
        self._by_anchor: dict[str, list[int]] = {}
        for i, r in enumerate(rows):
            for a in r.anchors:
                self._by_anchor.setdefault(a, []).append(i)
        self._free = [i for i, r in enumerate(rows) if not r.anchors]
        names = {r.procedure for r in rows}
        for r in rows:
            if r.rule not in rules:
                raise DataError(f"note_procedures.csv {r.procedure}: unknown rule {r.rule!r}")
            unknown = set(r.suppressed_by) - names
            if unknown:
                raise DataError(f"note_procedures.csv {r.procedure}: suppressed_by names unknown {sorted(unknown)}")

    @classmethod
    @cache
    def embedded(cls) -> ProcedureTable:
        """The tables shipped in ``fluorologic/data`` (read once)."""
        rows = []
        for i, raw in enumerate(_read("note_procedures.csv"), start=2):
            where = f"note_procedures.csv line {i}"
            if raw["kind"] not in KINDS:
                raise DataError(f"{where}: kind {raw['kind']!r} is not in the contract vocabulary")
            if raw["target"] not in _TARGETS:
                raise DataError(f"{where}: target must be one of {', '.join(_TARGETS)}")
            try:
                pattern = re.compile(raw["pattern"], re.IGNORECASE)
            except re.error as exc:
                raise DataError(f"{where}: pattern does not compile: {exc}") from None
            rows.append(ProcedureRow(raw["procedure"], raw["kind"], raw["target"], raw["rule"],
                                     tuple(raw["suppressed_by"].split()), pattern, raw["source"],
                                     anchors_of(raw["pattern"])))
        rules = {r["rule"]: (r["recommended"], int(r["rank"])) for r in _read("note_fluoro_rules.csv")}
        return cls(rows, rules)

    def anchors_in(self, note: str) -> tuple[str, ...]:
        """The anchors of the table that occur in ``note`` (the words a sentence of it can hold)."""
        low = note.lower()
        return tuple(a for a in self._anchors if a in low)

    def rows_for(self, note: str) -> list[ProcedureRow]:
        """The rows that can match somewhere in ``note`` (an anchor of theirs occurs in it)."""
        present = set(self.anchors_in(note))
        return [r for r in self.rows if not r.anchors or not present.isdisjoint(r.anchors)]

    def find(self, text: str, offset: int = 0, anchors: tuple[str, ...] | None = None) -> list[ProcedureHit]:
        """Every procedure pattern found in one sentence (``offset`` is the sentence's note offset).

        ``anchors`` narrows the search to the anchors :meth:`anchors_in` found in the whole note.
        """
        hits = []
        low = text.lower()
        here = [a for a in (self._anchors if anchors is None else anchors) if a in low]
        picked = sorted({i for a in here for i in self._by_anchor[a]}.union(self._free))
        context: list[str | None] = []  # the sentence's own target, read once when a row asks for it
        for row in (self.rows[i] for i in picked):
            for m in islice(row.pattern.finditer(text), MAX_HITS_PER_ROW):
                if row.target == "context" and not context:
                    context.append(classify_target(text))
                target = row.target if row.target != "context" else context[0]
                hits.append(ProcedureHit(row, offset + m.start(), offset + m.end(), m.group(0), target))
        return hits

    def keep(self, hits: list[ProcedureHit]) -> list[ProcedureHit]:
        """Drop hits overridden by a more specific procedure found in the note, and overlapping duplicates."""
        present = {h.procedure for h in hits}
        kept = [h for h in hits if not present.intersection(h.row.suppressed_by)]
        kept.sort(key=lambda h: (h.start, -(h.end - h.start)))
        return kept

    def _code(self, hit: ProcedureHit, fallback_target: str | None) -> tuple[str, int]:
        code, rank = self.rules[hit.row.rule]
        if code == "by_target":
            target = hit.target or fallback_target
            code, rank = ("77003", 2) if target == "spinal" else ("77002", 3) if target == "nonspinal" else \
                ("unknown_target", 2)
        return code, rank

    def recommend(self, hits: list[ProcedureHit], fallback_target: str | None
                  ) -> tuple[str, ProcedureHit | None]:
        """The fluoroscopy code the procedures call for (when fluoroscopy was used) and the deciding hit."""
        best: tuple[int, int, str, ProcedureHit | None] = (9, 0, "76000", None)
        for h in hits:
            code, rank = self._code(h, fallback_target)
            if (rank, h.start) < best[:2]:
                best = (rank, h.start, code, h)
        return best[2], best[3]

    def target(self, hits: list[ProcedureHit], fallback_target: str | None) -> str | None:
        """The target of the deciding procedure that has one, else the fallback."""
        ranked = sorted((self._code(h, fallback_target)[1], h.start, h.target) for h in hits if h.target)
        return ranked[0][2] if ranked else fallback_target
