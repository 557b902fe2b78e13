"""Spark against the CLI on the same encounters, in one run: throughput, JVM start-up, executor memory.

    python bench/bench_spark.py -n 20000                 # throughput: fluorologic solve --workers 2 vs local[2]
    python bench/bench_spark.py -n 20000 --rounds 3 --new-jvm   # every round the first job of a new JVM
    python bench/bench_spark.py -n 50000 --memory-only   # memory of the executor's processes over a long job

Throughput: the JVM is started first and timed on its own; then ``fluorologic solve FILE --workers 2 --format
jsonl -o OUT`` and the Spark job (read the JSON Lines, solve, write Parquet, as ``python -m fluorologic.spark``
does) run on the same file, alternately for ``--rounds`` rounds, and the ratio of each round is reported (the
machine is shared: only ratios measured side by side mean anything), and so is the CPU time each used (the
processes under this one, reaped children included), which the other work on the machine disturbs less.
Memory: every second, the resident memory of each process under this one (the JVM, Spark's Python workers,
the engine processes) is read from /proc; the report gives the peak of each kind, per fifth of the job, and
how many engine processes were used.
Without ``--new-jvm`` only round 1 is the first job after the JVM's start (rounds after it start a new session
on the same, warm, JVM); with it every round starts a new JVM, timed on its own as in round 1. ``--conf
KEY=VALUE`` passes a Spark setting to the session; ``--compare KEY=VALUE`` runs every round's Spark job a
second time with that setting, each in a new JVM, in alternating order, beside the same CLI run (e.g.
``--compare spark.driver.extraJavaOptions=-XX:TieredStopAtLevel=4`` for the JVM's optimizing JIT).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from bench.generate import generate, lines

FLUOROLOGIC = Path(sys.executable).with_name("fluorologic")


def _children() -> dict[int, int]:
    """ppid of every process."""
    out = {}
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                with open(f"/proc/{pid}/stat") as fh:
                    out[int(pid)] = int(fh.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    return out


def _descendants(root: int) -> list[int]:
    parents = _children()
    kids = defaultdict(list)
    for pid, ppid in parents.items():
        kids[ppid].append(pid)
    todo, seen = [root], []
    while todo:
        pid = todo.pop()
        for k in kids.get(pid, ()):
            seen.append(k)
            todo.append(k)
    return seen


def _kind(pid: int) -> str | None:
    try:
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return None
    if "fluorologic.spark.child" in cmd:
        return "engine process"
    if "pyspark.daemon" in cmd or "pyspark/daemon" in cmd or "pyspark.worker" in cmd:
        return "python worker"
    if "java" in cmd.split(" ")[0]:
        return "jvm (driver + executor)"
    return None


def _rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return 0.0


class Sampler(threading.Thread):
    """Reads the resident memory of every process under this one, once a second."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.samples: list[tuple[float, dict[str, float], set[int]]] = []
        self.stop = threading.Event()

    def run(self) -> None:
        start = time.perf_counter()
        while not self.stop.is_set():
            peak: dict[str, float] = defaultdict(float)
            engines = set()
            for pid in _descendants(os.getpid()):
                kind = _kind(pid)
                if kind:
                    peak[kind] = max(peak[kind], _rss_mb(pid))
                    if kind == "engine process":
                        engines.add(pid)
            self.samples.append((time.perf_counter() - start, dict(peak), engines))
            self.stop.wait(1.0)


def _tree_cpu(by_kind: dict[str, float] | None = None) -> float:
    """CPU seconds used so far by the processes under this one (live ones, and the children they reaped)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in _descendants(os.getpid()):
        try:
            with open(f"/proc/{pid}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            own = int(fields[11]) + int(fields[12])  # utime stime
            reaped = int(fields[13]) + int(fields[14])  # cutime cstime: children that ended (recycled engines)
        except (OSError, IndexError, ValueError):
            continue
        total += own + reaped
        if by_kind is not None:
            kind = _kind(pid) or "other"
            by_kind[kind] = by_kind.get(kind, 0.0) + own / tick
            by_kind["ended children"] = by_kind.get("ended children", 0.0) + reaped / tick
    return total / tick


def _stop_jvm() -> None:
    """End the session's JVM, so that the next session starts a new one (pyspark keeps it for the process)."""
    from pyspark import SparkContext

    gateway = SparkContext._gateway
    if gateway is None:
        return
    proc = getattr(gateway, "proc", None)
    gateway.shutdown()
    SparkContext._gateway = None
    SparkContext._jvm = None
    if proc is not None:
        if proc.stdin is not None:
            proc.stdin.close()  # the JVM ends when its parent's pipe closes
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _spark_job(spark: Any, src: Path, out: Path, partitions: int | None = None) -> tuple[float, float]:
    from fluorologic.spark import solve

    before: dict[str, float] = {}
    cpu, t = _tree_cpu(before), time.perf_counter()
    df = spark.read.text(str(src))
    if partitions is None:
        partitions = 4 * spark.sparkContext.defaultParallelism
    solve(df, partitions=partitions or None).write.mode("overwrite").parquet(str(out))
    wall = time.perf_counter() - t
    after: dict[str, float] = {}
    used = _tree_cpu(after) - cpu
    print("  spark CPU s by process: " + ", ".join(f"{k} {after[k] - before.get(k, 0.0):.1f}" for k in sorted(after)),
          flush=True)
    return wall, used


