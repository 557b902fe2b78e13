"""The ``fluorologic scan NOTE`` command: the findings of one note, with the spans they rest on.

``NOTE`` is the note's text; with ``--id ENCOUNTER`` it is instead any input ``solve`` reads (JSON, JSON Lines,
claim-line CSV, X12 837P, FHIR R4 Claims: :mod:`fluorologic.run.inputs`), and the note scanned is the ``note``
of that encounter. The note itself is never echoed or logged: the output holds the findings and the evidence
spans only. Exit codes: 0 read; 1 the encounter picked is an error record; 2 usage error, unreadable file, no
such encounter or an encounter without a note (contract.md).
"""

from __future__ import annotations

import json
import sys

import click

from fluorologic.contract.errors import InputError
from fluorologic.notes import NoteFindings, scan_note
from fluorologic.run.inputs import KINDS, pick, read_inputs

__all__ = ["scan", "to_text"]


def _read_note(path: str) -> str:
    try:
        if path == "-":
            return sys.stdin.read()
        with open(path, encoding="utf-8") as fh:
            return fh.read()
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
        click.echo(f"fluorologic: cannot read {path}: {reason}", err=True)
        sys.exit(2)


def to_text(findings: NoteFindings) -> str:
    """The findings as lines a coder reads, each followed by the spans that support it.

    Examples
    --------
    >>> print(to_text(scan_note("Thoracic epidural steroid injection without fluoroscopy.")).splitlines()[0])
    recommended code      none

    """
    d = findings.to_dict()
    facts = {
        "recommended code": d["recommended_fluoro_code"],
        "confidence": d.get("confidence"),
        "fluoroscopy used": "yes" if d["fluoroscopy_used"] else "no",
        "negated": "yes" if d["fluoroscopy_negated"] else "no",
        "time (seconds)": d["fluoroscopy_time_seconds"],
        "procedure kinds": ", ".join(d["procedure_kinds"]) or None,
        "spinal target": {True: "yes", False: "no", None: None}[d["spinal"]],
        "levels": ", ".join(d["levels"]) or None,
        "laterality": findings.laterality,
        "body area": d["body_area"],
        "indication": d["indication"],
    }
    lines = [f"{k:<21} {'-' if v is None else v}" for k, v in facts.items()]
    lines.append("evidence")
    for e in d["evidence"]:
        value = f" = {e['value']}" if "value" in e else ""
        lines.append(f"  {e['start']:>6}-{e['end']:<6} {e['fact']}{value}: {e['text']!r}")
    return "\n".join(lines)


def _note_of(path: str, text: str, eid: str, from_format: str | None) -> str:
    """The ``note`` of encounter ``eid`` in the input ``text`` (exits with a message when there is none)."""
    try:
        item = pick(read_inputs(text, name=path, from_format=from_format), eid)
    except InputError as err:
        click.echo(f"fluorologic: {path}: {err.message}", err=True)
        sys.exit(2)
    if isinstance(item, InputError):
        click.echo(f"fluorologic: {path}: encounter {eid!r}: {item.field}: {item.message}", err=True)
        sys.exit(1)
    note = item.get("note")
    if not isinstance(note, str) or not note.strip():
        click.echo(f"fluorologic: {path}: encounter {eid!r} has no note to scan", err=True)
        sys.exit(2)
    return note


@click.command()
@click.argument("note")
@click.option("--format", "fmt", type=click.Choice(["json", "text"]), default="json", show_default=True)
@click.option("--id", "eid", default=None, metavar="ENCOUNTER",
              help="NOTE is a batch (any input solve reads): scan the note of the encounter with this encounter_id.")
@click.option("--from", "from_format", type=click.Choice(KINDS), default=None,
              help="With --id: read NOTE as this kind [default: recognised as solve does].")
def scan(note: str, fmt: str, eid: str | None, from_format: str | None) -> None:
    """Read the note NOTE (- for stdin): fluoroscopy use, time, procedure, target, and the code it supports."""
    text = _read_note(note)
    if eid is not None:
        text = _note_of(note, text, eid, from_format)
    elif from_format is not None:
        click.echo("fluorologic: --from needs --id ENCOUNTER (the encounter whose note to scan)", err=True)
        sys.exit(2)
    try:
        findings = scan_note(text)
    except InputError as err:
        click.echo(f"fluorologic: {note}: {err.message}", err=True)
        sys.exit(2)
    if fmt == "text":
        click.echo(to_text(findings))
    else:
        click.echo(json.dumps(findings.to_dict(), indent=2, ensure_ascii=False))
