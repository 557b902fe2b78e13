"""Benchmark: one encounter at a time through the public API, before and after issue 30, in one run.

A scrubber calls ``fluorologic.solve`` once per claim. This measures, on the same encounters, interleaved
call by call so that a busy machine slows both alike:

* **before**: the path ``Engine.solve`` took until issue 30 (a ``Control`` per call with the whole program,
  ``explain.lp`` included, facts as AST rules, no memo): ``decode(engine.solve_encounter(enc))``;
* **after, cold**: ``Engine.solve`` on an encounter the memo has not seen (the one-encounter program of the
  batch solver, facts through clingo's backend, rule rows from the fact cache);
* **after, repeat**: ``Engine.solve`` on an encounter seen before under another id (the canonical memo).

It prints p50 and p95 of CPU time and of wall time per call, in ms, and the ratios after / before. Usage::

    python bench/bench_single.py -n 400
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.generate import generate  # noqa: E402
from fluorologic.contract.encounter import parse_encounter  # noqa: E402
from fluorologic.engine.decode import decode  # noqa: E402
from fluorologic.engine.solver import Engine  # noqa: E402


def _timed(call: Callable[[], Any], cpu: list[float], wall: list[float]) -> None:
    c, w = time.process_time(), time.perf_counter()
    call()
    cpu.append(time.process_time() - c)
    wall.append(time.perf_counter() - w)


def _p(values: list[float], q: float) -> float:
    return round(1e3 * sorted(values)[min(len(values) - 1, int(q * len(values)))], 3)


def measure(n: int, seed: int = 11) -> dict[str, Any]:
    """The figures on ``n`` cold generated encounters (see the module docstring)."""
    raws = [r for r in generate(n + 20, seed=seed) if isinstance(r, dict)]
    before_engine, engine = Engine(), Engine()
    for raw in raws[:20]:  # warm-up: parsed programs, rule rows, interned symbols
        decode(before_engine.solve_encounter(parse_encounter(raw, before_engine.places)))
        engine.solve(raw)
    times: dict[str, tuple[list[float], list[float]]] = {k: ([], []) for k in ("before", "cold", "repeat")}
    misses = 0
    for raw in raws[20:]:
        memo = engine.batch.result_memo
        seen = memo.misses
        _timed(lambda raw=raw: decode(before_engine.solve_encounter(parse_encounter(raw, before_engine.places))),
               *times["before"])
        _timed(lambda raw=raw: engine.solve(raw), *times["cold"])
        misses += memo.misses - seen
        again = dict(raw, encounter_id=raw["encounter_id"] + "-again")
        _timed(lambda again=again: engine.solve(again), *times["repeat"])
    out: dict[str, Any] = {"encounters": len(raws) - 20, "cold_misses": misses}
    for name, (cpu, wall) in times.items():
        out[name] = {"cpu_p50_ms": _p(cpu, .5), "cpu_p95_ms": _p(cpu, .95),
                     "wall_p50_ms": _p(wall, .5), "wall_p95_ms": _p(wall, .95)}
    for name in ("cold", "repeat"):
        out[f"{name}_over_before"] = {k: round(out[name][k] / out["before"][k], 3) for k in out["before"]}
    return out


def main(argv: list[str] | None = None) -> int:
    """Print the figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=300)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args(argv)
    print(json.dumps(measure(args.n, args.seed), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
