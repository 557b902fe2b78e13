"""The ``fluorologic`` command line (contract.md): solve encounters and print results.

Exit codes: 0 all encounters solved; 1 some had input errors (the others are still printed);
2 usage error or unreadable file. Errors go to standard error, results to standard output.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from fluorologic import explain_cli
from fluorologic.batch import read_encounters
from fluorologic.datacli import data, rule_source
from fluorologic.errors import DataError, InputError
from fluorologic.render import to_json, to_jsonl, to_table
from fluorologic.rules_cli import rules
from fluorologic.scan_cli import scan
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
@click.option("--store", type=click.Path(dir_okay=False), default=None,
              help="Rule store with imported CMS quarters [default: $FLUOROLOGIC_STORE or the per-user data folder].")
@click.option("--as-of-quarter", default=None, help="Decide every encounter under this loaded quarter, e.g. 2024Q3.")
def solve(file: str, fmt: str, store: str | None, as_of_quarter: str | None) -> None:
    """Solve one encounter, a JSON array of encounters or JSON Lines from FILE (- for stdin)."""
    try:
        rules = rule_source(store, as_of_quarter)
    except DataError as err:
        click.echo(f"fluorologic: {err}", err=True)
        sys.exit(2)
    text = _read_text(file)
    try:
        items, shape = read_encounters(text)
    except InputError as err:
        click.echo(f"fluorologic: {file}: {err.message}", err=True)
        sys.exit(2)
    records = _solve_all(items, Engine(data=rules))
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


main.add_command(scan)
main.add_command(explain_cli.why)
main.add_command(explain_cli.graph)
main.add_command(data)
main.add_command(rules)
