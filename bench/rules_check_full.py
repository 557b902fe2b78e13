"""Run ``rules check`` on the full NCCI PTP practitioner table (2024Q3, ~2.5 M rows) instead of the embedded subset.

Usage: python bench/rules_check_full.py PATH/ncci_ptp_practitioner_2024q3_full.csv.gz [--json OUT]

The code table, attributes, MUEs, add-on edits and fees stay the embedded ones; only the PTP edits are
replaced. Prints load and check times, peak memory, the counts per kind and a few findings of each kind.
"""

import argparse
import csv
import gzip
import json
import resource
import sys
import time
from collections import Counter

from fluorologic.quality.rulecheck import check_rules
from fluorologic.rules.ruledata import OPEN_END, PtpRow, RuleData, date_number


def load_full_ptp(path: str) -> tuple[RuleData, int]:
    base = RuleData.embedded()
    intern: dict[str, str] = {}
    rows = []
    with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            c1 = intern.setdefault(r["column_1"], r["column_1"])
            c2 = intern.setdefault(r["column_2"], r["column_2"])
            why = intern.setdefault(r["ptp_edit_rationale"], r["ptp_edit_rationale"])
            dele = date_number(r["deletion_date"], default=OPEN_END) or OPEN_END
            rows.append(PtpRow(c1, c2, None, dele, int(r["modifier_indicator"]), why, "2024Q3", "ncci_ptp_full"))
    data = RuleData(codes=base.codes.values(), attrs=[a for v in base.attrs.values() for a in v], ptp=rows,
                    mue=[m for v in base.mue.values() for m in v],
                    aoc=[a for v in base.aoc_by_addon.values() for a in v],
                    inclusive=[i for v in base.inclusive.values() for i in v],
                    fees=[f for v in base.fees.values() for f in v], label="ncci_ptp_practitioner_2024q3_full")
    return data, len(rows)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("path")
    ap.add_argument("--json")
    ap.add_argument("--no-confirm", action="store_true")
    args = ap.parse_args()
    t0 = time.perf_counter()
    data, n = load_full_ptp(args.path)
    t1 = time.perf_counter()
    report = check_rules(data, max_cycles=200, confirm=not args.no_confirm)
    t2 = time.perf_counter()
    t3 = time.perf_counter()
    check_rules(RuleData.embedded(), confirm=not args.no_confirm)
    t4 = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"rows {n}; load {t1 - t0:.1f} s; check {t2 - t1:.1f} s; embedded check {t4 - t3:.2f} s "
          f"(ratio {(t2 - t1) / (t4 - t3):.0f}x, same process, shared 2-core machine); peak RSS {peak:.0f} MiB")
    print("counts:", json.dumps(report.counts))
    for note in report.notes:
        print("note:", note)
    shown = Counter()
    for f in report.findings:
        shown[f.kind] += 1
        if shown[f.kind] <= 5:
            print(f"{f.kind}: {f.message}")
    current = Counter(f.kind for f in report.findings if "until open end" in f.message)
    print("still in force (no deletion date):", json.dumps(dict(sorted(current.items()))))
    conflicts = [f for f in report.findings if f.kind == "odd_cycle" and f.rows[-1].get("rule_conflict")]
    print(f"odd cycles listed: {shown['odd_cycle']}, confirmed by the engine: {len(conflicts)}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(report.to_dict(), fh, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
