"""The solver: one :class:`Engine` owns the rule data and its memos, and solves encounters.

Python only validates, looks up rows and decodes; every billing decision is an atom of the optimal
answer set of ``encodings/main.lp``.

One encounter (:meth:`Engine.solve`, :func:`solve`) is answered like a line of ``fluorologic solve``: from
the canonical Result memo (:mod:`fluorologic.engine.fastpath.resultmemo`) when an earlier encounter was like it (its
id, its day within the same rule dates, its site texts aside), else by the batch solver's one-encounter
program, and remembered. The Result is the one ``fluorologic solve`` writes, byte for byte once rendered.

An :class:`Engine` is safe from any number of threads: each thread grounds in its own ``Control`` with its own
parsed encodings (clingo's AST objects are never shared), and the memos are shared under locks. In an event
loop, ``await engine.asolve(...)`` (or :func:`asolve`) solves in the engine's bounded thread pool; ``with
Engine() as engine:`` releases that pool and the memos at the end.

Examples
--------
>>> engine = Engine()
>>> res = engine.solve({"encounter_id": "k1", "date_of_service": "2024-08-01", "place_of_service": "11",
...                     "lines": [{"code": "20610", "site": "left knee"}, {"code": "77002"}]})
>>> [b["code"] for b in res["billable"]]
['20610', '77002']

"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from types import TracebackType
from typing import Any

import clingo
from clingo import ast

from fluorologic.contract.encounter import Encounter, parse_encounter
from fluorologic.contract.errors import EncodingError, InputError
from fluorologic.contract.places import default_places
from fluorologic.contract.render import from_json
from fluorologic.engine.decode import decode
from fluorologic.engine.encodings import program_text, statements
from fluorologic.engine.facts import build_facts
from fluorologic.engine.fastpath.multisolve import BatchSolver
from fluorologic.engine.records import error_record, failure_record, solve_chunk
from fluorologic.engine.solution import Solution
from fluorologic.rules.ruledata import RuleData

__all__ = ["Engine", "Solution", "asolve", "solve"]


class Engine:
    """Solve encounters against one rule base; reuse it, from any number of threads (see the module docstring).

    ``concurrency``: how many encounters :meth:`asolve` solves at once (its thread pool), by default the
    number of cores (at most 8).
    """

    def __init__(self, data: RuleData | None = None, *, strict: bool = False, concurrency: int | None = None) -> None:
        self.data = data or RuleData.embedded()
        self.places = default_places()
        self.strict = strict
        self.concurrency = concurrency or min(8, os.cpu_count() or 1)
        self._program = program_text()
        self._batch: BatchSolver | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    def _control(self, messages: list[str]) -> clingo.Control:
        def log(code: clingo.MessageCode, msg: str) -> None:
            messages.append(f"{code.name}: {msg}")

        ctl = clingo.Control(["--opt-mode=opt", "--warn=none"] if not self.strict else ["--opt-mode=opt"], logger=log)
        with ast.ProgramBuilder(ctl) as builder:  # the program parsed once, not per encounter
            for stm in statements(self._program):
                builder.add(stm)
        return ctl

    def solve_encounter(self, enc: Encounter) -> Solution:
        """Solve a validated encounter and return the shown atoms of its optimal answer set."""
        facts = build_facts(enc, self.data, self.places)
        messages: list[str] = []
        ctl = self._control(messages)
        _add_facts(ctl, facts.atoms)
        ctl.ground([("base", [])])
        best: list[clingo.Symbol] = []

        def on_model(model: clingo.Model) -> None:
            best[:] = model.symbols(shown=True)

        result = ctl.solve(on_model=on_model)
        if self.strict and messages:
            raise EncodingError("; ".join(messages))
        if not result.satisfiable:
            raise EncodingError("the encodings admit no answer set; stability is soft, so this is a defect")
        return Solution(enc, facts, tuple(s._rep for s in sorted(best)))

    def solve(self, raw: dict[str, Any] | Encounter) -> dict[str, Any]:
        """Validate and solve one encounter; return the contract Result (raises InputError on bad input).

        The Result is the one ``fluorologic solve`` writes for it (with the same rule data), from the memo
        when an earlier encounter was like it; a fresh dict every time (the caller may change it).
        """
        enc = raw if isinstance(raw, Encounter) else parse_encounter(raw, self.places)
        if self._reference_only:
            return decode(self.solve_encounter(enc))
        ((text, _),) = self.batch.rendered([enc])
        return from_json(text)

    @property
    def _reference_only(self) -> bool:
        """Whether one encounter takes the reference path (a Control with this engine's program, no memo).

        So it does when grounder messages are errors (``strict``: only that path hears them), and when the
        program is not the shipped encodings (a test's mutant): the memo and the batch solver know only those.
        """
        return self.strict or self._program is not program_text()

    async def asolve(self, raw: dict[str, Any] | Encounter) -> dict[str, Any]:
        """:meth:`solve` for an event loop, which it never blocks on a solve.

        A remembered encounter is answered at once; the others are solved in the engine's thread pool, at most
        :attr:`concurrency` at a time.
        """
        enc = raw if isinstance(raw, Encounter) else parse_encounter(raw, self.places)
        batch = self.batch
        memo = batch.result_memo
        if memo.size and not self._reference_only:
            part = batch.cache.known_part(enc)  # a code combination not seen yet may need the store: not on the loop
            if part is not None:
                hit = memo.get(memo.key(enc, part.number, part.thresholds), enc)
                if hit is not None:
                    return from_json(hit[0])
        return await asyncio.get_running_loop().run_in_executor(self._executor(), self.solve, enc)

    def _executor(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self.concurrency, thread_name_prefix="fluorologic")
            return self._pool

    def close(self) -> None:
        """Release the thread pool of :meth:`asolve` (waiting for what it solves) and the memos and caches.

        The engine stays usable: it starts afresh (empty memos) if used again. clingo's symbols live as long
        as the process (clingo frees none), so memory held by them is not returned.
        """
        with self._lock:
            pool, self._pool = self._pool, None
            self._batch = None
        if pool is not None:
            pool.shutdown(wait=True)

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def solve_record(self, raw: Any) -> dict[str, Any]:
        """Like :meth:`solve`, but bad input gives an error record instead of an exception.

        No input makes it raise: a failure that is not an input error (e.g. text clingo cannot take)
        gives an error record naming the kind of failure, never the input text.
        """
        try:
            return self.solve(raw)
        except InputError as err:
            return error_record(raw, err)
        except Exception as exc:  # noqa: BLE001 (one record per input, whatever the input)
            return failure_record(raw.get("encounter_id") if isinstance(raw, dict) else None, exc)

    def solve_many(self, raws: list[Any], on_result: Callable[[dict[str, Any]], None] | None = None
                   ) -> list[dict[str, Any]]:
        """Solve a batch in input order; one result or error record per input encounter.

        The valid encounters are solved together, a chunk at a time, in one keyed program
        (:mod:`fluorologic.engine.fastpath.multisolve`); the answers are those of :meth:`solve`.
        """
        out: list[dict[str, Any]] = []
        for start in range(0, len(raws), self.CHUNK):
            for rec in solve_chunk(self, raws[start:start + self.CHUNK]):
                if on_result:
                    on_result(rec)
                out.append(rec)
        return out

    #: Encounters solved together in one program by :meth:`solve_many`.
    CHUNK = 256

    @property
    def batch(self) -> BatchSolver:
        """The batch solver that shares this engine's rule data, its memos and caches (made on first use)."""
        batch = self._batch
        if batch is None:
            with self._lock:
                batch = self._batch
                if batch is None:
                    batch = self._batch = BatchSolver(self)
        return batch


_LOC = ast.Location(ast.Position("<facts>", 1, 1), ast.Position("<facts>", 1, 1))



def _add_facts(ctl: clingo.Control, atoms: list[clingo.Symbol]) -> None:
    """Add ground facts as symbolic-term AST rules: no program text, and no spurious grounder messages.

    (Facts added through ``Control.backend()`` before grounding make clingo 5.8 report every ``#show``
    signature as not occurring; symbolic terms ground silently and stay one atom each.)
    """
    with ast.ProgramBuilder(ctl) as builder:
        for sym in atoms:
            head = ast.Literal(_LOC, ast.Sign.NoSign, ast.SymbolicAtom(ast.SymbolicTerm(_LOC, sym)))
            builder.add(ast.Rule(_LOC, head, []))


_DEFAULT: Engine | None = None
_DEFAULT_LOCK = threading.Lock()


def default_engine() -> Engine:
    """The process's shared :class:`Engine` on the embedded rule data, behind :func:`solve` and :func:`asolve`."""
    global _DEFAULT
    engine = _DEFAULT
    if engine is None:
        with _DEFAULT_LOCK:
            if _DEFAULT is None:
                _DEFAULT = Engine()
            engine = _DEFAULT
    return engine


def solve(encounter: dict[str, Any]) -> dict[str, Any]:
    """Solve one encounter with the embedded rule data (a shared default :class:`Engine`; safe from any thread)."""
    return default_engine().solve(encounter)


async def asolve(encounter: dict[str, Any]) -> dict[str, Any]:
    """:func:`solve` for an event loop (see :meth:`Engine.asolve`).

    >>> res = asyncio.run(asolve({"encounter_id": "a1", "date_of_service": "2024-08-01", "place_of_service": "11",
    ...                           "lines": [{"code": "20610", "site": "left knee"}, {"code": "77002"}]}))
    >>> [b["code"] for b in res["billable"]]
    ['20610', '77002']
    """
    return await default_engine().asolve(encounter)
