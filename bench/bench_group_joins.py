"""Experiment (issue 12, item 1 B): the data-only joins once per rule part and date bucket, against today's program.

Both in one process, batch by batch alternately, on the same encounters (CPU time, memos off):

* **today**: the keyed program of the whole encodings; each encounter's rule rows come from its rule part's group
  facts through the bridge rules, and the in-force rules ground per encounter;
* **split**: :class:`fluorologic.engine.multisolve.BatchSolver` with :mod:`fluorologic.engine.datajoin`: the
  data-only rules grounded once per new (rule part, date bucket) in a separate program, their atoms passed as
  group facts, the rest grounded per encounter.

Phases per encounter: the facts (for *split* with the data program of the new groups), grounding, solving,
and the whole ``solve_encounters``. Also the fixed cost of a batch of one encounter. The shown atoms are
checked equal. Usage::

    python bench/bench_group_joins.py -n 2048
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path

import clingo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.generate import generate, realistic  # noqa: E402
from fluorologic.contract.encounter import parse_encounter  # noqa: E402
from fluorologic.engine import multisolve  # noqa: E402
from fluorologic.engine.encodings import program_text  # noqa: E402
from fluorologic.engine.factcache import RulePart  # noqa: E402
from fluorologic.engine.keyed import DAT, ROWS, keyed_program  # noqa: E402
from fluorologic.engine.multisolve import BatchSolver  # noqa: E402
from fluorologic.engine.solver import Engine  # noqa: E402
from fluorologic.engine.terms import Atom  # noqa: E402


class TodaySolver(BatchSolver):
    """The batch path before the split: the whole keyed program, group facts per rule part (main at 916016b)."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine, memo_size=0)
        self.program = keyed_program(program_text(explain=False))
        self._dat: dict[int, list[int]] = {}

    def _group_facts(self, part: RulePart) -> list[int]:
        wrapped = self._dat.get(part.number)
        if wrapped is None:
            if len(self._dat) >= self.max_groups:
                self._dat.clear()
            raw = self.raw
            g = raw.term(part.number)
            wrapped = self._dat[part.number] = [raw.function(DAT + name, [g, raw.atom(name, args)])
                                                for name, args in part.terms]
        return wrapped

    def batch_facts(self, inputs: Sequence[tuple[list[Atom], RulePart]]) -> Iterator[list[int]]:
        groups: set[int] = set()
        for k, (own, part) in enumerate(inputs):
            atom, key = self.raw.atom, self.raw.term(k)
            facts = [*(atom(name, args, key) for name, args in own), atom(ROWS, (part.number,), key)]
            if part.number not in groups:
                groups.add(part.number)
                facts.extend(self._group_facts(part))
            yield facts


def timed_batch(solver: BatchSolver, encs: list, times: Counter[str], prefix: str) -> list[tuple[int, ...]]:
    """Solve ``encs`` in one batch, adding the CPU time of each phase to ``times``."""
    ground, solve = clingo.Control.ground, clingo.Control.solve

    def g(self: clingo.Control, *a: object, **k: object) -> object:
        t = time.process_time()
        try:
            return ground(self, *a, **k)
        finally:
            times[prefix + "ground"] += time.process_time() - t

    def s(self: clingo.Control, *a: object, **k: object) -> object:
        t = time.process_time()
        try:
            return solve(self, *a, **k)
        finally:
            times[prefix + "solve"] += time.process_time() - t

    clingo.Control.ground, clingo.Control.solve = g, s  # type: ignore[method-assign]
    try:
        t = time.process_time()
        sols = solver.solve_encounters(encs)
        times[prefix + "total"] += time.process_time() - t
    finally:
        clingo.Control.ground, clingo.Control.solve = ground, solve  # type: ignore[method-assign]
    return [s.atoms for s in sols]


def run(solvers: dict[str, BatchSolver], raws: list[dict], chunk: int) -> dict[str, object]:
    """Both solvers, batch by batch alternately (the order swapped every batch)."""
    encs = [parse_encounter(r) for r in raws]
    times: Counter[str] = Counter()
    unequal = 0
    names = list(solvers)
    for i, start in enumerate(range(0, len(encs), chunk)):
        part = encs[start:start + chunk]
        got = {}
        for name in names if i % 2 == 0 else names[::-1]:
            got[name] = timed_batch(solvers[name], part, times, name + ": ")
        unequal += sum(a != b for a, b in zip(got["today"], got["split"], strict=True))
    n = len(encs)
    us = {k: round(1e6 * v / n, 1) for k, v in sorted(times.items())}
    return {"encounters": n, "us_per_encounter": us,
            "total_today_over_split": round(times["today: total"] / times["split: total"], 3),
            "ground_today_over_split": round(times["today: ground"] / times["split: ground"], 3),
            "encounters_with_other_shown_atoms": unequal}


def fixed_cost(solvers: dict[str, BatchSolver], raws: list[dict], rounds: int = 40) -> dict[str, float]:
    """CPU ms of a batch of one (known) encounter: the program's fixed cost."""
    enc = [parse_encounter(raws[0])]
    out: Counter[str] = Counter()
    for solver in solvers.values():
        solver.solve_encounters(enc)
    for _ in range(rounds):
        for name, solver in solvers.items():
            t = time.process_time()
            solver.solve_encounters(enc)
            out[name] += time.process_time() - t
    return {k: round(1e3 * v / rounds, 2) for k, v in out.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=2048, help="encounters per stream")
    parser.add_argument("--chunk", type=int, default=256)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--streams", default="cold,realistic")
    args = parser.parse_args()
    engine = Engine()
    report: dict[str, object] = {"load_average": os.getloadavg()}
    makers = {"cold": generate, "realistic": realistic}
    for name in args.streams.split(","):
        solvers = {"today": TodaySolver(engine), "split": BatchSolver(engine, memo_size=0)}
        run(solvers, makers[name](1024, seed=args.seed + 1000), args.chunk)  # warm: rule parts, symbols
        report[name] = run(solvers, makers[name](args.n, seed=args.seed), args.chunk)
        report[name]["batch_of_one_ms"] = fixed_cost(solvers, makers[name](1, seed=args.seed))  # type: ignore[index]
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    assert multisolve.BatchSolver is BatchSolver
    main()
