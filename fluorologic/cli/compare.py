"""``fluorologic compare BATCH --quarters Q1 Q2``: the encounters whose decision changes between two rule sets.

Each side is a quarter loaded in the rule store (``fluorologic data import``) or ``embedded``; the batch is
solved under each exactly as ``fluorologic solve --as-of-quarter`` would (:mod:`fluorologic.run.compare`).

Examples
--------
>>> from click.testing import CliRunner
>>> "--quarters" in CliRunner().invoke(compare, ["--help"]).output
True

"""

from __future__ import annotations

import sys

import click

from fluorologic.contract.errors import DataError, InputError
from fluorologic.contract.render import to_json
from fluorologic.run.compare import compare_batch, render_compare
from fluorologic.run.streaming import open_input

__all__ = ["compare"]


@click.command()
@click.argument("batch")
@click.option("--quarters", nargs=2, required=True, metavar="Q1 Q2",
              help="The two sides: quarters loaded in the rule store (e.g. 2024Q3 2024Q4) or 'embedded'.")
@click.option("--format", "fmt", type=click.Choice(["json", "table"]), default="table", show_default=True)
@click.option("--store", type=click.Path(dir_okay=False), default=None,
              help="Rule store with imported CMS quarters [default: $FLUOROLOGIC_STORE or the per-user data folder].")
@click.option("--csv/--no-csv", "csv_input", default=None, help="Read a claim-line CSV (default: by .csv suffix).")
def compare(batch: str, quarters: tuple[str, str], fmt: str, store: str | None, csv_input: bool | None) -> None:
    """The encounters of BATCH whose decision changes from quarter Q1 to Q2, with the dollar difference."""
    is_csv = csv_input if csv_input is not None else batch.lower().endswith(".csv")
    try:
        with (open(batch, encoding="utf-8", newline="") if batch != "-" else sys.stdin) as fh:  # noqa: SIM115
            _shape, items = open_input(fh, csv_input=is_csv)
            items = list(items)
    except (OSError, UnicodeDecodeError) as exc:
        click.echo(f"fluorologic: cannot read {batch}: {exc}", err=True)
        sys.exit(2)
    except InputError as err:
        click.echo(f"fluorologic: {batch}: {err.message}", err=True)
        sys.exit(2)
    try:
        out = compare_batch(items, quarters[0], quarters[1], store=store)
    except DataError as exc:
        click.echo(f"fluorologic: {exc}", err=True)
        sys.exit(2)
    click.echo(to_json(out, indent=2) if fmt == "json" else render_compare(out))
    sys.exit(1 if out["errors"] else 0)
