"""Readers for the official CMS files (NCCI PTP, MUE, add-on codes, MPFS PPRRVU) in their published layouts.

Each parser turns one or more files into plain tuples ready for the rule store, and refuses a
malformed file with :class:`ImportFormatError`, which names the file, the line and the reason.

Examples
--------
>>> from fluorologic.rules.cms import KINDS
>>> KINDS
('ptp', 'mue', 'aoc', 'pfs')

"""

from __future__ import annotations

from fluorologic.rules.cms.aoc import parse_aoc
from fluorologic.rules.cms.mue import parse_mue
from fluorologic.rules.cms.pfs import parse_pfs
from fluorologic.rules.cms.ptp import parse_ptp
from fluorologic.rules.cms.tables import ImportFormatError, Member, open_members

__all__ = ["KINDS", "ImportFormatError", "Member", "open_members", "parse_aoc", "parse_mue", "parse_pfs",
           "parse_ptp"]

KINDS = ("ptp", "mue", "aoc", "pfs")
"""The tables fluorologic imports: NCCI PTP edits, MUEs, add-on code edits, MPFS PPRRVU."""
