"""``fluorologic claims split FILE`` and ``fluorologic fix CLAIMS.837 -o OUT.837``: claim files in and out.

``claims split`` prints the encounters a claim file makes (one per claim and date of service), for checking
what the readers take from it; ``fix`` writes the same interchange with the decisions applied and prints the
edits report (one row per input claim line). Exit codes as ``solve`` (contract.md): 0 every claim read and
solved; 1 some gave error records (those claims are left as they were); 2 usage error or unreadable file.
"""

from __future__ import annotations

import sys

import click

from fluorologic.claims.edits import edits_csv, edits_json
from fluorologic.claims.fix import fix_interchange
from fluorologic.claims.formats import read_claims
from fluorologic.claims.x12 import is_x12, read_interchange
from fluorologic.contract.errors import InputError
from fluorologic.contract.render import to_json
from fluorologic.run.batchrun import UsageError, solve_items

__all__ = ["claims", "fix", "read_text"]


def read_text(path: str) -> str:
    """The text of ``path`` (``-`` for standard input); exit 2 naming the file when it cannot be read."""
    try:
        if path == "-":
            return sys.stdin.read()
        with open(path, encoding="utf-8", newline="") as fh:
            return fh.read()
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
        click.echo(f"fluorologic: cannot read {path}: {reason}", err=True)
        sys.exit(2)


@click.group()
def claims() -> None:
    """Claim files (X12 837P, FHIR R4 Claim): what fluorologic reads from them."""


@claims.command()
@click.argument("file")
@click.option("--from", "from_format", type=click.Choice(["x12", "fhir"]), default=None,
              help="The claim format [default: x12 when the file starts with ISA, else fhir].")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "json"]), default="jsonl", show_default=True)
def split(file: str, from_format: str | None, fmt: str) -> None:
    """Print the encounters FILE makes (one per claim and date of service) and its error records."""
    text = read_text(file)
    kind = from_format or ("x12" if is_x12(text[:256]) else "fhir")
    records = [item.record() if isinstance(item, InputError) and hasattr(item, "record") else item
               for item in read_claims(text, kind)]
    for rec in records:
        if "error" in rec:
            click.echo(f"fluorologic: claim {rec['encounter_id']!r}: {rec['error']['field']}: "
                       f"{rec['error']['message']}", err=True)
    if fmt == "json":
        click.echo(to_json(records, indent=2))
    else:
        click.echo("".join(to_json(r) + "\n" for r in records), nl=False)
    sys.exit(1 if any("error" in r for r in records) else 0)


@click.command()
@click.argument("file")
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True,
              help="Where to write the corrected 837P.")
@click.option("--edits", "edits_path", type=click.Path(dir_okay=False), default=None,
              help="Write the edits report to this file [default: standard output].")
@click.option("--edits-format", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@click.option("--store", type=click.Path(dir_okay=False), default=None, help="Rule store with imported CMS quarters.")
@click.option("--as-of-quarter", default=None, help="Decide every claim under this loaded quarter, e.g. 2024Q3.")
@click.option("--workers", type=click.IntRange(min=1), help="Worker processes (default: all cores).")
def fix(file: str, output: str, edits_path: str | None, edits_format: str, store: str | None,
        as_of_quarter: str | None, workers: int | None) -> None:
    """Write the X12 837P FILE to OUTPUT with the decisions applied; print the edits report."""
    text = read_text(file)
    if not is_x12(text[:256]):
        click.echo(f"fluorologic: {file} is not an X12 interchange (it does not start with ISA)", err=True)
        sys.exit(2)
    ic = read_interchange(text)
    items = list(ic.items())
    try:
        records = list(solve_items(items, workers=workers, rules=(store, as_of_quarter)))
    except UsageError as exc:
        click.echo(f"fluorologic: {exc}", err=True)
        sys.exit(2)
    result = fix_interchange(ic, list(zip(items, records, strict=True)))
    report = edits_csv(result.rows) if edits_format == "csv" else edits_json(result.rows)
    try:
        with open(output, "w", encoding="utf-8", newline="") as fh:
            fh.write(result.text)
        if edits_path is not None:
            with open(edits_path, "w", encoding="utf-8", newline="") as fh:
                fh.write(report)
    except OSError as exc:
        click.echo(f"fluorologic: cannot write {exc.filename}: {exc.strerror}", err=True)
        sys.exit(2)
    if edits_path is None:
        click.echo(report, nl=False)
    errors = [r for r in records if "error" in r]
    for rec in errors:
        click.echo(f"fluorologic: claim {rec['encounter_id']!r}: {rec['error']['field']}: {rec['error']['message']}",
                   err=True)
    for note in result.notes:
        click.echo(f"fluorologic: {note}", err=True)
    click.echo(f"fluorologic: {len(result.rows)} report rows, {result.changed_lines} lines changed, "
               f"{len(errors)} error records; corrected interchange written to {output}", err=True)
    sys.exit(1 if errors else 0)
