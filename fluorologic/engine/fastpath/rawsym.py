"""The hot edge between Python and clingo: symbols as the 64-bit integers clingo itself uses.

clingo's Python module wraps every symbol in an object and makes every call through helpers that
allocate; for the few dozen input and shown atoms of an encounter that costs more than grounding them.
This module talks to the same C library through the same cffi handle (``clingo._internal``), with
reused out-parameters, and keeps symbols as integers: clingo interns symbols for the life of the
process, so equal symbols are equal integers, which hash and compare at Python speed. It is the only
module that does so; ``tests/test_rawsym.py`` checks it against the public API.

Examples
--------
>>> from clingo import Function, Number, String
>>> raw = RawSymbols()
>>> rep = raw.function("line", [raw.term(1), raw.term(7), raw.term("77002"), raw.term(1)])
>>> symbol(rep) == Function("line", [Number(1), Number(7), String("77002"), Number(1)])
True
>>> raw.unkey(rep) == (1, raw.atom("line", (7, "77002", 1)))
True
>>> raw.atom("line", (1, 7, "77002", 1)) == rep
True

"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import clingo
from clingo import Symbol
from clingo._internal import _ffi, _handle_error, _lib

from fluorologic.engine.terms import Term, term_symbol

__all__ = ["RawSymbols", "add_facts", "shown_reps", "symbol"]

_SHOWN = _lib.clingo_show_type_shown


def symbol(rep: int) -> Symbol:
    """The public clingo symbol of an integer representation."""
    return Symbol(rep)


class RawSymbols:
    """Make and take apart symbols as integers, remembering the terms that recur."""

    def __init__(self, max_terms: int = 100_000) -> None:
        self.max_terms = max_terms
        self._terms: dict[tuple[type, Any], int] = {}
        self._atoms: dict[tuple[Any, ...], int] = {}
        self._unkeyed: dict[int, tuple[int, int]] = {}
        self._names: dict[str, bytes] = {}
        self._numbers: dict[int, int] = {}
        self._rep_names: dict[int, str] = {}
        self._out = _ffi.new("clingo_symbol_t*")
        self._args = _ffi.new("clingo_symbol_t**")
        self._size = _ffi.new("size_t*")
        self._int = _ffi.new("int*")
        self._name = _ffi.new("char**")
        self._buf = _ffi.new("clingo_symbol_t[]", 16)

    def term(self, value: Term) -> int:
        """The integer of a term (see :mod:`fluorologic.engine.terms`)."""
        key = (type(value), value)
        rep = self._terms.get(key)
        if rep is None:
            if len(self._terms) >= self.max_terms:
                self._terms.clear()
            if isinstance(value, tuple):
                rep = self.function("", [self.term(t) for t in value])
            else:
                rep = term_symbol(value)._rep
            self._terms[key] = rep
        return rep

    def atom(self, name: str, args: tuple[Term, ...], *first: int) -> int:
        """The integer of the atom ``name(first.., args..)``, remembered (``first``: integers of leading terms)."""
        key = (name, args, first)
        rep = self._atoms.get(key)
        if rep is None:
            if len(self._atoms) >= self.max_terms:
                self._atoms.clear()
            term = self.term
            rep = self._atoms[key] = self.function(name, [*first, *[term(t) for t in args]])
        return rep

    def function(self, name: str, args: list[int]) -> int:
        """The integer of ``name(args)``."""
        raw_name = self._names.get(name)
        if raw_name is None:
            raw_name = self._names[name] = name.encode()
        n = len(args)
        buf = self._buf
        if n > len(buf):
            buf = self._buf = _ffi.new("clingo_symbol_t[]", 2 * n)
        buf[0:n] = args
        _handle_error(_lib.clingo_symbol_create_function(raw_name, buf, n, True, self._out))
        return int(self._out[0])

    def name(self, rep: int) -> str:
        """The name of a function symbol's integer (remembered).

        >>> raw = RawSymbols()
        >>> raw.name(raw.atom("line", (7, "77002", 1)))
        'line'
        """
        found = self._rep_names.get(rep)
        if found is None:
            if len(self._rep_names) >= self.max_terms:
                self._rep_names.clear()
            _handle_error(_lib.clingo_symbol_name(rep, self._name))
            found = self._rep_names[rep] = _ffi.string(self._name[0]).decode()
        return found

    def unkey(self, rep: int) -> tuple[int, int]:
        """``(K, A)`` of a keyed atom ``p(K, X..)``: K a number, A the atom ``p(X..)`` (remembered)."""
        hit = self._unkeyed.get(rep)
        if hit is not None:
            return hit
        if len(self._unkeyed) >= 2 * self.max_terms:
            self._unkeyed.clear()
        _handle_error(_lib.clingo_symbol_arguments(rep, self._args, self._size))
        n = self._size[0]
        args = self._args[0]
        key_rep = int(args[0])
        k = self._numbers.get(key_rep)
        if k is None:
            _handle_error(_lib.clingo_symbol_number(key_rep, self._int))
            k = self._numbers[key_rep] = int(self._int[0])
        _handle_error(_lib.clingo_symbol_name(rep, self._name))
        _handle_error(_lib.clingo_symbol_create_function(self._name[0], args + 1, n - 1, True, self._out))
        hit = self._unkeyed[rep] = (k, int(self._out[0]))
        return hit


def add_facts(backend: clingo.Backend, reps: Iterable[int]) -> None:
    """Add each symbol as a fact through ``backend`` (the grounder sees them as input atoms)."""
    handle = backend._rep
    add_atom, add_rule = _lib.clingo_backend_add_atom, _lib.clingo_backend_rule
    sym = _ffi.new("clingo_symbol_t*")
    head = _ffi.new("clingo_atom_t[1]")
    null = _ffi.NULL
    for rep in reps:
        sym[0] = rep
        if not add_atom(handle, sym, head) or not add_rule(handle, False, head, 1, null, 0):
            _handle_error(False)


def shown_reps(model: clingo.Model) -> list[int]:
    """The shown symbols of ``model`` as integers."""
    size = _ffi.new("size_t*")
    _handle_error(_lib.clingo_model_symbols_size(model._rep, _SHOWN, size))
    out = _ffi.new("clingo_symbol_t[]", size[0])
    _handle_error(_lib.clingo_model_symbols(model._rep, _SHOWN, out, size[0]))
    return list(out)
