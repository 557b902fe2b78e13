"""The ``why`` and ``graph`` commands (contract.md): explain one encounter's decisions.

``fluorologic why FILE CODE`` answers for one code (text, or ``--format json``); ``fluorologic graph FILE -o OUT``
writes the conflict graph as ``.dot``, ``.svg``, ``.json`` (networkx node-link) or ``.html`` (the analyst's page).
FILE holds one encounter (``-`` for stdin), or a batch in any input ``solve`` reads (JSON array, JSON Lines,
claim-line CSV, X12 837P, FHIR R4 Claims: :mod:`fluorologic.run.inputs`) with ``--id ENCOUNTER`` naming the
encounter to explain; a batch without ``--id`` is refused with a clear message. Lines are named by their number
on the claim (an 837P's ``LX01``, else the input order).

"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from fluorologic.contract.errors import FluorologicError, InputError
from fluorologic.contract.render import to_json
from fluorologic.engine.records import echo_id
from fluorologic.engine.solver import Engine
from fluorologic.explanation.explain import explain
from fluorologic.explanation.graph_render import to_dot, to_svg
from fluorologic.explanation.report_html import to_html
from fluorologic.explanation.why_text import why_text
from fluorologic.rules.source import rule_source
from fluorologic.run.inputs import KINDS, pick, read_inputs

__all__ = ["graph", "why"]

_SUFFIXES = (".dot", ".svg", ".json", ".html")


def _one_encounter(file: str, eid: str | None = None, from_format: str | None = None) -> dict[str, Any]:
    try:
        text = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        click.echo(f"fluorologic: cannot read {file}: {exc}", err=True)
        sys.exit(2)
    try:
        items = read_inputs(text, name=file, from_format=from_format)
        item = pick(items, eid) if eid is not None else None
    except InputError as err:
        click.echo(f"fluorologic: {file}: {err.message}", err=True)
        sys.exit(2)
    if item is None:
        if len(items) != 1:
            click.echo(f"fluorologic: {file} holds {len(items)} encounters; give exactly one, or pick one with "
                       "--id ENCOUNTER", err=True)
            sys.exit(2)
        item = items[0]
    if isinstance(item, InputError):
        click.echo(f"fluorologic: {file}: {item.field}: {item.message}", err=True)
        sys.exit(1)
    return item


def _rule_options(func: Any) -> Any:
    """The ``--store`` / ``--as-of-quarter`` options shared with ``solve``."""
    func = click.option("--id", "eid", default=None, metavar="ENCOUNTER",
                        help="Pick the encounter with this encounter_id out of a batch in FILE (an 837P claim's "
                             "encounter is its CLM01, or CLM01@date when the claim spans dates).")(func)
    func = click.option("--from", "from_format", type=click.Choice(KINDS), default=None,
                        help="Read FILE as this kind [default: X12 837P by its ISA header, FHIR by its "
                             "resourceType, a .csv name as a claim-line CSV, else JSON / JSON Lines].")(func)
    func = click.option("--as-of-quarter", default=None, help="Decide under this loaded quarter, e.g. 2024Q3.")(func)
    return click.option("--store", type=click.Path(dir_okay=False), default=None,
                        help="Rule store with imported CMS quarters [default: $FLUOROLOGIC_STORE or the per-user "
                             "data folder].")(func)


def _explain(file: str, store: str | None = None, as_of_quarter: str | None = None, eid: str | None = None,
             from_format: str | None = None) -> Any:

    try:
        engine = Engine(data=rule_source(store, as_of_quarter))
    except FluorologicError as err:
        click.echo(f"fluorologic: {err}", err=True)
        sys.exit(2)
    raw = _one_encounter(file, eid, from_format)
    try:
        return explain(raw, engine)
    except InputError as err:
        click.echo(f"fluorologic: encounter {raw.get('encounter_id')!r}: {err.field}: {err.message}", err=True)
        sys.exit(1)
    except UnicodeError:  # text clingo cannot take (a lone surrogate): an input error, never a traceback
        click.echo(f"fluorologic: encounter {echo_id(raw.get('encounter_id'))!r}: $: holds text that is not valid "
                   "Unicode (a lone surrogate?)", err=True)
        sys.exit(1)


@click.command()
@click.argument("file")
@click.argument("code")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--no-what-if", is_flag=True, help="Skip re-solving modified encounters for 'what would change it'.")
@_rule_options
def why(file: str, code: str, fmt: str, no_what_if: bool, store: str | None, as_of_quarter: str | None,
        eid: str | None, from_format: str | None) -> None:
    """Why CODE was billed, excluded, added or not considered in the encounter in FILE (--id: one of a batch)."""
    ex = _explain(file, store, as_of_quarter, eid, from_format)
    try:
        ans = ex.explain(code.strip(), what_if=not no_what_if)
    except InputError as err:
        click.echo(f"fluorologic: {err.field}: {err.message}", err=True)
        sys.exit(2)
    click.echo(to_json(ans, indent=2) if fmt == "json" else why_text(ans), nl=fmt == "json")


@click.command()
@click.argument("file")
@click.option("-o", "--output", "out", required=True, help="OUT ending .dot, .svg, .json or .html")
@click.option("--svg-engine", type=click.Choice(["auto", "graphviz", "python"]), default="auto", show_default=True,
              help="auto uses Graphviz 'dot' when installed (apt-get install graphviz), else a built-in layout.")
@click.option("--no-what-if", is_flag=True, help="HTML only: skip the 'what would change it' column.")
@_rule_options
def graph(file: str, out: str, svg_engine: str, no_what_if: bool, store: str | None, as_of_quarter: str | None,
          eid: str | None, from_format: str | None) -> None:
    """Write the conflict graph of the encounter in FILE (--id: one of a batch) to OUT (.dot, .svg, .json, .html)."""
    suffix = Path(out).suffix.lower()
    if suffix not in _SUFFIXES:
        click.echo(f"fluorologic: OUT must end with one of {', '.join(_SUFFIXES)}, not {suffix or 'no suffix'!r}",
                   err=True)
        sys.exit(2)
    ex = _explain(file, store, as_of_quarter, eid, from_format)
    try:
        if suffix == ".dot":
            text = to_dot(ex.graph())
        elif suffix == ".json":
            text = to_json(ex.graph_json(), indent=2) + "\n"
        elif suffix == ".svg":
            text = to_svg(ex.graph(), engine=svg_engine)
        else:
            text = to_html(ex, svg_engine=svg_engine, what_if=not no_what_if)
    except (RuntimeError, FluorologicError) as exc:
        click.echo(f"fluorologic: {exc}", err=True)
        sys.exit(2)
    try:
        Path(out).write_text(text, encoding="utf-8")
    except OSError as exc:
        click.echo(f"fluorologic: cannot write {out}: {exc}", err=True)
        sys.exit(2)
