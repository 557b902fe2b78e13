"""Benchmark: what explaining costs on top of solving, on generated encounters.

Reports, on N generated encounters (default 1,000), run in the same process and interleaved per encounter:

* ``solve``: ``Engine.solve`` (the plain Result), the baseline;
* ``explain``: ``fluorologic.explanation.explain`` (solve + decode) + ``graph()`` + node-link JSON + a ``why``
  answer for every code of the encounter (without the re-solving "what would change it");
* ``solve without explain.lp``: the core encodings alone, to show what the extra shown atoms cost the solve;
* the "what would change it" re-solves, timed separately on the codes that are excluded.

Usage: python bench/bench_explain.py [N] [--seed S]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from typing import Any

from fluorologic.engine.encodings import encodings_dir
from fluorologic.engine.solver import Engine
from fluorologic.explanation.explain import explain

PROCEDURES = ["20610", "20611", "22514", "27093", "27096", "27506", "62270", "62273", "62322", "62323", "64483",
              "64484", "64490", "27245", "23350"]
IMAGING = ["76000", "77002", "77003"]
SITES = ["L4-L5", "L5-S1", "left knee", "right hip", "C6-C7", "left femoral shaft", None]
DATES = ["2009-11-03", "2024-08-14", "2026-03-10"]
PLACES = ["11", "19", "21", "22", "24"]


def generate(n: int, seed: int) -> list[dict[str, Any]]:
    """``n`` encounters of 1-5 lines drawn from a pool of procedures and imaging codes."""
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        lines = []
        for _ in range(rnd.randint(1, 3)):
            lines.append({"code": rnd.choice(PROCEDURES), "site": rnd.choice(SITES) or "unspecified"})
        for _ in range(rnd.randint(0, 2)):
            line: dict[str, Any] = {"code": rnd.choice(IMAGING), "units": rnd.choice([1, 1, 1, 2])}
            if rnd.random() < 0.3:
                line["modifiers"] = [rnd.choice(["26", "TC", "59", "XS"])]
            if rnd.random() < 0.2:
                line["distinct"] = True
            lines.append(line)
        out.append({"encounter_id": f"g{i}", "date_of_service": rnd.choice(DATES),
                    "place_of_service": rnd.choice(PLACES), "lines": lines})
    return out


def core_program() -> str:
    """The program text of main.lp without explain.lp (the core as it was before explanations)."""
    files = [p for p in sorted(encodings_dir().glob("*.lp")) if p.name not in ("main.lp", "explain.lp")]
    return "\n".join(p.read_text(encoding="utf-8") for p in files)


def explain_all(engine: Engine, raw: dict[str, Any]) -> None:
    """Everything an analyst's tool asks of one encounter, short of re-solving."""
    ex = explain(raw, engine)
    ex.graph_json()
    for code in sorted({ln["code"] for ln in raw["lines"]}):
        ex.explain(code, what_if=False)


def main() -> None:
    """Run the benchmark and print the figures."""
    ap = argparse.ArgumentParser()
    ap.add_argument("n", nargs="?", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=3)
    args = ap.parse_args()
    encounters = generate(args.n, args.seed)
    engine, core = Engine(), Engine()
    core._program = core_program()  # the baseline without explain.lp
    for raw in encounters[:20]:  # warm-up
        engine.solve(raw)
        explain_all(engine, raw)
    t_solve = t_explain = t_core = 0.0
    for i, raw in enumerate(encounters):
        jobs = [("solve", lambda r=raw: engine.solve(r)), ("explain", lambda r=raw: explain_all(engine, r)),
                ("core", lambda r=raw: core.solve(r))]
        if i % 2:
            jobs.reverse()
        for name, job in jobs:
            t0 = time.perf_counter()
            job()
            dt = time.perf_counter() - t0
            if name == "solve":
                t_solve += dt
            elif name == "explain":
                t_explain += dt
            else:
                t_core += dt
    n = len(encounters)
    print(f"encounters: {n} (seed {args.seed}); machine shared with other jobs: compare ratios, not seconds")
    print(f"solve (Engine.solve, with explain.lp atoms): {t_solve:.2f} s, {1000 * t_solve / n:.2f} ms/encounter")
    print(f"solve with the core encodings only:          {t_core:.2f} s, {1000 * t_core / n:.2f} ms/encounter")
    print(f"explain + solve (graph, JSON, why per code): {t_explain:.2f} s, {1000 * t_explain / n:.2f} ms/encounter")
    print(f"ratio explain+solve / solve:                 {t_explain / t_solve:.3f}x")
    print(f"ratio explain+solve / core solve:            {t_explain / t_core:.3f}x")
    sample = encounters[: max(1, n // 20)]
    times = []
    for raw in sample:
        ex = explain(raw, engine)
        for e in ex.result["excluded"]:
            t0 = time.perf_counter()
            ex.explain(e["code"], what_if=True)
            times.append(time.perf_counter() - t0)
    if times:
        print(f"why with 'what would change it' (re-solves), {len(times)} excluded codes: median "
              f"{1000 * statistics.median(times):.1f} ms, max {1000 * max(times):.1f} ms")


if __name__ == "__main__":
    main()
