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

from dataclasses import replace
from typing import Any

from fluorologic.contract.encounter import Documentation
from fluorologic.notes.findings import NoteFindings

__all__ = ["NOTE_SOURCE", "merge_documentation", "note_audit", "note_evidence"]

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
