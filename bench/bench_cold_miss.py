"""Benchmark: the CPU cost of a cold miss on the batch path, with the time of each step and of the collector.

A *cold miss* is an encounter no memo answers and whose code combination is seldom seen: ``Engine.solve_many``
on the cold stream of bench/generate.py with every memo off (``FLUOROLOGIC_MEMO_SIZE=0``), in chunks of 256,
after a warm-up stream of the same mix (a process already running). Issue 23 holds it to at most 10% slower
than the previous release: run this file from a checkout of each, alternately, in the same minutes, and compare
the minima (the machine is shared; CPU time still moves with the other tenants' load)::

    python bench/bench_cold_miss.py -n 3000          # one JSON line: CPU seconds, encounters/s, steps, collector

The steps are measured by wrapping the functions that exist in this checkout (validation, rule parts, the
clingo solve with its facts, decoding, rendering); the collector's time is measured by ``gc.callbacks`` and is
inside the steps.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

os.environ["FLUOROLOGIC_MEMO_SIZE"] = "0"  # before the engine reads it: the solver alone
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.generate import generate  # noqa: E402
from fluorologic.engine.solver import Engine  # noqa: E402


def _timed(owner: Any, name: str, label: str, acc: dict[str, float]) -> None:
    """Wrap ``owner.name`` so that its CPU time adds up under ``label`` (where the checkout has it)."""
    inner = getattr(owner, name, None)
    if inner is None:
        return

    def timed(*args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        try:
            return inner(*args, **kwargs)
        finally:
            acc[label] = acc.get(label, 0.0) + time.process_time() - start

    setattr(owner, name, timed)


def _module(*names: str) -> Any:
    """The first of ``names`` this checkout has (the fast path moved to ``engine/fastpath/`` in December 2026)."""
    for name in names:
        try:
            return importlib.import_module(name)
        except ImportError:
            continue
    raise ImportError(names[-1])


def _steps(acc: dict[str, float]) -> None:
    records = importlib.import_module("fluorologic.engine.records")
    multisolve = _module("fluorologic.engine.fastpath.multisolve", "fluorologic.engine.multisolve")
    factcache = _module("fluorologic.engine.fastpath.factcache", "fluorologic.engine.factcache")
    _timed(records, "validated", "validate", acc)
    _timed(factcache.FactCache, "rule_part", "rule_parts", acc)
    _timed(factcache.FactCache, "own_facts", "own_facts", acc)
    _timed(multisolve.BatchSolver, "_solve", "solve", acc)
    _timed(multisolve, "decode", "decode", acc)
    _timed(multisolve, "to_json", "render", acc)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=3000, help="cold encounters measured")
    parser.add_argument("--warm", type=int, default=2000, help="encounters of the same mix solved first")
    parser.add_argument("--chunk", type=int, default=256)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--steps", action=argparse.BooleanOptionalAction, default=True,
                        help="time each step (a wrapper per call: about 1% more)")
    args = parser.parse_args()
    encs = generate(args.n, seed=args.seed)
    engine = Engine()
    engine.solve_many(generate(args.warm, seed=args.seed + 1000))
    acc: dict[str, float] = {}
    if args.steps:
        _steps(acc)
    collector = {"cpu": 0.0, "full": 0}
    began: list[float] = [0.0]

    def on_gc(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            began[0] = time.process_time()
        else:
            collector["cpu"] += time.process_time() - began[0]
            collector["full"] += info["generation"] == 2

    gc.callbacks.append(on_gc)
    start = time.process_time()
    for i in range(0, len(encs), args.chunk):
        engine.solve_many(encs[i:i + args.chunk])
    cpu = time.process_time() - start
    gc.callbacks.remove(on_gc)
    print(json.dumps({"encounters": len(encs), "cpu_s": round(cpu, 3), "enc_per_s_cpu": round(len(encs) / cpu, 1),
                      "steps_s": {k: round(v, 3) for k, v in sorted(acc.items())},
                      "collector_s": round(collector["cpu"], 3), "full_collections": collector["full"],
                      "load_average": os.getloadavg()}))


if __name__ == "__main__":
    main()
