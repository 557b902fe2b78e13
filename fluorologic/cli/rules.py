"""``fluorologic rules check``: check the loaded rule base for consistency (exit 1 on any finding).

Examples
--------
>>> from click.testing import CliRunner
>>> result = CliRunner().invoke(rules, ["check", "--format", "json"])
>>> result.exit_code
1

"""

from __future__ import annotations

import sys

import click

from fluorologic.contract.render import to_json
from fluorologic.quality.rulecheck import Report, check_rules
from fluorologic.rules.ruledata import RuleData

__all__ = ["rules"]


def _text(report: Report, limit: int) -> str:
    out = [f"rule base: {report.store}"]
    out += [f"  note: {n}" for n in report.notes]
    if not report.findings:
        out.append("no findings")
        return "\n".join(out)
    out.append("findings: " + ", ".join(f"{k} {v}" for k, v in report.counts.items()))
    shown: dict[str, int] = {}
    for f in report.findings:
        shown[f.kind] = shown.get(f.kind, 0) + 1
        if shown[f.kind] > limit:
            continue
        out.append(f"{f.kind.upper():24} {f.message}")
        for row in f.rows:
            out.append("    " + ", ".join(f"{k}={v}" for k, v in row.items() if v not in (None, "")))
    for kind, n in shown.items():
        if n > limit:
            out.append(f"... {n - limit} more {kind} (use --limit or --format json)")
    return "\n".join(out)


@click.group()
def rules() -> None:
    """Inspect the loaded rule base."""


@rules.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True,
              help="findings listed per kind in text output (json lists all)")
def check(fmt: str, limit: int) -> None:
    """Check the rule base for odd cycles, mutual edits, add-ons without primaries, and more; exit 1 on findings."""
    report = check_rules(RuleData.embedded())
    if fmt == "json":
        click.echo(to_json(report.to_dict(), indent=2))
    else:
        click.echo(_text(report, limit))
    sys.exit(1 if report.findings else 0)
