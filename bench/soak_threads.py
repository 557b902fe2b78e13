"""Soak: the in-process API from many threads at once, every answer checked against the sequential one.

A scrubber embeds fluorologic and calls it from a threaded server. This runs ``fluorologic.solve``,
``Engine.solve``, ``Engine.solve_many`` and ``fluorologic.explain`` from ``--threads`` threads at once (all
released together by a barrier, each in its own shuffled order) over the same encounters, round after
round with a fresh ``Engine`` each round (so the memos start empty and the threads race to fill them),
and compares every Result, rendered to JSON, with the one the same encounter gets solved alone,
sequentially, before any thread starts. ``faulthandler`` is on: a crash in clingo prints the Python stack
of every thread.

It prints one JSON line (rounds, calls, calls per second, mismatches, peak memory) and exits 1 on any
mismatch or exception. ``tests/test_threads.py`` runs it briefly in CI; a longer soak::

    python bench/soak_threads.py -n 400 --threads 8 --seconds 600
    python bench/soak_threads.py --input encounters.jsonl --threads 16 --rounds 50
"""

from __future__ import annotations

import argparse
import faulthandler
import json
import random
import resource
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import fluorologic  # noqa: E402
from bench.generate import generate, realistic  # noqa: E402
from fluorologic.contract.render import to_json  # noqa: E402

#: How a thread asks for a Result: each call picks one, so that every entry point runs beside every other.
CALLS = ("solve", "engine", "many", "explain")


def _encounters(args: argparse.Namespace) -> list[dict[str, Any]]:
    if args.input:
        return [json.loads(line) for line in Path(args.input).read_text(encoding="utf-8").splitlines() if line.strip()]
    half = args.n // 2
    # the cold stream (answers seldom repeat) and a practice's stream (the memo answers most of it)
    return generate(half, seed=args.seed) + realistic(args.n - half, seed=args.seed)


def _worker(engine: fluorologic.Engine, raws: list[dict[str, Any]], expected: list[str], order: list[int],
            barrier: threading.Barrier, seed: int, out: dict[str, Any]) -> None:
    rng = random.Random(seed)
    barrier.wait()
    calls = 0
    for start in range(0, len(order), 5):
        chunk = order[start:start + 5]
        how = rng.choice(CALLS)
        try:
            if how == "many":
                got = [to_json(r) for r in engine.solve_many([raws[i] for i in chunk])]
            elif how == "solve":
                got = [to_json(fluorologic.solve(raws[i])) for i in chunk]
            elif how == "engine":
                got = [to_json(engine.solve(raws[i])) for i in chunk]
            else:
                got = [to_json(fluorologic.explain(raws[i], engine).result) for i in chunk]
        except Exception as exc:  # noqa: BLE001 (counted and reported: the soak must say what failed)
            out["errors"].append(f"{how}: {type(exc).__name__}: {exc}")
            continue
        calls += len(chunk)
        for i, text in zip(chunk, got, strict=True):
            if text != expected[i]:
                out["mismatches"].append({"call": how, "index": i})
    out["calls"] += calls


def run(raws: list[dict[str, Any]], *, threads: int, rounds: int | None, seconds: float | None,
        seed: int = 1) -> dict[str, Any]:
    """Solve ``raws`` sequentially, then from ``threads`` threads for ``rounds`` rounds (or ``seconds``)."""
    with fluorologic.Engine() as reference:  # sequential, with its own memo: the answers the threads must give
        expected = [to_json(reference.solve(raw)) for raw in raws]
    out: dict[str, Any] = {"calls": 0, "mismatches": [], "errors": []}
    started = time.monotonic()
    done = 0
    while True:
        if rounds is not None and done >= rounds:
            break
        if seconds is not None and time.monotonic() - started >= seconds:
            break
        with fluorologic.Engine() as engine:  # a fresh engine: empty memos, threads racing to fill them
            barrier = threading.Barrier(threads)
            workers = []
            for t in range(threads):
                order = list(range(len(raws)))
                random.Random(seed * 1000 + done * 100 + t).shuffle(order)
                workers.append(threading.Thread(target=_worker, args=(engine, raws, expected, order, barrier,
                                                                      seed + t, out)))
            for w in workers:
                w.start()
            for w in workers:
                w.join()
        done += 1
    elapsed = time.monotonic() - started
    return {"threads": threads, "encounters": len(raws), "rounds": done, "calls": out["calls"],
            "calls_per_s": round(out["calls"] / elapsed, 1) if elapsed else None,
            "mismatches": len(out["mismatches"]), "first_mismatches": out["mismatches"][:5],
            "errors": len(out["errors"]), "first_errors": out["errors"][:5],
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}


def main(argv: list[str] | None = None) -> int:
    """Run the soak; print its summary as one JSON line; exit 1 on a mismatch or an exception."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input", help="encounters as JSON Lines (default: generated)")
    parser.add_argument("-n", type=int, default=200, help="generated encounters (half cold, half a practice's)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--rounds", type=int, help="rounds (default: 3, or as many as fit in --seconds)")
    parser.add_argument("--seconds", type=float, help="run rounds until this many seconds have passed")
    args = parser.parse_args(argv)
    faulthandler.enable(all_threads=True)
    rounds = args.rounds if args.rounds is not None or args.seconds is not None else 3
    summary = run(_encounters(args), threads=args.threads, rounds=rounds, seconds=args.seconds, seed=args.seed)
    print(json.dumps(summary))
    return 1 if summary["mismatches"] or summary["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
