"""Benchmark: encounters/s on one core and on all cores, latency, peak memory, and the pairwise baseline.

Runs in one process on the same generated encounters (bench/generate.py):

* ``single``: the one-encounter path (``Engine.solve``, one clingo program per encounter): the "before";
* ``batch``: the keyed batch path (``Engine.solve_many``, one program per chunk) on one core;
* ``pool``: ``fluorologic solve --workers N`` machinery (process pool, ordered output) on all cores;
* ``baseline``: a plain pairwise PTP/MUE checker (bench/baseline.py) on the same encounters, and the
  count and kinds of encounters where its answer differs from fluorologic's;
* ``memo``: the share of the measured encounters the memos answered (steady state: after the warm-up
  stream of the same practice), and ``memo_hit``: the CPU cost of an encounter the memo answers, from
  its JSON line to its output line;
* ``front``: ``fluorologic solve --workers 1``'s own path (the memo in front, the misses of several chunks
  solved together) at steady state: after ``--front-warm`` other encounters of the same stream.

Each figure is given for both streams of bench/generate.py (``--stream``): the *cold* one, whose
encounters seldom repeat, and the *realistic* one, one practice's few dozen code combinations.

CPU figures use process time where a single process does the work, so that other load on a shared
machine shows less; wall-clock figures are given for the pool. Usage::

    python bench/bench_solve.py -n 5000 --single 300 --pool-n 20000
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import random
import resource
import statistics
import sys
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.baseline import PairwiseChecker, differences  # noqa: E402
from bench.generate import generate, realistic  # noqa: E402
from fluorologic.engine.records import solve_chunk_rendered  # noqa: E402
from fluorologic.engine.solver import Engine  # noqa: E402
from fluorologic.run import parallel  # noqa: E402
from fluorologic.run.batchrun import run_solve  # noqa: E402
from fluorologic.run.parallel import default_workers  # noqa: E402


def _pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(p * len(values)))]


def bench_single(engine: Engine, encs: list[dict]) -> dict[str, float]:
    lat = []
    cpu0 = time.process_time()
    for e in encs:
        t = time.perf_counter()
        engine.solve(e)
        lat.append(time.perf_counter() - t)
    cpu = time.process_time() - cpu0
    return {"encounters": len(encs), "enc_per_s_cpu": round(len(encs) / cpu, 1),
            "p50_ms": round(1000 * _pct(lat, 0.5), 2), "p99_ms": round(1000 * _pct(lat, 0.99), 2)}


def bench_batch(engine: Engine, encs: list[dict], chunk: int, warm: list[dict]) -> tuple[dict[str, float], list[dict]]:
    engine.solve_many(warm)  # a stream already running: rule rows of the code combinations, symbols, decodings
    hits0 = engine.batch.memo_hits
    lat = []
    out = []
    cpu0 = time.process_time()
    wall0 = time.perf_counter()
    for start in range(0, len(encs), chunk):
        t = time.perf_counter()
        part = engine.solve_many(encs[start:start + chunk])
        lat.append((time.perf_counter() - t, len(part)))
        out.extend(part)
    cpu = time.process_time() - cpu0
    wall = time.perf_counter() - wall0
    per_enc = [t / n for t, n in lat]
    return {"encounters": len(encs), "chunk": chunk, "enc_per_s_cpu": round(len(encs) / cpu, 1),
            "enc_per_s_wall": round(len(encs) / wall, 1),
            "per_encounter_ms_p50": round(1000 * statistics.median(per_enc), 3),
            "per_encounter_ms_p99": round(1000 * _pct(per_enc, 0.99), 3),
            "chunk_latency_ms_p50": round(1000 * statistics.median(t for t, _ in lat), 1),
            "chunk_latency_ms_p99": round(1000 * _pct([t for t, _ in lat], 0.99), 1),
            "memo_hit_rate": round((engine.batch.memo_hits - hits0) / len(encs), 3)}, out


class _ChildPeaks(threading.Thread):
    """The peak resident memory (VmHWM) of each child process, read from /proc twice a second.

    (``getrusage(RUSAGE_CHILDREN)`` would count the parent's pages that a child shares right after fork.)
    """

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peaks: dict[int, int] = {}
        self.done = threading.Event()

    def run(self) -> None:
        me = f"PPid:\t{os.getpid()}\n"
        while not self.done.wait(0.5):
            for status in Path("/proc").glob("[0-9]*/status"):
                try:
                    text = status.read_text()
                except OSError:
                    continue
                if me in text:
                    kb = next((int(ln.split()[1]) for ln in text.splitlines() if ln.startswith("VmHWM:")), 0)
                    pid = int(status.parent.name)
                    self.peaks[pid] = max(self.peaks.get(pid, 0), kb)


def bench_pool(text: str, workers: int, chunk: int) -> dict[str, float]:
    parallel._WORKER_ENGINE = None  # every run starts cold, in this process or in fresh workers
    out = io.StringIO()
    peaks = _ChildPeaks()
    peaks.start()
    t = time.perf_counter()
    run_solve(io.StringIO(text), "jsonl", out=out, workers=workers, chunk_size=chunk, summary=False,
              err=io.StringIO())
    wall = time.perf_counter() - t
    peaks.done.set()
    peaks.join()
    n = out.getvalue().count("\n")
    return {"workers": workers, "encounters": n, "enc_per_s_wall": round(n / wall, 1),
            "worker_peak_rss_mb": round(max(peaks.peaks.values(), default=0) / 1024, 1)}


def bench_baseline(encs: list[dict], results: list[dict]) -> dict[str, object]:
    checker = PairwiseChecker()
    cpu0 = time.process_time()
    answers = [checker.check(e) for e in encs]
    cpu = time.process_time() - cpu0
    kinds: Counter[str] = Counter()
    differing = 0
    for base, fl in zip(answers, results, strict=True):
        if "error" in fl:
            continue
        found = differences(base, fl)
        if found:
            differing += 1
            kinds.update(found)
    return {"enc_per_s_cpu": round(len(encs) / cpu, 1), "differing_encounters": differing,
            "kinds": dict(kinds.most_common())}


def bench_hits(engine: Engine, encs: list[dict], chunk: int) -> dict[str, float]:
    """The cost of an encounter the memo answers: read its JSON line, validate, key, splice, write (CPU)."""
    texts = [json.dumps(e) for e in encs]
    for start in range(0, len(texts), chunk):  # remember every answer
        solve_chunk_rendered(engine, [json.loads(t) for t in texts[start:start + chunk]])
    hits = engine.batch.memo_hits
    out = io.StringIO()
    cpu0 = time.process_time()
    for start in range(0, len(texts), chunk):
        out.write("".join(text + "\n" for text, _ in
                          solve_chunk_rendered(engine, [json.loads(t) for t in texts[start:start + chunk]])))
    cpu = time.process_time() - cpu0
    return {"encounters": len(encs), "hits": engine.batch.memo_hits - hits,
            "hit_us_cpu": round(1e6 * cpu / len(encs), 1)}


def bench_front(encs: list[dict], warm: list[dict], chunk: int) -> dict[str, float]:
    """``fluorologic solve --workers 1``'s path at steady state, in this process (CPU).

    The memo in front (every encounter read, validated and keyed; the misses of several chunks solved
    together) after ``warm``, other encounters of the same practice, went through it.
    """
    parallel._WORKER_ENGINE = None
    texts = ["".join(json.dumps(e) + "\n" for e in part) for part in (warm, encs)]
    run_solve(io.StringIO(texts[0]), "jsonl", out=io.StringIO(), workers=1, chunk_size=chunk, summary=False,
              err=io.StringIO())
    batch = parallel._engine().batch
    solved, hits = batch.solved, batch.result_memo.hits
    cpu0 = time.process_time()
    run_solve(io.StringIO(texts[1]), "jsonl", out=io.StringIO(), workers=1, chunk_size=chunk, summary=False,
              err=io.StringIO())
    cpu = time.process_time() - cpu0
    return {"encounters": len(encs), "warm": len(warm), "enc_per_s_cpu": round(len(encs) / cpu, 1),
            "solved": batch.solved - solved, "memo_hits": batch.result_memo.hits - hits}


def stream(name: str, n: int, seed: int) -> list[dict]:
    """``n`` encounters of the named stream (bench/generate.py): ``cold`` or ``realistic``."""
    return generate(n, seed=seed) if name == "cold" else realistic(n, seed=seed)


def bench_stream(name: str, args: argparse.Namespace) -> dict[str, object]:
    """Every figure of one stream (see the module docstring)."""
    encs = stream(name, args.n, args.seed)
    if args.distinct:
        rng = random.Random(args.seed)
        encs = [dict(encs[i % args.distinct], encounter_id=f"r{i:07d}") for i in range(args.n)]
        if args.redate:
            start = dt.date(2023, 1, 1)
            for e in encs[args.distinct:]:
                e["date_of_service"] = (start + dt.timedelta(days=rng.randrange(3 * 365))).isoformat()
    engine = Engine()
    report: dict[str, object] = {"stream": name, "distinct": args.distinct or args.n, "redate": args.redate}
    if args.single:
        report["single"] = bench_single(engine, encs[:args.single])
    warm = stream(name, args.warm, args.seed + 1000)  # other encounters of the same mix (the same practice)
    report["batch"], results = bench_batch(engine, encs, args.chunk, warm)
    if args.memo:
        report["front"] = bench_front(encs, stream(name, args.front_warm, args.seed + 2000), args.chunk)
        report["results_kept"] = len(engine.batch.result_memo)
        report["memo_hit"] = bench_hits(Engine(), encs[:args.hits], args.chunk)
    if args.single:
        report["speedup_batch_vs_single_cpu"] = round(report["batch"]["enc_per_s_cpu"]  # type: ignore[index]
                                                      / report["single"]["enc_per_s_cpu"], 1)  # type: ignore[index]
        same = sum(engine.solve(e) == r for e, r in zip(encs[:args.single], results, strict=False))
        report["single_equals_batch"] = f"{same}/{min(args.single, len(results))}"
    report["self_peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    if args.pool_n >= 0:
        pool_encs = encs if not args.pool_n else stream(name, args.pool_n, args.seed)
        text = "".join(json.dumps(e) + "\n" for e in pool_encs)
        one = bench_pool(text, 1, args.chunk)
        report["pool_1"] = one
        allc = bench_pool(text, default_workers(), args.chunk)
        report["pool_all"] = allc
        report["pool_scaling"] = round(allc["enc_per_s_wall"] / one["enc_per_s_wall"], 2)
    report["baseline"] = bench_baseline(encs, results)
    report["ratio_baseline_to_fluorologic_cpu"] = round(
        report["baseline"]["enc_per_s_cpu"] / report["batch"]["enc_per_s_cpu"], 1)  # type: ignore[index]
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=5000, help="encounters for the batch, pool and baseline runs")
    parser.add_argument("--stream", choices=("cold", "realistic", "both"), default="both",
                        help="cold: varied encounters that seldom repeat; realistic: one practice's stream")
    parser.add_argument("--single", type=int, default=300, help="encounters for the one-at-a-time run (0: none)")
    parser.add_argument("--chunk", type=int, default=256)
    parser.add_argument("--warm", type=int, default=5000,
                        help="other encounters of the same mix solved first, as in a stream already running "
                             "(the batch figures are then the steady state; 0: from cold)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--memo", action=argparse.BooleanOptionalAction, default=True,
                        help="keep the answer memos on (the default; off: measure the solver alone)")
    parser.add_argument("--hits", type=int, default=5000, help="encounters for the memo-hit cost")
    parser.add_argument("--front-warm", type=int, default=20000,
                        help="encounters of the same stream through the memo front before its figure")
    parser.add_argument("--distinct", type=int, default=0,
                        help="draw the n encounters from this many distinct ones under fresh ids (a repetitive "
                             "stream, as claims are; use with --memo)")
    parser.add_argument("--redate", action="store_true",
                        help="with --distinct: each repeat on another day of 2023-2025 (the same services on "
                             "other days; the memo key sees only where a date falls among the rule dates)")
    parser.add_argument("--pool-n", type=int, default=0,
                        help="encounters for the pool runs (default: n; -1: no pool run); scaling needs a stream "
                             "long enough to amortise starting the workers")
    args = parser.parse_args()
    if not args.memo:
        os.environ["FLUOROLOGIC_MEMO_SIZE"] = "0"  # inherited by the pool's worker processes
    report: dict[str, object] = {"cores": default_workers(), "load_average": os.getloadavg(), "memo": args.memo}
    for name in (("cold", "realistic") if args.stream == "both" else (args.stream,)):
        report[name] = bench_stream(name, args)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
