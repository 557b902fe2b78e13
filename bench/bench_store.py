"""Benchmark the rule store with the full 2024Q3 practitioner PTP table (2.5 million edits).

Reports
  * import time, peak memory of the import, and store size for the full table;
  * process start-to-first-answer time of ``fluorologic solve`` (store vs embedded data);
  * encounters per second with the full table vs the embedded subset, measured in the SAME process with
    alternating rounds (the ratio is the figure to trust on a shared machine), plus each one's peak memory
    in its own process.

Targets (issue 4): full-table throughput >= 90 % of the subset's, peak memory < 1 GB, import < 2 min.

Usage::

    python bench/bench_store.py [--ptp ../shared/reference/cms/ncci_ptp_practitioner_2024q3_full.csv.gz]
                                [--encounters 300] [--rounds 5] [--json results.json]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_PTP = REPO.parent / "shared" / "reference" / "cms" / "ncci_ptp_practitioner_2024q3_full.csv.gz"

# Codes an orthopedic / spine practice bills with fluoroscopy, plus common companions outside the target list
# (E/M visits, drugs, venipuncture) so that the full table's extra edits are exercised.
PROCEDURES = ["20600", "20604", "20605", "20606", "20610", "20611", "20612", "27096", "64479", "64480", "64483",
              "64484", "64490", "64491", "64493", "64494", "62321", "62323", "62322", "62320", "22513", "22514",
              "27245", "27506", "63030", "23350", "27093", "27370", "64633", "64635"]
IMAGING = ["76000", "77002", "77003", "77012", "76942"]
COMPANIONS = ["99213", "99214", "99203", "J1030", "J3301", "36415", "96372", "20550", "72100", "73560"]


def encounters(n: int, seed: int = 7) -> list[dict]:
    """``n`` deterministic pseudo-random encounters (2024Q3 dates, office and hospital)."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        codes = rng.sample(PROCEDURES, rng.randint(1, 2)) + rng.sample(IMAGING, rng.randint(1, 2))
        codes += rng.sample(COMPANIONS, rng.randint(0, 2))
        lines = [{"code": c, "units": rng.choice([1, 1, 1, 2])} for c in codes]
        if rng.random() < 0.5:
            lines[0]["site"] = rng.choice(["L5-S1", "left knee", "right shoulder", "L4-L5"])
        dos = f"2024-{rng.randint(7, 9):02d}-{rng.randint(1, 28):02d}"
        out.append({"encounter_id": f"b{i}", "date_of_service": dos,
                    "place_of_service": rng.choice(["11", "22", "24"]), "lines": lines})
    return out


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- child processes (each prints one JSON line) ------------------------------------------------------------------

def child_import(store: str, ptp: str) -> dict:
    from fluorologic.rules.store import RuleStore

    t = time.perf_counter()
    entry = RuleStore(store).import_files("ptp", [ptp]).entry
    return {"seconds": time.perf_counter() - t, "rows": entry.rows, "peak_mb": _maxrss_mb(),
            "size_mb": Path(store).stat().st_size / 1e6}


def _engine(mode: str, store: str):  # noqa: ANN202
    from fluorologic.engine.solver import Engine
    from fluorologic.rules.store import RuleStore
    from fluorologic.rules.storedata import StoreRuleData

    return Engine() if mode == "embedded" else Engine(data=StoreRuleData(RuleStore(store, readonly=True)))


def child_rate(mode: str, store: str, n: int) -> dict:
    encs = encounters(n)
    engine = _engine(mode, store)
    t = time.process_time()
    for e in encs:
        engine.solve_record(e)
    return {"mode": mode, "per_s": n / (time.process_time() - t), "peak_mb": _maxrss_mb()}


