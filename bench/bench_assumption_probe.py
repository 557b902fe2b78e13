"""Probe (issue 12, item 1): what one solve costs on a program grounded once, the encounter's facts as assumptions.

The design beyond "ground only the choice" keeps one grounded program alive and answers each encounter by
one ``solve`` call under assumptions, without grounding. This probe measures that call's cost, optimistically:
for each encounter the encodings (``explain.lp`` left out) are grounded once with its rule rows as facts and
its own facts as free ``#external`` atoms (added through the backend), then solved repeatedly under the
assumption that its own facts hold. The shown atoms are checked equal to the batch path's. A real program
for a rule part would declare the externals of every encounter the part can hold (more lines, units,
modifiers, flags), so it would ground larger and solve slower than this.

Usage::

    python bench/bench_assumption_probe.py -n 20
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import clingo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.generate import generate, realistic  # noqa: E402
from fluorologic.contract.encounter import parse_encounter  # noqa: E402
from fluorologic.engine.encodings import program_text  # noqa: E402
from fluorologic.engine.fastpath.factcache import FactCache  # noqa: E402
from fluorologic.engine.fastpath.rawsym import shown_reps  # noqa: E402
from fluorologic.engine.solver import Engine  # noqa: E402
from fluorologic.engine.terms import atom_symbol  # noqa: E402

ARGS = ["--opt-mode=optN", "--opt-strategy=usc", "--models=1", "--warn=none"]


def probe(engine: Engine, cache: FactCache, raw: dict, repeat: int) -> dict[str, object]:
    """Ground one encounter's program with its own facts as externals; time a solve under assumptions."""
    enc = parse_encounter(raw)
    own = [atom_symbol(a) for a in cache.own_facts(enc).terms]
    part = cache.rule_part(enc)
    ctl = clingo.Control(ARGS, logger=lambda _c, _m: None)
    ctl.add("base", [], program_text(explain=False))
    with ctl.backend() as backend:
        for a in part.terms:
            backend.add_rule([backend.add_atom(atom_symbol(a))])
        for s in own:
            backend.add_external(backend.add_atom(s), clingo.TruthValue.Free)
    t = time.process_time()
    ctl.ground([("base", [])])
    ground = time.process_time() - t
    assume = [(s, True) for s in own]
    shown: list[int] = []

    def on_model(model: clingo.Model) -> None:
        if model.optimality_proven:
            shown[:] = shown_reps(model)

    ctl.solve(assumptions=assume, on_model=on_model)
    equal = sorted(shown) == sorted(engine.batch.solve_encounters([enc])[0].reps)
    t = time.process_time()
    for _ in range(repeat):
        ctl.solve(assumptions=assume, on_model=on_model)
    return {"ground_us": 1e6 * ground, "solve_us": 1e6 * (time.process_time() - t) / repeat, "equal": equal,
            "atoms": len(ctl.symbolic_atoms)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=20, help="encounters per stream")
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    engine = Engine()
    cache = FactCache(engine.data, engine.places)
    report = {}
    for name, make in (("cold", generate), ("realistic", realistic)):
        rows = [probe(engine, cache, raw, args.repeat) for raw in make(args.n, seed=3)]
        report[name] = {"encounters": len(rows), "equal": sum(bool(r["equal"]) for r in rows),
                        **{f"median_{k}": round(statistics.median(float(r[k]) for r in rows), 1)  # type: ignore[arg-type]
                           for k in ("ground_us", "solve_us", "atoms")}}
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
