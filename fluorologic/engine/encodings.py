"""Locate and parse the encodings once per process.

The wheel ships ``encodings/`` as ``fluorologic/encodings``; a source checkout uses the top-level
folder. The files are read once per process, with ``main.lp``'s includes resolved in order, and
parsed once per thread (:func:`statements`); each Control then adds the parsed statements (the encodings
only, never input). clingo's AST objects are not safe to share between threads (they are reference-counted
without a lock), so no parsed statement crosses from one thread to another: each thread parses the text
itself, once (a few milliseconds).

Examples
--------
>>> encodings_dir().joinpath("main.lp").is_file()
True

"""

from __future__ import annotations

import atexit
import functools
import re
import threading
from pathlib import Path

from clingo import ast

from fluorologic.contract.errors import EncodingError

__all__ = ["EXPLAIN_FILE", "encodings_dir", "file_text", "program_text", "rule_ids", "statements"]

_INCLUDE = re.compile(r'^#include\s+"([^"]+)"\s*\.\s*$', re.MULTILINE)


def encodings_dir() -> Path:
    """The folder holding ``main.lp`` (installed package data first, then the source tree)."""
    package = Path(__file__).resolve().parent.parent
    for candidate in (package / "encodings", package.parent / "encodings"):
        if (candidate / "main.lp").is_file():
            return candidate
    raise EncodingError("the encodings folder (main.lp) was not found beside the fluorologic package")


#: The file that only restates decisions for the explanation graph; the Result needs none of its atoms.
EXPLAIN_FILE = "explain.lp"


@functools.cache
def program_text(*, explain: bool = True, leave_out: frozenset[str] = frozenset()) -> str:
    """The text of ``main.lp`` with its ``#include`` lines replaced by the included files, checked to parse.

    ``explain=False`` leaves out ``explain.lp``: the program that decides and reports, without the atoms
    that only the explanation graph reads (the batch path solves it). ``leave_out``: other files left out
    (the batch path's search leaves the pricing files to a program of their own:
    :mod:`fluorologic.engine.fastpath.staged`).

    >>> "conflict(N,N',Rule)" in program_text() and "conflict(N,N',Rule)" not in program_text(explain=False)
    True
    """
    folder = encodings_dir()
    main = (folder / "main.lp").read_text(encoding="utf-8")

    def include(m: re.Match[str]) -> str:
        name = m.group(1)
        if (name == EXPLAIN_FILE and not explain) or name in leave_out:
            return ""
        return (folder / name).read_text(encoding="utf-8")

    text = _INCLUDE.sub(include, main)
    statements(text)  # checked to parse
    return text


def file_text(*names: str) -> str:
    """The text of the named encoding files, in the order given.

    >>> "bil_halves" in file_text("bilateral_share.lp")
    True
    """
    folder = encodings_dir()
    return "".join((folder / name).read_text(encoding="utf-8") for name in names)


#: The parsed statements of this thread, by text (see :func:`statements`).
_PARSED = threading.local()


@atexit.register
def _forget() -> None:
    """Let the main thread's statements go while clingo is still loaded (not in the interpreter's teardown)."""
    _PARSED.__dict__.clear()


def statements(text: str) -> tuple[ast.AST, ...]:
    """The parsed statements of an encodings text, parsed once per thread (the encodings, never input).

    Each thread gets its own AST objects: they must never be used by two threads (even read), since
    clingo counts their references without a lock.

    >>> import threading
    >>> mine = statements("p. q :- p.")
    >>> mine is statements("p. q :- p.")
    True
    >>> theirs = []
    >>> worker = threading.Thread(target=lambda: theirs.append(statements("p. q :- p.")))
    >>> worker.start(); worker.join()
    >>> theirs[0] is mine, theirs[0] == mine
    (False, True)

    Raises
    ------
    EncodingError
        When the text does not parse.

    """
    cache: dict[str, tuple[ast.AST, ...]] | None = getattr(_PARSED, "by_text", None)
    if cache is None:
        cache = _PARSED.by_text = {}
    found = cache.get(text)
    if found is None:
        if len(cache) >= 8:  # a few texts per process (with and without explain.lp, keyed)
            cache.clear()
        found = cache[text] = _parse(text)
    return found


def _parse(text: str) -> tuple[ast.AST, ...]:
    parsed: list[ast.AST] = []
    messages: list[str] = []
    try:
        ast.parse_string(text, parsed.append, logger=lambda _code, msg: messages.append(msg))
    except RuntimeError as exc:
        raise EncodingError(f"the encodings do not parse: {' '.join(messages) or exc}") from exc
    return tuple(parsed)


@functools.cache
def rule_ids() -> frozenset[str]:
    """Every rule id (a quoted ``"family.name"`` string) that occurs in the encodings."""
    found: set[str] = set()
    for path in sorted(encodings_dir().glob("*.lp")):
        found.update(re.findall(r'"([a-z_]+\.[a-z_0-9]+)"', path.read_text(encoding="utf-8")))
    return frozenset(found)
