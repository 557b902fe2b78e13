"""Fixture writers: the embedded (real, sourced) rows written back in each published CMS file layout.

Values the embedded tables do not carry but a layout needs (PTP effective dates, PPRRVU columns
fluorologic does not keep, AOC dates) are filled with clearly synthetic test values, in tests only.
"""

from __future__ import annotations

import csv
import gzip
import io
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest

from fluorologic.rules.ruledata import RuleData

REPO = Path(__file__).resolve().parents[2]
FULL_PTP = REPO.parent / "shared" / "reference" / "cms" / "ncci_ptp_practitioner_2024q3_full.csv.gz"
SYNTHETIC_EFFECTIVE = "20240701"  # test-only: the embedded PTP rows carry no effective date

PTP_HEADER = [
    "Column 1\tColumn 2\t*=in existence\tEffective\tDeletion\tModifier\tPTP Edit Rationale",
    "\t\tprior\tDate\tDate\t0=not allowed\t",
    "\t\tto 1996\t\t*=no data\t1=allowed\t",
    "\t\t\t\t\t9=not applicable\t",
]
PFS_NAMES = ["HCPCS", "MOD", "DESCRIPTION", "STATUS CODE", "NOT USED FOR MEDICARE PAYMENT", "WORK RVU",
             "NON-FAC PE RVU", "NON-FAC NA INDICATOR", "FACILITY PE RVU", "FACILITY NA INDICATOR", "MP RVU",
             "NON-FACILITY TOTAL", "FACILITY TOTAL", "PCTC IND", "GLOB DAYS", "PRE OP", "INTRA OP", "POST OP",
             "MULT PROC", "BILAT SURG", "ASST SURG", "CO- SURG", "TEAM SURG", "ENDO BASE", "CONV FACTOR",
             "PHYSICIAN SUPERVISION OF DIAGNOSTIC PROCEDURES", "CALCULATION FLAG",
             "DIAGNOSTIC IMAGING FAMILY INDICATOR", "NON-FACILITY PE USED FOR OPPS PAYMENT AMOUNT",
             "FACILITY PE USED FOR OPPS PAYMENT AMOUNT", "MP USED FOR OPPS PAYMENT AMOUNT"]


def embedded() -> RuleData:
    return RuleData.embedded()


def ptp_rows() -> list:
    """The embedded PTP rows between the codes that have MUE or PFS rows (the reference subset's target codes).

    The whole embedded table (half a million rows) would make every store test an import benchmark.
    """
    data = embedded()
    core = core_codes()
    return [p for c in sorted(core) for p in data.ptp_by_col1.get(c, ()) if p.column_2 in core]


def core_codes() -> set[str]:
    """The codes with MUE or PFS rows and the codes the rules may add beside them."""
    data = embedded()
    return data.candidate_codes(set(data.mue) | set(data.fees))


def _cms_date(n: int) -> str:
    return "*" if n >= 99991231 else str(n)


def ptp_txt_lines(rows: list | None = None) -> list[str]:
    rows = ptp_rows() if rows is None else rows
    out = ["CPT only copyright 2023 American Medical Association. All rights reserved.", "Column1/Column2 Edits",
           *PTP_HEADER]
    out += [f"{p.column_1}\t{p.column_2}\t\t{SYNTHETIC_EFFECTIVE}\t{_cms_date(p.deletion)}\t{p.indicator}\t"
            f"{p.rationale}" for p in rows]
    return out


def write_ptp_txt(path: Path, rows: list | None = None) -> Path:
    path.write_bytes(("\r\n".join(ptp_txt_lines(rows)) + "\r\n").encode("cp1252"))
    return path


