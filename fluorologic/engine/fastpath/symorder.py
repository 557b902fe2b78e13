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

from typing import Any

from clingo import Symbol, SymbolType

__all__ = ["order_key", "rep_order_key"]

_KEYS: dict[int, tuple[Any, ...]] = {}


def _key(sym: Symbol) -> tuple[Any, ...]:
    kind = sym.type
    if kind == SymbolType.Number:
        return (1, sym.number)
    if kind == SymbolType.String:
        return (3, sym.string.encode())
    if kind == SymbolType.Function:
        if not sym.positive:
            raise ValueError("classically negated symbols are not ordered here")
        args = sym.arguments
        if not args:
            return (2, sym.name.encode())
        return (4, len(args), sym.name.encode(), tuple(order_key(a) for a in args))
    return (0,) if kind == SymbolType.Infimum else (9,)


def order_key(sym: Symbol) -> tuple[Any, ...]:
    """A key that sorts symbols in clingo's order (raises ValueError for classically negated symbols)."""
    return rep_order_key(sym._rep)


def rep_order_key(rep: int) -> tuple[Any, ...]:
    """:func:`order_key` of the symbol whose integer representation is ``rep`` (see :mod:`.rawsym`)."""
    key = _KEYS.get(rep)
    if key is None:
        if len(_KEYS) >= 50_000:
            _KEYS.clear()
        key = _KEYS[rep] = _key(Symbol(rep))
    return key
