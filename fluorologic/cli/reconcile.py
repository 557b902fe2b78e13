"""``fluorologic reconcile CLAIMS REMIT.835``: the payer's remittance beside the decisions, one row per claim line.

Rows go to standard output (``--format table``, ``jsonl`` or ``csv``); the summary (rows and dollars by
verdict), the claims and remittance parts that could not be read, and pyx12's findings go to standard error.
Exit codes as ``solve``: 0 everything read; 1 some claims or parts of the remittance could not be read (the
rest is reconciled and printed); 2 usage error or an unreadable file.
"""

from __future__ import annotations

import sys

import click

from fluorologic.cli.claims import read_text
from fluorologic.contract.errors import DataError, InputError
from fluorologic.engine.solver import Engine
from fluorologic.reconcile.claims_in import KINDS, claim_items, claims_kind
from fluorologic.reconcile.reconcile import reconcile as reconcile_rows
from fluorologic.reconcile.remit import read_835
from fluorologic.reconcile.render import rows_csv, rows_jsonl, rows_table, summary_text
from fluorologic.rules.source import rule_source

__all__ = ["reconcile"]


@click.command()
@click.argument("claims")
@click.argument("remit")
@click.option("--format", "fmt", type=click.Choice(["table", "jsonl", "csv"]), default="table", show_default=True)
@click.option("--from", "from_format", type=click.Choice(KINDS), default=None,
              help="The claims' format [default: x12 when CLAIMS starts with ISA, fhir for FHIR resources, "
                   "else json encounters with claim.claim_id and line_id].")
@click.option("--store", type=click.Path(dir_okay=False), default=None, help="Rule store with imported CMS quarters.")
@click.option("--as-of-quarter", default=None, help="Decide every claim under this loaded quarter, e.g. 2024Q3.")
def reconcile(claims: str, remit: str, fmt: str, from_format: str | None, store: str | None,
              as_of_quarter: str | None) -> None:
    """Put the payer's X12 835 REMIT beside the decisions for the claim lines of CLAIMS (837P, FHIR or JSON)."""
    claims_text = read_text(claims)
    remit_text = read_text(remit)
    try:
        engine = Engine(rule_source(store, as_of_quarter))
        items = claim_items(claims_text, from_format or claims_kind(claims_text))
    except (DataError, InputError) as exc:
        click.echo(f"fluorologic: {exc}", err=True)
        sys.exit(2)
    remittance = read_835(remit_text)
    if not remittance.claims and remittance.errors:
        err = remittance.errors[0]
        click.echo(f"fluorologic: {remit} is not a readable 835: {err.field}: {err.message}", err=True)
        sys.exit(2)
    rec = reconcile_rows(items, remittance, engine)
    render = {"table": rows_table, "jsonl": rows_jsonl, "csv": rows_csv}[fmt]
    click.echo(render(rec.rows), nl=False)
    for note in rec.notes:
        click.echo(f"fluorologic: {remit}: {note}", err=True)
    for e in rec.errors:
        where = "remittance" if e.get("source") == "remittance" else "claim"
        click.echo(f"fluorologic: {where} {e.get('encounter_id')!r}: {e['error']['field']}: {e['error']['message']}",
                   err=True)
    for w in rec.warnings:
        click.echo(f"fluorologic: remittance warning: {w['field']}: {w['message']}", err=True)
    for p in rec.provider_adjustments:
        click.echo(f"fluorologic: provider adjustment (PLB, segment {p['segment']}): {p['reason']} {p['reference']} "
                   f"{p['amount']:.2f}", err=True)
    click.echo(summary_text(rec.summary), err=True, nl=False)
    sys.exit(1 if rec.errors else 0)
