"""Build the embedded MPFS tables (``fluorologic/data/pfs_*.csv``) from the shared CMS reference files.

Usage: ``python tools/build_pfs_data.py PATH/TO/shared/reference/cms``

Reads every PPRRVU row of the code families in ``history/pprrvu_20XX_families.csv.gz`` (RVU20A-RVU23D)
and ``pfs/pprrvu_2024_2026_families.csv.gz`` (RVU24A-C, RVU25A/C/D), and the GPCI tables of
``pfs/gpci_2024.csv`` and ``pfs/gpci_2025.csv``. Values are copied unchanged, except that the history's
floating-point text (``0.7899999999999999``) is written back with the CMS file's 2 decimals (RVUs and
GPCIs) or 4 (conversion factor). Consecutive releases whose row is the same on every kept column share
one output row (``first_release`` .. ``last_release``); the conversion factor is a column of the release
table, so a row never repeats for a new factor.

Outputs: ``pfs_releases.csv`` (release, dates, conversion factor, loaded or not, source),
``pfs_rvu.csv.gz`` (the rows) and ``pfs_gpci.csv`` (year, MAC, locality, the three GPCIs).
"""

from __future__ import annotations

import csv
import gzip
import io
import sys
from decimal import Decimal
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "fluorologic" / "data"

ARKRVU = "andrewallenbruce/arkrvu@cd980d893e85b558896e9d33cf5753e1fe327e27:inst/extdata/pins"
HISTORY_PINS = {2020: "rvu_source_2020/20260201T134437Z-005d5/rvu_source_2020.rds",
                2021: "rvu_source_2021/20260201T134446Z-7dd67/rvu_source_2021.rds",
                2022: "rvu_source_2022/20260201T134456Z-cfea1/rvu_source_2022.rds",
                2023: "rvu_source_2023/20260201T134511Z-4563d/rvu_source_2023.rds"}
#: The CMS quarterly release letters and their first and last days (the PFS Relative Value Files page: "A"
#: January 1 - March 31, "B" April 1 - June 30, "C" July 1 - September 30, "D" October 1 - December 31).
QUARTERS = {"a": ("01-01", "03-31"), "b": ("04-01", "06-30"), "c": ("07-01", "09-30"), "d": ("10-01", "12-31")}
#: Releases of 2024-2026 the reference names but could not obtain (pfs/README.md, "Not found / not extracted").
NOT_LOADED = [("RVU24D", "2024-10-01", "2024-12-31"), ("RVU25B", "2025-04-01", "2025-06-30"),
              ("RVU26A", "2026-01-01", "2026-03-31")]

ROW_COLUMNS = ["hcpcs", "mod", "status_code", "work_rvu", "non_fac_pe_rvu", "non_fac_na_indicator", "facility_pe_rvu",
               "facility_na_indicator", "mp_rvu", "non_facility_total", "facility_total", "pctc_ind", "glob_days",
               "mult_proc", "bilat_surg", "diag_imaging_family_ind"]
#: Column names of the history files where they differ from the 2024-2026 file's.
HISTORY_NAMES = {"non_fac_na_indicator": "non_fac_indicator", "facility_na_indicator": "facility_indicator",
                 "diag_imaging_family_ind": "diagnostic_imaging_family_indicator"}
DECIMALS = {"work_rvu", "non_fac_pe_rvu", "facility_pe_rvu", "mp_rvu", "non_facility_total", "facility_total"}


def _two(text: str, places: int = 2) -> str:
    """Floating-point text written back with the CMS file's decimals (``0.7899999999999999`` -> ``0.79``)."""
    if not text.strip():
        return ""
    return str(Decimal(text).quantize(Decimal(1).scaleb(-places)))


