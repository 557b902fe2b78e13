"""``fluorologic pair PHYSICIAN HOSPITAL``: one encounter, both claims, decided side by side (docs/institutional.md).

Examples
--------
>>> from click.testing import CliRunner
>>> "HOSPITAL" in CliRunner().invoke(pair, ["--help"]).output
True

"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from fluorologic.contract.render import to_json
from fluorologic.engine.solver import Engine
from fluorologic.run.pair import pair_claims, read_items, render_pairs

__all__ = ["pair"]


@click.command()
@click.argument("physician", type=click.Path(exists=True, dir_okay=False))
@click.argument("hospital", type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["json", "table"]), default="table", show_default=True)
def pair(physician: str, hospital: str, fmt: str) -> None:
    """Decide PHYSICIAN's claims as professional and HOSPITAL's as institutional, and pair them by date.

    Each file is JSON encounters, X12 (837P / 837I) or FHIR Claims. Exit 1 when a record is an error.
    """
    try:
        texts = [Path(p).read_text(encoding="utf-8") for p in (physician, hospital)]
    except (OSError, UnicodeDecodeError) as exc:
        click.echo(f"fluorologic: cannot read: {exc}", err=True)
        sys.exit(2)
    out = pair_claims(read_items(texts[0]), read_items(texts[1]), Engine())
    click.echo(to_json(out, indent=2) if fmt == "json" else render_pairs(out))
    sys.exit(1 if out["errors"] else 0)
