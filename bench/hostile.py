r"""A hostile JSON Lines file for ``fluorologic solve``, and a run that checks what a claim scrubber relies on.

Every line is one input encounter of a category (issue 13): valid encounters (bench/generate.py), wrong
types, nesting too deep for the reader (5,000) and deep enough to defeat pickling to a worker (900),
numbers of 5,000 digits, NaN and 1e999, strings of 200,000 characters (claim text) and notes over the
limit, unicode and control characters, lone surrogates (as JSON escapes), clingo program text in every
string field, a bare CR between tokens, U+2028 and other breaks inside strings and after a malformed
line, CRLF line ends, garbage, and a byte order mark at the start of the file. Categories are drawn in
turn with a fixed seed, so a file is the same on every machine.

``run`` solves the file with ``fluorologic solve --format jsonl -o`` in a child process and checks: as
many records as lines, each record where its line is (by encounter id where the line states one), exit
code 1, no traceback on standard error; it reports the wall time and the peak resident memory of the
process tree (summed over the main process and its workers, sampled every 0.1 s) and of its largest
process.

Usage::

    python bench/hostile.py generate -n 20000 --seed 13 -o hostile.jsonl
    python bench/hostile.py run hostile.jsonl --workers 1 --workers 2

"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.generate import _Codes, encounter  # noqa: E402
from fluorologic.rules.ruledata import RuleData  # noqa: E402

ASP = ('77002"). billed("99999', '"). #show. %', "billed(l(1)).", ':- billed(X). "', '#include "x.lp".',
       "}).{", "X\"), line(9,\"77003\",1). %", "#program base.", "a :- not a.")
STRANGE = "\x00\x07\x1b\x7f\u202e\ufeff\u200b\ue000\uffff\U0010ffff e\u0301 \U0001f9b4 腰椎 \t"
BREAKS = ("\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e")
FIELDS = ("encounter_id", "date_of_service", "place_of_service", "equipment_owner", "note", "code", "site",
          "modifier", "indication", "body_area", "payer")


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=True, allow_nan=True)


def _put(enc: dict[str, Any], field: str, value: Any) -> dict[str, Any]:
    """``enc`` with ``field`` (top level, first line, documentation or claim) set to ``value``."""
    out = json.loads(json.dumps(enc))
    if field in ("code", "site", "units"):
        out["lines"][0][field] = value
    elif field == "modifier":
        out["lines"][0]["modifiers"] = [value]
    elif field in ("indication", "body_area", "fluoroscopy_time_seconds"):
        out.setdefault("documentation", {})[field] = value
    elif field in ("payer", "amount"):
        out.setdefault("claim", {})[field] = value
    else:
        out[field] = value
    return out


def _valid(_rng: random.Random, enc: dict[str, Any]) -> tuple[str, str | None]:
    return _dumps(enc), enc["encounter_id"]


def _types(rng: random.Random, enc: dict[str, Any]) -> tuple[str, str | None]:
    field = rng.choice(["lines", "units", "code", "documentation", "date_of_service", "place_of_service",
                        "equipment_owner", "modifier", "site"])
    value = rng.choice([None, True, 3.5, -1, [], {}, [[1]], "x", {"a": [1, {"b": None}]}, 10**40])
    if field == "lines":
        return _dumps(dict(enc, lines=value)), enc["encounter_id"]
    if field == "documentation":
        return _dumps(dict(enc, documentation=value)), enc["encounter_id"]
    return _dumps(_put(enc, field, value)), enc["encounter_id"]


def _deep(rng: random.Random, enc: dict[str, Any]) -> tuple[str, str | None]:
    depth = rng.choice([900, 900, 5000])  # 900: read by json, too deep to pickle (D4); 5000: RecursionError (D1)
    opener, closer = rng.choice([("[", "]"), ('{"k":', "}")])
    where = rng.choice(["claim", "documentation", "lines"])
    text = _dumps(dict(enc, **{where: "@@"}))
    return text.replace('"@@"', opener * depth + "1" + closer * depth), enc["encounter_id"]


def _number(rng: random.Random, enc: dict[str, Any]) -> tuple[str, str | None]:
    field = rng.choice(["units", "fluoroscopy_time_seconds", "amount"])
    number = rng.choice(["9" * 5000, "-" + "1" * 5000, "1e999", "NaN", "Infinity", "0." + "0" * 5000 + "1"])
    return _dumps(_put(enc, field, "@@")).replace('"@@"', number), enc["encounter_id"]


def _huge(rng: random.Random, enc: dict[str, Any]) -> tuple[str, str | None]:
    if rng.random() < 0.5:  # a long claim text is passed through; a long note is over the limit
        return _dumps(_put(enc, "payer", "P" * 200_000)), enc["encounter_id"]
    return _dumps(dict(enc, note="fluoroscopy " * 16_667)), enc["encounter_id"]


def _unicode(rng: random.Random, enc: dict[str, Any]) -> tuple[str, str | None]:
    field = rng.choice(FIELDS)
    text = "".join(rng.choice(STRANGE) for _ in range(rng.randrange(1, 30)))
    raw = _put(enc, field, text)
    eid = raw["encounter_id"] if field != "encounter_id" else None
    return json.dumps(raw, ensure_ascii=rng.random() < 0.5), eid


def _surrogate(rng: random.Random, enc: dict[str, Any]) -> tuple[str, str | None]:
    field = rng.choice(FIELDS)
    raw = _put(enc, field, "L5" + chr(rng.randrange(0xD800, 0xE000)) + "S1")
    return _dumps(raw), raw["encounter_id"] if field != "encounter_id" else None


def _clingo(rng: random.Random, enc: dict[str, Any]) -> tuple[str, str | None]:
    raw = enc
    for field in FIELDS:
        if field != "encounter_id" or rng.random() < 0.3:
            raw = _put(raw, field, rng.choice(ASP))
    return _dumps(raw), raw["encounter_id"] if raw["encounter_id"] == enc["encounter_id"] else None


def _cr(rng: random.Random, enc: dict[str, Any]) -> tuple[str, str | None]:
    return _dumps(enc).replace(', "', ',\r"', rng.randrange(1, 4)), enc["encounter_id"]


def _breaks(rng: random.Random, enc: dict[str, Any]) -> tuple[str, str | None]:
    brk = rng.choice(BREAKS)
    return json.dumps(_put(enc, rng.choice(["site", "indication", "payer"]), "a" + brk + "b"),
                      ensure_ascii=False), enc["encounter_id"]


def _malformed(rng: random.Random, enc: dict[str, Any]) -> tuple[str, str | None]:
    text = _dumps(enc)
    return rng.choice([text[: len(text) // 2] + "\u2028" + text[len(text) // 2:], "{not json\u2028 at all\r}",
                       text[:-1], "[1, 2", "\x00\x01", '{"encounter_id": "' + enc["encounter_id"] + '", ']), None


CATEGORIES: dict[str, tuple[float, Callable[[random.Random, dict[str, Any]], tuple[str, str | None]]]] = {
    "valid": (0.40, _valid), "types": (0.08, _types), "deep": (0.05, _deep), "number": (0.06, _number),
    "huge": (0.002, _huge), "unicode": (0.09, _unicode), "surrogate": (0.07, _surrogate),
    "clingo": (0.07, _clingo), "cr": (0.06, _cr), "breaks": (0.05, _breaks), "malformed": (0.078, _malformed),
}


def generate(n: int, seed: int = 13) -> list[tuple[str, str, str | None]]:
    """``n`` lines: (category, text, the encounter id its record must carry, or None when it cannot say)."""
    rng = random.Random(seed)
    codes = _Codes(RuleData.embedded())
    names = list(CATEGORIES)
    weights = [CATEGORIES[k][0] for k in names]
    out = []
    for i in range(n):
        kind = names[i] if i < len(names) else rng.choices(names, weights=weights)[0]  # each category at least once
        enc = encounter(rng, codes, f"h{seed}-{i:06d}")
        text, eid = CATEGORIES[kind][1](rng, enc)
        assert "\n" not in text and text.strip(), kind
        out.append((kind, text, eid))
    return out


def write(path: Path, lines: list[tuple[str, str, str | None]], seed: int = 13) -> None:
    """The file: a byte order mark, then the lines, a share of them ending in CRLF."""
    rng = random.Random(seed + 1)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write("\ufeff")
        for _, text, _ in lines:
            fh.write(text + ("\r\n" if rng.random() < 0.2 else "\n"))


def _tree_rss(root: int) -> tuple[int, int]:
    """The resident memory of ``root``'s session (its workers too), in bytes: the sum and the largest (Linux)."""
    total = largest = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            if int(fields[3]) != root:  # fields[3] is the session id (field 6 of stat)
                continue
            with open(f"/proc/{entry}/statm") as fh:
                rss = int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
        total += rss
        largest = max(largest, rss)
    return total, largest


