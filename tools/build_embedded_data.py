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
PFS_HISTORY = "shared/reference/cms/pfs"
OCE = "shared/reference/oce"
#: Slices of the October PPRRVU releases of 2014-2018 read by hand (the way history/SOURCES.md read 2013-2017).
SLICES = ROOT / "tools" / "pprrvu_slices_transcribed.csv"
#: The OCE code families (oce/README.md): a code outside them is not checked by the OCE tables.
OCE_FAMILIES = [(20000, 29999), (61000, 64999), (72000, 73999), (76000, 76999), (77001, 77022)]

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
    with SLICES.open(encoding="utf-8") as fh:
        slices = list(csv.DictReader(fh))
    embedded_like = set(timeline) | set(newest)
    for sl in slices:
        lo, hi, absent = int(sl["span_first"]), int(sl["span_last"]), set(sl["absent"].split())
        unchecked = set(sl["unchecked"].split())
        for code in sorted(c for c in (embedded_like | absent) - unchecked if c.isdigit() and lo <= int(c) <= hi):
            timeline[code].append(Release(dt.date.fromisoformat(sl["first_day"]), sl["release"], code not in absent))
    pfs = ref / "pfs" / "pprrvu_2024_2026_families.csv.gz"
    releases_2024: dict[tuple[str, dt.date], set[str]] = defaultdict(set)  # release -> codes valid in it
    with gzip.open(pfs, "rt", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            key = (r["release"], dt.date.fromisoformat(r["date_start"]))
            releases_2024.setdefault(key, set())
            if r["mod"] == "" and r["status_code"] not in ("", "I"):
                releases_2024[key].add(r["hcpcs"])
    for code in embedded_like:
        for (name, day), valid in sorted(releases_2024.items(), key=lambda x: x[0][1]):
            timeline[code].append(Release(day, name, code in valid))
    add_oce_quarters(ref.parent / "oce", timeline)
    for rows in timeline.values():
        rows.sort(key=lambda x: x.start)
    return timeline, newest


def add_oce_quarters(oce: Path, timeline: dict[str, list[Release]]) -> None:
    """The I/OCE HCPCS table's quarters (2019Q3-2026Q2) as checked releases of the codes of its families.

    The OCE says whether a code is a valid HCPCS code in a quarter; the PPRRVU says whether Medicare's fee
    schedule lists it (status I counts as absent). The two agree on every code-quarter of 2019Q4-2023
    (oce/README.md, check 5), so the OCE checks only the quarters no PPRRVU release checks here: its first
    quarter (2019Q3, before PPRRVU19_OCT) and the quarters after the newest PPRRVU release (2026Q1-Q2).
    A code whose newest PPRRVU status is I (27215-27218) is not revived by its HCPCS validity.
    """
    with (oce / "oce_versions.csv").open(encoding="utf-8") as fh:
        quarters = [(int(r["version_id"]), dt.date.fromisoformat(r["date_started"]), f"OCE {r['oce_version']}")
                    for r in csv.DictReader(fh)]
    with (oce / "hcpcs_first_last.csv").open(encoding="utf-8") as fh:
        span = {r["code"]: (int(r["first_version_id"]), int(r["last_version_id"])) for r in csv.DictReader(fh)}
    for code, rows in timeline.items():
        if not (code.isdigit() and any(lo <= int(code) <= hi for lo, hi in OCE_FAMILIES)):
            continue
        checked = [r for r in rows if r.present is not None]
        newest = max(checked, key=lambda r: r.start) if checked else None
        first, last = span.get(code, (0, -1))
        for vid, day, name in quarters:
            pfs_checked = dt.date(2019, 10, 1) <= day <= (newest.start if newest else day)
            if pfs_checked or (day > dt.date(2019, 10, 1) and newest is not None and not newest.present):
                continue
            rows.append(Release(day, name, first <= vid <= last))


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
        before, at = checked[first - 1], checked[first]
        start = _next_quarter(before.start).isoformat()
        note = f"absent {before.name}, present {at.name}"
        if _next_quarter(before.start) != at.start:
            january = _single_january(before.start, at.start)
            if january is None:
                loose = True
            else:
                start, note = january.isoformat(), note + " (annual CPT change: January 1)"
        notes.append(note)
    if last < len(checked) - 1:
        at, after = checked[last], checked[last + 1]
        end = (after.start - dt.timedelta(days=1)).isoformat()
        note = f"present {at.name}, absent {after.name}"
        if _next_quarter(at.start) != after.start:
            january = _single_january(at.start, after.start)
            if january is None:
                loose = True
            else:
                end, note = (january - dt.timedelta(days=1)).isoformat(), note + " (annual CPT change: January 1)"
        notes.append(note)
    return start, end, "; ".join(notes), loose


def _single_january(after: dt.date, upto: dt.date) -> dt.date | None:
    """The one January 1 in ``(after, upto]``, or None when there is none or more than one.

    CPT Category I codes are added and deleted once a year, on January 1 (the annual CPT release the MPFS
    final rule adopts); between two checked releases with exactly one January 1 between them, that is the
    day a code appeared or the day after it ended (an inference, stated in the data README).

    >>> _single_january(dt.date(2016, 10, 1), dt.date(2017, 10, 1))
    datetime.date(2017, 1, 1)
    >>> _single_january(dt.date(2014, 10, 1), dt.date(2016, 10, 1)) is None
    True

    """
    januaries = [dt.date(y, 1, 1) for y in range(after.year + 1, upto.year + 1) if after < dt.date(y, 1, 1) <= upto]
    return januaries[0] if len(januaries) == 1 else None


def build_codes(ref: Path) -> set[str]:
    """The code table and the derived attributes; returns the embedded code set."""
    timeline, newest = load_history(ref)
    ptp_days = ptp_evidence(ref)
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
        seen = [r for r in timeline.get(code, []) if r.present]
        shown = [seen[0].start.isoformat()] if seen else []
        shown += [ptp_days[code]] if code in ptp_days else []
        first_seen = min(shown) if shown and (not start or is_loose) else ""
        if note:
            src.append(f"dates: {HISTORY}, {PFS_HISTORY}, {OCE}, tools/pprrvu_slices_transcribed.csv ({note})")
        elif not start and not end:
            src.append(f"dates: none known ({HISTORY}, {PFS_HISTORY}, {OCE}: present in every release checked, "
                       f"the first {seen[0].name if seen else 'none'})")
        if is_loose:
            loose.append(code)
        pctc, pctc_src = "", ""
        if code in pfs24 and pfs24[code]["pctc_ind"].strip():
            pctc, pctc_src = pfs24[code]["pctc_ind"], "RVU24C (pfs_pprrvu.csv)"
        elif code in newest and newest[code]["pctc_ind"].strip():
            pctc, pctc_src = newest[code]["pctc_ind"], f"{_release(newest[code])} ({HISTORY})"
        if pctc:
            src.append(f"PC/TC indicator: {pctc_src}")
        rows.append([code, kind, target, desc, start, end, pctc, "; ".join(src), first_seen])
    _write("codes.csv", ["code", "kind", "target", "description", "effective_date", "deletion_date", "pctc_ind",
                         "source", "first_seen"], rows)
    print(f"dates bounded loosely (releases not checked in between): {', '.join(loose)}")
    build_attributes(codes, newest, fractures, {r[0]: r[4] for r in rows if r[4]})
    return codes


def ptp_evidence(ref: Path) -> dict[str, str]:
    """Per code, the earliest last day of an NCCI PTP edit naming it (indicator 9 excluded).

    An edit is in force only between two valid codes, so a code named by an edit was valid on that edit's
    last day: the earliest day a CMS row shows the code in use, where no PPRRVU release checked here shows
    it earlier (``first_seen`` in codes.csv).
    """
    days: dict[str, str] = {}
    with gzip.open(ref / "ncci_ptp_practitioner_2024q3_full.csv.gz", "rt", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            day = r["deletion_date"]
            if r["modifier_indicator"] == "9" or not day or day.startswith("9999"):
                continue
            for code in (r["column_1"], r["column_2"]):
                if day < days.get(code, "9999"):
                    days[code] = day
    return days


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
#: Descriptors that came to include imaging guidance on a day no release checked here can show (the code
#: existed before; no PPRRVU release older than RVU13D is in the reference): the CPT edition that changed them.
CPT_DESCRIPTOR_DATES = {
    **dict.fromkeys(["64479", "64480", "64483", "64484"], (
        "2011-01-01", "CPT 2011 revised the transforaminal epidural injection codes to include imaging guidance "
                      "(fluoroscopy or CT); before, 77003 was reported with them. Inferred from the CPT edition: no "
                      "CMS row here is older than RVU13D")),
    "27096": ("2012-01-01", "CPT 2012 revised the sacroiliac joint injection to require and include imaging "
                            "guidance (fluoroscopy or CT), arthrography included. Inferred from the CPT edition: no "
                            "CMS row here is older than RVU13D"),
    **dict.fromkeys(["64633", "64634", "64635", "64636"], (
        "2012-01-01", "CPT 2012 created the facet neurolysis codes with imaging guidance included, in place of "
                      "64622-64627 (absent from RVU13D, shared/reference/cms/history key_codes_presence_2013_2017_"
                      "transcribed.csv, where 64633-64636 are present). The day is inferred from the CPT edition")),
    **dict.fromkeys(["64490", "64491", "64492", "64493", "64494", "64495"], (
        "2010-01-01", "CPT 2010 created the paravertebral facet joint injection codes with imaging guidance "
                      "included. Inferred from the CPT edition: no CMS row here is older than RVU13D")),
    "27279": ("2015-01-01", "CPT 2015 describes the percutaneous sacroiliac arthrodesis 'with image guidance'; the "
                            "earliest CMS row here that shows 27279 in use is an NCCI PTP edit ending 2015-12-31 "
                            "(ncci_ptp_practitioner_2024q3_full.csv.gz). The day is inferred from the CPT edition"),
}


def build_attributes(codes: set[str], newest: dict[str, dict[str, str]], fractures: set[str],
                     first_days: dict[str, str] | None = None) -> None:
    """Curated attributes plus the derived ones: included guidance, integral fluoroscopy; dated where sourced.

    An ``includes_guidance`` row is dated from the CPT edition that put imaging guidance into the descriptor
    (``CPT_DESCRIPTOR_DATES``), or from the code's own first day where the code was created with it; the
    others (arthrography and spinal supervision and interpretation, 20696/20697) hold on every day the code
    is valid, no source here dating their descriptors.
    """
    first_days = first_days or {}
    with CURATED_ATTRS.open(encoding="utf-8") as fh:
        rows = [[r["code"], r["attribute"], r["value"], *_descriptor_date(r["code"], r["attribute"], first_days),
                 "", r["source"]] for r in csv.DictReader(fh)]
    for row in rows:
        if row[3] and row[0] in CPT_DESCRIPTOR_DATES:
            row[5] += f"; from {row[3]}: {CPT_DESCRIPTOR_DATES[row[0]][1]}"
        elif row[3]:
            row[5] += (f"; from {row[3]}: the code's first day (codes.csv), its descriptor including the guidance "
                       "since it was created")
    have = {(r[0], r[1]) for r in rows}

    def add(code: str, attribute: str, value: str, source: str, start: str = "") -> None:
        if code in codes and (code, attribute) not in have:
            rows.append([code, attribute, value, start, "", source])
            have.add((code, attribute))

    for code, why in INCLUDES_GUIDANCE.items():
        start = _descriptor_date(code, "includes_guidance", first_days)[0]
        when = ""
        if start:
            when = (f"; from {start}: {CPT_DESCRIPTOR_DATES[code][1]}" if code in CPT_DESCRIPTOR_DATES else
                    f"; from {start}: the code's first day (codes.csv), its descriptor including the guidance "
                    "since it was created")
        add(code, "includes_guidance", "yes", f"CPT descriptor, paraphrased by fluorologic: {why}{when}", start)
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


def _descriptor_date(code: str, attribute: str, first_days: dict[str, str]) -> tuple[str]:
    """The first day an ``includes_guidance`` attribute holds ('' where no source dates it)."""
    if attribute != "includes_guidance":
        return ("",)
    if code in CPT_DESCRIPTOR_DATES:
        return (CPT_DESCRIPTOR_DATES[code][0],)
    return (first_days.get(code, ""),)


def _em_codes() -> set[str]:
    """The curated evaluation and management codes."""
    with CURATED_CODES.open(encoding="utf-8") as fh:
        return {r["code"] for r in csv.DictReader(fh) if r["kind"] == "evaluation_management"}


def build_ptp(ref: Path, codes: set[str]) -> None:
    """Every practitioner PTP row of the full 2024Q3 table in which either code is embedded (history included).

    An E/M code has edits with most of the procedure code set (164,641 rows for the 15 embedded E/M codes):
    its rows are kept where the other code is embedded too (E/M beside an embedded procedure, or two E/M codes).
    """
    em = _em_codes()
    core = codes - em
    rows = []
    with gzip.open(ref / "ncci_ptp_practitioner_2024q3_full.csv.gz", "rt", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            c1, c2 = r["column_1"], r["column_2"]
            if c1 in core or c2 in core or (c1 in em and c2 in em):
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


#: Add-on edits no file here lists, inferred (and said so in the data README): the primary was deleted before
#: the first I/OCE quarter, and the code CPT replaced it with is an eligible primary in every quarter since.
INFERRED_AOC = [
    ("27370", "77002", "2018-12-31",
     "inferred: CPT 2019 replaced 27370 (knee arthrography injection; present RVU18D, absent I/OCE 2019Q3) by "
     "27369, an eligible primary of 77002 in every I/OCE quarter from 2019Q3 (shared/reference/oce/addon.csv) and "
     "in the 2024Q3 AOC file; no AOC file here is older than 2019Q3, so 27370's own row is not seen"),
]


def build_aoc(ref: Path, codes: set[str]) -> None:
    """Add-on code edits whose add-on code is an embedded code, dated by the I/OCE add-on maps (2019Q3-2026Q2).

    The 2024Q3 AOC rows are all in the OCE maps of 2024Q3 with the same type (oce/README.md, check 4), so
    the OCE ranges date them: a range that starts after the first OCE quarter gives the edit's first day, one
    that ends before the newest gives its last; a range from the first OCE quarter is open before (the
    maps cannot see earlier). OCE ranges of edits that ended before the newest OCE quarter and are not in the
    2024Q3 file (62270 and 62272 as primaries of 77003 until 2019-12-31) are added as rows of their own.
    """
    oce: dict[tuple[str, str], list[dict[str, str]]] = defaultdict(list)
    with (ref.parent / "oce" / "addon.csv").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if r["addon_code"] in codes:
                oce[(r["primary_code"] or "CCCCC", r["addon_code"])].append(r)

    def days(r: dict[str, str]) -> tuple[str, str]:
        return ("" if r["first_version_id"] == "76" else r["first_date"],
                "" if r["open_ended"] == "1" else r["last_date"])

    rows, used = [], set()
    with (ref / "ncci_aoc_2024q3.csv").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if r["add_on_code"] in codes:
                pair = (r["primary_code"], r["add_on_code"])
                now = [o for o in oce.get(pair, []) if o["first_date"] <= "2024-07-01" <= o["last_date"]]
                start, end = days(now[0]) if now else ("", "")
                used.update(id(o) for o in now)
                rows.append([*pair, r["aoc_edit_type"], "2024Q3", start, end, r["source"]])
    for pair, ranges in sorted(oce.items()):
        for o in ranges:
            if id(o) not in used and o["open_ended"] != "1":  # an edit still open is the 2024Q3 file's to list
                rows.append([*pair, o["addon_type"], f"OCE {o['first_oce_version']}-{o['last_oce_version']}",
                             *days(o), f"{OCE}/addon.csv ({o['source']}; OCE versions {o['first_oce_version']}-"
                                       f"{o['last_oce_version']})"])
    for primary, add_on, end, why in INFERRED_AOC:
        if add_on in codes:
            rows.append([primary, add_on, "1", "inferred", "", end, why])
    rows.sort()
    _write("aoc.csv", ["primary_code", "add_on_code", "aoc_edit_type", "quarter", "effective_date", "deletion_date",
                       "source"], rows)


def build_pfs(ref: Path) -> None:
    """The MPFS tables: every PPRRVU row of the code families for every release (tools/build_pfs_data.py)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import build_pfs_data  # noqa: PLC0415 (a sibling script, not a package)

    build_pfs_data.build(ref)


def build_tables() -> None:
    """One row per embedded table: its quarter, the first day its rows are dated from, and its source."""
    rows = [
        ["codes", "", "2013-10-01", f"{HISTORY}: PPRRVU RVU13D-RVU17D (transcribed), PPRRVU19_OCT, RVU20A-RVU23D; "
                                    "tools/pprrvu_slices_transcribed.csv: RVU14D, RVU15D, RVU16D, RVU18D slices; "
                                    f"{PFS_HISTORY}: RVU24A-RVU25D; {OCE}: I/OCE 2019Q3-2026Q2; "
                                    "tools/curated_codes.csv"],
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
