"""The ``fluorologic`` command line (contract.md): solve encounters and print results.

Exit codes: 0 all encounters solved; 1 some had input errors (the others are still printed);
2 usage error, unreadable file, or any failure that stopped the run before every record was written
(one line on standard error). Errors go to standard error, results to standard output.
"""

from __future__ import annotations

import sys

import click

from fluorologic.cli import explain as explain_cli
from fluorologic.cli.data import data
from fluorologic.cli.rules import rules
from fluorologic.cli.scan import scan
from fluorologic.cli.serve import serve
from fluorologic.run.batchrun import UsageError, run_solve

__all__ = ["main"]


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
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write results to OUTPUT instead of stdout.")
@click.option("--workers", type=click.IntRange(min=1), help="Worker processes (default: all cores).")
@click.option("--resume", is_flag=True, help="Continue an interrupted run into OUTPUT (needs -o and jsonl).")
@click.option("--csv/--no-csv", "csv_input", default=None, help="Read a claim-line CSV (default: by .csv suffix).")
@click.option("--summary/--no-summary", default=None, help="Print the summary on stderr (default: for batches).")
def solve(file: str, fmt: str, store: str | None, as_of_quarter: str | None, output: str | None,
          workers: int | None, resume: bool, csv_input: bool | None, summary: bool | None) -> None:
    """Solve one encounter, a JSON array, JSON Lines or a claim-line CSV from FILE (- for stdin)."""
    try:
        code = run_solve(file, fmt, output=output, workers=workers, resume=resume, csv_input=csv_input,
                         summary=summary, rules=(store, as_of_quarter))
    except UsageError as exc:
        click.echo(f"fluorologic: {exc}", err=True)
        sys.exit(2)
    sys.exit(code)


main.add_command(scan)
main.add_command(explain_cli.why)
main.add_command(explain_cli.graph)
main.add_command(data)
main.add_command(rules)
main.add_command(serve)


if __name__ == "__main__":
    main()
