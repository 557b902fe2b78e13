r"""NCCI procedure-to-procedure (PTP) edit files: the CMS text/Excel layout and the CSV re-packagings.

CMS layout (``ccipra-vNNNrN-fN.txt`` practitioner, ``ccioph-...`` outpatient hospital; tab-delimited,
CRLF, or the same block in an .xlsx): a copyright line, ``Column1/Column2 Edits``, a header spread
over several lines, then rows ``col1, col2, prior-1996 flag (* or empty), effective YYYYMMDD,
deletion YYYYMMDD or *, modifier 0|1|9, rationale``. CSV layouts with a one-line header naming
``column_1, column_2, deletion_date, modifier_indicator, ptp_edit_rationale`` (and optionally
``effective_date``) are read by column name.

Examples
--------
>>> import tempfile, pathlib
>>> from fluorologic.rules.cms.tables import open_members
>>> p = pathlib.Path(tempfile.mkdtemp()) / "ccipra-v302r0-f1.txt"
>>> _ = p.write_bytes(b"CPT only copyright AMA\r\nColumn1/Column2 Edits\r\nColumn 1\tColumn 2\t*=in existence"
...                   b" prior to 1996\r\n20610\t76000\t\t20190101\t*\t1\tMisuse of Column Two code\r\n")
>>> list(parse_ptp(open_members([p])))
[('20610', '76000', 0, 20190101, 99991231, 1, 'Misuse of Column Two code')]

"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from fluorologic.rules.cms.tables import ImportFormatError, Member, code_cell, date_cell, norm_header

__all__ = ["TAIL_EVIDENCE", "PtpTuple", "missing_tail", "parse_ptp"]

PtpTuple = tuple[str, str, int, int | None, int, int, str]
"""column_1, column_2, in existence before 1996 (0/1), effective, deletion (99991231 open), indicator, rationale."""

_NAMES = {
    "column_1": ("column_1", "column1"),
    "column_2": ("column_2", "column2"),
    "deletion": ("deletion_date", "deletion_date_cms", "deletion"),
    "effective": ("effective_date", "effective"),
    "indicator": ("modifier_indicator", "modifier"),
    "rationale": ("ptp_edit_rationale", "rationale"),
    "prior": ("in_existence", "prior_1996", "in_existence_prior_to_1996"),
}


def _named(header: list[str]) -> dict[str, int] | None:
    norm = [norm_header(h) for h in header]
    found: dict[str, int] = {}
    for key, names in _NAMES.items():
        for name in names:
            if name in norm:
                found[key] = norm.index(name)
                break
    return found if {"column_1", "column_2", "deletion", "indicator"} <= found.keys() else None


def _member_rows(member: Member) -> Iterator[PtpTuple]:
    header_text: list[str] = []
    layout: dict[str, int] | None = None
    convert = None
    for n, cells in member.rows():
        if convert is None:
            if not any(c.strip() for c in cells):
                continue
            if len(cells) >= 2 and code_cell(cells[0]) and code_cell(cells[1]):
                if layout is None:
                    prior = any("1996" in h for h in header_text) or not header_text or len(cells) >= 7
                    layout = {"column_1": 0, "column_2": 1, "prior": 2, "effective": 3, "deletion": 4,
                              "indicator": 5, "rationale": 6} if prior else {
                              "column_1": 0, "column_2": 1, "effective": 2, "deletion": 3, "indicator": 4,
                              "rationale": 5}
                convert = _converter(member.name, layout)
            else:
                header_text.extend(cells)
                layout = _named(cells) or layout
                if n > 50:
                    raise ImportFormatError(member.name, n, "no PTP edit row (two 5-character codes) in the first"
                                            " 50 lines: is this an NCCI PTP file?")
                continue
        row = convert(n, cells)
        if row is not None:
            yield row
    if convert is None:
        raise ImportFormatError(member.name, None, "no PTP edit rows found (empty or truncated file?)")


def _converter(where: str, layout: dict[str, int]) -> Callable[[int, list[str]], PtpTuple | None]:
    """A fast row converter for one layout: codes, dates and indicators seen before are looked up, not parsed."""
    i1, i2, idel, iind = layout["column_1"], layout["column_2"], layout["deletion"], layout["indicator"]
    ieff, iprior, irat = layout.get("effective"), layout.get("prior"), layout.get("rationale")
    need = max(v for k, v in layout.items() if k != "rationale")
    codes: set[str] = set()
    dates: dict[str, int | None] = {}
    indicators = {"0": 0, "1": 1, "9": 9}

    def code(n: int, text: str) -> str:
        if text in codes:
            return text
        c = code_cell(text)
        if c is None:
            raise ImportFormatError(where, n, f"code {text!r} is not a 5-character CPT/HCPCS code")
        if c == text:
            codes.add(c)
        return c

    def date(n: int, text: str, open_end: bool) -> int | None:
        key = text if open_end else "e" + text
        if key in dates:
            return dates[key]
        try:
            d = dates[key] = date_cell(text, open_end=open_end)
        except ValueError as exc:
            raise ImportFormatError(where, n, str(exc)) from None
        return d

    def convert(n: int, cells: list[str]) -> PtpTuple | None:
        if len(cells) <= need:
            if not any(c.strip() for c in cells):
                return None
            raise ImportFormatError(where, n, f"{len(cells)} fields, expected at least {need + 1} (truncated line?)")
        ind = indicators.get(cells[iind].strip())
        if ind is None:
            raise ImportFormatError(where, n, f"modifier indicator {cells[iind]!r} is not one of 0, 1, 9")
        return (code(n, cells[i1]), code(n, cells[i2]),
                1 if iprior is not None and cells[iprior].strip() == "*" else 0,
                date(n, cells[ieff], False) if ieff is not None else None,
                date(n, cells[idel], True) or 0, ind,
                cells[irat].strip() if irat is not None and irat < len(cells) else "")

    return convert


def parse_ptp(members: list[Member]) -> Iterator[PtpTuple]:
    """Every PTP edit row of ``members`` (e.g. the -f1..-f4 parts of one quarter), in file order.

    Raises
    ------
    ImportFormatError
        On the first malformed row, naming its file and line.

    """
    for member in members:
        yield from _member_rows(member)


#: How many column-1 codes past the last one imported, in force before the quarter, make a PTP table partial.
TAIL_EVIDENCE = 5


def missing_tail(last: str, start: int, reference: Mapping[str, list[Any]], quarter: str) -> str | None:
    """Why a PTP table whose last column-1 code is ``last`` looks cut short, or None when it does not.

    CMS ships a quarter's table in parts (``-f1`` .. ``-f4``) in column-1 order, and keeps every edit in
    every later quarter (a deleted one with its deletion date). So when a ``reference`` table of the same
    setting (the embedded one) has edits of :data:`TAIL_EVIDENCE` column-1 codes after ``last`` that were in
    force on the quarter's first day ``start`` (YYYYMMDD), the last part(s) of the quarter are missing.

    Examples
    --------
    >>> from types import SimpleNamespace as Row
    >>> ref = {c: [Row(effective=20000101)] for c in ("20610", "64483", "77002", "77003", "99213", "G0260")}
    >>> missing_tail("77003", 20240701, ref, "2024Q3") is None, missing_tail("99213", 19990101, ref, "1999Q1")
    (True, None)
    >>> print(missing_tail("1", 20240701, ref, "2024Q3"))  # doctest: +ELLIPSIS
    the rows stop at column-1 code 1, but the embedded table has edits of later column-1 codes in force ...

    """
    found = []
    for code in reference:
        if code > last and any((row.effective or 0) <= start for row in reference[code]):
            found.append(code)
            if len(found) >= TAIL_EVIDENCE:
                break
    if len(found) < TAIL_EVIDENCE:
        return None
    source = getattr(reference, "quarter", None)
    return (f"the rows stop at column-1 code {last}, but the embedded {source + ' ' if source else ''}table has "
            f"edits of later column-1 codes in force on the first day of {quarter} ({', '.join(found)}, ...): the "
            "last part(s) of the quarter (-f2 .. -f4) seem to be missing; import every part together")
