"""The program of one encounter without the rules that cannot fire for it: the same ground program, grounded sooner.

Grounding costs clingo a fixed price per rule, whatever the facts, and most of a one-encounter solve is that
price. Many rules need an input the encounter has none of (no note, no modifier, no add-on edit row ...):
such a rule has no ground instance. :func:`live_program` leaves out, for the set of input predicates an
encounter has facts of:

* every rule and weak constraint with a positive body atom (a plain literal, not inside an aggregate or a
  condition) that has no instance: an atom of an input predicate (``#defined``) that no fact matches (on the
  predicate and on the constants the atom names, e.g. ``modifier(L,"26")`` without a 26 modifier), or of a
  derived predicate whose every rule is left out (to a fixpoint, from the facts);

and the comments (which the parser keeps as statements); it keeps everything else (``#show``, ``#defined``, and
any statement it does not know) as it is. A rule left
out has no ground instance, so the ground program, its answer sets and the shown atoms are those of the whole
program (``tests/test_threads.py`` checks them over generated and golden encounters).

The rules are analysed once per process into plain data (which statement needs and defines what); a program
is made of this thread's own statements (:func:`~fluorologic.engine.encodings.statements`), remembered per
set of facts the rules can tell apart (an encounter stream has a few dozen such sets).

Examples
--------
>>> text = ('#defined a/1. #defined b/1. #defined m/2. p(X) :- a(X). q(X) :- b(X). r(X) :- q(X). '
...         's(X) :- p(X), not q(X). t(L) :- m(L,"26"). u(L) :- m(L,"TC").')
>>> [str(s) for s in live_program(text, [("a", (1,)), ("m", (1, "26"))]) if s.ast_type == ASTType.Rule]
['p(X) :- a(X).', 's(X) :- p(X); not q(X).', 't(L) :- m(L,"26").']
>>> text = '#defined a/2. #defined b/1. a(X,y) :- b(X). c(X) :- a(X,y).'  # a/2 is derived too: more than its facts
>>> [str(s) for s in live_program(text, [("b", (1,))]) if s.ast_type == ASTType.Rule]
['a(X,y) :- b(X).', 'c(X) :- a(X,y).']

"""

from __future__ import annotations

import atexit
import threading
from collections.abc import Sequence

from clingo import SymbolType, ast
from clingo.ast import ASTType

from fluorologic.engine.encodings import statements
from fluorologic.engine.fastpath.keyed import _head_signatures
from fluorologic.engine.terms import Atom, Term, const

__all__ = ["live_program"]

Signature = tuple[str, int]
#: An input atom as the rules name it: its predicate and the constants at some of its places.
Pattern = tuple[str, int, tuple[tuple[int, Term], ...]]

_LOCAL = threading.local()


@atexit.register
def _forget() -> None:
    """Let the main thread's programs go while clingo is still loaded (not in the interpreter's teardown)."""
    _LOCAL.__dict__.clear()


#: Programs remembered (per text, the kept statements' places; per thread, the statements at those places).
_MAX_PROGRAMS = 512
_ANALYSES: dict[str, _Analysis] = {}
_LOCK = threading.Lock()


def live_program(text: str, facts: Sequence[Atom]) -> tuple[ast.AST, ...]:
    """The statements of ``text`` without the rules that cannot fire with the input ``facts`` (see the module)."""
    analysis = _ANALYSES.get(text)
    if analysis is None:
        with _LOCK:  # analysed once per process, by one thread, into plain data (no AST object kept)
            analysis = _ANALYSES.get(text)
            if analysis is None:
                analysis = _ANALYSES[text] = _Analysis(statements(text))
    places = analysis.live(analysis.matched(facts))
    mine: dict[tuple[str, tuple[int, ...]], tuple[ast.AST, ...]] | None = getattr(_LOCAL, "programs", None)
    if mine is None:
        mine = _LOCAL.programs = {}
    found = mine.get((text, places))
    if found is None:
        if len(mine) >= _MAX_PROGRAMS:
            mine.clear()
        parsed = statements(text)  # this thread's own statements: the same text, so the same places
        found = mine[(text, places)] = tuple(parsed[i] for i in places)
    return found


def _constant(term: ast.AST) -> tuple[bool, Term]:
    """Whether an argument of an atom is a constant, and its value as a fact holds it (:mod:`~.terms`)."""
    if term.ast_type == ASTType.SymbolicTerm:
        sym = term.symbol
        if sym.type == SymbolType.Number:
            return True, sym.number
        if sym.type == SymbolType.String:
            return True, sym.string
        if sym.type == SymbolType.Function and not sym.arguments and sym.positive and sym.name:
            return True, const(sym.name)
    if term.ast_type == ASTType.Function and not term.arguments and not term.external and term.name:
        return True, const(term.name)
    return False, None


