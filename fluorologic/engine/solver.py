"""The solver: one :class:`Engine` owns the parsed encodings and the rule data, and solves encounters.

Python only validates, looks up rows and decodes; every billing decision is an atom of the optimal
answer set of ``encodings/main.lp``.

Examples
--------
>>> engine = Engine()
>>> res = engine.solve({"encounter_id": "k1", "date_of_service": "2024-08-01", "place_of_service": "11",
...                     "lines": [{"code": "20610", "site": "left knee"}, {"code": "77002"}]})
>>> [b["code"] for b in res["billable"]]
['20610', '77002']

"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import clingo
from clingo import ast

from fluorologic.contract.encounter import Encounter, parse_encounter
from fluorologic.contract.errors import EncodingError, InputError
from fluorologic.contract.places import default_places
from fluorologic.engine.decode import decode
from fluorologic.engine.encodings import program_text, statements
from fluorologic.engine.facts import build_facts
from fluorologic.engine.multisolve import BatchSolver
from fluorologic.engine.records import error_record, failure_record, solve_chunk
from fluorologic.engine.solution import Solution
from fluorologic.rules.ruledata import RuleData

__all__ = ["Engine", "Solution", "solve"]


class Engine:
    """Solve encounters against one rule base; reuse it: the encodings are parsed once per process."""

    def __init__(self, data: RuleData | None = None, *, strict: bool = False) -> None:
        self.data = data or RuleData.embedded()
        self.places = default_places()
        self.strict = strict
        self._program = program_text()
        self._batch: BatchSolver | None = None

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
        """Validate and solve one encounter; return the contract Result (raises InputError on bad input)."""
        enc = raw if isinstance(raw, Encounter) else parse_encounter(raw, self.places)
        return decode(self.solve_encounter(enc))

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
        (:mod:`fluorologic.engine.multisolve`); the answers are those of :meth:`solve`.
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
        """The batch solver that shares this engine's encodings and rule data (made on first use)."""
        if self._batch is None:
            self._batch = BatchSolver(self)
        return self._batch


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


def solve(encounter: dict[str, Any]) -> dict[str, Any]:
    """Solve one encounter with the embedded rule data (a shared default :class:`Engine`)."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Engine()
    return _DEFAULT.solve(encounter)