def write_ptp_xlsx(path: Path, rows: list | None = None) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["CPT only copyright 2023 American Medical Association. All rights reserved."])
    sheet.append(["Column1/Column2 Edits"])
    sheet.append(["Column 1", "Column 2", "*=in existence prior to 1996", "Effective Date", "Deletion Date",
                  "Modifier", "PTP Edit Rationale"])
    sheet.append([None, None, None, None, None, "0=not allowed"])
    sheet.append([None, None, None, None, "*=no data", "1=allowed"])
    sheet.append([None, None, None, None, None, "9=not applicable"])
    for p in ptp_rows() if rows is None else rows:
        sheet.append([p.column_1, p.column_2, None, int(SYNTHETIC_EFFECTIVE),
                      "*" if p.deletion >= 99991231 else p.deletion, p.indicator, p.rationale])
    book.save(path)
    return path


def write_ptp_zip(path: Path, parts: int = 2, prefix: str = "ccipra-v302r0") -> Path:
    """The CMS packaging: an outer zip of -fN part zips, each holding one tab-delimited .txt part."""
    rows = ptp_rows()
    size = -(-len(rows) // parts)
    with zipfile.ZipFile(path, "w") as outer:
        for i in range(parts):
            inner = io.BytesIO()
            with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as z:
                body = "\r\n".join(ptp_txt_lines(rows[i * size:(i + 1) * size])) + "\r\n"
                z.writestr(f"{prefix}-f{i + 1}.txt", body.encode("cp1252"))
                z.writestr("NCCI-PTP-Readme.pdf", b"%PDF-1.4 not data")
            outer.writestr(f"{prefix}-f{i + 1}.zip", inner.getvalue())
    return path


def write_ptp_reference_csv(path: Path, rows: list | None = None, *, gz: bool = False) -> Path:
    """The layout of shared/reference/cms/ncci_ptp_*_2024q3*.csv (ISO dates, CMS dates beside them)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["column_1", "column_2", "deletion_date", "deletion_date_cms", "modifier_indicator",
                "ptp_edit_rationale"])
    for p in ptp_rows() if rows is None else rows:
        iso = "9999-12-31" if p.deletion >= 99991231 else f"{p.deletion // 10000}-{p.deletion // 100 % 100:02d}-" \
                                                          f"{p.deletion % 100:02d}"
        w.writerow([p.column_1, p.column_2, iso, _cms_date(p.deletion), p.indicator, p.rationale])
    data = buf.getvalue().encode()
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def mue_rows() -> list:
    return [m for rows in embedded().mue.values() for m in rows]


def write_mue_csv(path: Path, rows: list | None = None, setting: str = "Practitioner") -> Path:
    """CMS MUE CSV: a quoted multi-line copyright cell, the header cell "HCPCS/\\nCPT Code", MAI as text, CRLF."""
    buf = io.StringIO()
    w = csv.writer(buf)  # CRLF line ends, quoting where needed
    w.writerow(["CPT codes, descriptions and other data only are copyright 2023 American Medical Association.\n"
                "All Rights Reserved. Applicable FARS/HHSARS apply.", "", "", ""])
    w.writerow(["HCPCS/\nCPT Code", f"{setting} Services MUE Values", "MUE Adjudication Indicator", "MUE Rationale"])
    for m in mue_rows() if rows is None else rows:
        w.writerow([m.code, m.value, m.mai_text, m.rationale])
    path.write_text(buf.getvalue(), newline="")
    return path


def write_mue_xlsx(path: Path, rows: list | None = None) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["CPT codes, descriptions and other data only are copyright 2023 American Medical Association."])
    sheet.append(["HCPCS/\nCPT Code", "Practitioner Services MUE Values", "MUE Adjudication Indicator",
                  "MUE Rationale"])
    for m in mue_rows() if rows is None else rows:
        sheet.append([m.code, m.value, m.mai_text, m.rationale])
    book.save(path)
    return path


def aoc_rows() -> list:
    return [a for rows in embedded().aoc_by_addon.values() for a in rows]


def write_aoc_csv(path: Path) -> Path:
    """A CMS-style AOC table (columns found by name); dates are synthetic test values."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["Add-on Code", "Add-On Code Effective Date", "Add-On Code Deletion Date", "Primary Code",
                "Primary Code Effective Date", "Primary Code Deletion Date", "AOC Edit Type",
                "AOC Edit Effective Date", "AOC Edit Deletion Date", "Special Instruction Notes"])
    for a in aoc_rows():
        w.writerow([a.add_on, "20100101", "*", a.primary, "20100101", "*", a.edit_type, "20100101", "*", ""])
    path.write_text(buf.getvalue(), newline="")
    return path


