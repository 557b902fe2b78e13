"""What a note adds to an encounter: documentation merged under the explicit fields, and audit entries.

The explicit ``documentation`` fields of the encounter win; a field left empty is filled from the note.
Each finding's evidence span becomes an audit entry with rule ``note.evidence``, so a coder can see the
words each decision rests on. Only the spans are copied, never the note.

Examples
--------
>>> from fluorologic.contract.encounter import Documentation
>>> from fluorologic.notes import scan_note
>>> f = scan_note("Fluoroscopy time: 0:45. Under fluoroscopy, to confirm needle position, the knee was injected.")
>>> merge_documentation(Documentation(indication="given"), f).fluoroscopy_time_seconds
45
>>> merge_documentation(Documentation(indication="given"), f).indication
'given'
>>> [e["rule"] for e in note_audit(f)][:2]
['note.findings', 'note.evidence']

"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from fluorologic.contract.encounter import Documentation, Line
from fluorologic.notes.findings import NoteFindings

__all__ = ["NOTE_SOURCE", "merge_documentation", "note_audit", "note_distinct_lines", "note_evidence"]

NOTE_SOURCE = {"table": "encounter note", "quarter": None, "source": "fluorologic note reader", "row": None}


def merge_documentation(doc: Documentation, findings: NoteFindings) -> Documentation:
    """``doc`` with every empty field filled from the note's findings (explicit fields win)."""
    return replace(
        doc,
        fluoroscopy_time_seconds=(doc.fluoroscopy_time_seconds if doc.fluoroscopy_time_seconds is not None
                                  else findings.fluoroscopy_time_seconds),
        indication=doc.indication or findings.indication,
        body_area=doc.body_area or findings.body_area,
    )


def _imaging(code: str) -> bool:
    """A code of the CPT radiology section (70010-79999): imaging, guidance and supervision codes."""
    return len(code) == 5 and code.isdigit() and code.startswith("7")


def note_distinct_lines(lines: Sequence[Line], findings: NoteFindings) -> list[int]:
    """Line numbers (from 1) the note documents as a distinct procedural service, not already marked so.

    When the note documents a second procedure at a separate site or session (evidence ``distinct``), each
    claimed procedure line is a distinct service, so that an NCCI edit with modifier indicator 1 between two
    of them can be bypassed. Imaging lines are never marked: a separate site does not unbundle the guidance
    of a procedure, and only with two or more procedure lines is there a pair to bypass.

    Examples
    --------
    >>> from fluorologic.contract.encounter import Line
    >>> from fluorologic.notes import scan_note
    >>> f = scan_note("PROCEDURE: Right knee injection under fluoroscopy. The left shoulder was injected "
    ...               "at a separate site.")
    >>> note_distinct_lines([Line("20610"), Line("20610"), Line("77002")], f)
    [1, 2]

    """
    if not findings.distinct:
        return []
    procedures = [i for i, ln in enumerate(lines, start=1) if not _imaging(ln.code)]
    return [i for i in procedures if not lines[i - 1].distinct] if len(procedures) >= 2 else []


def note_evidence(findings: NoteFindings, *facts: str) -> list[dict[str, Any]]:
    """The evidence objects of the named facts (all of them when no fact is named)."""
    return [e.to_dict() for e in findings.evidence if not facts or e.fact in facts]


def note_audit(findings: NoteFindings) -> list[dict[str, Any]]:
    """Audit entries (without step numbers): the findings, then one entry per evidence span."""
    summary = {k: v for k, v in findings.to_dict().items() if k != "evidence"}
    out: list[dict[str, Any]] = [{"rule": "note.findings", "subject": "note", "facts": summary,
                                  "source": dict(NOTE_SOURCE)}]
    for e in findings.evidence:
        span = {k: v for k, v in e.to_dict().items() if k != "fact"}
        out.append({"rule": "note.evidence", "subject": e.fact, "facts": span, "source": dict(NOTE_SOURCE)})
    return out
