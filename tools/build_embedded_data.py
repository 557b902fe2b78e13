"""Build the embedded rule data in ``fluorologic/data`` from the shared CMS reference rows.

Usage::

    python tools/build_embedded_data.py PATH/TO/reference/cms

The code table follows the code families of issue 14 (``FAMILIES`` below): every family code found in
the MPFS PPRRVU history (``reference/cms/history``), plus the fracture and dislocation codes named by
their CMS short descriptor, plus the hand-curated rows of ``tools/curated_codes.csv`` (the codes of the
first release, with their paraphrased descriptors). Each code is dated from the releases it appears in
(see ``date_code``). The PTP table then keeps every row of the full 2024Q3 practitioner table in which
either code is in the code table, deleted rows included. Values are copied unchanged from the reference
files; nothing is typed in.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import re
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "fluorologic" / "data"
CURATED_CODES = ROOT / "tools" / "curated_codes.csv"
CURATED_ATTRS = ROOT / "tools" / "curated_code_attributes.csv"

#: The 72 target codes of the reference subset files (MUE and 2024 PFS rows exist only for them).
TARGET = [
    "76000", "76001", "77001", "77002", "77003", "77012", "77021", "76942", "20600", "20604", "20605", "20606",
    "20610", "20611", "20612", "20696", "20697", "27093", "27095", "27096", "27369", "27370", "27648", "23350",
    "24220", "25246", "62270", "62273", "62320", "62321", "62322", "62323", "62324", "62325", "62326", "62327",
    "64479", "64480", "64483", "64484", "64490", "64491", "64492", "64493", "64494", "64495", "64633", "64634",
    "64635", "64636", "22510", "22511", "22512", "22513", "22514", "22515", "27506", "27245", "27759", "27244",
    "27235", "27509", "28465", "25606", "25607", "27756", "22612", "22840", "22842", "63030", "20690", "20692",
]

#: Issue 14, point 1: the code families of an orthopedic, spine or pain session with imaging (inclusive ranges).
FAMILIES = [
    (20220, 20251), (20500, 20697), (22510, 22515), (27096, 27096), (27279, 27279), (38220, 38222),
    (62263, 62329), (64400, 64530), (64479, 64495), (64633, 64636), (72240, 72295), (76000, 76000),
    (76080, 76080), (76942, 76942), (77001, 77003), (77011, 77021),
    (23350, 23350), (24220, 24220), (25246, 25246), (27093, 27095), (27369, 27370), (27648, 27648),
    (73040, 73040), (73085, 73085), (73115, 73115), (73525, 73525), (73580, 73580), (73615, 73615),
]
#: Fracture and dislocation care: musculoskeletal codes outside the face (21800-28999) whose CMS short
#: descriptor names a fracture or a dislocation.
FRACTURE_RANGE = (21800, 28999)
FRACTURE_WORDS = re.compile(r"(?i)\bfx\b|fractur|disloc|dislc|dslc")
#: Open treatment, percutaneous treatment, pinning or internal fixation, as the short descriptor says it.
FIXATION_WORDS = re.compile(r"(?i)\boptx\b|\bopn tx\b|\bopen tx\b|\bperq\b|^pin\b|int fix|w/ ?fixj|fixj$")
NO_FIXATION_WORDS = re.compile(r"(?i)w/o fix|wo fix")
#: Named in issue 14 as pinning (25606, 26608) and ORIF (27236, 27245, 27814) codes.
ISSUE_FIXATION = {"25606": "pinning", "26608": "pinning", "27236": "ORIF", "27245": "ORIF", "27814": "ORIF"}

PTP_SOURCE = (
    "andrewallenbruce/northstar@a37fd49:inst/extdata/pins/ncci_ptp_prac/20240622T072926Z-12e14/"
    "ncci_ptp_prac.qs|2024Q3 (eff 2024-07-01)"
)
HISTORY = "shared/reference/cms/history"

#: The quarterly PPRRVU releases of 2020-2023 (column of code_presence_2019_2023.csv -> first day).
QUARTERS = [(f"rvu{y % 100}{q}_{m}_status" if not (y == 2020 and q == "c") else "rvu20c_v0618_status",
             dt.date(y, mo, 1), f"RVU{y % 100}{q.upper()}")
            for y in (2020, 2021, 2022, 2023)
            for q, m, mo in (("a", "jan", 1), ("b", "apr", 4), ("c", "jul", 7), ("d", "oct", 10))]


@dataclass
class Release:
    """One checked release: its first day, name, and whether the code is in it (None: not checked)."""

    start: dt.date
    name: str
    present: bool | None


def _write(name: str, header: list[str], rows: list[list[str]], *, gz: bool = False) -> None:
    path = OUT / name
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    data = buf.getvalue().encode("utf-8")
    path.write_bytes(gzip.compress(data, compresslevel=9, mtime=0) if gz else data)
    print(f"{name}: {len(rows)} rows")


def _in_families(code: str) -> bool:
    return code.isdigit() and any(lo <= int(code) <= hi for lo, hi in FAMILIES)


def load_history(ref: Path) -> tuple[dict[str, list[Release]], dict[str, dict[str, str]]]:
    """Per code, the checked releases in date order; per code, its newest global PPRRVU row of 2020-2023."""
    hist = ref / "history"
    timeline: dict[str, list[Release]] = defaultdict(list)
    with (hist / "key_codes_presence_2013_2017_transcribed.csv").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            for col, day, name in (("y2013_RVU13D", dt.date(2013, 10, 1), "RVU13D"),
                                   ("y2014_RVU14D", dt.date(2014, 10, 1), "RVU14D"),
                                   ("y2015_RVU15D", dt.date(2015, 10, 1), "RVU15D"),
                                   ("y2017_RVU17D", dt.date(2017, 10, 1), "RVU17D")):
                cell = r[col].strip()
                if cell and not (cell == "absent" and "unpriced" in r["note"]):  # "absent" there may be unpriced
                    timeline[r["hcpcs"]].append(Release(day, name, cell != "absent"))
    with (hist / "code_presence_2019_2023.csv").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            code = r["hcpcs"]
            timeline[code].append(Release(dt.date(2019, 10, 1), "PPRRVU19_OCT", r["in_2019_oct"] == "Y"))
            for col, day, name in QUARTERS:
                # status I: "not valid for Medicare purposes"; a blank: not in the release
                timeline[code].append(Release(day, name, r[col] not in ("", "I")))
    newest: dict[str, dict[str, str]] = {}
    for year in (2020, 2021, 2022, 2023):
        with gzip.open(hist / f"pprrvu_{year}_families.csv.gz", "rt", encoding="utf-8") as fh:
            for r in csv.DictReader(fh):
                if r["mod"] == "":
                    newest[r["hcpcs"]] = r
    with (ref / "pfs_pprrvu.csv").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if r["mod"] == "" and r["release"].startswith("RVU24"):
                timeline[r["hcpcs"]].append(Release(dt.date.fromisoformat(r["date_start"]), r["release"], True))
    for rows in timeline.values():
        rows.sort(key=lambda x: x.start)
    return timeline, newest


def _next_quarter(day: dt.date) -> dt.date:
    month = (day.month - 1) // 3 * 3 + 4
    return dt.date(day.year + (month > 12), (month - 1) % 12 + 1, 1)


def date_code(releases: list[Release]) -> tuple[str, str, str, bool]:
    """First and last day of service of a code from its checked releases, a note, and whether a bound is loose.

    The first day is the first day of the quarter after the last release before its first presence in which the
    code is absent (open when it is present in the earliest release checked); the last day is the day before the
    first release after its last presence in which it is absent (open when it is in the newest release checked).
    Where releases were not checked in between, this is the earliest first day and the latest last day the
    sources allow: the reading that never calls a code invalid on a day it may have been valid.

    Examples
    --------
    >>> r = [Release(dt.date(2019, 10, 1), "PPRRVU19_OCT", False), Release(dt.date(2020, 1, 1), "RVU20A", True)]
    >>> date_code(r)
    ('2020-01-01', '', 'absent PPRRVU19_OCT, present RVU20A', False)

    """
    checked = [r for r in releases if r.present is not None]
    present = [i for i, r in enumerate(checked) if r.present]
    if not present:
        return "", "", "never present", False
    first, last = present[0], present[-1]
    notes, loose = [], False
    start = end = ""
    if first > 0:
        before = checked[first - 1]
        start = _next_quarter(before.start).isoformat()
        loose |= _next_quarter(before.start) != checked[first].start
        notes.append(f"absent {before.name}, present {checked[first].name}")
    if last < len(checked) - 1:
        after = checked[last + 1]
        end = (after.start - dt.timedelta(days=1)).isoformat()
        loose |= _next_quarter(checked[last].start) != after.start
        notes.append(f"present {checked[last].name}, absent {after.name}")
    return start, end, "; ".join(notes), loose


def build_codes(ref: Path) -> set[str]:
    """The code table and the derived attributes; returns the embedded code set."""
    timeline, newest = load_history(ref)
    with CURATED_CODES.open(encoding="utf-8") as fh:
        curated = {r["code"]: r for r in csv.DictReader(fh)}
    pfs24: dict[str, dict[str, str]] = {}
    with (ref / "pfs_pprrvu.csv").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if r["mod"] == "" and r["release"] == "RVU24C":
                pfs24[r["hcpcs"]] = r
    aoc: dict[str, set[str]] = defaultdict(set)
    with (ref / "ncci_aoc_2024q3.csv").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            aoc[r["add_on_code"]].add(r["primary_code"])

    codes = set(curated)
    codes.update(c for c in newest if _in_families(c))
    codes.update(c for c, rel in timeline.items() if _in_families(c) and any(x.present for x in rel))
    fractures = {c for c, r in newest.items() if c.isdigit() and FRACTURE_RANGE[0] <= int(c) <= FRACTURE_RANGE[1]
                 and FRACTURE_WORDS.search(r["description"])}
    codes |= fractures
    never = sorted(c for c in codes if c not in curated and not any(x.present for x in timeline.get(c, [])))
    codes -= set(never)
    print(f"left out (never valid for Medicare in the history): {', '.join(never) or 'none'}")

    rows, loose = [], []
    for code in sorted(codes):
        start, end, note, is_loose = date_code(timeline.get(code, []))
        cur = curated.get(code)
        src = []
        if cur is not None:
            kind, target, desc = cur["kind"], cur["target"], cur["description"]
            src.append(cur["source"])
            if cur["effective_date"] or cur["deletion_date"]:  # a curated date rests on a more specific source
                start, end, note, is_loose = cur["effective_date"], cur["deletion_date"], "", False
        else:
            kind, target = _kind(code), _target(code, aoc)
            desc = newest[code]["description"] if code in newest else "(no descriptor in the sources here)"
            src.append(f"description: CMS PPRRVU short descriptor ({_release(newest.get(code))}); "
                       f"kind and target: {_kind_source(code, aoc)}")
        if note:
            src.append(f"dates: {HISTORY} ({note})")
        elif not start and not end:
            src.append(f"dates: none known ({HISTORY}: present in every release checked)")
        if is_loose:
            loose.append(code)
        pctc, pctc_src = "", ""
        if code in pfs24 and pfs24[code]["pctc_ind"].strip():
            pctc, pctc_src = pfs24[code]["pctc_ind"], "RVU24C (pfs_pprrvu.csv)"
        elif code in newest and newest[code]["pctc_ind"].strip():
            pctc, pctc_src = newest[code]["pctc_ind"], f"{_release(newest[code])} ({HISTORY})"
        if pctc:
            src.append(f"PC/TC indicator: {pctc_src}")
        rows.append([code, kind, target, desc, start, end, pctc, "; ".join(src)])
    _write("codes.csv", ["code", "kind", "target", "description", "effective_date", "deletion_date", "pctc_ind",
                         "source"], rows)
    print(f"dates bounded loosely (releases not checked in between): {', '.join(loose)}")
    build_attributes(codes, newest, fractures)
    return codes


def _release(row: dict[str, str] | None) -> str:
    return row["source_release"].upper().replace("_JAN", "").replace("_APR", "").replace("_OCT", "") \
        .replace("_V0618", "") if row else "no PPRRVU row"


def _kind(code: str) -> str:
    n = int(code)
    if n in (76000, 76001):
        return "fluoroscopy"
    if n == 76942 or 77001 <= n <= 77021:
        return "guidance"
    if 72000 <= n <= 73999 or n == 76080:
        return "supervision"
    return "procedure"


def _target(code: str, aoc: dict[str, set[str]]) -> str:
    if code in aoc["77003"] and code not in aoc["77002"]:
        return "spinal"
    if code in aoc["77002"] and code not in aoc["77003"]:
        return "nonspinal"
    n = int(code)
    if 22000 <= n <= 22899 or 62000 <= n <= 63999 or 64461 <= n <= 64463 or 64479 <= n <= 64495 \
            or 64633 <= n <= 64636 or 72000 <= n <= 72295 or n in (27096, 27279):
        return "spinal"
    if 20000 <= n <= 21999 or 23000 <= n <= 28999 or 38220 <= n <= 38222 or 73000 <= n <= 73999:
        return "nonspinal"
    return ""


def _kind_source(code: str, aoc: dict[str, set[str]]) -> str:
    if code in aoc["77003"] and code not in aoc["77002"]:
        return "NCCI AOC 2024Q3: eligible primary of 77003 only"
    if code in aoc["77002"] and code not in aoc["77003"]:
        return "NCCI AOC 2024Q3: eligible primary of 77002 only"
    return "CPT code-set section (spine and paravertebral: spinal; extremities and general: non-spinal)"


_DESC = "CMS PPRRVU short descriptor"
#: Codes whose CPT descriptor includes imaging guidance (issue 14 families), in fluorologic's words.
INCLUDES_GUIDANCE = {
    "27279": "percutaneous sacroiliac joint arthrodesis with image guidance",
    "62302": "myelography via lumbar injection including radiological supervision and interpretation",
    "62303": "myelography via lumbar injection including radiological supervision and interpretation",
    "62304": "myelography via lumbar injection including radiological supervision and interpretation",
    "62305": "myelography via lumbar injection including radiological supervision and interpretation",
    "62329": f"therapeutic spinal puncture with fluoroscopic or CT guidance ({_DESC} 'Ther spi pnxr csf fluor/ct')",
    "64451": "injection of the nerves innervating the sacroiliac joint with image guidance",
    "64454": "genicular nerve injection including imaging guidance when performed",
    "64461": "paravertebral block including imaging guidance when performed",
    "64462": "paravertebral block including imaging guidance when performed",
    "64463": "paravertebral block including imaging guidance when performed",
    "64486": "transversus abdominis plane block including imaging guidance when performed",
    "64487": "transversus abdominis plane block including imaging guidance when performed",
    "64488": "transversus abdominis plane block including imaging guidance when performed",
    "64489": "transversus abdominis plane block including imaging guidance when performed",
}
#: Somatic nerve blocks whose short descriptor first names imaging ('img') in RVU23A, not in RVU22D.
IMAGING_FROM_2023 = ["64415", "64416", "64417", "64445", "64446", "64447", "64448"]


def build_attributes(codes: set[str], newest: dict[str, dict[str, str]], fractures: set[str]) -> None:
    """Curated attributes plus the derived ones: included guidance, integral fluoroscopy; dated where sourced."""
    with CURATED_ATTRS.open(encoding="utf-8") as fh:
        rows = [[r["code"], r["attribute"], r["value"], "", "", r["source"]] for r in csv.DictReader(fh)]
    have = {(r[0], r[1]) for r in rows}

    def add(code: str, attribute: str, value: str, source: str, start: str = "") -> None:
        if code in codes and (code, attribute) not in have:
            rows.append([code, attribute, value, start, "", source])
            have.add((code, attribute))

    for code, why in INCLUDES_GUIDANCE.items():
        add(code, "includes_guidance", "yes", f"CPT descriptor, paraphrased by fluorologic: {why}")
    for code in IMAGING_FROM_2023:
        add(code, "includes_guidance", "yes",
            f"{_DESC} names imaging from RVU23A ('{newest[code]['description']}'), not in RVU22D "
            f"({HISTORY}/pprrvu_2022_families.csv.gz, pprrvu_2023_families.csv.gz)", "2023-01-01")
    for code in sorted(c for c in codes if 72240 <= int(c) <= 72295 or c == "76080"):
        add(code, "includes_guidance", "yes",
            "CPT descriptor: radiological supervision and interpretation is the imaging of the procedure; "
            f"NCCI PTP 2024Q3 {code}/77002 (ptp_practitioner.csv.gz)")
    for code in sorted(fractures):
        desc = newest[code]["description"]
        if code in ISSUE_FIXATION:
            why = f"issue 14 names {code} a {ISSUE_FIXATION[code]} code ({_DESC} '{desc}')"
        elif FIXATION_WORDS.search(desc) and not NO_FIXATION_WORDS.search(desc):
            why = (f"{_DESC} '{desc}' ({_release(newest[code])}) names open or percutaneous treatment, pinning or "
                   "fixation")
        else:
            continue
        add(code, "fluoroscopy_integral", "yes",
            f"fracture/dislocation care with fixation: intraoperative fluoroscopy is integral (issue 14 point 5; NCCI "
            f"Policy Manual Chapter IV, verbatim text not retrieved); {why}")
    _write("code_attributes.csv", ["code", "attribute", "value", "effective_date", "deletion_date", "source"], rows)


def build_ptp(ref: Path, codes: set[str]) -> None:
    """Every practitioner PTP row of the full 2024Q3 table in which either code is embedded (history included)."""
    rows = []
    with gzip.open(ref / "ncci_ptp_practitioner_2024q3_full.csv.gz", "rt", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if r["column_1"] in codes or r["column_2"] in codes:
                rows.append([r["column_1"], r["column_2"], "", r["deletion_date"],
                             r["modifier_indicator"], r["ptp_edit_rationale"]])
    rows.sort()
    _write("ptp_practitioner.csv.gz", ["column_1", "column_2", "effective_date", "deletion_date",
                                       "modifier_indicator", "ptp_edit_rationale"], rows, gz=True)


def build_mue(ref: Path, codes: set[str]) -> None:
    """Practitioner MUE rows for embedded codes."""
    rows = []
    with (ref / "ncci_mue_2024q3.csv").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if r["setting"] == "practitioner" and r["hcpcs_code"] in codes:
                rows.append([r["hcpcs_code"], r["mue_value"], r["mai"], r["mai_cms_text"], r["mue_rationale"],
                             "2024-07-01", "2024Q3", r["source"]])
    rows.sort()
    _write("mue_practitioner.csv", ["hcpcs_code", "mue_value", "mai", "mai_text", "mue_rationale",
                                    "effective_date", "quarter", "source"], rows)


def build_aoc(ref: Path, codes: set[str]) -> None:
    """Add-on code edits whose add-on code is an embedded code."""
    rows = []
    with (ref / "ncci_aoc_2024q3.csv").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if r["add_on_code"] in codes:
                rows.append([r["primary_code"], r["add_on_code"], r["aoc_edit_type"], "2024Q3", r["source"]])
    rows.sort()
    _write("aoc.csv", ["primary_code", "add_on_code", "aoc_edit_type", "quarter", "source"], rows)


def build_pfs(ref: Path) -> None:
    """The MPFS tables: every PPRRVU row of the code families for every release (tools/build_pfs_data.py)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import build_pfs_data  # noqa: PLC0415 (a sibling script, not a package)

    build_pfs_data.build(ref)


def build_tables() -> None:
    """One row per embedded table: its quarter, the first day its rows are dated from, and its source."""
    rows = [
        ["codes", "", "2013-10-01", f"{HISTORY}: PPRRVU RVU13D-RVU17D (transcribed), PPRRVU19_OCT, RVU20A-RVU23D; "
                                    "shared/reference/cms/pfs_pprrvu.csv RVU24A-RVU24C; tools/curated_codes.csv"],
        ["ptp_practitioner", "2024Q3", "2024-07-01", PTP_SOURCE],
    ]
    _write("tables.csv", ["table", "quarter", "first_day", "source"], rows)


def main(argv: list[str]) -> int:
    """Build every embedded table from the reference folder given as the only argument."""
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    ref = Path(argv[1])
    codes = build_codes(ref)
    build_ptp(ref, codes)
    build_mue(ref, codes)
    build_aoc(ref, codes)
    build_pfs(ref)
    build_tables()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
