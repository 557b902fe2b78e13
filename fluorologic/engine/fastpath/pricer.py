"""The pricing files restated over the search's answer: the pricing stage of a batch without a second program.

The pricing stage of :mod:`fluorologic.engine.fastpath.staged` has no choice: its answer is a function of the
search's answer (:attr:`~.staged.Stages.interface`: ``billed/1``, ``final_units/2``, ``final_mod/2``,
``both_sides/2`` ...) and of the input facts it reads (:attr:`~.staged.Stages.facts`: ``fee/5``, ``line/3``,
``bilateral_ind/2`` ...). Grounding it costs clingo a fixed price per rule instance, about a fifth of a cold batch;
:class:`Pricer` computes the same atoms in Python, rule by rule, in a tenth of that time.

The encodings stay the rule: ``bilateral_share.lp`` (§40.7 shares), ``multiple_procedure.lp`` (§40.6 ranks),
``imaging_family.lp`` (the imaging family's TC 50% / PC 95%) and ``amounts.lp`` (fee x shares, rounded half up
once; ``fee_unknown``; ``fee_from_prior_release``; the audit's fee step). Each function below names the rules it
restates; ``tests/test_pricer.py`` holds its atoms equal to those of the clingo pricing program on generated
and hand-written encounters (``BatchSolver(pricing="clingo")`` solves with that program), and the one-encounter
and explanation paths still price with the encodings themselves.

Examples
--------
>>> from fluorologic.engine.fastpath.rawsym import RawSymbols, symbol
>>> from fluorologic.engine.terms import const
>>> raw = RawSymbols()
>>> node = raw.function("l", [raw.term(1)])
>>> passed = [raw.function("billed", [node]), raw.function("node", [node]),
...           raw.function("node_code", [node, raw.term("64483")]),
...           raw.function("final_units", [node, raw.term(1)]), raw.function("final_mod", [node, raw.term("50")]),
...           raw.atom("setting", (const("nonfacility"),))]
>>> facts = [("line", (1, "64483", 1)), ("modifier", (1, "50")), ("bilateral_ind", ("64483", 1)),
...          ("mult_proc_ind", ("64483", 2)),
...          ("fee", ("64483", const("global"), const("nonfacility"), 24633, ("RVU24C", 1)))]
>>> sorted(str(symbol(r)) for r in Pricer(raw).price(passed, facts) if str(symbol(r)).startswith("amount"))
['amount(l(1),36950,("RVU24C",1))']

"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from clingo import Symbol, SymbolType

from fluorologic.engine.fastpath.rawsym import RawSymbols
from fluorologic.engine.fastpath.symorder import rep_order_key
from fluorologic.engine.terms import Atom, Term, const

__all__ = ["Pricer"]

_GLOBAL = const("global")
_FINAL, _GIVEN = const("final"), const("given")
_NONE = const("none")
_MAX_PARSED = 50_000
#: The input facts the pricing files read (:attr:`~.staged.Stages.facts`).
_READS = frozenset({"fee", "line", "modifier", "bilateral_ind", "mult_proc_ind", "imaging_family", "addon",
                    "claim_type", "fee_prior", "fee_listed"})


@dataclass
class _Side:
    """One side (``final``: as fluorologic bills; ``given``: as claimed) of the pricing rules' atoms."""

    #: unit_fee(D,N,C,F,R): per node, its code and the (fee, row) pairs.
    fees: dict[int, tuple[str, list[tuple[int, Term]]]] = field(default_factory=dict)
    #: units(D,N,U).
    units: dict[int, int] = field(default_factory=dict)
    #: bil_rule(D,N,H,I) (H, I) pairs, and bil_halves(D,N,H).
    rules: dict[int, list[tuple[int, int]]] = field(default_factory=dict)
    #: The component (row) an imaging family reduction prices from: img_row(D,N,M).
    component: dict[int, Any] = field(default_factory=dict)


@dataclass
class _Claim:
    """The atoms the pricing files read, as Python values (node terms as clingo integers)."""

    billed: list[int] = field(default_factory=list)
    nodes: set[int] = field(default_factory=set)
    code: dict[int, str] = field(default_factory=dict)
    final_units: dict[int, int] = field(default_factory=dict)
    final_mod: dict[int, set[str]] = field(default_factory=dict)
    both_sides: dict[int, str] = field(default_factory=dict)
    added_both_sides: set[str] = field(default_factory=set)
    setting: str | None = None
    lines: dict[int, tuple[str, int]] = field(default_factory=dict)
    modifiers: dict[int, set[str]] = field(default_factory=dict)
    fee: dict[tuple[str, Any, str], list[tuple[int, Term]]] = field(default_factory=dict)
    bilateral: dict[str, set[int]] = field(default_factory=dict)
    mult_proc: dict[str, set[int]] = field(default_factory=dict)
    family: dict[str, set[Term]] = field(default_factory=dict)
    addon: set[str] = field(default_factory=set)
    institutional: bool = False
    prior: list[tuple[Term, Term]] = field(default_factory=list)
    listed: set[str] = field(default_factory=set)
    fee_codes: set[str] = field(default_factory=set)


