"""The data-only joins of the encodings, computed once per rule part and date bucket instead of per encounter.

Some rules of the encodings read nothing of the encounter but its rule rows and its date of service:
which codes, attributes and edits are in force on that day (``in_force.lp``), which codes are imaging
codes, which PTP pairs are locked. Their atoms are the same for every encounter of one rule part (code
combination and fee period, :mod:`fluorologic.engine.factcache`) whose date of service falls in the same
*date bucket*: its place among the part's rule dates (:mod:`fluorologic.engine.memokey`), so that every
comparison of ``dos(T)`` with a rule date has one outcome in the bucket.

:func:`split` reads the parsed encodings (the AST, never text) and finds those rules: a predicate is
*data-only* when every rule that derives it reads only rule-row predicates (declared in
``rule_data.lp``), ``dos/1``, tables (predicates defined by ground facts only) and other data-only
predicates, with positive atoms (negation only of rule rows and tables) and comparisons. Their rules go
to a separate keyed program, grounded once per new (rule part, date bucket) in a batch; its atoms come
back as group facts ``fl_dat_p(G, p(..))`` of the group ``G`` of that part and bucket, through the same
bridge rules as the rule rows. The encounter program is the rest: it no longer reads ``dos/1`` nor the
rule rows only the data-only rules read.

Examples
--------
>>> s = split('p(X) :- r(X), dos(T), T > X. q(X) :- p(X), line(X). #defined r/1. #defined line/1. #defined dos/1.',
...           rows=frozenset({("r", 1)}))
>>> sorted(s.derived), sorted(s.data_inputs), sorted(s.rows)
([('p', 1)], [('dos', 1), ('r', 1)], [])
>>> [str(x) for x in s.data][:2]
['p(K__,X) :- r(K__,X); dos(K__,T); T > X.', 'dos(K__,X0__) :- fl_rows(K__,G__); fl_dat_dos(G__,dos(X0__)).']
>>> [str(x) for x in s.data][-1]
'#show fl_dat_p(K__,p(X0__)) : p(K__,X0__).'
>>> [str(x) for x in s.encounter][1:3]
['q(K__,X) :- p(K__,X); line(K__,X).', 'line(K__,X0__) :- fl_rows(K__,G__); fl_dat_line(G__,line(X0__)).']

"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import clingo
from clingo import ast
from clingo._internal import _ffi, _handle_error, _lib
from clingo.ast import ASTType

from fluorologic.engine.encodings import encodings_dir, statements
from fluorologic.engine.keyed import (
    DAT,
    KEY_VAR,
    ROWS,
    _head_signatures,
    _Signatures,
    _tables,
    bridge,
    keyed_statements,
)
from fluorologic.engine.rawsym import RawSymbols, add_facts, shown_reps
from fluorologic.engine.terms import Atom

__all__ = ["BUCKETED", "BUCKET_ROWS", "RULE_DATA_FILE", "DataJoins", "Split", "date_bucket", "rule_data_predicates",
           "split"]

Sig = tuple[str, int]
#: The file that declares the rule-row predicates (the rest of the inputs are the encounter's own).
RULE_DATA_FILE = "rule_data.lp"
#: ``fl_bucket(K,B)``: encounter K takes the data-only atoms of group B (its rule part and date bucket).
BUCKET_ROWS = "fl_bucket"
#: The encounter's own fact that the date bucket fixes for the data-only rules.
BUCKETED: Sig = ("dos", 1)
_LOC = ast.Location(ast.Position("<datajoin>", 1, 1), ast.Position("<datajoin>", 1, 1))


@functools.cache
def rule_data_predicates() -> frozenset[Sig]:
    """The rule-row predicates, as ``rule_data.lp`` declares them.

    >>> ("ptp", 5) in rule_data_predicates() and ("line", 3) not in rule_data_predicates()
    True
    """
    text = (encodings_dir() / RULE_DATA_FILE).read_text(encoding="utf-8")
    return frozenset((s.name, s.arity) for s in statements(text) if s.ast_type == ASTType.Defined)


def date_bucket(day: int, thresholds: Sequence[int]) -> int:
    """The place of ``day`` among the rule dates: equal buckets compare equally with every one of them.

    >>> [date_bucket(d, (20100331, 20240701)) for d in (20090101, 20100331, 20150101, 20240701, 20250101)]
    [0, 1, 2, 3, 4]
    """
    i = bisect.bisect_left(thresholds, day)
    return 2 * i + (i < len(thresholds) and thresholds[i] == day)


def _signatures(node: ast.AST) -> set[Sig]:
    finder = _Signatures()
    finder(node)
    return finder.found


def _simple_body(body: Iterable[ast.AST], negatable: set[Sig]) -> bool:
    """Positive atoms, negated atoms of ``negatable`` predicates only, and comparisons (a definite program)."""
    for lit in body:
        if lit.ast_type != ASTType.Literal:
            return False  # a conditional literal or an aggregate
        if lit.atom.ast_type == ASTType.Comparison:
            continue
        if lit.atom.ast_type != ASTType.SymbolicAtom:
            return False
        if lit.sign != ast.Sign.NoSign and not _signatures(lit) <= negatable:
            return False
    return True


@dataclass(frozen=True)
class Split:
    """The keyed data program, the keyed encounter program, and what passes between them."""

    #: Keyed by group (rule part and date bucket): the data-only rules, fed the rule rows and ``dos``.
    data: tuple[ast.AST, ...]
    #: Keyed by encounter: the other statements, the data-only atoms and the rule rows they read as inputs.
    encounter: tuple[ast.AST, ...]
    #: The data-only predicates the encounter program reads (the data program shows them).
    derived: frozenset[Sig]
    #: The inputs the data program reads or passes on (rule rows and ``dos``).
    data_inputs: frozenset[Sig]
    #: The rule-row predicates the encounter program reads directly (not derived by a data-only rule).
    rows: frozenset[Sig]


@functools.cache
def split(program: str, rows: frozenset[Sig] | None = None) -> Split:
    """Split the encodings ``program`` into its data-only rules and the rest (see the module docstring)."""
    rows = rule_data_predicates() if rows is None else rows
    parsed = statements(program)
    tables = _tables(parsed)
    rules = [s for s in parsed if s.ast_type == ASTType.Rule and not _head_signatures(s.head) <= tables]
    inputs = set(rows) | {BUCKETED}
    candidates = (inputs | {h for r in rules for h in _head_signatures(r.head)}) - tables
    changed = True
    while changed:  # the greatest set of predicates whose every rule reads only data
        changed = False
        for rule in rules:
            heads = _head_signatures(rule.head) & candidates
            if not heads:
                continue
            reads = set().union(set(), *(_signatures(lit) for lit in rule.body))
            if (rule.head.ast_type != ASTType.Literal or not reads <= candidates | tables
                    or not _simple_body(rule.body, inputs | set(tables))):
                candidates -= heads
                changed = True
    derived_all = {h for r in rules for h in _head_signatures(r.head)} & candidates
    data_rules = [r for r in rules if _head_signatures(r.head) & derived_all]
    rest = [s for s in parsed if not any(s is r for r in data_rules)]
    read_by_rest = set().union(set(), *(_signatures(lit) for s in rest if s.ast_type in (ASTType.Rule, ASTType.Minimize)
                                        for lit in s.body),
                               *(_head_conditions(s) for s in rest if s.ast_type == ASTType.Rule))
    derived = frozenset(derived_all & read_by_rest)
    direct = frozenset((read_by_rest & rows) - derived)
    read_by_data = set().union(set(), *(_signatures(lit) for r in data_rules for lit in r.body))
    table_rules = [s for s in parsed if s.ast_type == ASTType.Rule and _head_signatures(s.head)
                   and _head_signatures(s.head) <= tables & read_by_data]
    data_inputs = frozenset((read_by_data | derived) & inputs)  # rows of a derived predicate are among its atoms
    data = [*table_rules, *data_rules, *(ast.Defined(_LOC, n, a, True) for n, a in sorted(data_inputs))]
    encounter = [s for s in rest if s.ast_type != ASTType.Defined
                 or ((s.name, s.arity) not in rows and (s.name, s.arity) != BUCKETED)
                 or (s.name, s.arity) in direct]
    bridges = [stm for n, a in sorted(derived) for stm in (*bridge(n, a, BUCKET_ROWS),
                                                           ast.Defined(_LOC, n, a + 1, True))]
    data_keyed = keyed_statements(tuple(data)) + (ast.ShowSignature(_LOC, "", 0, True),) + tuple(
        _show_wrapped(n, a) for n, a in sorted(derived))
    encounter_keyed = keyed_statements(tuple(encounter)) + (*bridges, ast.Defined(_LOC, BUCKET_ROWS, 2, True))
    return Split(data_keyed, encounter_keyed, derived, data_inputs, direct)


def _show_wrapped(name: str, arity: int) -> ast.AST:
    """``#show fl_dat_p(K,p(X..)) : p(K,X..).``: the data program shows its atoms as the group facts of group K."""
    xs = [ast.Variable(_LOC, f"X{i}__") for i in range(arity)]
    key = ast.Variable(_LOC, KEY_VAR)
    plain = ast.Function(_LOC, name, xs, False) if arity else ast.SymbolicTerm(_LOC, clingo.Function(name, []))
    body = ast.Literal(_LOC, ast.Sign.NoSign, ast.SymbolicAtom(ast.Function(_LOC, name, [key, *xs], False)))
    return ast.ShowTerm(_LOC, ast.Function(_LOC, DAT + name, [key, plain], False), [body])