def _cli(src: Path, out: Path) -> tuple[float, float]:
    env = dict(os.environ, FLUOROLOGIC_STORE=str(out.with_name("no-store.sqlite")))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run([str(FLUOROLOGIC), "solve", str(src), "--workers", "2", "--format", "jsonl", "-o", str(out)],
                   check=False, env=env, stderr=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.perf_counter() - t, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=20000)
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--memory-only", action="store_true")
    ap.add_argument("--master", default="local[2]")
    ap.add_argument("--partitions", type=int, help="tasks to solve in (default 4 per core; 0: the read's splits)")
    ap.add_argument("--new-jvm", action="store_true", help="start a new JVM for every round")
    ap.add_argument("--conf", action="append", default=[], metavar="KEY=VALUE", help="a Spark setting")
    ap.add_argument("--compare", action="append", default=[], metavar="KEY=VALUE",
                    help="also run each round's Spark job with this setting, in a new JVM (implies --new-jvm)")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench_spark"))
    src = work / "encounters.jsonl"
    src.write_text("".join(t + "\n" for t in lines(generate(args.n, seed=7, malformed=0.01))))
    sampler = Sampler()
    sampler.start()
    from fluorologic.spark import local_session

    conf = dict(c.split("=", 1) for c in args.conf)
    variants = [("", conf)]
    if args.compare:  # the same jobs with other settings, each in a new JVM, beside the same round's CLI run
        variants.append((" [" + " ".join(args.compare) + "]", {**conf, **dict(c.split("=", 1) for c in args.compare)}))
    rows: dict[str, list[tuple[float, float, float, float]]] = defaultdict(list)
    start_up = 0.0
    spark = None
    for r in range(args.rounds):
        cli = cli_cpu = 0.0
        if not args.memory_only:
            cli, cli_cpu = _cli(src, work / "cli.jsonl")
            print(f"round {r + 1}: fluorologic solve --workers 2: {cli:.1f} s, {args.n / cli:.0f} enc/s, "
                  f"{cli_cpu:.1f} CPU s", flush=True)
        for label, settings in variants if r % 2 == 0 else variants[::-1]:  # alternate the order
            if spark is not None:
                spark.stop()
                if args.new_jvm or args.compare:
                    _stop_jvm()
            # a new session each round: engine processes (and their memo) do not outlive it, as the CLI's don't
            t = time.perf_counter()
            spark = local_session(args.master, **{k.replace(".", "_"): v for k, v in settings.items()})
            spark.range(1).count()
            start_up = start_up or time.perf_counter() - t
            print(f"round {r + 1}{label}: JVM start-up (session and a first job): {time.perf_counter() - t:.1f} s",
                  flush=True)
            job, job_cpu = _spark_job(spark, src, work / "out.parquet", args.partitions)
            print(f"round {r + 1}{label}: spark {args.master} job: {job:.1f} s, {args.n / job:.0f} enc/s, "
                  f"{job_cpu:.1f} CPU s", flush=True)
            if not args.memory_only:
                rows[label].append((cli, job, cli_cpu, job_cpu))
                print(f"round {r + 1}{label}: spark / cli throughput = {cli / job:.2f} (wall), "
                      f"{cli_cpu / job_cpu:.2f} (CPU time per encounter)", flush=True)
    sampler.stop.set()
    sampler.join()
    for label, got in rows.items():
        print(f"median ratio spark{label} / cli: {statistics.median(r[0] / r[1] for r in got):.2f} (wall), "
              f"{statistics.median(r[2] / r[3] for r in got):.2f} (CPU)")
    # memory: peak of each kind, per fifth of the sampled time after start-up
    samples = [s for s in sampler.samples if s[0] >= start_up]
    kinds = sorted({k for _, peak, _ in samples for k in peak})
    fifths = max(1, len(samples) // 5)
    print("peak resident memory (MB) per fifth of the job:")
    for kind in kinds:
        parts = [max((p.get(kind, 0.0) for _, p, _ in samples[i:i + fifths]), default=0.0)
                 for i in range(0, len(samples), fifths)][:5]
        print(f"  {kind:<26} " + "  ".join(f"{v:6.0f}" for v in parts)
              + f"   peak {max(p.get(kind, 0.0) for _, p, _ in samples):.0f}")
    engines = set().union(*(e for _, _, e in samples)) if samples else set()
    print(f"engine processes used: {len(engines)}")
    spark.stop()
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