def _history(ref: Path) -> list[tuple[dict[str, str], list[dict[str, str]]]]:
    out = []
    for year, pin in HISTORY_PINS.items():
        with gzip.open(ref / "history" / f"pprrvu_{year}_families.csv.gz", "rt", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        for letter in "abcd":
            key = next(r["source_release"] for r in rows if r["source_release"][5] == letter)
            part = [r for r in rows if r["source_release"] == key]
            cfs = {_two(r["conv_factor"], 4) for r in part}
            assert len(cfs) == 1, (key, cfs)
            start, end = QUARTERS[letter]
            release = {"release": f"RVU{year % 100}{letter.upper()}", "date_start": f"{year}-{start}",
                       "date_end": f"{year}-{end}", "conv_factor": cfs.pop(), "loaded": "yes",
                       "source": f"{ARKRVU}/{pin}#{key}"}
            out.append((release, [{c: r[HISTORY_NAMES.get(c, c)] for c in ROW_COLUMNS} for r in part]))
    return out


def _recent(ref: Path) -> list[tuple[dict[str, str], list[dict[str, str]]]]:
    with gzip.open(ref / "pfs" / "pprrvu_2024_2026_families.csv.gz", "rt", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    out = []
    for name in dict.fromkeys(r["release"] for r in rows):
        part = [r for r in rows if r["release"] == name]
        first = part[0]
        assert len({r["conv_factor"] for r in part}) == 1
        release = {"release": name, "date_start": first["date_start"], "date_end": first["date_end"],
                   "conv_factor": first["conv_factor"], "loaded": "yes", "source": first["source"]}
        out.append((release, [{c: r[c] for c in ROW_COLUMNS} for r in part]))
    return out


def _normal(row: dict[str, str]) -> tuple[str, ...]:
    """The kept columns in the CMS layout (one RVU20D row set writes global days ``0`` for ``000``)."""
    out = {c: _two(row[c]) if c in DECIMALS else row[c].strip() for c in ROW_COLUMNS}
    if out["glob_days"].isdigit():
        out["glob_days"] = out["glob_days"].zfill(3)
    return tuple(out.values())


def build(ref: Path) -> None:
    """Write the three tables."""
    releases = _history(ref) + _recent(ref)
    order = [r["release"] for r, _ in releases]
    # one output row per run of consecutive releases with the same values
    runs: dict[tuple[str, str], list[list[str]]] = {}
    for release, rows in releases:
        name = release["release"]
        for row in rows:
            values = _normal(row)
            key = values[:2]
            chain = runs.setdefault(key, [])
            last = chain[-1] if chain else None
            if last is not None and tuple(last[:-2]) == values and order.index(last[-1]) == order.index(name) - 1:
                last[-1] = name
            else:
                chain.append([*values, name, name])
    out_rows = sorted((r for chain in runs.values() for r in chain), key=lambda r: (r[0], r[1], order.index(r[-2])))
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([*ROW_COLUMNS, "first_release", "last_release"])
    w.writerows(out_rows)
    (OUT / "pfs_rvu.csv.gz").write_bytes(gzip.compress(buf.getvalue().encode("utf-8"), mtime=0))

    table = [r for r, _ in releases] + [{"release": n, "date_start": s, "date_end": e, "conv_factor": "",
                                         "loaded": "no", "source": "not found in the reference files"}
                                        for n, s, e in NOT_LOADED]
    table.sort(key=lambda r: r["date_start"])
    with (OUT / "pfs_releases.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, ["release", "date_start", "date_end", "conv_factor", "loaded", "source"],
                           lineterminator="\n")
        w.writeheader()
        w.writerows(table)

    gpci = []
    for year in (2024, 2025):
        with (ref / "pfs" / f"gpci_{year}.csv").open(encoding="utf-8") as fh:
            for r in csv.DictReader(fh):
                gpci.append([str(year), r["mac"], r["locality_number"], r["state"], r["locality_name"],
                             r["pw_gpci"], r["pe_gpci"], r["mp_gpci"], r["releases"], r["source"]])
    gpci.sort(key=lambda r: (r[0], r[1], r[2]))
    with (OUT / "pfs_gpci.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["year", "mac", "locality", "state", "locality_name", "pw_gpci", "pe_gpci", "mp_gpci", "releases",
                    "source"])
        w.writerows(gpci)


def main(argv: list[str]) -> int:
    """Build the tables from the reference folder given as the only argument."""
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    build(Path(argv[1]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
