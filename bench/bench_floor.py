"""Benchmark: where one core's time per encounter goes, beside the least clingo's grounder could take.

The one-core target of 2,000 encounters/s leaves 500 µs per encounter. This measures, on the same
generated encounters and in one process (CPU time, memos off, after a warm-up of the same mix):

* every phase of the batch path: validating the input, building the facts, creating the ``Control``
  and adding the program, adding the facts through clingo's backend, grounding, solving, taking the
  shown atoms apart, decoding the Result, writing JSON;
* the **grounder's floor**: a keyed program of trivial one-body rules (``d1(K,X) :- p0(K,X).``, the
  cheapest rule there is) that grounds as many atoms per encounter as the encodings do, from as many
  input facts, in batches of the same size. No encoding that derives that many atoms can ground
  faster than this;
* the **least grounding** any encoding needs: the same trivial rules deriving only as many atoms as
  the encodings show (an encoding must at least take in its input facts and derive what it shows).

It prints each phase in µs per encounter and the throughput one core would reach if grounding cost
no more than the floor and every other phase stayed as measured. Usage::

    python bench/bench_floor.py -n 2048 --repeat 5
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import clingo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.generate import generate  # noqa: E402
from fluorologic.contract.encounter import parse_encounter  # noqa: E402
from fluorologic.engine.decode import decode  # noqa: E402
from fluorologic.engine.fastpath import multisolve  # noqa: E402
from fluorologic.engine.fastpath.multisolve import BatchSolver  # noqa: E402
from fluorologic.engine.fastpath.rawsym import add_facts  # noqa: E402
from fluorologic.engine.solver import Engine  # noqa: E402

BUDGET_US = 1e6 / 2000


@contextmanager
def _timed(times: dict[str, float], owner: object, *names: str) -> Iterator[None]:
    """Add the CPU time spent in ``owner.name`` (a method or a module's function) to ``times[name]`` in the block."""
    saved = {m: getattr(owner, m) for m in names}

    def wrap(name: str, fn: Callable) -> Callable:
        def timed(*args: object, **kwargs: object) -> object:
            t = time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                times[name] += time.process_time() - t
        return timed

    for m, fn in saved.items():
        setattr(owner, m, wrap(m, fn))
    try:
        yield
    finally:
        for m, fn in saved.items():
            setattr(owner, m, fn)


def phases(batch: BatchSolver, raw: list[dict], chunk: int) -> dict[str, float]:
    """CPU seconds of each phase of the batch path over ``raw`` (give it a solver with the memos off)."""
    times = dict.fromkeys(("parse", "_control", "add_facts", "ground", "solve", "decode", "json"), 0.0)
    t = time.process_time()
    encs = [parse_encounter(e) for e in raw]
    times["parse"] = time.process_time() - t
    with (_timed(times, type(batch), "_control"), _timed(times, multisolve, "add_facts"),
          _timed(times, clingo.Control, "ground", "solve")):
        t = time.process_time()
        sols = [s for i in range(0, len(encs), chunk) for s in batch.solve_encounters(encs[i:i + chunk])]
        times["solve_encounters"] = time.process_time() - t
    t = time.process_time()
    records = [decode(s) for s in sols]
    times["decode"] = time.process_time() - t
    t = time.process_time()
    for r in records:
        json.dumps(r, sort_keys=True)
    times["json"] = time.process_time() - t
    times["control"] = times.pop("_control")
    times["add facts (backend)"] = times.pop("add_facts")
    times["facts, unkey, free"] = times.pop("solve_encounters") - sum(
        times[k] for k in ("control", "add facts (backend)", "ground", "solve"))
    return times


def ground_counts(batch: BatchSolver, raw: list[dict], chunk: int) -> tuple[int, int, int]:
    """Input facts, ground atoms and shown atoms of the keyed program over ``raw`` (summed over its batches)."""
    encs = [parse_encounter(e) for e in raw]
    facts = atoms = 0
    shown = sum(len(s.reps) for i in range(0, len(encs), chunk) for s in batch.solve_encounters(encs[i:i + chunk]))
    for i in range(0, len(encs), chunk):
        ctl = batch._control(batch.program)
        inputs = [(batch.cache.own_facts(e).terms, batch.cache.rule_part(e)) for e in encs[i:i + chunk]]
        with ctl.backend() as backend:
            for reps in batch.batch_facts(inputs):
                facts += len(reps)
                add_facts(backend, reps)
        ctl.ground([("base", [])])
        atoms += sum(1 for _ in ctl.symbolic_atoms)
    return facts, atoms, shown


def floor_ground(n_enc: int, facts: int, atoms: int, chunk: int) -> tuple[float, int]:
    """CPU seconds to ground ``atoms`` atoms from ``facts`` input facts with the cheapest rules, in batches,
    and the atoms that grounded (``atoms`` up to rounding).

    Every derived atom comes from one input fact by a one-body rule: ``d1(K,X) :- p0(K,X).``, ...
    """
    per_enc, derived = round(facts / n_enc), round((atoms - facts) / n_enc)
    full, rest = divmod(derived, per_enc)
    rules = [f"d{i}(K,X) :- p0(K,X)." for i in range(1, full + 1)]
    if rest:
        rules.append(f"e(K,X) :- p0(K,X), X < {rest}.")
    program = "#defined p0/2.\n" + "\n".join(rules)
    total, grounded = 0.0, 0
    for start in range(0, n_enc, chunk):
        ctl = clingo.Control(["--warn=none"], logger=lambda _c, _m: None)
        ctl.add("base", [], program)
        with ctl.backend() as backend:
            for k in range(min(chunk, n_enc - start)):
                for x in range(per_enc):
                    atom = backend.add_atom(clingo.Function("p0", [clingo.Number(k), clingo.Number(x)]))
                    backend.add_rule([atom])
        t = time.process_time()
        ctl.ground([("base", [])])
        total += time.process_time() - t
        grounded += sum(1 for _ in ctl.symbolic_atoms)
    return total, grounded


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=2048, help="encounters")
    parser.add_argument("--chunk", type=int, default=256)
    parser.add_argument("--repeat", type=int, default=5, help="runs; the median of each phase is reported")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    batch = BatchSolver(Engine(), memo_size=0)  # the solver itself, not the memos
    phases(batch, generate(1024, seed=args.seed + 1000), args.chunk)  # warm: rule rows, symbols, decodings
    raw = generate(args.n, seed=args.seed)
    facts, atoms, shown = ground_counts(batch, raw, args.chunk)
    runs = [phases(batch, raw, args.chunk) for _ in range(args.repeat)]
    floors = [floor_ground(args.n, facts, atoms, args.chunk) for _ in range(args.repeat)]
    floor_atoms = floors[0][1]
    least = [floor_ground(args.n, facts, facts + shown, args.chunk) for _ in range(args.repeat)]
    least_us = round(1e6 * statistics.median(t for t, _ in least) / args.n, 1)
    us = {k: round(1e6 * statistics.median(r[k] for r in runs) / args.n, 1) for k in runs[0]}
    floor_us = round(1e6 * statistics.median(t for t, _ in floors) / args.n, 1)
    total = sum(us.values())
    at_floor = total - us["ground"] + floor_us
    report = {
        "encounters": args.n, "chunk": args.chunk, "load_average": os.getloadavg(),
        "input_facts_per_encounter": round(facts / args.n, 1), "ground_atoms_per_encounter": round(atoms / args.n, 1),
        "us_per_encounter": us, "total_us": round(total, 1), "enc_per_s": round(1e6 / total, 1),
        "floor_atoms_per_encounter": round(floor_atoms / args.n, 1),
        "ground_floor_us": floor_us, "ground_over_floor": round(us["ground"] / floor_us, 2),
        "total_with_ground_at_floor_us": round(at_floor, 1), "enc_per_s_with_ground_at_floor": round(1e6 / at_floor, 1),
        "shown_atoms_per_encounter": round(shown / args.n, 1),
        "least_ground_us (input facts and shown atoms only, cheapest rules)": least_us,
        "budget_us_for_2000_per_s": BUDGET_US,
        "clingo_floor_us (control, backend, ground floor, solve)": round(
            floor_us + us["control"] + us["add facts (backend)"] + us["solve"], 1),
        "python_us (parse, facts, unkey, decode, json)": round(
            total - us["ground"] - us["control"] - us["add facts (backend)"] - us["solve"], 1),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
