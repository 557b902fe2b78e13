"""Input atoms as plain Python values; they become clingo symbols only where they enter a program.

A *term* is an ``int`` (a clingo number), a ``str`` (a clingo string), a :class:`Const` (a clingo
constant such as ``facility``) or a tuple of terms (a clingo tuple). An *atom* is a predicate name with
a tuple of terms. Python values hash and compare without calling into clingo, so facts can be built,
remembered and compared cheaply; :func:`atom_symbol` makes the clingo symbol of an atom (remembered).

Examples
--------
>>> str(atom_symbol(("fee", ("77002", const("global"), const("facility"), 8112, ("pfs", 0)))))
'fee("77002",global,facility,8112,("pfs",0))'

"""

from __future__ import annotations

from typing import Union

from clingo import Function, Number, String, Symbol

__all__ = ["Atom", "Const", "Term", "atom_symbol", "const", "term_symbol"]


class Const:
    """A clingo constant; made with :func:`const`, which keeps one instance per name."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"const({self.name!r})"

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return const, (self.name,)  # unpickled constants are the interned instance too


Term = Union[int, str, Const, tuple["Term", ...]]  # noqa: UP007 (a recursive alias needs the string form)
Atom = tuple[str, tuple[Term, ...]]

_CONSTS: dict[str, Const] = {}
_SYMBOLS: dict[Atom, Symbol] = {}


def const(name: str) -> Const:
    """The constant ``name`` (one instance per name, so constants compare and hash by identity)."""
    found = _CONSTS.get(name)
    if found is None:  # setdefault: two threads asking at once get the same instance
        found = _CONSTS.setdefault(name, Const(name))
    return found


def term_symbol(term: Term) -> Symbol:
    """The clingo symbol of a term."""
    if isinstance(term, bool):
        raise TypeError("a boolean is not a term")
    if isinstance(term, int):
        return Number(term)
    if isinstance(term, str):
        return String(term)
    if isinstance(term, Const):
        return Function(term.name, [])
    return Function("", [term_symbol(t) for t in term])


def atom_symbol(atom: Atom) -> Symbol:
    """The clingo symbol of an atom, remembered: the same atoms recur from encounter to encounter."""
    sym = _SYMBOLS.get(atom)
    if sym is None:
        if len(_SYMBOLS) >= 50_000:
            _SYMBOLS.clear()
        name, args = atom
        sym = _SYMBOLS[atom] = Function(name, [term_symbol(t) for t in args])
    return sym
