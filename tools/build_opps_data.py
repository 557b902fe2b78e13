"""Build the embedded OPPS / I/OCE tables of the hospital's claim (``fluorologic/data/opps_*``).

Usage::

    python tools/build_opps_data.py PATH/TO/reference

``reference/oce`` holds the CMS I/OCE reference tables by quarter, 2019Q3-2026Q2 (OCE 20.2-27.1),
extracted from pyoce 0.1.0; ``reference/cms`` the outpatient-hospital MUEs of 2024Q3. Values are copied
unchanged; the only transformations are:

* status rows of a code whose status indicator and APC stay the same over consecutive OCE versions are
  merged (the OCE starts a new row whenever any of its 143 columns changes);
* an outpatient PTP row is kept only for the OCE versions in which its column-1 code takes part in NCCI
  editing as column 1 and its column-2 code as column 2 (flags ``ncci_code1`` / ``ncci_code2`` of
  ``data_hcpcs``; the I/OCE checks an edit only then). A code outside the families has no status row
  here: its flag is taken as set;
* an outpatient PTP row's rationale is the one the CMS outpatient-hospital table of 2024Q3 gives the same pair
  with the same last day (or, for a pair the OCE ended early, the pair's open CMS row), where it has one;
* the first OCE version (76, 2019-07-01) is left-censored: its rows are written with an empty effective
  date ("2019-07-01 or earlier"); the newest (103, 2026Q2) is open-ended: an empty deletion date.
"""

from __future__ import annotations

import csv
import gzip
import io
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "fluorologic" / "data"
FIRST, LAST = 76, 103
PYOCE = "pyoce 0.1.0 (CMS I/OCE data, Apache-2.0)"


