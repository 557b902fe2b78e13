"""Sort clingo symbols in clingo's own order without a C call per comparison.

``sorted(symbols)`` compares through ``Symbol.__lt__``, a foreign call per comparison; for the few
dozen shown atoms of an encounter that is most of the cost of sorting them. :func:`order_key` gives
each symbol a Python tuple that sorts exactly as clingo orders symbols (numbers, then constants, then
strings, then functions by arity, name and arguments), remembered per symbol.

Examples
--------
>>> from clingo import Function, Number, String
>>> syms = [Function("f", [Number(1)]), String("B"), Function("c", []), Number(3), Function("", [Number(1), Number(2)])]
>>> sorted(syms, key=order_key) == sorted(syms)
True
>>> sorted((s._rep for s in syms), key=rep_order_key) == [s._rep for s in sorted(syms)]
True

"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from clingo import Symbol, SymbolType

from fluorologic.engine.fastpath.rawsym import parts

__all__ = ["order_key", "rep_order_key", "rep_sorted"]

_KEYS: dict[int, tuple[Any, ...]] = {}
_MAX_KEYS = 50_000
_NUMBER, _STRING, _FUNCTION, _INFIMUM = (t.value for t in (SymbolType.Number, SymbolType.String, SymbolType.Function,
                                                            SymbolType.Infimum))


def _key(rep: int) -> tuple[Any, ...]:
    kind, value = parts(rep)
    if kind == _NUMBER:
        return (1, value)
    if kind == _STRING:
        return (3, value)
    if kind == _FUNCTION:
        name, positive, args = value
        if not positive:
            raise ValueError("classically negated symbols are not ordered here")
        if not args:
            return (2, name)
        return (4, len(args), name, tuple(rep_order_key(a) for a in args))
    return (0,) if kind == _INFIMUM else (9,)


def order_key(sym: Symbol) -> tuple[Any, ...]:
    """A key that sorts symbols in clingo's order (raises ValueError for classically negated symbols)."""
    return rep_order_key(sym._rep)


def rep_order_key(rep: int) -> tuple[Any, ...]:
    """:func:`order_key` of the symbol whose integer representation is ``rep`` (see :mod:`.rawsym`)."""
    key = _KEYS.get(rep)
    if key is None:
        if len(_KEYS) >= _MAX_KEYS:
            _KEYS.clear()
        key = _KEYS[rep] = _key(rep)
    return key


def rep_sorted(reps: Collection[int]) -> list[int]:
    """``reps`` sorted by :func:`rep_order_key` (the keys looked up at C speed where they are known already).

    >>> from clingo import Function, Number
    >>> syms = [Function("f", [Number(2)]), Function("f", [Number(1)]), Number(5)]
    >>> rep_sorted([s._rep for s in syms]) == [s._rep for s in sorted(syms)]
    True
    """
    keys = _KEYS
    missing = set(reps).difference(keys)
    if len(keys) + len(missing) >= _MAX_KEYS:
        keys.clear()
        missing = set(reps)
    for rep in missing:
        rep_order_key(rep)
    try:
        return sorted(reps, key=keys.__getitem__)
    except KeyError:  # forgotten while the keys of arguments were made: the slow way
        return sorted(reps, key=rep_order_key)
