"""Experiment (issue 12, item 1): how fast could grounding be if only the choice were grounded?

The keyed batch program (:mod:`fluorologic.engine.fastpath.keyed`) grounds about 205 atoms an encounter, of which
most are facts decided at grounding time (rule-row copies, joins with the lines, in-force dates). This
measures the **upper bound** of "ground only the choice": on the same batches of 256 encounters it

1. grounds and solves the batch program as today (timed: CPU), and collects every atom that is a
   fact after grounding (``ctl.symbolic_atoms``, ``is_fact``);
2. builds, from the keyed program's AST, the program of only the *choice-dependent* statements: the
   rules whose body reads a predicate that depends on ``billed`` directly or transitively (positively
   or not), the choice rule, the integrity and weak constraints, and the ``#show`` statements;
3. feeds that program the decided atoms (facts of today's grounding) of every predicate it reads,
   derives or shows, as facts,
   grounds and solves it (timed: CPU), and checks that every encounter shows the same atoms as today.

The difference is the least grounding time the change could reach if every data join were free
(the decided atoms given away). Both programs are timed alternately, batch by batch, in one run, on
the cold stream (``bench.generate.generate``) and the realistic one (``bench.generate.realistic``).
Usage::

    python bench/bench_choice_floor.py -n 2048

Example (a small run): ``python bench/bench_choice_floor.py -n 256 --streams cold``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import clingo
from clingo import ast
from clingo.ast import ASTType

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.generate import generate, realistic  # noqa: E402
from fluorologic.contract.encounter import parse_encounter  # noqa: E402
from fluorologic.engine.fastpath.keyed import _head_signatures, _Signatures  # noqa: E402
from fluorologic.engine.fastpath.multisolve import _ARGS, BatchSolver  # noqa: E402
from fluorologic.engine.fastpath.rawsym import add_facts  # noqa: E402
from fluorologic.engine.solver import Engine  # noqa: E402

Sig = tuple[str, int]
CHOICE_ROOT: Sig = ("billed", 2)  # billed/1, keyed


def body_signatures(stm: ast.AST) -> set[Sig]:
    """The predicates a statement's body reads (in literals, aggregates, conditions of a choice head).

    >>> sorted(body_signatures(_parse("a(X) :- b(X), not c(X).")[1]))
    [('b', 1), ('c', 1)]
    >>> sorted(body_signatures(_parse("{ a(X) : d(X) } :- b(X).")[1]))
    [('b', 1), ('d', 1)]
    """
    finder = _Signatures()
    for lit in stm.body:
        finder(lit)
    if stm.ast_type == ASTType.Rule and stm.head.ast_type != ASTType.Literal:
        for element in getattr(stm.head, "elements", []):
            for cond in getattr(element, "condition", []):
                finder(cond)
    return finder.found


def _parse(text: str) -> list[ast.AST]:
    out: list[ast.AST] = []
    ast.parse_string(text, out.append)
    return out


def choice_dependent(program: Iterable[ast.AST], root: Sig = CHOICE_ROOT) -> set[Sig]:
    """The predicates that depend on ``root`` through rule bodies (``root`` included).

    >>> sorted(choice_dependent(_parse("{ b(X) } :- n(X). v(X) :- n(X), not b(X). w(X) :- v(X). d(X) :- n(X)."),
    ...                         ("b", 1)))
    [('b', 1), ('v', 1), ('w', 1)]
    """
    deps: dict[Sig, set[Sig]] = {}
    for stm in program:
        if stm.ast_type == ASTType.Rule:
            body = body_signatures(stm)
            for h in _head_signatures(stm.head):
                deps.setdefault(h, set()).update(body)
    found = {root}
    changed = True
    while changed:
        changed = False
        for head, body in deps.items():
            if head not in found and body & found:
                found.add(head)
                changed = True
    return found


def choice_program(program: Iterable[ast.AST], dependent: set[Sig]) -> tuple[list[ast.AST], set[Sig]]:
    """The choice-dependent statements of the keyed program, and the other predicates they read or show."""
    out: list[ast.AST] = []
    reads: set[Sig] = set()
    for stm in program:
        kind = stm.ast_type
        if kind == ASTType.Rule:
            heads = _head_signatures(stm.head)
            choice = stm.head.ast_type != ASTType.Literal
            if heads and not choice and not body_signatures(stm) & dependent:
                continue  # every ground instance is a fact decided at grounding: its atoms are fed
            reads |= heads  # the facts among its atoms are fed too (a fact of today's program holds in every model)
            out.append(stm)
            reads |= body_signatures(stm)
        elif kind == ASTType.Minimize:
            out.append(stm)
            reads |= body_signatures(stm)
        elif kind == ASTType.ShowSignature:
            out.append(stm)
            if stm.name:
                reads.add((stm.name, stm.arity))
        elif kind == ASTType.Program:
            out.append(stm)
    fed = reads
    loc = ast.Location(ast.Position("<choice>", 1, 1), ast.Position("<choice>", 1, 1))
    out.extend(ast.Defined(loc, name, arity, True) for name, arity in sorted(fed))
    return out, fed


def _control(statements: Iterable[ast.AST]) -> clingo.Control:
    ctl = clingo.Control(_ARGS, logger=lambda _c, _m: None)
    with ast.ProgramBuilder(ctl) as builder:
        for stm in statements:
            builder.add(stm)
    return ctl


def _solve(ctl: clingo.Control) -> tuple[float, set[clingo.Symbol]]:
    """CPU seconds to solve, and the shown atoms of the proven optimum."""
    shown: set[clingo.Symbol] = set()

    def on_model(model: clingo.Model) -> None:
        if model.optimality_proven:
            shown.clear()
            shown.update(model.symbols(shown=True))

    t = time.process_time()
    ctl.solve(on_model=on_model)
    return time.process_time() - t, shown


def run(batch: BatchSolver, raws: list[dict], chunk: int) -> dict[str, object]:
    """Today's program and the choice-only program, batch by batch, alternately; figures per encounter."""
    dependent = choice_dependent(batch.program)
    choice, fed = choice_program(batch.program, dependent)
    encs = [parse_encounter(r) for r in raws]
    times = Counter[str]()
    atoms = Counter[str]()
    not_fact: Counter[Sig] = Counter()
    fact_by_pred: Counter[Sig] = Counter()
    unequal = 0
    for start in range(0, len(encs), chunk):
        part = encs[start:start + chunk]
        inputs = [(batch.cache.own_facts(e).terms, batch.cache.rule_part(e)) for e in part]
        facts = list(batch.batch_facts(inputs))
        # today's program
        t = time.process_time()
        ctl = batch._control(batch.program)
        with ctl.backend() as backend:
            for reps in facts:
                add_facts(backend, reps)
        times["today: control and facts"] += time.process_time() - t
        t = time.process_time()
        ctl.ground([("base", [])])
        times["today: ground"] += time.process_time() - t
        dt, shown_today = _solve(ctl)
        times["today: solve"] += dt
        decided: list[clingo.Symbol] = []
        for sa in ctl.symbolic_atoms:
            sym = sa.symbol
            sig = (sym.name, len(sym.arguments))
            atoms["today: ground atoms"] += 1
            if sa.is_fact:
                atoms["today: facts"] += 1
                fact_by_pred[sig] += 1
                if sig in fed:
                    decided.append(sym)
            elif sig not in dependent:
                not_fact[sig] += 1
        atoms["choice: decided atoms fed"] += len(decided)
        del ctl
        # the choice-only program, fed the decided atoms
        t = time.process_time()
        ctl = _control(choice)
        with ctl.backend() as backend:
            for sym in decided:
                backend.add_rule([backend.add_atom(sym)])
        times["choice: control and facts"] += time.process_time() - t
        t = time.process_time()
        ctl.ground([("base", [])])
        times["choice: ground"] += time.process_time() - t
        dt, shown_choice = _solve(ctl)
        times["choice: solve"] += dt
        atoms["choice: ground atoms"] += sum(1 for _ in ctl.symbolic_atoms)
        unequal += sum(1 for k in range(len(part)) if {s for s in shown_today if s.arguments[0].number == k}
                       != {s for s in shown_choice if s.arguments[0].number == k})
        del ctl
    n = len(encs)
    us = {k: round(1e6 * v / n, 1) for k, v in sorted(times.items())}
    return {
        "encounters": n,
        "us_per_encounter": us,
        "ground_today_over_choice": round(times["today: ground"] / times["choice: ground"], 2),
        "ground_and_solve_today_over_choice": round(
            (times["today: ground"] + times["today: solve"]) / (times["choice: ground"] + times["choice: solve"]), 2),
        "atoms_per_encounter": {k: round(v / n, 1) for k, v in sorted(atoms.items())},
        "top_fact_predicates_per_encounter": {f"{p}/{a - 1}": round(c / n, 1)
                                              for (p, a), c in fact_by_pred.most_common(25)},
        "statements_today_and_choice": (len(batch.program), len(choice)),
        "choice_dependent_predicates": sorted(f"{p}/{a - 1}" for p, a in dependent),
        "undecided_atoms_of_other_predicates": {f"{p}/{a}": c for (p, a), c in not_fact.items()},
        "encounters_with_other_shown_atoms": unequal,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=2048, help="encounters per stream")
    parser.add_argument("--chunk", type=int, default=256)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--streams", default="cold,realistic")
    args = parser.parse_args()
    batch = BatchSolver(Engine(), memo_size=0)
    report: dict[str, object] = {"load_average": os.getloadavg()}
    makers = {"cold": generate, "realistic": realistic}
    for name in args.streams.split(","):
        run(batch, makers[name](512, seed=args.seed + 1000), args.chunk)  # warm: rule rows, symbols
        report[name] = run(batch, makers[name](args.n, seed=args.seed), args.chunk)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
