r"""MPFS national relative value files (PPRRVU): CMS CSV/xlsx (stacked header), fixed-width TXT, snake_case CSV.

The snake_case layout is a one-header CSV that names the columns (the repository's reference layout).

CMS CSV (``PPRRVU2025_Oct.csv``): 5 preamble lines, a header stacked over 5 lines whose last line
starts ``HCPCS,MOD,DESCRIPTION``, then 31 unquoted columns in a fixed order. The TXT is 171-character
fixed-width lines after ``HDR`` lines (positions in ``shared/reference/cms/README.md``).

Examples
--------
>>> import tempfile, pathlib
>>> from fluorologic.rules.cms.tables import open_members
>>> p = pathlib.Path(tempfile.mkdtemp()) / "pprrvu.csv"
>>> cols = ("hcpcs,mod,status_code,work_rvu,non_fac_na_indicator,facility_na_indicator,non_facility_total,"
...         "facility_total,pctc_ind,glob_days,conv_factor")
>>> _ = p.write_text(cols + "\n20610,,A,0.79,,,1.85,1.27,0,000,32.7442\n")
>>> [r[:3] + r[6:9] + r[12:13] for r in parse_pfs(open_members([p]))]
[('20610', '', 'A', '1.85', '1.27', 0, '32.7442')]

"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal, InvalidOperation

from fluorologic.rules.cms.tables import ImportFormatError, Member, code_cell, norm_header

__all__ = ["PfsTuple", "parse_pfs"]

PfsTuple = tuple[str, str, str, str, str, str, str | None, str | None, int | None, str, str, str, str, str]
"""hcpcs, mod, status, work RVU, non-facility NA, facility NA, non-facility total, facility total, PCTC indicator,
global days, multiple-procedure indicator, bilateral indicator, conversion factor, description."""

# Positions of the 31 CMS columns used here (0-based, in the CMS CSV/xlsx order).
_CMS = {"hcpcs": 0, "mod": 1, "description": 2, "status_code": 3, "work_rvu": 5, "non_fac_na_indicator": 7,
        "facility_na_indicator": 9, "non_facility_total": 11, "facility_total": 12, "pctc_ind": 13, "glob_days": 14,
        "mult_proc": 18, "bilat_surg": 19, "conv_factor": 24}
# Fixed-width TXT slices (README, derived by lining up TXT and CSV of one release).
_TXT = {"hcpcs": (0, 5), "mod": (5, 7), "description": (7, 57), "status_code": (57, 58), "work_rvu": (59, 65),
        "non_fac_na_indicator": (72, 74), "facility_na_indicator": (81, 83), "non_facility_total": (89, 96),
        "facility_total": (96, 102), "pctc_ind": (102, 103), "glob_days": (103, 106), "mult_proc": (115, 116),
        "bilat_surg": (116, 117), "conv_factor": (133, 140)}
_REQUIRED = ("hcpcs", "mod", "status_code", "non_facility_total", "facility_total", "non_fac_na_indicator",
             "facility_na_indicator", "pctc_ind", "glob_days", "conv_factor")


def _number(where: str, n: int, text: str, what: str) -> str:
    t = text.strip()
    if t.startswith("."):
        t = "0" + t
    try:
        Decimal(t or "0")
    except InvalidOperation:
        raise ImportFormatError(where, n, f"{what} {text!r} is not a number") from None
    return t or "0"


def _tuple(where: str, n: int, get: dict[str, str]) -> PfsTuple:
    code = code_cell(get["hcpcs"])
    if code is None:
        raise ImportFormatError(where, n, f"HCPCS {get['hcpcs']!r} is not a 5-character code")
    mod = get["mod"].strip().upper()
    if len(mod) not in (0, 2):
        raise ImportFormatError(where, n, f"modifier {get['mod']!r} is not empty or 2 characters")
    non_na, fac_na = get["non_fac_na_indicator"].strip(), get["facility_na_indicator"].strip()
    non_total = None if non_na == "NA" else _number(where, n, get["non_facility_total"], "non-facility total")
    fac_total = None if fac_na == "NA" else _number(where, n, get["facility_total"], "facility total")
    pctc_text = get["pctc_ind"].strip()
    if pctc_text and not pctc_text.isdigit():
        raise ImportFormatError(where, n, f"PCTC indicator {pctc_text!r} is not a digit")
    return (code, mod, get["status_code"].strip(), _number(where, n, get.get("work_rvu", ""), "work RVU"),
            non_na, fac_na, non_total, fac_total, int(pctc_text) if pctc_text else None, get["glob_days"].strip(),
            get.get("mult_proc", "").strip(), get.get("bilat_surg", "").strip(),
            _number(where, n, get["conv_factor"], "conversion factor"), get.get("description", "").strip())


def _txt_rows(member: Member) -> Iterator[PfsTuple]:
    seen = False
    for n, line in member.lines():
        if not line.strip() or line.startswith("HDR"):
            continue
        if len(line) < 140:
            raise ImportFormatError(member.name, n, f"{len(line)} characters, expected 171 (truncated line?)")
        seen = True
        yield _tuple(member.name, n, {k: line[a:b] for k, (a, b) in _TXT.items()})
    if not seen:
        raise ImportFormatError(member.name, None, "no PPRRVU rows found (empty or truncated file?)")


def _table_rows(member: Member, quarter: str | None) -> Iterator[PfsTuple]:
    layout: dict[str, int] | None = None
    stack: list[list[str]] = []
    filter_col: int | None = None
    count = 0
    for n, cells in member.rows():
        if layout is None:
            norm = [norm_header(c) for c in cells]
            if set(_REQUIRED) <= set(norm):
                layout = {k: norm.index(k) for k in (*_REQUIRED, "work_rvu", "description", "mult_proc",
                                                     "bilat_surg") if k in norm}
                filter_col = norm.index("quarter") if "quarter" in norm and quarter else None
            elif norm[:2] == ["hcpcs", "mod"]:
                merged = [" ".join(filter(None, (row[j].strip() if j < len(row) else "" for row in (*stack, cells))))
                          for j in range(max(len(r) for r in (*stack, cells)))]
                if len(merged) < 25 or "TOTAL" not in merged[11].upper() or "CONV" not in merged[24].upper():
                    raise ImportFormatError(member.name, n, "the stacked PPRRVU header does not have the 31 CMS"
                                                            " columns in order (FACILITY TOTAL, CONV FACTOR ...)")
                layout = dict(_CMS)
            elif n > 50:
                raise ImportFormatError(member.name, n, "no PPRRVU header (HCPCS, MOD, ...) in the first 50 lines")
            stack = (stack + [cells])[-4:]
            continue
        if not any(c.strip() for c in cells):
            continue
        if filter_col is not None and filter_col < len(cells) and cells[filter_col].strip() != quarter:
            continue
        if len(cells) <= max(layout.values()):
            raise ImportFormatError(member.name, n, f"{len(cells)} fields, expected {max(layout.values()) + 1}"
                                                    " (truncated line?)")
        count += 1
        yield _tuple(member.name, n, {k: cells[i] for k, i in layout.items()})
    if layout is None:
        raise ImportFormatError(member.name, None, "no PPRRVU header found (empty or truncated file?)")
    if count == 0:
        raise ImportFormatError(member.name, None, f"no PPRRVU rows{' for ' + quarter if quarter else ''} found")


def parse_pfs(members: list[Member], quarter: str | None = None) -> Iterator[PfsTuple]:
    """PPRRVU rows of ``members``; a one-header CSV with a ``quarter`` column keeps only ``quarter``'s rows.

    Raises
    ------
    ImportFormatError
        On the first malformed row, naming its file and line.

    """
    named = [m for m in members if "pprrvu" in m.name.lower().rsplit("!", 1)[-1]]
    for member in named if len(named) < len(members) and named else members:
        if member.suffix == ".txt":
            yield from _txt_rows(member)
        else:
            yield from _table_rows(member, quarter)