def run(path: Path, workers: int, expected: list[tuple[str, str, str | None]]) -> dict[str, Any]:
    """Solve ``path`` in a child process and check its output against ``expected``; the figures."""
    out = Path(tempfile.mkdtemp()) / "out.jsonl"
    cmd = [sys.executable, "-m", "fluorologic.cli.main", "solve", str(path), "--format", "jsonl", "-o", str(out),
           "--workers", str(workers)]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    peak = [0, 0]

    def sample() -> None:
        while proc.poll() is None:
            total, largest = _tree_rss(proc.pid)
            peak[0], peak[1] = max(peak[0], total), max(peak[1], largest)
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stderr = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    code = proc.wait()
    wall = time.perf_counter() - started
    sampler.join()
    records = [json.loads(x) for x in out.read_text(encoding="utf-8").split("\n") if x]
    misplaced = sum(1 for (_, _, eid), rec in zip(expected, records, strict=False)
                    if eid is not None and rec.get("encounter_id") != eid)
    errors = sum("error" in r for r in records)
    valid_failed = sum(1 for (kind, _, _), rec in zip(expected, records, strict=False) if kind == "valid"
                       and "error" in rec)
    return {"workers": workers, "lines": len(expected), "records": len(records), "misplaced": misplaced,
            "errors": errors, "valid_with_error": valid_failed, "exit": code, "traceback": "Traceback" in stderr,
            "wall_s": round(wall, 1), "peak_rss_tree_mb": round(peak[0] / 2**20),
            "peak_rss_largest_process_mb": round(peak[1] / 2**20), "stderr_tail": stderr.strip().splitlines()[-3:]}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate")
    gen.add_argument("-n", type=int, default=20_000)
    gen.add_argument("--seed", type=int, default=13)
    gen.add_argument("-o", "--output", type=Path, required=True)
    go = sub.add_parser("run")
    go.add_argument("file", type=Path)
    go.add_argument("-n", type=int, default=20_000, help="the -n the file was generated with")
    go.add_argument("--seed", type=int, default=13)
    go.add_argument("--workers", type=int, action="append")
    args = parser.parse_args(argv)
    lines = generate(args.n, args.seed)
    if args.command == "generate":
        write(args.output, lines, args.seed)
        counts: dict[str, int] = {}
        for kind, _, _ in lines:
            counts[kind] = counts.get(kind, 0) + 1
        print(json.dumps({"lines": len(lines), "categories": counts, "bytes": args.output.stat().st_size}))
        return
    for workers in args.workers or [1, 2]:
        print(json.dumps(run(args.file, workers, lines)), flush=True)


if __name__ == "__main__":
    main()