def fee_rows(release: str = "RVU24C") -> list:
    return [f for rows in embedded().fees.values() for f in rows if f.release == release]


def _pfs_cells(f) -> list[str]:
    cells = ["0.00"] * 31
    cells[0], cells[1], cells[2], cells[3], cells[4] = f.code, f.mod, "test description", f.status, ""
    cells[7] = "" if f.nonfacility_total is not None else "NA"
    cells[9] = "" if f.facility_total is not None else "NA"
    cells[11] = f"{f.nonfacility_total or 0:.2f}"
    cells[12] = f"{f.facility_total or 0:.2f}"
    cells[13], cells[14] = str(f.pctc if f.pctc is not None else 9), f.glob_days
    cells[18], cells[19], cells[24] = "2", "1", f"{f.conv_factor:.4f}"
    cells[25], cells[26], cells[27] = "09", "", "99"
    return cells


def write_pfs_csv(path: Path, release: str = "RVU24C") -> Path:
    """CMS PPRRVU CSV: 5 preamble lines, a 5-row stacked header, unquoted data rows."""
    stacked = [[""] * 31 for _ in range(5)]
    for j, name in enumerate(PFS_NAMES):
        words = name.split()
        for k, word in enumerate(reversed(words[-5:])):
            stacked[4 - k][j] = word
    lines = [",,2024 National Physician Fee Schedule Relative Value File July Release" + "," * 28,
             "CPT codes and descriptions only are copyright 2023 American Medical Association" + "," * 30,
             "Dental codes (D codes) are copyright 2023 American Dental Association" + "," * 30,
             "," * 30, ",,RELEASED 06/2024" + "," * 28]
    lines += [",".join(r) for r in stacked]
    lines += [",".join(_pfs_cells(f)) for f in fee_rows(release)]
    path.write_text("\r\n".join(lines) + "\r\n")
    return path


def write_pfs_txt(path: Path, release: str = "RVU24C") -> Path:
    """CMS PPRRVU fixed-width TXT (positions as documented in shared/reference/cms/README.md)."""
    out = [("HDR " + "CPT codes and descriptions only are copyright AMA").ljust(171) for _ in range(7)]
    for f in fee_rows(release):
        line = [" "] * 171

        def put(a: int, b: int, text: str, right: bool = True, line: list = line) -> None:
            text = text.rjust(b - a) if right else text.ljust(b - a)
            line[a:b] = list(text[: b - a])

        c = _pfs_cells(f)
        put(0, 5, c[0], False)
        put(5, 7, c[1], False)
        put(7, 57, c[2], False)
        put(57, 58, c[3])
        put(59, 65, c[5])
        put(72, 74, c[7], False)
        put(81, 83, c[9], False)
        put(89, 96, c[11])
        put(96, 102, c[12])
        put(102, 103, c[13])
        put(103, 106, c[14])
        put(115, 116, c[18])
        put(116, 117, c[19])
        put(133, 140, c[24])
        out.append("".join(line))
    path.write_text("\r\n".join(out) + "\r\n")
    return path


@pytest.fixture
def cms() -> SimpleNamespace:
    """The fixture writers, as one namespace."""
    return SimpleNamespace(**{name: obj for name, obj in globals().items()
                              if callable(obj) and (name.startswith(("write_", "ptp_", "mue_", "aoc_", "fee_"))
                                                    or name in ("embedded", "core_codes"))},
                           FULL_PTP=FULL_PTP, SYNTHETIC_EFFECTIVE=SYNTHETIC_EFFECTIVE)
