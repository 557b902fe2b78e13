"""Locate and parse the encodings once per process.

The wheel ships ``encodings/`` as ``fluorologic/encodings``; a source checkout uses the top-level
folder. Both are parsed once into clingo AST statements and replayed into each new Control.

Examples
--------
>>> encodings_dir().joinpath("main.lp").is_file()
True
"""

from __future__ import annotations

import functools
from pathlib import Path

from clingo import ast

from fluorologic.errors import EncodingError

__all__ = ["encodings_dir", "parsed_program", "rule_ids"]


def encodings_dir() -> Path:
    """The folder holding ``main.lp`` (installed package data first, then the source tree)."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "encodings", here.parent / "encodings"):
        if (candidate / "main.lp").is_file():
            return candidate
    raise EncodingError("the encodings folder (main.lp) was not found beside the fluorologic package")


@functools.cache
def parsed_program() -> tuple[ast.AST, ...]:
    """The AST statements of ``main.lp`` and everything it includes, parsed once."""
    statements: list[ast.AST] = []
    messages: list[str] = []
    try:
        ast.parse_files([str(encodings_dir() / "main.lp")], statements.append,
                        logger=lambda _code, msg: messages.append(msg))
    except RuntimeError as exc:
        raise EncodingError(f"the encodings do not parse: {' '.join(messages) or exc}") from exc
    return tuple(statements)


@functools.cache
def rule_ids() -> frozenset[str]:
    """Every rule id (a quoted ``"family.name"`` string) that occurs in the encodings."""
    import re

    found: set[str] = set()
    for path in sorted(encodings_dir().glob("*.lp")):
        found.update(re.findall(r'"([a-z_]+\.[a-z_0-9]+)"', path.read_text(encoding="utf-8")))
    return frozenset(found)
