"""The ``fluorologic`` command line (contract.md): solve encounters and print results.

Exit codes: 0 all encounters solved; 1 some had input errors (the others are still printed);
2 usage error, unreadable file, or any failure that stopped the run before every record was written
(one line on standard error). Errors go to standard error, results to standard output.
"""

from __future__ import annotations

import json
import sys

import click

from fluorologic.cli import explain as explain_cli
from fluorologic.cli.claims import claims, fix
from fluorologic.cli.compare import compare
from fluorologic.cli.data import data
from fluorologic.cli.pair import pair
from fluorologic.cli.reconcile import reconcile
from fluorologic.cli.rules import rules
from fluorologic.cli.scan import scan
from fluorologic.cli.serve import serve
from fluorologic.cli.workbench import workbench
from fluorologic.contract.schema import contract_schema
from fluorologic.run.batchrun import INPUT_FORMATS, OUTPUT_FORMATS, UsageError, run_solve

__all__ = ["main"]


@click.group()
@click.version_option(package_name="fluorologic")
def main() -> None:
    """Decide which fluoroscopy-related codes an encounter may bill, and explain why."""


@main.command()
@click.argument("file")
@click.option("--format", "fmt", type=click.Choice(OUTPUT_FORMATS), default="json", show_default=True,
              help="csv: one flat row per result line with a changed column; edits / edits-json: one row per "
                   "input claim line with its disposition (CSV / JSON).")
@click.option("--store", type=click.Path(dir_okay=False), default=None,
              help="Rule store with imported CMS quarters [default: $FLUOROLOGIC_STORE or the per-user data folder].")
@click.option("--as-of-quarter", default=None, help="Decide every encounter under this loaded quarter, e.g. 2024Q3.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write results to OUTPUT instead of stdout.")
@click.option("--workers", type=click.IntRange(min=1), help="Solving processes, this one included (default: cores).")
@click.option("--resume", is_flag=True, help="Continue an interrupted run into OUTPUT (needs -o and jsonl).")
@click.option("--csv/--no-csv", "csv_input", default=None, help="Read a claim-line CSV (default: by .csv suffix).")
@click.option("--summary/--no-summary", default=None, help="Print the summary on stderr (default: for batches).")
@click.option("--from", "from_format", type=click.Choice(INPUT_FORMATS), default=None,
              help="The input format [default: csv by suffix, x12 when it starts with ISA, else json].")
def solve(file: str, fmt: str, store: str | None, as_of_quarter: str | None, output: str | None,
          workers: int | None, resume: bool, csv_input: bool | None, summary: bool | None,
          from_format: str | None) -> None:
    """Solve encounters from FILE (- for stdin): JSON, JSON Lines, a claim-line CSV, X12 837P or FHIR R4 Claims."""
    try:
        code = run_solve(file, fmt, output=output, workers=workers, resume=resume, csv_input=csv_input,
                         summary=summary, rules=(store, as_of_quarter), from_format=from_format)
    except UsageError as exc:
        click.echo(f"fluorologic: {exc}", err=True)
        sys.exit(2)
    sys.exit(code)


@main.command()
def schema() -> None:
    """Print the JSON Schema of the contract: Encounter (input), Result and the error record (output)."""
    click.echo(json.dumps(contract_schema(), indent=2, ensure_ascii=False))


main.add_command(scan)
main.add_command(explain_cli.why)
main.add_command(explain_cli.graph)
main.add_command(data)
main.add_command(rules)
main.add_command(serve)
main.add_command(claims)
main.add_command(fix)
main.add_command(compare)
main.add_command(workbench)
main.add_command(reconcile)
main.add_command(pair)


if __name__ == "__main__":
    main()