def _component(mods: Collection[str]) -> Any:
    """The fee row of a line's modifiers: 26, else TC, else the global service (component/2, given_component/2).

    >>> _component({"50", "26"}), _component(()) is _GLOBAL
    ('26', True)
    """
    return "26" if "26" in mods else "TC" if "TC" in mods else _GLOBAL


class Pricer:
    """The atoms the pricing files show for one encounter, from the search's answer and the input facts."""

    def __init__(self, raw: RawSymbols) -> None:
        self.raw = raw
        self._parsed: dict[int, tuple[str, tuple[Any, ...]]] = {}

    # -- reading -------------------------------------------------------------------------------------------------

    def _parse(self, rep: int) -> tuple[str, tuple[Any, ...]]:
        """An interface atom's name and arguments: numbers and strings as Python values, other terms as integers."""
        found = self._parsed.get(rep)
        if found is None:
            if len(self._parsed) >= _MAX_PARSED:
                self._parsed.clear()
            sym = Symbol(rep)
            args: list[Any] = []
            for arg in sym.arguments:
                kind = arg.type
                if kind == SymbolType.Number:
                    args.append(arg.number)
                elif kind == SymbolType.String:
                    args.append(arg.string)
                elif kind == SymbolType.Function and not arg.arguments:
                    args.append(arg.name)
                else:
                    args.append(arg._rep)
            found = self._parsed[rep] = (sym.name, tuple(args))
        return found

    def _claim(self, passed: Iterable[int], facts: Iterable[Atom]) -> _Claim:
        c = _Claim()
        for rep in passed:
            name, args = self._parse(rep)
            if name == "billed":
                c.billed.append(args[0])
            elif name == "node":
                c.nodes.add(args[0])
            elif name == "node_code":
                c.code[args[0]] = args[1]
            elif name == "final_units":
                c.final_units[args[0]] = args[1]
            elif name == "final_mod":
                c.final_mod.setdefault(args[0], set()).add(args[1])
            elif name == "both_sides":
                c.both_sides[args[0]] = args[1]
            elif name == "added_both_sides":
                c.added_both_sides.add(args[0])
            elif name == "setting":
                c.setting = args[0]
        for name, args in facts:
            if name not in _READS:
                continue
            if name == "fee":
                c.fee.setdefault((args[0], args[1], args[2].name), []).append((args[3], args[4]))  # type: ignore[union-attr]
                c.fee_codes.add(args[0])  # type: ignore[arg-type]
            elif name == "line":
                c.lines[args[0]] = (args[1], args[2])  # type: ignore[index,assignment]
            elif name == "modifier":
                c.modifiers.setdefault(args[0], set()).add(args[1])  # type: ignore[arg-type]
            elif name == "bilateral_ind":
                c.bilateral.setdefault(args[0], set()).add(args[1])  # type: ignore[arg-type]
            elif name == "mult_proc_ind":
                c.mult_proc.setdefault(args[0], set()).add(args[1])  # type: ignore[arg-type]
            elif name == "imaging_family":
                c.family.setdefault(args[0], set()).add(args[1])  # type: ignore[arg-type]
            elif name == "addon":
                c.addon.add(args[0])  # type: ignore[arg-type]
            elif name == "claim_type":
                c.institutional = c.institutional or args[0] is const("institutional")
            elif name == "fee_prior":
                c.prior.append((args[0], args[1]))
            elif name == "fee_listed":
                c.listed.add(args[0])  # type: ignore[arg-type]
        return c

    # -- the rules -----------------------------------------------------------------------------------------------

    def _node(self, name: str, arg: Term) -> int:
        return self.raw.atom(name, (arg,))

    def _sides(self, c: _Claim) -> tuple[_Side, _Side, dict[str, int]]:
        """unit_fee/5, units/3, bil_rule/4, the component of each side (amounts.lp, bilateral_share.lp, imaging)."""
        final, given = _Side(), _Side()
        setting = c.setting
        for n in c.billed:  # amounts.lp: component/2, has_units/1, unit_fee(final,..), units(final,..)
            comp = final.component[n] = _component(c.final_mod.get(n, ()))
            u = c.final_units.get(n, 0)
            code = c.code.get(n)
            if u > 0 and code is not None and setting is not None:
                rows = c.fee.get((code, comp, setting))
                if rows:
                    final.fees[n] = (code, rows)
                    final.units[n] = u
        first_side: dict[str, int] = {}  # bilateral_share.lp: side_first(L,C)
        for line, code in sorted(c.both_sides.items()):
            first_side.setdefault(code, line)
        for line, (code, units) in c.lines.items():  # given_component/2, unit_fee(given,..), units(given,..)
            node = self._node("l", line)
            comp = given.component[node] = _component(c.modifiers.get(line, ()))
            if setting is None:
                continue
            rows = c.fee.get((code, comp, setting))
            if line not in c.both_sides and rows:
                given.fees[node] = (code, rows)
                given.units[node] = units
            if rows and first_side.get(code) == line and line in c.both_sides:
                both = self._node("b", code)
                given.fees[both] = (code, rows)
                given.units[both] = 1
        # bilateral_share.lp: has50/2 and bil_rule/4 of each side
        both_sides_nodes = [n for n in c.nodes if self._is_node(n, "b")]
        has50_final = [*both_sides_nodes, *(self._node("a", code) for code in c.added_both_sides)]
        has50_given = list(both_sides_nodes)
        for line, (code, _) in c.lines.items():
            if "50" in c.modifiers.get(line, ()):
                has50_given.append(self._node("l", line))
                if 2 not in c.bilateral.get(code, ()):
                    has50_final.append(self._node("l", line))
        for side, has50 in ((final, has50_final), (given, has50_given)):
            for n in has50:
                code = c.code.get(n)
                inds = c.bilateral.get(code, ()) if code is not None else ()
                side.rules[n] = [(h, i) for h, i in ((3, 1), (4, 3)) if i in inds]
        return final, given, first_side

    def _is_node(self, rep: int, name: str) -> bool:
        return self.raw.name(rep) == name

    @staticmethod
    def _halves(side: _Side, n: int) -> list[int]:
        """bil_halves(D,N,H): the bilateral rules' shares, else 2 (100%)."""
        rules = side.rules.get(n)
        return [h for h, _ in rules] if rules else [2]

    def _ranked(self, side: _Side, items: dict[int, int]) -> tuple[dict[int, list[int]], list[tuple[int, int]]]:
        """N' before N (a higher value, or the same and a lower (code, node)), and the ties (N, N') so ranked."""
        before: dict[int, list[int]] = {n: [] for n in items}
        ties: list[tuple[int, int]] = []
        raw = self.raw
        keys = {n: (rep_order_key(raw.term(side.fees[n][0])), rep_order_key(n)) for n in items}
        for n, v in items.items():
            for m, w in items.items():
                if m == n:
                    continue
                if w > v or (w == v and keys[m] < keys[n]):
                    before[n].append(m)
                    if w == v:
                        ties.append((n, m))
        return before, ties

    def price(self, passed: Sequence[int], facts: Sequence[Atom]) -> list[int]:
        """The integers of the atoms the pricing files show for one encounter (unkeyed; order unspecified)."""
        c = self._claim(passed, facts)
        raw = self.raw
        fn, term = raw.function, raw.term
        out: set[int] = set()
        final, given, first_side = self._sides(c)
        amounts: dict[int, list[tuple[int, Term]]] = {}
        cents: dict[int, list[int]] = {}
        for d, side in ((_FINAL, final), (_GIVEN, given)):
            # multiple_procedure.lp: mp_item/3, mp_before/3, mp_tie/3, mp_first/2, mp_later/2, mp_halves/3
            mp_items = {}
            img_items: dict[Term, dict[int, int]] = {}
            for n, (code, rows) in side.fees.items():
                for f, _ in rows:
                    for h in self._halves(side, n):
                        if c.mult_proc.get(code, set()) & {2, 3} and code not in c.addon:
                            mp_items[n] = f * h
                        if 4 in c.mult_proc.get(code, ()):
                            for fam in c.family.get(code, ()):
                                img_items.setdefault(fam, {})[n] = f * h
            mp_before, mp_ties = self._ranked(side, mp_items)
            for n, m in mp_ties:
                out.add(fn("mp_tie", [term(d), n, m]))
            # imaging_family.lp: img_item/4, img_before/3, img_first/2, img_reduces/2
            img_before: dict[int, set[int]] = {}
            img_reduces: set[int] = set()
            for items in img_items.values():
                before, _ = self._ranked(side, items)
                for n, ms in before.items():
                    img_before.setdefault(n, set()).update(ms)
                if len(items) > 1:
                    img_reduces.update(items)
            for n in img_before:
                if side.units.get(n, 0) > 1:
                    img_reduces.add(n)
            for n, (code, rows) in side.fees.items():
                u = side.units[n]
                for f, row in rows:
                    if n in img_reduces:
                        totals = self._imaging_totals(c, side, n, code, f, u, bool(img_before.get(n)), d is _GIVEN)
                        values = [(y * h + 100) // 200 for y in totals for h in self._halves(side, n)]
                        if d is _FINAL:
                            k = len(img_before.get(n, ()))
                            for y in totals:
                                if y != f * 100 * u:
                                    out.add(fn("adjusted", [n, term(2), term(const("imaging_family")), term(y),
                                                            term(f * 100 * u), term(k + 1)]))
                    else:
                        # mp_halves: the first procedure's first unit at 100%, every other unit at 50%
                        q = (u if mp_before[n] else u + 1) if n in mp_items else 2 * u
                        values = [(f * h * q + 2) // 4 for h in self._halves(side, n)]
                        if d is _FINAL and n in mp_items:
                            if mp_before[n]:
                                out.add(fn("adjusted", [n, term(2), term(const("multiple_procedure")), term(u),
                                                        term(2 * u), term(len(mp_before[n]) + 1)]))
                            elif u != 1:
                                out.add(fn("adjusted", [n, term(2), term(const("multiple_procedure")), term(u + 1),
                                                        term(2 * u), term(1)]))
                    for a in values:
                        if d is _FINAL:
                            amounts.setdefault(n, []).append((a, row))
                        else:
                            cents.setdefault(n, []).append(a)
                if d is _FINAL:
                    for h, i in side.rules.get(n, ()):
                        out.add(fn("adjusted", [n, term(1), term(const("bilateral")), term(h), term(2), term(i)]))
        for n, pairs in amounts.items():
            for a, row in pairs:
                out.add(fn("amount", [n, term(a), term(row)]))
        for line in c.lines:  # given_amount/2: a bilateral pair's first line carries the pair's amount, the other 0
            code = c.both_sides.get(line)
            if code is not None:
                first = first_side.get(code) == line
                for a in cents.get(self._node("b", code), []):
                    out.add(fn("given_amount", [term(line), term(a if first else 0)]))
            else:
                for a in cents.get(self._node("l", line), []):
                    out.add(fn("given_amount", [term(line), term(a)]))
        self._alerts(c, final, amounts, out)
        return list(out)

    def _imaging_totals(self, c: _Claim, side: _Side, n: int, code: str, f: int, u: int, later: bool,
                        given: bool) -> list[int]:
        """img_total(D,N,Y,R) in cent-percent: img_row/3 and img_reduced_unit/3 (imaging_family.lp, amounts.lp)."""
        if given and not self._is_node(n, "l"):
            return []  # img_row(given,..) is defined for claimed lines only
        comp = side.component.get(n)
        setting = c.setting or ""
        if comp == "TC":
            reduced = [f * 50]
        elif comp == "26":
            reduced = [f * 95]
        elif comp is _GLOBAL:
            tcs = c.fee.get((code, "TC", setting), [])
            pcs = c.fee.get((code, "26", setting), [])
            reduced = [f * 100 - t * 50 - p * 5 for t, _ in tcs for p, _ in pcs] if tcs and pcs else [f * 100]
        else:
            reduced = []
        return [u * y if later else f * 100 + (u - 1) * y for y in reduced]

    def _alerts(self, c: _Claim, final: _Side, amounts: dict[int, list[tuple[int, Term]]], out: set[int]) -> None:
        """fee_unknown, fee_from_prior_release (amounts.lp) and the audit's fee step (stage 7)."""
        fn, term = self.raw.function, self.raw.term
        unknown = const("fee_unknown")
        if not c.institutional:
            for n in c.billed:
                if c.final_units.get(n, 0) > 0 and n not in final.fees and n in c.code:
                    out.add(fn("alert", [term(unknown), term(c.code[n]), term("fee.unknown"), term(_NONE)]))
            for code, _ in c.lines.values():
                if code not in c.fee_codes and code not in c.listed:
                    out.add(fn("alert", [term(unknown), term(code), term("fee.unknown"), term(_NONE)]))
        priced = {code for code, _ in final.fees.values()}
        for m, p in c.prior:
            for code in priced:
                out.add(fn("alert", [term(const("fee_from_prior_release")), term(code), term("fee.prior_release"),
                                     term((m, p))]))
        if c.institutional or c.setting is None:
            return
        for n, pairs in amounts.items():
            code = c.code[n]
            for _, row in pairs:
                for (fc, m, s), rows in c.fee.items():
                    if fc == code and s == c.setting and any(r == row for _, r in rows):
                        out.add(fn("audit", [term(7), term("fee.pfs"), term(code),
                                             term((m, const(s), row))]))
