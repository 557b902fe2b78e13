"""Benchmark reading X12 837P against solving what it reads, on one core in one process.

Usage: ``[FLUOROLOGIC_MEMO_SIZE=0] python bench/bench_claims.py [-n N] [--repeat R]``. The interchange holds
N claims, one per encounter of ``bench/generate.py`` (2-8 lines each, 100 claims to a transaction set).
Prints one JSON object: claims per second of ``read_x12`` (process CPU time, one core, best of R) and of
``read_interchange`` (what ``fix`` reads), encounters per second of solving what was read (``solve_items`` on
one worker: keyed batches of 256, the CLI's path), and the ratio reading / solving (the reader must not be
the slower one).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import time
from pathlib import Path

from bench.generate import generate
from fluorologic.claims.x12 import read_interchange, read_x12
from fluorologic.run.batchrun import solve_items

ROOT = Path(__file__).resolve().parents[1]


def to_837(encs: list[dict], per_set: int = 100) -> str:
    """The encounters as one 5010 837P interchange: one claim each (lines, units, modifiers, place, date),
    ``per_set`` claims to a transaction set, envelopes and counts as a clearinghouse expects them."""
    isa = ("ISA*00*          *00*          *ZZ*FLUOROBENCH    *ZZ*CLEARINGHOUSE  *240815*1030*^*00501*000000001*0*T*:")
    out = [isa, "GS*HC*FLUOROBENCH*CLEARINGHOUSE*20240815*1030*1*X*005010X222A1"]
    sets = 0
    for k in range(0, len(encs), per_set):
        sets += 1
        body = [f"ST*837*{sets:04d}*005010X222A1", f"BHT*0019*00*B{sets}*20240815*1030*CH",
                "NM1*41*2*BENCH PRACTICE*****46*B1", "PER*IC*OFFICE*TE*6125550143",
                "NM1*40*2*CLEARINGHOUSE*****46*CH1", "HL*1**20*1", "NM1*85*2*BENCH PRACTICE*****XX*1588667638",
                "N3*1 MAIN ST", "N4*MINNEAPOLIS*MN*55408", "REF*EI*411234567"]
        for hl, enc in enumerate(encs[k:k + per_set], start=2):
            dos = enc["date_of_service"].replace("-", "")
            body += [f"HL*{hl}*1*22*0", "SBR*P*18*******MB", f"NM1*IL*1*DOE*PAT****MI*{hl}X",
                     "NM1*PR*2*MEDICARE*****PI*06102", f"CLM*{enc['encounter_id']}*100***{enc['place_of_service']}:B:1"
                     "*Y*A*Y*Y", "HI*ABK:M5416", "NM1*82*1*DOC*RENDER****XX*1234567893"]
            for n, line in enumerate(enc["lines"], start=1):
                comp = ":".join(["HC", line["code"], *line.get("modifiers", [])[:4]])
                body += [f"LX*{n}", f"SV1*{comp}*10*UN*{line.get('units', 1)}***1", f"DTP*472*D8*{dos}"]
        body.append(f"SE*{len(body) + 1}*{sets:04d}")
        out += body
    out += [f"GE*{sets}*1", "IEA*1*000000001"]
    return "".join(s + "~\n" for s in out)


def _best(fn: object, repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        t0 = time.process_time()
        fn()  # type: ignore[operator]
        runs.append(time.process_time() - t0)
    return min(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=4000, help="claims (one generated encounter each)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    text = to_837(generate(args.n, seed=11))
    claims = args.n
    items = list(read_x12(io.StringIO(text)))
    assert all(isinstance(i, dict) for i in items), "the generated interchange must read cleanly"
    read_s = _best(lambda: list(read_x12(io.StringIO(text))), args.repeat)
    fix_s = _best(lambda: read_interchange(text), args.repeat)
    list(solve_items(items[:256], workers=1))  # warm: encodings parsed, caches filled once
    solve_s = _best(lambda: list(solve_items(items, workers=1)), 1)
    print(json.dumps({
        "claims": claims, "encounters": len(items), "bytes": len(text),
        "read_x12_claims_per_s": round(claims / read_s), "read_x12_encounters_per_s": round(len(items) / read_s),
        "read_interchange_claims_per_s": round(claims / fix_s),
        "solve_encounters_per_s": round(len(items) / solve_s),
        "read_over_solve": round((len(items) / read_s) / (len(items) / solve_s), 1),
    }, indent=2))


if __name__ == "__main__":
    main()