def child_both(store: str, n: int, rounds: int) -> dict:
    """Both engines in one process. Each encounter is solved by both, back to back in alternating order, and
    timed in process CPU time, so load from other processes on a shared machine cancels out of the ratio."""
    from fluorologic.rules.ruledata import RuleData

    encs = encounters(n)
    engines = {"embedded": _engine("embedded", store), "store": _engine("store", store)}
    known = set(RuleData.embedded().codes)
    cpu = {"embedded": [0.0] * (rounds + 1), "store": [0.0] * (rounds + 1)}
    differ = differ_known = 0
    for r in range(rounds + 1):  # round 0 is the cold pass (empty lookup caches)
        for i, e in enumerate(encs):
            out = {}
            for mode in (("embedded", "store") if (i + r) % 2 == 0 else ("store", "embedded")):
                t = time.process_time()
                out[mode] = engines[mode].solve_record(e)
                cpu[mode][r] += time.process_time() - t
            if r == 0 and _decisions(out["embedded"]) != _decisions(out["store"]):
                differ += 1
                differ_known += all(ln["code"] in known for ln in e["lines"])
    rate = {m: [n / t for t in v] for m, v in cpu.items()}
    med = {m: statistics.median(v[1:]) for m, v in rate.items()}
    return {"cold_per_s": {m: v[0] for m, v in rate.items()}, "median_per_s": med,
            "ratio_store_to_embedded": med["store"] / med["embedded"],
            "cold_ratio": rate["store"][0] / rate["embedded"][0], "rounds": rounds, "encounters": n,
            "results_differing_from_embedded": differ,
            "differing_with_only_embedded_codes": differ_known}


def _decisions(result: dict) -> dict:
    return {k: v for k, v in result.items() if k != "audit"}


def _run_child(*args: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", *args], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def first_answer(store: str | None, repeats: int = 5) -> float:
    """Median wall time of ``fluorologic solve`` on one encounter, from process start to exit."""
    cli = Path(sys.executable).parent / "fluorologic"
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump(encounters(1)[0], fh)
    args = [str(cli), "solve", fh.name] + (["--store", store] if store else ["--store", fh.name + ".none"])
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        subprocess.run(args, capture_output=True, check=True)
        times.append(time.perf_counter() - t)
    Path(fh.name).unlink()
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ptp", default=str(DEFAULT_PTP))
    ap.add_argument("--encounters", type=int, default=300)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--json", default=None, help="also write the figures to this file")
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        kind, *rest = args.child
        fn = {"import": child_import, "rate": child_rate, "both": child_both}[kind]
        conv = [int(x) if x.isdigit() else x for x in rest]
        print(json.dumps(fn(*conv)))
        return
    if not Path(args.ptp).is_file():
        sys.exit(f"full PTP table not found: {args.ptp}")
    with tempfile.TemporaryDirectory() as tmp:
        store = str(Path(tmp) / "rules.sqlite")
        figures = {"import": _run_child("import", store, args.ptp)}
        print(f"import: {figures['import']['rows']:,} rows in {figures['import']['seconds']:.1f} s, "
              f"peak {figures['import']['peak_mb']:.0f} MB, store {figures['import']['size_mb']:.1f} MB", flush=True)
        figures["first_answer_s"] = {"store": first_answer(store), "embedded": first_answer(None)}
        print(f"start to first answer: store {figures['first_answer_s']['store']:.2f} s, "
              f"embedded {figures['first_answer_s']['embedded']:.2f} s", flush=True)
        both = _run_child("both", store, str(args.encounters), str(args.rounds))
        figures["throughput"] = both
        print(f"throughput (CPU time, same process, median of {args.rounds} alternating rounds of {args.encounters}): "
              f"full table {both['median_per_s']['store']:.1f}/s, embedded subset "
              f"{both['median_per_s']['embedded']:.1f}/s, ratio {both['ratio_store_to_embedded']:.2f} "
              f"(cold first pass {both['cold_ratio']:.2f}); results differing from embedded "
              f"(audit aside): {both['results_differing_from_embedded']}, of which with only embedded codes: "
              f"{both['differing_with_only_embedded_codes']}", flush=True)
        mem = {m: _run_child("rate", m, store, str(args.encounters)) for m in ("embedded", "store")}
        figures["peak_memory_mb"] = {m: v["peak_mb"] for m, v in mem.items()}
        print(f"peak memory solving {args.encounters} encounters: full table {mem['store']['peak_mb']:.0f} MB, "
              f"embedded {mem['embedded']['peak_mb']:.0f} MB", flush=True)
    targets = {"import_under_120_s": figures["import"]["seconds"] < 120,
               "throughput_ratio_at_least_0.9": figures["throughput"]["ratio_store_to_embedded"] >= 0.9,
               "peak_memory_under_1_GB": max(figures["peak_memory_mb"].values()) < 1024
               and figures["import"]["peak_mb"] < 1024}
    figures["targets_met"] = targets
    print("targets:", ", ".join(f"{k} {'yes' if v else 'NO'}" for k, v in targets.items()))
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
