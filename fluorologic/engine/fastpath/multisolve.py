"""Solve many encounters in one clingo program: the fast path behind batches and the service.

Grounding the encodings costs several milliseconds per ``Control`` however small the encounter, so
:class:`BatchSolver` grounds a whole batch at once with the keyed encodings (:mod:`fluorologic.engine.fastpath.keyed`):
each encounter's own facts enter keyed, ``p(K, ..)``, the rule rows of its code combination (looked up
once, :mod:`fluorologic.engine.fastpath.factcache`) as ``fl_dat_p(G, p(..))`` shared by every encounter of group ``G``.
The shown atoms come back keyed, ``p(K, ..)``; without the key they are exactly the atoms the
single-encounter path shows. Symbols cross between Python and clingo as integers
(:mod:`fluorologic.engine.fastpath.rawsym`).

The program leaves out ``explain.lp`` (atoms only the explanation graph reads), so a batch Solution
holds the shown atoms of the single-encounter path that the Result is decoded from. The optimum is
found with clingo's core-guided strategy (``usc``) and only the model proven optimal is
read; it is unique, so the answers equal :meth:`fluorologic.engine.solver.Engine.solve_encounter`'s. The shown
atoms are a function of the input facts alone, so they are remembered (bounded memo) by those facts up
to what the rules cannot tell apart (:mod:`fluorologic.engine.fastpath.memokey`): an encounter like an earlier one but
for its id, a date of service on the same side of every rule date, or other site texts, is not solved
again.

Examples
--------
>>> from fluorologic.contract.encounter import parse_encounter
>>> from fluorologic.engine.solver import Engine
>>> engine = Engine()
>>> encs = [parse_encounter({"encounter_id": f"k{i}", "date_of_service": "2024-08-01", "place_of_service": "11",
...                          "lines": [{"code": "20610", "site": "left knee"}, {"code": code}]})
...         for i, code in enumerate(["77002", "77003"])]
>>> sols = BatchSolver(engine).solve_encounters(encs)
>>> from fluorologic.engine.decode import decode
>>> [decode(s) == decode(engine.solve_encounter(e)) for s, e in zip(sols, encs)]
[True, True]

"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import clingo
from clingo import ast

from fluorologic.contract.encounter import Encounter
from fluorologic.contract.errors import EncodingError
from fluorologic.contract.render import from_json, to_json
from fluorologic.engine.decode import decode
from fluorologic.engine.encodings import program_text
from fluorologic.engine.facts import Facts
from fluorologic.engine.fastpath.factcache import FactCache, RulePart, with_rows
from fluorologic.engine.fastpath.keyed import DAT, ROWS, keyed_program
from fluorologic.engine.fastpath.liveprogram import live_program
from fluorologic.engine.fastpath.memokey import memo_key
from fluorologic.engine.fastpath.pricer import Pricer
from fluorologic.engine.fastpath.rawsym import RawSymbols, add_facts, shown_reps, symbol
from fluorologic.engine.fastpath.resultmemo import ResultMemo
from fluorologic.engine.fastpath.staged import OPEN, stages
from fluorologic.engine.fastpath.symorder import rep_sorted
from fluorologic.engine.solution import Solution
from fluorologic.engine.terms import Atom

if TYPE_CHECKING:
    from fluorologic.engine.solver import Engine

__all__ = ["RESULT_MEMO_SIZE", "BatchSolver", "Counts", "Rendered", "SolveTimeout", "counts", "result_memo_size"]

_ARGS = ["--opt-mode=optN", "--opt-strategy=usc", "--models=1", "--warn=none", "--single-shot"]

#: Rendered Results the canonical memo keeps by default (about 3.3 KB each with their keys: ~35 MB, so that a worker
#: stays under 300 MB); ``FLUOROLOGIC_RESULT_MEMO_SIZE`` sets it, ``FLUOROLOGIC_MEMO_SIZE=0`` turns every memo off.
RESULT_MEMO_SIZE = 10_000
#: Shown-atom answers kept when the Result memo is on (see ``BatchSolver.__init__``).
ATOM_MEMO_BEHIND = 1_000

def result_memo_size() -> int:
    """How many rendered Results a canonical memo keeps.

    ``FLUOROLOGIC_RESULT_MEMO_SIZE``, else :data:`RESULT_MEMO_SIZE`; none with ``FLUOROLOGIC_MEMO_SIZE=0``.

    >>> result_memo_size() in (0, RESULT_MEMO_SIZE) or "FLUOROLOGIC_RESULT_MEMO_SIZE" in os.environ
    True
    """
    if os.environ.get("FLUOROLOGIC_MEMO_SIZE", "1") == "0":
        return 0
    return int(os.environ.get("FLUOROLOGIC_RESULT_MEMO_SIZE", str(RESULT_MEMO_SIZE)))


#: What a batch summary counts of a Result: the exclusion reasons, and the billed and expected totals in cents.
Counts = tuple[tuple[str, ...], int, int]


def counts(rec: dict[str, Any]) -> Counts:
    """The :data:`Counts` of a Result.

    >>> counts({"excluded": [{"reason": "ptp_bundled"}], "totals": {"billed": 10.5, "expected": 7.25}})
    (('ptp_bundled',), 1050, 725)
    """
    totals = rec.get("totals") or {}
    return (tuple(e["reason"] for e in rec.get("excluded", ())), round(100 * (totals.get("billed") or 0)),
            round(100 * (totals.get("expected") or 0)))


class Rendered(tuple[str, Counts]):
    """A Result decoded just now, as every rendered Result: ``(text, counts)``; the Result itself is ``record``.

    A caller that wants the Result as a dict takes ``record`` rather than reading ``text`` back: it is the
    value ``from_json(text)`` gives (plain JSON values, none shared with anything else, made for this
    Result alone). It pickles as the plain pair, so that the record never crosses to another process.

    >>> import pickle
    >>> done = Rendered('{"a": [1]}', ((), 0, 0), {"a": [1]})
    >>> done == ('{"a": [1]}', ((), 0, 0)), done.record, type(pickle.loads(pickle.dumps(done))).__name__
    (True, {'a': [1]}, 'tuple')
    """

    record: dict[str, Any]

    def __new__(cls, text: str, found: Counts, record: dict[str, Any]) -> Rendered:
        """The pair ``(text, found)`` carrying ``record``."""
        done = super().__new__(cls, (text, found))
        done.record = record
        return done

    def __reduce__(self) -> tuple[type, tuple[tuple[str, Counts]]]:
        return tuple, (tuple(self),)


class SolveTimeout(Exception):  # noqa: N818 (it is a result, not a failure of fluorologic)
    """The batch was not solved within the time limit; its encounters need review by a person."""


class BatchSolver:
    """Solve lists of validated encounters in one program each; reuse it (it caches rule rows)."""

    def __init__(self, engine: Engine, *, max_groups: int = 4_000, memo_size: int | None = None,
                 pricing: str = "python") -> None:
        if pricing not in ("python", "clingo"):
            raise ValueError(f"pricing is 'python' or 'clingo', not {pricing!r}")
        self.engine = engine
        #: How a batch's pricing stage is computed: by :class:`~fluorologic.engine.fastpath.pricer.Pricer`
        #: ("python"), or by the pricing files as a clingo program of their own ("clingo": the same atoms).
        self.pricing = pricing
        if memo_size is None:  # FLUOROLOGIC_MEMO_SIZE=0 turns the memos off (benchmarks of the solver itself)
            memo_size = int(os.environ.get("FLUOROLOGIC_MEMO_SIZE", "10000"))
        self._local = threading.local()  # per thread: clingo's AST objects and raw symbols' out-parameters
        self.cache = FactCache(engine.data, engine.places)
        self.max_groups = max_groups
        self.memo_size = memo_size
        self._dat: dict[tuple[frozenset[tuple[str, int]] | None, int], list[int]] = {}
        self._memo: dict[tuple[int, tuple[Atom, ...]], tuple[int, ...]] = {}
        result_size = result_memo_size() if memo_size else 0
        self.result_memo = ResultMemo(result_size)
        # Behind the Result memo, the shown-atom memo sees only what that memo missed (new keys; it still
        # serves encounters with notes, whose Result key holds the note's text): a few entries do.
        self._atom_cap = min(memo_size, ATOM_MEMO_BEHIND) if result_size else memo_size
        self.memo_hits = 0
        #: Encounters solved by clingo (not answered from a memo) in this process.
        self.solved = 0
        #: Encounters of a batch whose amount could choose between billable sets (``choice_open``): solved again
        #: with the whole program (:mod:`fluorologic.engine.fastpath.staged`).
        self.reopened = 0

    @property
    def program(self) -> tuple[ast.AST, ...]:
        """The keyed encodings, parsed in this thread (:func:`~fluorologic.engine.fastpath.keyed.keyed_program`)."""
        return keyed_program(program_text(explain=False))

    @property
    def pricer(self) -> Pricer:
        """The :class:`~fluorologic.engine.fastpath.pricer.Pricer` of this thread (it keeps parsed atoms)."""
        pricer = getattr(self._local, "pricer", None)
        if pricer is None:
            pricer = self._local.pricer = Pricer(self.raw)
        return pricer

    @property
    def raw(self) -> RawSymbols:
        """The :class:`~fluorologic.engine.fastpath.rawsym.RawSymbols` of this thread (it reuses out-parameters)."""
        raw = getattr(self._local, "raw", None)
        if raw is None:
            raw = self._local.raw = RawSymbols()
        return raw

    def _control(self, program: Sequence[ast.AST]) -> clingo.Control:
        """A Control with the statements of ``program``."""
        ctl = clingo.Control(_ARGS, logger=lambda _code, _msg: None)
        with ast.ProgramBuilder(ctl) as builder:
            for stm in program:
                builder.add(stm)
        return ctl

    def _group_facts(self, part: RulePart, wanted: frozenset[tuple[str, int]] | None = None) -> list[int]:
        """``fl_dat_p(G, p(..))`` for every rule-row atom of group ``G`` (of the ``wanted`` predicates; made once)."""
        wrapped = self._dat.get((wanted, part.number))
        if wrapped is None:
            if len(self._dat) >= self.max_groups:
                self._dat.clear()
            raw = self.raw
            g = raw.term(part.number)
            wrapped = self._dat[(wanted, part.number)] = [
                raw.function(DAT + name, [g, raw.atom(name, args)]) for name, args in part.terms
                if wanted is None or (name, len(args)) in wanted]
        return wrapped

    def batch_facts(self, inputs: Sequence[tuple[list[Atom], RulePart]],
                    wanted: frozenset[tuple[str, int]] | None = None,
                    keys: Sequence[int] | None = None) -> Iterator[list[int]]:
        """The facts of a batch, encounter by encounter: its keyed own atoms, and its group's rows the first time.

        ``wanted``: only the input predicates the program reads; ``keys``: the encounters' keys (else their places
        in ``inputs``). (Rows entered keyed, without the bridge, ground faster but cost more to make than they
        save: measured 1.03x of this on a cold stream.)
        """
        groups: set[int] = set()
        atom, term = self.raw.atom, self.raw.term
        for i, (own, part) in enumerate(inputs):
            key = term(i if keys is None else keys[i])
            facts = [atom(name, args, key) for name, args in own if wanted is None or (name, len(args)) in wanted]
            facts.append(atom(ROWS, (part.number,), key))
            if part.number not in groups:
                groups.add(part.number)
                facts.extend(self._group_facts(part, wanted))
            yield facts

    def solve_encounters(self, encs: Sequence[Encounter], *, timeout: float | None = None,
                         prepared: Sequence[Facts] | None = None) -> list[Solution]:
        """The solutions of ``encs`` in order (``prepared``: their own facts, when already built).

        Raises
        ------
        SolveTimeout
            When ``timeout`` seconds (grounding and solving) pass before the optimum is proven; grounding
            itself is not interrupted, so the limit is checked after it and bounds the search.

        """
        if not encs:
            return []
        facts: list[Facts] = []
        inputs: list[tuple[list[Atom], RulePart]] = []
        keys: list[tuple[int, tuple[Atom, ...]]] = []
        answers: list[tuple[int, ...] | None] = []
        todo: list[int] = []
        first: dict[tuple[int, tuple[Atom, ...]], int] = {}  # with the memos on: solve each key once a batch
        same: list[tuple[int, int]] = []
        for i, enc in enumerate(encs):
            own = prepared[i] if prepared is not None else self.cache.own_facts(enc)
            part = self.cache.rule_part(enc)
            facts.append(with_rows(own, part))
            inputs.append((own.terms, part))
            key = (part.number, memo_key(own.terms, part.thresholds) if self.memo_size else ())
            keys.append(key)
            known = self._memo.get(key)
            answers.append(known)
            if known is not None or (self.memo_size and key in first):
                self.memo_hits += 1
                if known is None:
                    same.append((i, first[key]))
            else:
                first[key] = i
                todo.append(i)
        if todo:
            self.solved += len(todo)
            for i, atoms in zip(todo, self._solve([inputs[i] for i in todo], timeout),
                                strict=True):
                if len(self._memo) >= self._atom_cap:
                    self._memo.clear()
                answers[i] = atoms
                if self.memo_size:
                    self._memo[keys[i]] = atoms
        for i, j in same:
            answers[i] = answers[j]
        return [Solution(enc, f, atoms) for enc, f, atoms in zip(encs, facts, answers, strict=True)
                if atoms is not None]

    def results(self, encs: Sequence[Encounter], *, timeout: float | None = None,
                prepared: Sequence[Facts] | None = None) -> list[dict[str, Any]]:
        """The contract Results of ``encs`` in order (see :meth:`rendered`)."""
        return [from_json(text) for text, _ in self.rendered(encs, timeout=timeout, prepared=prepared)]

    def rendered(self, encs: Sequence[Encounter], *, timeout: float | None = None,
                 prepared: Sequence[Facts] | None = None) -> list[tuple[str, Counts]]:
        """The contract Results of ``encs`` in order, as JSON text (``to_json``) with their :data:`Counts`.

        ``prepared``: the encounters' own facts, when already built (the service reads each note once,
        inside the encounter's time limit).

        A Result is remembered under its canonical key (:mod:`fluorologic.engine.fastpath.resultmemo`): an encounter
        like an earlier one but for its id, its day (on the same side of every rule date), its site texts or
        its documentation texts costs a splice of the remembered text, not a solve and a decode.
        """
        memo = self.result_memo
        out: list[tuple[str, Counts] | None] = [None] * len(encs)
        keys: list[Any] = []
        todo: list[int] = []
        again: list[int] = []  # a key already being solved in this batch: spliced after
        first: set[Any] = set()
        cache = self.cache
        for i, enc in enumerate(encs):
            if not memo.size:
                keys.append(None)
                todo.append(i)
                continue
            key = memo.key_for(enc, cache)
            keys.append(key)
            hit = memo.get(key, enc)
            if hit is not None:
                self.memo_hits += 1
                out[i] = hit
            elif key in first:
                again.append(i)
            else:
                first.add(key)
                todo.append(i)
        if todo:
            sols = self.solve_encounters([encs[i] for i in todo], timeout=timeout,
                                         prepared=None if prepared is None else [prepared[i] for i in todo])
            for i, sol in zip(todo, sols, strict=True):
                out[i] = self._render(sol, keys[i])
        for i in again:
            hit = memo.get(keys[i], encs[i])
            if hit is None:  # not kept (e.g. dated on another day): solve it
                (sol,) = self.solve_encounters([encs[i]], timeout=timeout)
                hit = self._render(sol, keys[i])
            else:
                self.memo_hits += 1
            out[i] = hit
        return out  # type: ignore[return-value]

    def _render(self, sol: Solution, key: Any) -> Rendered:
        rec = decode(sol)
        text = to_json(rec)
        found = counts(rec)
        if key is not None:
            self.result_memo.put(key, sol.encounter, text, found)
        return Rendered(text, found, rec)

    def _solve(self, inputs: list[tuple[list[Atom], RulePart]], timeout: float | None) -> list[tuple[int, ...]]:
        """The shown atoms of each encounter (as integers, in clingo's order of symbols).

        One encounter alone is solved with the plain program (without ``explain.lp``), less the rules that
        cannot fire for its facts: it grounds in about a third of the time of the keyed one, and shows the same
        atoms without the key. A batch of professional claims is solved in two stages, the search and the
        pricing (:mod:`fluorologic.engine.fastpath.staged`); an encounter whose amount can choose between billable
        sets, and a hospital's claim, with the whole keyed program.
        """
        started = time.monotonic()
        if len(inputs) == 1:
            (own, part), atom = inputs[0], self.raw.atom
            terms = [*own, *part.terms]
            program = live_program(program_text(explain=False), terms)
            shown = self._ground_and_solve(program, [[atom(name, args) for name, args in terms]], timeout, started)
            return [_in_order(shown)]
        out: list[tuple[int, ...] | None] = [None] * len(inputs)
        whole = [i for i, (own, _) in enumerate(inputs) if any(name == "claim_type" for name, _ in own)]
        hospital = set(whole)
        staged = [i for i in range(len(inputs)) if i not in hospital]
        if staged:
            for i, atoms in zip(staged, self._solve_staged([inputs[i] for i in staged], timeout, started), strict=True):
                if atoms is None:
                    whole.append(i)
                    self.reopened += 1
                out[i] = atoms
        if whole:
            whole.sort()
            batch = [inputs[i] for i in whole]
            shown = self._ground_and_solve(self.program, self.batch_facts(batch), timeout, started)
            for i, atoms in zip(whole, self._per_encounter(shown, len(batch)), strict=True):
                out[i] = _in_order(atoms)
        return out  # type: ignore[return-value]

    def _solve_staged(self, inputs: list[tuple[list[Atom], RulePart]], timeout: float | None,
                      started: float) -> list[tuple[int, ...] | None]:
        """The shown atoms of each encounter by the search and the pricing stages; None where ``choice_open``."""
        st, raw = stages(), self.raw
        passing = {name for name, _ in st.interface}
        shown = self._ground_and_solve(keyed_program(st.search), self.batch_facts(inputs, st.search_facts), timeout,
                                       started)
        per: list[list[int]] = [[] for _ in inputs]
        passed: list[list[int]] = [[] for _ in inputs]
        clingo_pricing = self.pricing == "clingo"
        is_open = [False] * len(inputs)
        for (k, atom), rep in zip(raw.unkey_all(shown), shown, strict=True):
            name = raw.name(atom)
            if name in passing:
                passed[k].append(rep if clingo_pricing else atom)  # keyed: a fact of the pricing program
            if name == OPEN:
                is_open[k] = True
            elif name not in st.hidden:
                per[k].append(atom)
        todo = [k for k in range(len(inputs)) if not is_open[k]]
        if todo and not clingo_pricing:
            pricer = self.pricer
            for k in todo:
                own, part = inputs[k]
                per[k].extend(pricer.price(passed[k], [*own, *part.terms]))
        elif todo:
            facts = self._pricing_facts(inputs, todo, passed, st.facts)
            priced = self._ground_and_solve(keyed_program(st.pricing), facts, timeout, started, choice=False)
            for k, atom in raw.unkey_all(priced):
                per[k].append(atom)
        return [None if is_open[k] else _in_order(per[k]) for k in range(len(inputs))]

    def _pricing_facts(self, inputs: list[tuple[list[Atom], RulePart]], todo: list[int], passed: list[list[int]],
                       wanted: frozenset[tuple[str, int]]) -> Iterator[list[int]]:
        """The facts of the pricing stage, encounter by encounter: the search's answer it reads, its input facts."""
        rows = self.batch_facts([inputs[k] for k in todo], wanted, todo)
        for k, facts in zip(todo, rows, strict=True):
            yield [*passed[k], *facts]

    def _per_encounter(self, shown: list[int], n: int) -> list[list[int]]:
        """Keyed shown atoms split by encounter, without the key."""
        per: list[list[int]] = [[] for _ in range(n)]
        for k, atom in self.raw.unkey_all(shown):
            per[k].append(atom)
        return per

    def _ground_and_solve(self, program: Sequence[ast.AST], facts: Iterable[list[int]], timeout: float | None,
                          started: float, *, choice: bool = True) -> list[int]:
        """The shown atoms (integers) of the proven optimum of ``program`` with ``facts``, within ``timeout``.

        ``choice=False``: a program without choice (the pricing stage) has one answer set, perhaps showing nothing.

        Raises
        ------
        SolveTimeout
            When ``timeout`` seconds since ``started`` pass before the optimum is proven (grounding itself is not
            interrupted: the limit is checked after it and bounds the search).

        """
        ctl = self._control(program)
        with ctl.backend() as backend:
            for part in facts:
                add_facts(backend, part)
        ctl.ground([("base", [])])
        shown: list[int] = []
        found = [False]

        def on_model(model: clingo.Model) -> None:
            if model.optimality_proven or not choice:
                shown[:] = shown_reps(model)
                found[0] = True

        left = None if timeout is None else timeout - (time.monotonic() - started)
        if left is not None and left <= 0:
            raise SolveTimeout(f"grounding took longer than {timeout} seconds")
        if left is None:  # no limit: solve in this thread (an asynchronous solve starts a thread of clingo's)
            result = ctl.solve(on_model=on_model)
        else:
            with ctl.solve(on_model=on_model, async_=True) as handle:
                if not handle.wait(left):
                    handle.cancel()
                    raise SolveTimeout(f"no proven optimum within {timeout} seconds")
                result = handle.get()
        if not result.satisfiable or not found[0]:
            raise EncodingError("the encodings admit no answer set; stability is soft, so this is a defect")
        return shown


def _in_order(atoms: list[int]) -> tuple[int, ...]:
    """Shown atoms in clingo's order of symbols (the order of the one-encounter path)."""
    try:
        return tuple(rep_sorted(atoms))
    except ValueError:  # a classically negated atom: let clingo order them
        return tuple(s._rep for s in sorted(map(symbol, atoms)))
