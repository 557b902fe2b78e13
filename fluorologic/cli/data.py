"""The ``fluorologic data`` commands: import CMS files into the rule store, say what is loaded, diff quarters.

Exit codes: 0 done; 1 the file was refused (malformed, with file, line and reason) or the request
cannot be met; 2 usage error. The store is ``--store PATH``, else ``$FLUOROLOGIC_STORE``, else a file
in the per-user data folder (see :func:`fluorologic.rules.store.default_store_path`).

Examples
--------
>>> from click.testing import CliRunner
>>> CliRunner().invoke(data, ["info", "--store", "no-such-store.sqlite"]).output.splitlines()[0]
'rule store no-such-store.sqlite: nothing imported; the embedded data is used'

"""

from __future__ import annotations

import json
import sys

import click

from fluorologic.contract.errors import DataError
from fluorologic.rules.cms import KINDS
from fluorologic.rules.cms.quarter import SETTINGS, normalize_quarter
from fluorologic.rules.cms.tables import date_cell
from fluorologic.rules.ruledata import RuleData
from fluorologic.rules.source import store_path
from fluorologic.rules.store import RuleStore
from fluorologic.rules.storediff import diff_quarters, render_diff

__all__ = ["data"]

_STORE = click.option("--store", "store", type=click.Path(dir_okay=False), default=None,
                      help="Rule store file [default: $FLUOROLOGIC_STORE or the per-user data folder].")


def _fail(message: str, code: int = 1) -> None:
    click.echo(f"fluorologic: {message}", err=True)
    sys.exit(code)


def _open(store: str | None) -> RuleStore | None:
    try:
        return RuleStore.open_existing(store_path(store))
    except DataError as exc:
        _fail(str(exc), 2)
    return None


@click.group()
def data() -> None:
    """Load official CMS files into the local rule store and inspect what is loaded."""


@data.command("import")
@click.argument("kind", type=click.Choice(KINDS))
@click.argument("paths", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--quarter", help="The quarter the file is for, e.g. 2024Q3 [default: from the file name].")
@click.option("--effective", help="First day the file is in force, YYYY-MM-DD [default: the quarter's first day].")
@click.option("--setting", type=click.Choice(SETTINGS),
              help="PTP/MUE setting [default: from the file name (ccipra/ccioph) or header].")
@click.option("--replace", is_flag=True, help="Replace a different file already loaded for the same quarter.")
@_STORE
def import_(kind: str, paths: tuple[str, ...], quarter: str | None, effective: str | None, setting: str | None,
            replace: bool, store: str | None) -> None:
    """Import CMS file(s) of KIND (ptp, mue, aoc, pfs): .txt, .csv(.gz), .xlsx or the CMS .zip.

    Several PATHS (e.g. the -f1..-f4 parts of a PTP table) are loaded together as one quarter.
    """
    try:
        eff = date_cell(effective, open_end=False) if effective else None
    except ValueError as exc:
        _fail(f"--effective: {exc}", 2)
    try:
        result = RuleStore(store_path(store)).import_files(kind, list(paths), quarter=quarter, effective=eff,
                                                      setting=setting, replace=replace)
    except DataError as exc:
        _fail(f"import refused, the store is unchanged: {exc}")
    e = result.entry
    verb = {"unchanged": "already loaded (same file), nothing changed", "imported": "imported",
            "replaced": "replaced the earlier file"}[result.status]
    click.echo(f"{e.kind} {e.setting} {e.quarter} (effective {e.to_dict()['effective']}): {verb}; "
               f"{e.rows} rows from {e.files}")
    note = RuleStore(store_path(store)).partial(e)
    if note:
        click.echo(f"fluorologic: warning: {e.kind} {e.setting} {e.quarter} is imported as PARTIAL: {note}", err=True)


@data.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@_STORE
def info(fmt: str, store: str | None) -> None:
    """Show what the rule store holds: sources, quarters, row counts and date ranges."""
    path = store_path(store)
    opened = _open(store)
    imports = opened.imports() if opened else []
    entries = []
    for i in imports:
        d = i.to_dict()
        end = opened.next_effective(i) if opened else None
        d["in_force_until"] = None if end is None or end >= 99991231 else f"{end // 10000:04d}-{end // 100 % 100:02d}" \
                                                                          f"-{end % 100:02d}"
        d["partial"] = opened.partial(i) if opened else None
        entries.append(d)
    if fmt == "json":
        body = {"store": str(path), "imports": entries,
                "embedded": RuleData.embedded().describe(),
                "size_bytes": opened.size_bytes() if opened else 0}
        click.echo(json.dumps(body, indent=2, sort_keys=True))
        return
    if not entries:
        click.echo(f"rule store {path}: nothing imported; the embedded data is used")
        click.echo(_embedded_summary())
        return
    click.echo(f"rule store {path} ({opened.size_bytes() / 1e6:.1f} MB)" if opened else str(path))
    for d in entries:
        until = d["in_force_until"] or "open"
        click.echo(f"  {d['kind']:<4} {d['setting']:<20} {d['quarter']}  {d['effective']} .. {until:<10} "
                   f"{d['rows']:>10,} rows  {d['files']}  sha256 {d['sha256'][:12]}")
        if d["partial"]:
            click.echo(f"       PARTIAL: {d['partial']}")
    kinds = {d["kind"] for d in entries}
    rest = [k for k in ("ptp", "mue", "aoc", "pfs") if k not in kinds]
    if rest:
        click.echo(f"  embedded data used for: {', '.join(rest)}")
    click.echo(_embedded_summary())


def _embedded_summary() -> str:
    """The embedded data in one paragraph: code count, dated codes, PTP rows and the dates of service covered."""
    d = RuleData.embedded().describe()
    return (f"embedded data: {d['codes']:,} codes ({d['codes_dated']:,} with a first or last day of service), "
            f"{d['ptp_rows']:,} PTP rows ({', '.join(d['ptp_quarters'])}), {d['mue_rows']:,} MUE rows, "
            f"{d['aoc_rows']:,} add-on rows, PFS {', '.join(d['pfs_releases'])}; dates of service covered: "
            f"{d['covers']['from']} to a year after {d['covers']['newest_quarter_end']}")


@data.command()
@click.argument("old")
@click.argument("new")
@click.option("--kind", type=click.Choice(KINDS), default=None, help="Only this table.")
@click.option("--setting", type=click.Choice(SETTINGS), default=None, help="Only this setting.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@_STORE
def diff(old: str, new: str, kind: str | None, setting: str | None, fmt: str, store: str | None) -> None:
    """List the edits added, deleted and changed from quarter OLD to quarter NEW (e.g. 2024Q3 2024Q4)."""
    try:
        old_q, new_q = normalize_quarter(old), normalize_quarter(new)
    except ValueError as exc:
        _fail(str(exc), 2)
    opened = _open(store)
    if opened is None:
        _fail(f"rule store {store_path(store)}: nothing imported")
    try:
        diffs = diff_quarters(opened, old_q, new_q, kind=kind, setting=setting)
    except DataError as exc:
        _fail(str(exc))
    click.echo(json.dumps(diffs, indent=2) if fmt == "json" else render_diff(diffs))