def _head_conditions(rule: ast.AST) -> set[Sig]:
    """The predicates the conditions of a choice head read."""
    found: set[Sig] = set()
    for element in getattr(rule.head, "elements", []):
        for cond in getattr(element, "condition", []):
            found |= _signatures(cond)
    return found


_ARGS = _ffi.new("clingo_symbol_t**")
_SIZE = _ffi.new("size_t*")
_INT = _ffi.new("int*")


def _first_number(rep: int) -> int:
    """The number that is the first argument of the symbol ``rep`` (the group of a shown ``fl_dat_p(G, ..)``).

    >>> _first_number(clingo.Function("f", [clingo.Number(7), clingo.String("x")])._rep)
    7
    """
    _handle_error(_lib.clingo_symbol_arguments(rep, _ARGS, _SIZE))
    _handle_error(_lib.clingo_symbol_number(_ARGS[0][0], _INT))
    return int(_INT[0])


class DataJoins:
    """The group facts of the batch program: per rule part its rule rows, per (part, date bucket) its data-only atoms.

    :meth:`part_facts` gives ``fl_dat_p(P, p(..))`` for the rule rows of part ``P`` that the encounter program
    reads; :meth:`bucket_facts` the atoms ``fl_dat_q(B, q(..))`` of the data-only predicates of group ``B``
    once made, and :meth:`derive` makes those of every new group of a batch in one program.
    """

    def __init__(self, parts: Split, raw: RawSymbols, *, max_groups: int = 4_000) -> None:
        self.split = parts
        self.raw = raw
        self.max_groups = max_groups
        self._parts: dict[int, tuple[list[int], list[int]]] = {}
        self._buckets: dict[int, list[int]] = {}
        self._data_names = frozenset(n for n, _ in parts.data_inputs)
        self._row_names = frozenset(n for n, _ in parts.rows)

    def _part(self, number: int, terms: Sequence[Atom]) -> tuple[list[int], list[int]]:
        """The wrapped rule rows of a part: those the encounter program reads, those the data program reads."""
        made = self._parts.get(number)
        if made is None:
            if len(self._parts) >= self.max_groups:
                self._parts.clear()
            raw, rows, data = self.raw, self._row_names, self._data_names
            g = raw.term(number)
            made = self._parts[number] = (
                [raw.function(DAT + n, [g, raw.atom(n, a)]) for n, a in terms if n in rows],
                [raw.function(DAT + n, [g, raw.atom(n, a)]) for n, a in terms if n in data])
        return made

    def part_facts(self, number: int, terms: Sequence[Atom]) -> list[int]:
        """``fl_dat_p(P, p(..))`` for the rule rows of part ``P`` that the encounter program reads."""
        return self._part(number, terms)[0]

    def bucket_facts(self, group: int) -> list[int] | None:
        """The data-only atoms of ``group`` (a rule part and date bucket), if made."""
        return self._buckets.get(group)

    def derive(self, todo: Sequence[tuple[int, int, Sequence[Atom], int]]) -> None:
        """Make the data-only atoms of every ``(group, part number, part terms, a day of its bucket)`` in ``todo``.

        One program for all of them, keyed by the group number, so that it shows the group facts themselves;
        it reads the part's rows through the bridges (``fl_rows(B,P)``) and the day as ``dos(B,T)``.
        """
        if not todo:
            return
        raw = self.raw
        ctl = clingo.Control(["--warn=none", "--models=1"], logger=lambda _c, _m: None)
        with ast.ProgramBuilder(ctl) as builder:
            for stm in self.split.data:
                builder.add(stm)
        if len(self._buckets) + len(todo) > self.max_groups:
            self._buckets.clear()
        parts: set[int] = set()
        with ctl.backend() as backend:
            for group, number, terms, day in todo:
                g = raw.term(group)
                facts = [raw.atom("dos", (day,), g), raw.atom(ROWS, (number,), g)]
                if number not in parts:
                    parts.add(number)
                    facts.extend(self._part(number, terms)[1])
                add_facts(backend, facts)
                self._buckets[group] = []
        ctl.ground([("base", [])])
        shown: list[int] = []

        def on_model(model: clingo.Model) -> None:
            shown[:] = shown_reps(model)

        ctl.solve(on_model=on_model)
        buckets = self._buckets
        for rep in shown:
            buckets[_first_number(rep)].append(rep)
