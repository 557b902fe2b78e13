"""The encodings keyed by encounter: many independent encounters ground and solve in one clingo program.

Grounding the encodings has a fixed cost of several milliseconds per ``Control`` whatever the size of
the encounter, so solving encounters one by one is dominated by it. This module rewrites the parsed
encodings (the AST, never program text) so that every predicate takes the encounter's batch index as
a new first argument: ``line(L,C,U)`` becomes ``line(K,L,C,U)``. Predicates defined by ground facts
alone (tables such as the precedence of reasons) stay unkeyed: one copy serves every encounter. Rules
whose body has no positive atom of the encounter get the guard ``fl_enc(K)``. Weak constraints get
``K`` in front of their tuple, so equal tuples of different encounters stay distinct, and a shown
``p/n`` is shown as ``p/n+1`` (the caller takes ``K`` off again).

Encounters of one batch share no atom but those of the tables, which no rule derives, so the program is
the disjoint union of the single-encounter programs. Every optimisation level of the union sums the
costs of independent parts: its lexicographic optimum is the tuple of the parts' optima, and each
part's optimum is unique (the encodings break every tie), so the answer of every encounter is the one
it has when solved alone.

Examples
--------
>>> prog = keyed_program("p(X) :- q(X), not r(X). f(1). g(X) :- f(X). :~ p(X). [1@2,X]")
>>> [str(s) for s in prog][1:5]
['p(K__,X) :- q(K__,X); not r(K__,X).', 'f(1).', 'g(K__,X) :- fl_enc(K__); f(X).', ':~ p(K__,X). [1@2,K__,X]']

"""

from __future__ import annotations

import functools
import threading
from typing import Any

from clingo import Function, SymbolType, ast
from clingo.ast import ASTType, Location, Position

from fluorologic.contract.errors import EncodingError
from fluorologic.engine.encodings import statements

__all__ = ["DAT", "ENC", "KEY_VAR", "ROWS", "keyed_program", "keyed_text"]

KEY_VAR = "K__"
#: ``fl_rows(K,G)``: encounter K uses the rule rows of group G; ``fl_dat_p(G,A)``: A is a rule-row atom ``p(..)``.
ROWS = "fl_rows"
DAT = "fl_dat_"
#: ``fl_enc(K)``: K is an encounter of the batch.
ENC = "fl_enc"
_LOC = Location(Position("<keyed>", 1, 1), Position("<keyed>", 1, 1))


def _key() -> ast.AST:
    return ast.Variable(_LOC, KEY_VAR)


class _AddKey(ast.Transformer):
    """Prepend the key variable to the arguments of every predicate atom but those of the tables."""

    def __init__(self, tables: frozenset[tuple[str, int]] = frozenset()) -> None:
        self.tables = tables

    def visit_SymbolicAtom(self, node: ast.AST) -> ast.AST:  # noqa: N802 (clingo's visitor naming)
        if _signatures(node.symbol) & self.tables:
            return node
        return node.update(symbol=_key_term(node.symbol))


def _signatures(sym: ast.AST) -> set[tuple[str, int]]:
    """The predicate signatures an atom's term can denote."""
    if sym.ast_type == ASTType.Function:
        return {(sym.name, len(sym.arguments))}
    if sym.ast_type == ASTType.SymbolicTerm and sym.symbol.type == SymbolType.Function:
        return {(sym.symbol.name, len(sym.symbol.arguments))}
    if sym.ast_type == ASTType.Pool:
        return set().union(*(_signatures(a) for a in sym.arguments))
    return set()


class _Signatures(ast.Transformer):
    def __init__(self) -> None:
        self.found: set[tuple[str, int]] = set()

    def visit_SymbolicAtom(self, node: ast.AST) -> ast.AST:  # noqa: N802 (clingo's visitor naming)
        self.found |= _signatures(node.symbol)
        return node


class _Variables(ast.Transformer):
    def __init__(self) -> None:
        self.found = False

    def visit_Variable(self, node: ast.AST) -> ast.AST:  # noqa: N802 (clingo's visitor naming)
        self.found = True
        return node


def _head_signatures(head: ast.AST) -> set[tuple[str, int]]:
    """The predicates a rule head names (a literal's atom, a choice's or aggregate's elements)."""
    finder = _Signatures()
    finder(head)
    return finder.found


def _tables(parsed: tuple[ast.AST, ...]) -> frozenset[tuple[str, int]]:
    """The predicates defined by ground, body-less facts only (and not inputs)."""
    facts: set[tuple[str, int]] = set()
    other: set[tuple[str, int]] = set()
    for stm in parsed:
        if stm.ast_type == ASTType.Defined:
            other.add((stm.name, stm.arity))
        elif stm.ast_type == ASTType.Rule:
            variables = _Variables()
            variables(stm.head)
            ground_fact = not stm.body and stm.head.ast_type == ASTType.Literal and not variables.found
            (facts if ground_fact else other).update(_head_signatures(stm.head))
    return frozenset(facts - other)