def _rows(path: Path) -> list[dict[str, str]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as fh:  # type: ignore[operator]
        return list(csv.DictReader(fh))


def _write(name: str, header: list[str], rows: list[list[object]], *, gz: bool = False) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    data = buf.getvalue().encode("utf-8")
    path = OUT / name
    path.write_bytes(gzip.compress(data, mtime=0) if gz else data)
    print(f"{name}: {len(rows)} rows, {path.stat().st_size} bytes")


def main(reference: Path) -> None:
    """Write the OPPS tables from ``reference/oce`` and ``reference/cms``."""
    oce = reference / "oce"
    versions = {int(r["version_id"]): r for r in _rows(oce / "oce_versions.csv")}
    label = {v: r["oce_version"] for v, r in versions.items()}
    start = {v: r["date_started"] for v, r in versions.items()}
    end = {v: r["quarter_end"] for v, r in versions.items()}

    def dates(lo: int, hi: int) -> tuple[str, str, str]:
        return ("" if lo == FIRST else start[lo], "" if hi == LAST else end[hi], f"{label[lo]}-{label[hi]}")

    _write("opps_oce_versions.csv", ["oce_version", "quarter", "first_day", "last_day", "version_id"],
           [[label[v], versions[v]["calendar_quarter"], start[v], end[v], versions[v]["oce_version_full"]]
            for v in sorted(versions)])

    status = _rows(oce / "hcpcs_status.csv.gz")
    flags: dict[str, dict[int, tuple[bool, bool]]] = defaultdict(dict)
    merged: dict[tuple[str, str, str], list[list[int]]] = defaultdict(list)
    for r in sorted(status, key=lambda r: (r["code"], int(r["first_version_id"]))):
        lo, hi = int(r["first_version_id"]), int(r["last_version_id"])
        for v in range(lo, hi + 1):
            flags[r["code"]][v] = (r["ncci_code1"] == "1", r["ncci_code2"] == "1")
        key = (r["code"], r["status_indicator"], r["apc"])
        spans = merged[key]
        if spans and spans[-1][1] + 1 == lo:
            spans[-1][1] = hi
        else:
            spans.append([lo, hi])
    si_rows = [[code, si, "" if apc == "00000" else apc.lstrip("0"), *dates(lo, hi)]
               for (code, si, apc), spans in merged.items() for lo, hi in spans]
    si_rows.sort(key=lambda r: (r[0], r[5]))
    _write("opps_status.csv", ["code", "status_indicator", "apc", "effective_date", "deletion_date", "oce_versions"],
           si_rows)
    # conditionally bilateral codes (modifier 50: two units for the T discount), where every quarter says so
    bilateral: dict[str, set[str]] = defaultdict(set)
    for r in status:
        bilateral[r["code"]].add(r["bilateral_conditional"])
    _write("opps_bilateral.csv", ["code", "source"],
           [[code, "I/OCE HCPCS table bilateral_conditional=1 in every quarter 2019Q3-2026Q2 (shared oce/hcpcs_status)"]
            for code in sorted(bilateral) if bilateral[code] == {"1"}])

    apc_rows = [[r["apc"].lstrip("0"), r["apc_payment_cents"], r["status_indicator"],
                 *dates(int(r["first_version_id"]), int(r["last_version_id"]))]
                for r in _rows(oce / "apc_payment.csv")]
    _write("opps_apc.csv", ["apc", "payment_cents", "status_indicator", "effective_date", "deletion_date",
                            "oce_versions"], sorted(apc_rows, key=lambda r: (int(r[0]), r[5])))

    addon_rows = [[r["addon_code"], r["primary_code"] or "CCCCC", r["addon_type"],
                   *dates(int(r["first_version_id"]), int(r["last_version_id"]))] for r in _rows(oce / "addon.csv")]
    _write("opps_addon.csv", ["add_on_code", "primary_code", "addon_type", "effective_date", "deletion_date",
                              "oce_versions"], sorted(addon_rows))

    def editable(code: str, v: int, col: int) -> bool:
        known = flags.get(code)
        return True if known is None or v not in known else known[v][col]

    # the CMS outpatient-hospital PTP table of 2024Q3 names the rationale of every edit it holds (deleted or not)
    rationale: dict[tuple[str, str, str], str] = {}
    for r in _rows(reference / "cms" / "ncci_ptp_outpatient_hospital_2024q3_full.csv.gz"):
        deletion = "" if r["deletion_date"].startswith("9999") else r["deletion_date"]
        rationale[(r["column_1"], r["column_2"], deletion)] = r["ptp_edit_rationale"]

    def rationale_of(c1: str, c2: str, lo: int, hi: int) -> str:
        last = dates(lo, hi)[1]
        why = rationale.get((c1, c2, last)) or rationale.get((c1, c2, ""))
        return f"OCE {dates(lo, hi)[2]}" + (f"; CMS 2024Q3: {why}" if why else "")

    ptp_rows: list[list[object]] = []
    dropped = 0
    for r in _rows(oce / "ncci_outpatient_ptp.csv.gz"):
        c1, c2 = r["column_1"], r["column_2"]
        lo, hi = int(r["first_version_id"]), int(r["last_version_id"])
        run: list[int] = []
        for v in range(lo, hi + 1):
            if editable(c1, v, 0) and editable(c2, v, 1):
                run.append(v)
                continue
            dropped += 1
            if run:
                ptp_rows.append([c1, c2, *dates(run[0], run[-1])[:2], r["modifier_indicator"],
                                 rationale_of(c1, c2, run[0], run[-1])])
                run = []
        if run:
            ptp_rows.append([c1, c2, *dates(run[0], run[-1])[:2], r["modifier_indicator"],
                             rationale_of(c1, c2, run[0], run[-1])])
    ptp_rows.sort(key=lambda r: (r[0], r[1], r[5]))
    print(f"PTP row-versions left out by the ncci_code1/ncci_code2 flags: {dropped}")
    _write("ptp_outpatient.csv.gz", ["column_1", "column_2", "effective_date", "deletion_date",
                                     "modifier_indicator", "ptp_edit_rationale"], ptp_rows, gz=True)

    mue = [r for r in _rows(reference / "cms" / "ncci_mue_2024q3.csv") if r["setting"] == "outpatient_hospital"]
    _write("mue_outpatient.csv", ["hcpcs_code", "mue_value", "mai", "mai_text", "mue_rationale", "effective_date",
                                  "quarter", "source"],
           [[r["hcpcs_code"], r["mue_value"], r["mai"], r["mai_cms_text"], r["mue_rationale"], "2024-07-01",
             "2024Q3", r["source"]] for r in sorted(mue, key=lambda r: r["hcpcs_code"])])


if __name__ == "__main__":
    main(Path(sys.argv[1]))
