"""The ``fluorologic`` command line (contract.md): solve encounters and print results.

Exit codes: 0 all encounters solved; 1 some had input errors (the others are still printed);
2 usage error or unreadable file. Errors go to standard error, results to standard output.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from fluorologic.batch import read_encounters
from fluorologic.errors import InputError
from fluorologic.render import to_json, to_jsonl, to_table
from fluorologic.rules_cli import rules
from fluorologic.solver import Engine

__all__ = ["main"]


def _read_text(path: str) -> str:
    try:
        if path == "-":
            return sys.stdin.read()
        with open(path, encoding="utf-8") as fh:
            return fh.read()
    except (OSError, UnicodeDecodeError) as exc:
        click.echo(f"fluorologic: cannot read {path}: {exc}", err=True)
        sys.exit(2)


def _solve_all(items: list[Any], engine: Engine) -> list[dict[str, Any]]:
    records = []
    for item in items:
        if isinstance(item, InputError):
            records.append({"encounter_id": None, "error": item.to_dict()})
        else:
            records.append(engine.solve_record(item))
    return records


@click.group()
@click.version_option(package_name="fluorologic")
def main() -> None:
    """Decide which fluoroscopy-related codes an encounter may bill, and explain why."""


@main.command()
@click.argument("file")
@click.option("--format", "fmt", type=click.Choice(["json", "jsonl", "table"]), default="json", show_default=True)
def solve(file: str, fmt: str) -> None:
    """Solve one encounter, a JSON array of encounters or JSON Lines from FILE (- for stdin)."""
    text = _read_text(file)
    try:
        items, shape = read_encounters(text)
    except InputError as err:
        click.echo(f"fluorologic: {file}: {err.message}", err=True)
        sys.exit(2)
    records = _solve_all(items, Engine())
    errors = [r for r in records if "error" in r]
    for r in errors:
        click.echo(f"fluorologic: encounter {r['encounter_id']!r}: {r['error']['field']}: {r['error']['message']}",
                   err=True)
    if fmt == "jsonl":
        click.echo(to_jsonl(records), nl=False)
    elif fmt == "table":
        click.echo(to_table(records))
    else:
        click.echo(to_json(records[0] if shape == "object" else records, indent=2))
    sys.exit(1 if errors else 0)
main.add_command(rules)