def _pattern(sym: ast.AST) -> Pattern | None:
    """The predicate and constant places of a plain atom's term (None for a pool or anything unusual)."""
    if sym.ast_type == ASTType.Function and not sym.external:
        consts = []
        for i, arg in enumerate(sym.arguments):
            is_const, value = _constant(arg)
            if is_const:
                consts.append((i, value))
        return sym.name, len(sym.arguments), tuple(consts)
    if sym.ast_type == ASTType.SymbolicTerm and sym.symbol.type == SymbolType.Function and sym.symbol.positive:
        return sym.symbol.name, len(sym.symbol.arguments), ()  # a constant atom such as fluoro_claimed
    return None


def _body_patterns(stm: ast.AST) -> list[Pattern]:
    """The patterns of the plain positive atoms of a rule's body (not inside an aggregate or a condition)."""
    out = []
    for lit in stm.body:
        plain = lit.ast_type == ASTType.Literal and lit.sign == ast.Sign.NoSign
        if plain and lit.atom.ast_type == ASTType.SymbolicAtom:
            found = _pattern(lit.atom.symbol)
            if found is not None:
                out.append(found)
    return out


class _Analysis:
    """What the rules of a parsed program need and define, as plain data (made once per process and text)."""

    def __init__(self, parsed: tuple[ast.AST, ...]) -> None:
        self.size = len(parsed)
        #: Comments (the parser keeps them as statements): nothing to ground, yet each costs an add to the Control.
        self.comments = frozenset(i for i, s in enumerate(parsed) if s.ast_type == ASTType.Comment)
        inputs = frozenset((s.name, s.arity) for s in parsed if s.ast_type == ASTType.Defined)
        #: The places of the rules and weak constraints, what each defines and needs.
        self.rules = [i for i, s in enumerate(parsed) if s.ast_type in (ASTType.Rule, ASTType.Minimize)]
        self.heads = [frozenset(_head_signatures(parsed[i].head)) if parsed[i].ast_type == ASTType.Rule
                      else frozenset() for i in self.rules]
        derived = frozenset().union(*self.heads)
        only_input = inputs - derived  # an input predicate that a rule derives too counts as derived
        numbers: dict[Pattern, int] = {}
        #: Per predicate both input and derived: the number of its pattern "any fact".
        self.mixed = {sig: numbers.setdefault((*sig, ()), len(numbers)) for sig in sorted(inputs & derived)}
        self.needs_input: list[frozenset[int]] = []
        self.needs_derived: list[frozenset[Signature]] = []
        for i in self.rules:
            ins: set[int] = set()
            der: set[Signature] = set()
            for pat in _body_patterns(parsed[i]):
                sig = pat[:2]
                if sig in only_input:
                    ins.add(numbers.setdefault(pat, len(numbers)))
                elif sig in derived:  # a predicate neither input nor derived is no reason to leave a rule out
                    der.add(sig)  # type: ignore[arg-type]
            self.needs_input.append(frozenset(ins))
            self.needs_derived.append(frozenset(der))
        #: The input patterns the rules name, by number.
        self.patterns: list[Pattern] = sorted(numbers, key=numbers.__getitem__)
        self._live: dict[frozenset[int], tuple[int, ...]] = {}

    def matched(self, facts: Sequence[Atom]) -> frozenset[int]:
        """The numbers of the input patterns some fact matches."""
        by_sig: dict[Signature, list[tuple[Term, ...]]] = {}
        for name, args in facts:
            by_sig.setdefault((name, len(args)), []).append(args)
        out = []
        for n, (name, arity, consts) in enumerate(self.patterns):
            rows = by_sig.get((name, arity))
            if rows and any(all(_same(args[i], value) for i, value in consts) for args in rows):
                out.append(n)
        return frozenset(out)

    def live(self, matched: frozenset[int]) -> tuple[int, ...]:
        """The places of the statements but the rules that need an atom without instances (remembered)."""
        found = self._live.get(matched)
        if found is not None:
            return found
        have = {sig for sig, n in self.mixed.items() if n in matched}
        kept: set[int] = set()
        grown = True
        while grown:
            grown = False
            for k, rule_needs in enumerate(self.needs_input):
                if k not in kept and rule_needs <= matched and self.needs_derived[k] <= have:
                    kept.add(k)
                    if not self.heads[k] <= have:
                        have |= self.heads[k]
                        grown = True
        dropped = self.comments.union(self.rules[k] for k in range(len(self.rules)) if k not in kept)
        found = tuple(i for i in range(self.size) if i not in dropped)
        if len(self._live) >= _MAX_PROGRAMS:
            self._live.clear()
        self._live[matched] = found
        return found


def _same(a: Term, b: Term) -> bool:
    """Whether a fact's term is the constant a rule names (an int never equals a string or a constant)."""
    return type(a) is type(b) and a == b
