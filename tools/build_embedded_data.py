"""Build the embedded rule data in ``fluorologic/data`` from the shared CMS reference rows.

Usage::

    python tools/build_embedded_data.py PATH/TO/reference/cms

Rows are selected by code only (the embedded code list below); values are copied
unchanged from the reference files, and every row keeps its ``source`` column.
"""

from __future__ import annotations

import csv
import gzip
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "fluorologic" / "data"

#: The 72 target codes of the reference data plus the arthrography supervision-and-
#: interpretation codes and the lumbar puncture "with imaging" code, which the rules need.
TARGET = [
    "76000", "76001", "77001", "77002", "77003", "77012", "77021", "76942", "20600", "20604", "20605", "20606",
    "20610", "20611", "20612", "20696", "20697", "27093", "27095", "27096", "27369", "27370", "27648", "23350",
    "24220", "25246", "62270", "62273", "62320", "62321", "62322", "62323", "62324", "62325", "62326", "62327",
    "64479", "64480", "64483", "64484", "64490", "64491", "64492", "64493", "64494", "64495", "64633", "64634",
    "64635", "64636", "22510", "22511", "22512", "22513", "22514", "22515", "27506", "27245", "27759", "27244",
    "27235", "27509", "28465", "25606", "25607", "27756", "22612", "22840", "22842", "63030", "20690", "20692",
]
EXTRA = ["73040", "73085", "73115", "73525", "73580", "73615", "62328"]
CODES = frozenset(TARGET + EXTRA)

PTP_SOURCE = (
    "andrewallenbruce/northstar@a37fd49:inst/extdata/pins/ncci_ptp_prac/20240622T072926Z-12e14/"
    "ncci_ptp_prac.qs|2024Q3 (eff 2024-07-01)"
)


def _write(name: str, header: list[str], rows: list[list[str]]) -> None:
    with (OUT / name).open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
    print(f"{name}: {len(rows)} rows")


def build_ptp(ref: Path) -> None:
    """Practitioner PTP edits where both codes are embedded codes (from the full 2024Q3 table)."""
    rows = []
    with gzip.open(ref / "ncci_ptp_practitioner_2024q3_full.csv.gz", "rt", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if r["column_1"] in CODES and r["column_2"] in CODES:
                rows.append([r["column_1"], r["column_2"], "", r["deletion_date"], r["modifier_indicator"],
                             r["ptp_edit_rationale"], "2024Q3", PTP_SOURCE])
    rows.sort()
    _write("ptp_practitioner.csv", ["column_1", "column_2", "effective_date", "deletion_date",
                                    "modifier_indicator", "ptp_edit_rationale", "quarter", "source"], rows)


def build_mue(ref: Path) -> None:
    """Practitioner MUE rows for embedded codes."""
    rows = []
    with (ref / "ncci_mue_2024q3.csv").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if r["setting"] == "practitioner" and r["hcpcs_code"] in CODES:
                rows.append([r["hcpcs_code"], r["mue_value"], r["mai"], r["mai_cms_text"], r["mue_rationale"],
                             "2024-07-01", "2024Q3", r["source"]])
    rows.sort()
    _write("mue_practitioner.csv", ["hcpcs_code", "mue_value", "mai", "mai_text", "mue_rationale",
                                    "effective_date", "quarter", "source"], rows)


def build_aoc(ref: Path) -> None:
    """Add-on code edits whose add-on code is an embedded code."""
    rows = []
    with (ref / "ncci_aoc_2024q3.csv").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if r["add_on_code"] in CODES:
                rows.append([r["primary_code"], r["add_on_code"], r["aoc_edit_type"], "2024Q3", r["source"]])
    rows.sort()
    _write("aoc.csv", ["primary_code", "add_on_code", "aoc_edit_type", "quarter", "source"], rows)


PFS_COLUMNS = ["hcpcs", "mod", "status_code", "work_rvu", "non_fac_na_indicator", "facility_na_indicator",
               "non_facility_total", "facility_total", "pctc_ind", "glob_days", "mult_proc", "bilat_surg",
               "conv_factor", "release", "date_start", "date_end", "source"]


def build_pfs(ref: Path) -> None:
    """PPRRVU rows (all embedded codes, every release period in the reference file)."""
    rows = []
    with (ref / "pfs_pprrvu.csv").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if r["hcpcs"] in CODES:
                rows.append([r[c] for c in PFS_COLUMNS])
    rows.sort(key=lambda r: (r[0], r[1], r[14]))
    _write("pfs_rvu.csv", PFS_COLUMNS, rows)


def main(argv: list[str]) -> int:
    """Build every embedded table from the reference folder given as the only argument."""
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    ref = Path(argv[1])
    build_ptp(ref)
    build_mue(ref)
    build_aoc(ref)
    build_pfs(ref)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