def _key_term(sym: ast.AST) -> ast.AST:
    if sym.ast_type == ASTType.Function:
        return sym.update(arguments=[_key(), *sym.arguments])
    if sym.ast_type == ASTType.SymbolicTerm:  # a constant predicate such as fluoro_claimed
        return ast.Function(sym.location, str(sym.symbol), [_key()], False)
    if sym.ast_type == ASTType.Pool:  # p("a";"b") is the pool of p("a") and p("b")
        return sym.update(arguments=[_key_term(a) for a in sym.arguments])
    raise ValueError(f"cannot key the atom {sym}")


def _has_positive_atom(body: Any, tables: frozenset[tuple[str, int]]) -> bool:
    """Whether the body has a positive atom of the encounter (so it binds the key variable)."""
    return any(lit.ast_type == ASTType.Literal and lit.sign == ast.Sign.NoSign
               and lit.atom.ast_type == ASTType.SymbolicAtom and not _signatures(lit.atom.symbol) & tables
               for lit in body)


def _guarded(body: list[ast.AST], tables: frozenset[tuple[str, int]]) -> list[ast.AST]:
    if _has_positive_atom(body, tables):
        return body
    guard = ast.Literal(_LOC, ast.Sign.NoSign,
                        ast.SymbolicAtom(ast.Function(_LOC, ENC, [_key()], False)))
    return [guard, *body]


def _var(name: str) -> ast.AST:
    return ast.Variable(_LOC, name)


def _fun(name: str, args: list[ast.AST]) -> ast.AST:
    return ast.Function(_LOC, name, args, False)


def _lit(atom: ast.AST) -> ast.AST:
    return ast.Literal(_LOC, ast.Sign.NoSign, ast.SymbolicAtom(atom))


def _bridge(name: str, arity: int) -> list[ast.AST]:
    """The rule that brings input predicate ``p/n`` in from the rule rows of the encounter's group.

    ``p(K,X..) :- fl_rows(K,G), fl_dat_p(G,p(X..)).`` (An encounter's own atoms come as facts ``p(K,X..)``.)
    """
    xs = [_var(f"X{i}__") for i in range(arity)]
    plain = _fun(name, list(xs)) if arity else ast.SymbolicTerm(_LOC, Function(name, []))
    head = _lit(_fun(name, [_key(), *xs]))
    rows = ast.Rule(_LOC, head, [_lit(_fun(ROWS, [_key(), _var("G__")])),
                                 _lit(_fun(DAT + name, [_var("G__"), plain]))])
    return [rows, ast.Defined(_LOC, DAT + name, 2, True)]


def _key_statement(stm: ast.AST, add: _AddKey) -> list[ast.AST]:
    kind = stm.ast_type
    if kind == ASTType.Comment:
        return []
    if kind == ASTType.Rule and _head_signatures(stm.head) & add.tables:
        return [stm]  # a row of a table (only ground facts define one): one copy for all encounters
    if kind == ASTType.Rule:
        new = add(stm)
        return [new.update(body=_guarded(list(new.body), add.tables))]
    if kind == ASTType.Minimize:
        new = add(stm)
        return [new.update(terms=[_key(), *new.terms], body=_guarded(list(new.body), add.tables))]
    if kind == ASTType.ShowSignature:
        if (stm.name, stm.arity) in add.tables:
            raise ValueError(f"the table {stm.name}/{stm.arity} is shared by all encounters; it cannot be shown per "
                             "encounter")
        return [stm] if not stm.name else [stm.update(arity=stm.arity + 1)]
    if kind == ASTType.Defined:  # an input predicate: own facts come keyed, rule rows through the bridge
        return [*_bridge(stm.name, stm.arity), stm.update(arity=stm.arity + 1)]
    if kind == ASTType.Program:
        return [stm]
    raise ValueError(f"the keyed encodings do not support the statement {stm}")


def keyed_program(program: str) -> tuple[ast.AST, ...]:
    """The statements of ``program`` with every predicate keyed by the encounter (see the module docstring).

    The statements are this thread's own (:func:`~fluorologic.engine.encodings.statements`): the rewriting is done
    once per process, kept as text, and each thread parses that text once.
    """
    return statements(keyed_text(program))


_LOCK = threading.Lock()


@functools.cache
def _keyed_text(program: str) -> str:
    parsed = statements(program)
    add = _AddKey(_tables(parsed))
    out = [s for stm in parsed for s in _key_statement(stm, add)]
    out.append(ast.Rule(_LOC, _lit(_fun(ENC, [_key()])), [_lit(_fun(ROWS, [_key(), _var("G__")]))]))
    out.append(ast.Defined(_LOC, ROWS, 2, True))
    # the parser opens every text with ``#program base.`` (the first statement of ``parsed`` is that one)
    text = "\n".join(map(str, out[1:] if parsed and parsed[0].ast_type == ASTType.Program else out))
    if statements(text) != tuple(out):  # clingo's printer and parser must agree on every rewritten statement
        raise EncodingError("the keyed encodings do not read back as written")
    return text


def keyed_text(program: str) -> str:
    """The keyed statements of ``program`` as program text (computed once per process; checked to read back equal).

    >>> keyed_text("p(X) :- q(X).").splitlines()[0]
    'p(K__,X) :- q(K__,X).'
    """
    with _LOCK:  # one thread rewrites; the others wait for its text
        return _keyed_text(program)
