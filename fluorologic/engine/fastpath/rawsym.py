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

__all__ = ["RawSymbols", "add_facts", "parts", "plain", "plain_atom", "shown_reps", "symbol"]

_SHOWN = _lib.clingo_show_type_shown
_NUMBER, _STRING = _lib.clingo_symbol_type_number, _lib.clingo_symbol_type_string
_FUNCTION = _lib.clingo_symbol_type_function


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
        return hit if hit is not None else self.unkey_all([rep])[0]

    def unkey_all(self, reps: list[int]) -> list[tuple[int, int]]:
        """:meth:`unkey` of each of ``reps``, in order.

        >>> raw = RawSymbols()
        >>> reps = [raw.atom("line", (7, "77002"), raw.term(k)) for k in (2, 0)]
        >>> raw.unkey_all(reps) == [(2, raw.atom("line", (7, "77002"))), (0, raw.atom("line", (7, "77002")))]
        True
        """
        known = self._unkeyed
        if len(known) + len(reps) > 2 * self.max_terms:
            known.clear()
        arguments, name = _lib.clingo_symbol_arguments, _lib.clingo_symbol_name
        function = _lib.clingo_symbol_create_function
        args, size, text, out, numbers = self._args, self._size, self._name, self._out, self._numbers
        found = []
        for rep in reps:
            hit = known.get(rep)
            if hit is None:  # as unkey does, with the lookups made once for the batch
                if not arguments(rep, args, size):
                    _handle_error(False)
                first = args[0]
                k = numbers.get(first[0])
                if k is None:
                    k = self._number(first[0])
                if not name(rep, text) or not function(text[0], first + 1, size[0] - 1, True, out):
                    _handle_error(False)
                hit = known[rep] = (k, out[0])
            found.append(hit)
        return found

    def _number(self, rep: int) -> int:
        """The integer of the number symbol ``rep`` (remembered)."""
        _handle_error(_lib.clingo_symbol_number(rep, self._int))
        k = self._numbers[rep] = int(self._int[0])
        return k


def plain(rep: int) -> Any:
    """The symbol whose integer is ``rep`` as a plain Python value (what JSON shows of it).

    A number is an int, a string a str, a constant its name, a tuple a list, a function ``f(X)`` is
    ``{"f": X}`` and ``f(X, Y..)`` is ``{"f": [X, Y..]}`` (a classical negation is not kept), ``#inf`` and
    ``#sup`` their text. Every list and dict is new.

    >>> from clingo import Function, Number, String, parse_term
    >>> plain(Function("", [Number(3), Function("f", [String("a")]), Function("g", [Number(1), Function("c")])])._rep)
    [3, {'f': 'a'}, {'g': [1, 'c']}]
    >>> plain(parse_term("-f(1)")._rep), plain(parse_term("#sup")._rep), plain(parse_term("()")._rep)
    ({'f': 1}, '#sup', '')
    """
    return _plain(rep, *_outs())


def plain_atom(rep: int) -> tuple[str, list[Any]]:
    """The name of the atom (or function) whose integer is ``rep``, and its arguments as :func:`plain` values.

    >>> from clingo import parse_term
    >>> plain_atom(parse_term('final_mod(l(2), "26")')._rep), plain_atom(parse_term("setting")._rep)
    (('final_mod', [{'l': 2}, '26']), ('setting', []))
    """
    args, size, text, number = outs = _outs()
    _handle_error(_lib.clingo_symbol_arguments(rep, args, size))
    _handle_error(_lib.clingo_symbol_name(rep, text))
    name = _ffi.string(text[0]).decode()
    n = size[0]
    return name, [_plain(a, *outs) for a in _ffi.unpack(args[0], n)] if n else []


def parts(rep: int) -> tuple[int, Any]:
    """The type of the symbol ``rep`` (a ``clingo_symbol_type`` number) and what it holds.

    A number its int, a string its UTF-8 bytes, a function ``(name as UTF-8 bytes, positive, the
    integers of its arguments)``, ``#inf`` and ``#sup`` None.

    >>> from clingo import SymbolType, parse_term
    >>> kind, value = parts(parse_term('-f(3, "a")')._rep)
    >>> kind == SymbolType.Function.value, value[:2], [plain(a) for a in value[2]]
    (True, (b'f', False), [3, 'a'])
    """
    args, size, text, number = _outs()
    kind = _lib.clingo_symbol_type(rep)
    if kind == _NUMBER:
        _handle_error(_lib.clingo_symbol_number(rep, number))
        return kind, number[0]
    if kind == _STRING:
        _handle_error(_lib.clingo_symbol_string(rep, text))
        return kind, _ffi.string(text[0])
    if kind != _FUNCTION:
        return kind, None
    _handle_error(_lib.clingo_symbol_arguments(rep, args, size))
    _handle_error(_lib.clingo_symbol_name(rep, text))
    positive = _ffi.new("bool*")
    _handle_error(_lib.clingo_symbol_is_positive(rep, positive))
    n = size[0]
    return kind, (_ffi.string(text[0]), bool(positive[0]), _ffi.unpack(args[0], n) if n else [])


def _outs() -> tuple[Any, Any, Any, Any]:
    """Out-parameters for one conversion (arguments, their number, a name or string, a number)."""
    return _ffi.new("clingo_symbol_t**"), _ffi.new("size_t*"), _ffi.new("char**"), _ffi.new("int*")


def _plain(rep: int, args: Any, size: Any, text: Any, number: Any) -> Any:
    kind = _lib.clingo_symbol_type(rep)
    if kind == _NUMBER:
        _handle_error(_lib.clingo_symbol_number(rep, number))
        return number[0]
    if kind == _STRING:
        _handle_error(_lib.clingo_symbol_string(rep, text))
        return _ffi.string(text[0]).decode()
    if kind != _FUNCTION:
        return str(Symbol(rep))
    _handle_error(_lib.clingo_symbol_arguments(rep, args, size))
    _handle_error(_lib.clingo_symbol_name(rep, text))
    name = _ffi.string(text[0]).decode()
    if not size[0]:
        return name
    values = [_plain(a, args, size, text, number) for a in _ffi.unpack(args[0], size[0])]
    return values if name == "" else {name: values[0] if len(values) == 1 else values}


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
