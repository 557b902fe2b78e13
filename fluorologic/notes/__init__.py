"""Read operative and procedure notes: fluoroscopy use, negation, time, site, procedure, with evidence spans.

Examples
--------
>>> from fluorologic.notes import scan_note
>>> scan_note("Under C-arm guidance the L4-5 facet joint injection was performed.").levels
('L4-L5',)

"""

from fluorologic.notes.findings import Evidence, NoteFindings, scan_note

__all__ = ["Evidence", "NoteFindings", "scan_note"]
