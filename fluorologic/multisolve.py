"""Solve many encounters in one clingo program: the fast path behind batches and the service.

Grounding the encodings costs several milliseconds per ``Control`` however small the encounter, so
:class:`BatchSolver` grounds a whole batch at once with the keyed encodings (:mod:`fluorologic.keyed`):
each encounter's own facts enter as ``fl_in(K, atom)``, the rule rows of its code combination (looked up
once, :mod:`fluorologic.factcache`) as ``fl_dat(G, atom)`` shared by every encounter of group ``G``. The
shown atoms come back as ``(K, atom)``, exactly the atoms the single-encounter path shows.

The optimum is found with clingo's core-guided strategy (``usc``) and only the model proven optimal is
read; it is unique, so the answers equal :meth:`fluorologic.solver.Engine.solve_encounter`'s.

Examples
--------
>>> from fluorologic.encounter import parse_encounter
>>> from fluorologic.solver import Engine
>>> engine = Engine()
>>> encs = [parse_encounter({"encounter_id": f"k{i}", "date_of_service": "2024-08-01", "place_of_service": "11",
...                          "lines": [{"code": "20610", "site": "left knee"}, {"code": code}]})
...         for i, code in enumerate(["77002", "77003"])]
>>> sols = BatchSolver(engine).solve_encounters(encs)
>>> [s.atoms == engine.solve_encounter(e).atoms for s, e in zip(sols, encs)]
[True, True]

"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import clingo
from clingo import Function, Number, Symbol, ast

from fluorologic.errors import EncodingError
from fluorologic.factcache import FactCache
from fluorologic.keyed import DAT, IN, ROWS, keyed_program

if TYPE_CHECKING:
    from fluorologic.encounter import Encounter
    from fluorologic.solver import Engine, Solution

__all__ = ["BatchSolver", "SolveTimeout"]

_ARGS = ["--opt-mode=optN", "--opt-strategy=usc", "--models=1", "--warn=none"]


class SolveTimeout(Exception):  # noqa: N818 (it is a result, not a failure of fluorologic)
    """The batch was not solved within the time limit; its encounters need review by a person."""


class BatchSolver:
    """Solve lists of validated encounters in one program each; reuse it (it caches rule rows)."""

    def __init__(self, engine: Engine, *, max_groups: int = 20_000) -> None:
        self.engine = engine
        self.program = keyed_program(engine._program)
        self.cache = FactCache(engine.data, engine.places)
        self.max_groups = max_groups
        self._dat: dict[int, list[Symbol]] = {}

    def _control(self) -> clingo.Control:
        ctl = clingo.Control(_ARGS, logger=lambda _code, _msg: None)
        with ast.ProgramBuilder(ctl) as builder:
            for stm in self.program:
                builder.add(stm)
        return ctl

    def _group_atoms(self, number: int, atoms: Sequence[Symbol]) -> list[Symbol]:
        wrapped = self._dat.get(number)
        if wrapped is None:
            if len(self._dat) >= self.max_groups:
                self._dat.clear()
            g = Number(number)
            wrapped = self._dat[number] = [Function(DAT + a.name, [g, a]) for a in atoms]
        return wrapped

    def solve_encounters(self, encs: Sequence[Encounter], *, timeout: float | None = None) -> list[Solution]:
        """The solutions of ``encs`` in order.

        Raises
        ------
        SolveTimeout
            When ``timeout`` seconds pass before the optimum is proven (grounding is not interrupted).

        """
        from fluorologic.facts import Facts
        from fluorologic.solver import Solution

        if not encs:
            return []
        ctl = self._control()
        facts: list[Facts] = []
        groups: set[int] = set()
        with ctl.backend() as backend:
            add_atom, add_rule = backend.add_atom, backend.add_rule
            for k, enc in enumerate(encs):
                own = self.cache.own_facts(enc)
                part = self.cache.rule_part(enc)
                facts.append(Facts(atoms=own.atoms + list(part.atoms), rows=dict(part.rows)))
                key = Number(k)
                add_rule([add_atom(Function(ROWS, [key, Number(part.number)]))])
                for atom in own.atoms:
                    add_rule([add_atom(Function(IN + atom.name, [key, atom]))])
                if part.number not in groups:
                    groups.add(part.number)
                    for atom in self._group_atoms(part.number, part.atoms):
                        add_rule([add_atom(atom)])
        ctl.ground([("base", [])])
        shown: list[Symbol] = []

        def on_model(model: clingo.Model) -> None:
            if model.optimality_proven:
                shown[:] = model.symbols(shown=True)

        with ctl.solve(on_model=on_model, async_=True) as handle:
            if not handle.wait(timeout):
                handle.cancel()
                raise SolveTimeout(f"no proven optimum within {timeout} seconds")
            result = handle.get()
        if not result.satisfiable or not shown:
            raise EncodingError("the encodings admit no answer set; stability is soft, so this is a defect")
        per: list[list[Symbol]] = [[] for _ in encs]
        for sym in shown:
            k, atom = sym.arguments
            per[k.number].append(atom)
        return [Solution(enc, f, tuple(sorted(atoms))) for enc, f, atoms in zip(encs, facts, per, strict=True)]
