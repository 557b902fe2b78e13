r"""Open CMS files of any published packaging and hand out their rows with line numbers.

A *member* is one data file: a plain ``.txt``/``.csv`` (optionally ``.gz``), an ``.xlsx`` workbook,
or any of those inside a ``.zip`` (zips may nest, as the quarterly ``-f1`` .. ``-f4`` parts do).
Rows come as ``(line number, cells)``; the line number is the physical line (or sheet row) a
person would look at in the file.

Examples
--------
>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "x.txt"
>>> _ = p.write_bytes(b"title\r\n20610\t77002\r\n")
>>> [m.name for m in open_members([p])]
['x.txt']
>>> list(next(iter(open_members([p]))).rows())
[(1, ['title']), (2, ['20610', '77002'])]

"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import io
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from fluorologic.contract.errors import DataError

__all__ = ["DATA_SUFFIXES", "ImportFormatError", "Member", "check_parts", "code_cell", "date_cell", "file_digest",
           "int_cell", "norm_header", "open_members"]

DATA_SUFFIXES = (".txt", ".csv", ".xlsx", ".txt.gz", ".csv.gz", ".zip")
OPEN_END = 99991231
_CODE = re.compile(r"[0-9A-Z]{5}")


class ImportFormatError(DataError):
    """A CMS file is malformed: ``where`` names the file (and member), ``line`` the line, ``reason`` why.

    Examples
    --------
    >>> str(ImportFormatError("ccipra-f1.txt", 7, "modifier indicator '5' is not 0, 1 or 9"))
    "ccipra-f1.txt, line 7: modifier indicator '5' is not 0, 1 or 9"

    """

    def __init__(self, where: str, line: int | None, reason: str) -> None:
        self.where = where
        self.line = line
        self.reason = reason
        at = f", line {line}" if line is not None else ""
        super().__init__(f"{where}{at}: {reason}")


@dataclass
class Member:
    """One data file, possibly inside a zip: its display name and a way to open its bytes."""

    name: str
    opener: Callable[[], IO[bytes]]
    #: Whether the file came out of a .zip (the official packaging, whose text files end with a line end).
    zipped: bool = False

    @property
    def suffix(self) -> str:
        """The data suffix (``.txt``, ``.csv`` or ``.xlsx``), ``.gz`` removed."""
        low = self.name.lower().removesuffix(".gz")
        return Path(low).suffix

    def lines(self) -> Iterator[tuple[int, str]]:
        """Text lines without line ends (CRLF or LF), numbered from 1."""
        guard = self._guard()
        last = "\n"
        with guard, self.opener() as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="")
            for n, line in enumerate(text, start=1):
                guard.line = n
                last = line
                yield n, line.rstrip("\r\n")
        if self.zipped and not last.endswith(("\r", "\n")) and last.strip(" \t\x1a"):
            raise ImportFormatError(self.name, guard.line, "the file ends in the middle of this line: it was "
                                                           "truncated before it was packed")

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """Cells per row: tab-delimited (.txt), CSV with multi-line quoted cells (.csv), or sheet rows (.xlsx)."""
        if self.suffix == ".xlsx":
            yield from self._xlsx_rows()
        elif self.suffix == ".csv":
            yield from self._csv_rows()
        else:
            for n, line in self.lines():
                yield n, line.split("\t")

    def _csv_rows(self) -> Iterator[tuple[int, list[str]]]:
        guard = self._guard()
        with guard, self.opener() as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="")
            reader = csv.reader(text)
            start = 1
            try:
                for cells in reader:
                    guard.line = reader.line_num
                    yield start, cells
                    start = reader.line_num + 1
            except csv.Error as exc:
                raise ImportFormatError(self.name, reader.line_num, f"not a valid CSV row: {exc}") from exc

    def _xlsx_rows(self) -> Iterator[tuple[int, list[str]]]:
        try:
            import openpyxl
        except ImportError as exc:  # pragma: no cover - openpyxl is a dependency
            raise ImportFormatError(self.name, None, "reading .xlsx needs the openpyxl package") from exc
        with self._guard():
            with self.opener() as raw:
                data = io.BytesIO(raw.read())
            try:
                book = openpyxl.load_workbook(data, read_only=True, data_only=True)
            except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
                raise ImportFormatError(self.name, None, f"not a readable .xlsx workbook: {exc}") from exc
            try:
                sheet = book.worksheets[0]
                for n, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                    yield n, [_xlsx_text(v) for v in values]
            finally:
                book.close()

    def _guard(self) -> _Guard:
        return _Guard(self.name)


class _Guard:
    """Turn low-level read failures (truncated gzip/zip, bad bytes) into :class:`ImportFormatError`."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.line = 0

    def __enter__(self) -> None:
        return None

    def __exit__(self, typ: type[BaseException] | None, exc: BaseException | None, tb: object) -> bool:
        if isinstance(exc, (EOFError, zlib.error, gzip.BadGzipFile, zipfile.BadZipFile)):
            after = f" after line {self.line}" if self.line else ""
            raise ImportFormatError(self.name, None,
                                    f"the file is truncated or corrupted: it ends abruptly{after} ({exc or typ})"
                                    ) from exc
        if isinstance(exc, OSError) and not isinstance(exc, ImportFormatError):
            raise ImportFormatError(self.name, None, f"cannot read the file: {exc}") from exc
        return False


def _xlsx_text(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, dt.datetime | dt.date):
        return v.strftime("%Y%m%d")
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _zip_members(name: str, opener: Callable[[], IO[bytes]]) -> Iterator[Member]:
    try:
        with opener() as raw:
            buf = io.BytesIO(raw.read())
        zf = zipfile.ZipFile(buf)
        infos = sorted((i for i in zf.infolist() if not i.is_dir()), key=lambda i: i.filename)
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        raise ImportFormatError(name, None, f"not a readable .zip archive (truncated or corrupted?): {exc}") from exc
    first = min((i.header_offset for i in zf.infolist()), default=0)
    if first:  # what zipfile read is a zip *inside* these bytes: the archive itself was cut off
        raise ImportFormatError(name, None, f"the archive is truncated or corrupted: its directory is that of a zip "
                                            f"found {first} bytes into it (a member of the cut-off archive)")
    _check_crc(name, zf)
    for info in infos:
        low = info.filename.lower()
        base = low.rsplit("/", 1)[-1]
        if base.startswith((".", "__macosx")) or "__macosx" in low or not low.endswith(DATA_SUFFIXES):
            continue
        sub = f"{name}!{info.filename}"
        yield from _members_of(sub, lambda zf=zf, info=info: zf.open(info), zipped=True)


def _check_crc(name: str, zf: zipfile.ZipFile) -> None:
    """Read every member of ``zf`` once and check its CRC-32 and size against the archive's directory."""
    try:
        bad = zf.testzip()
    except (zipfile.BadZipFile, EOFError, OSError, zlib.error, NotImplementedError) as exc:
        raise ImportFormatError(name, None, f"the archive is damaged (truncated or corrupted?): {exc}") from exc
    if bad is not None:
        raise ImportFormatError(f"{name}!{bad}", None, "fails its CRC-32 check: the archive is damaged")


_PART = re.compile(r"^(?P<stem>.*?)[-_]f(?P<n>\d{1,2})$", re.IGNORECASE)


def _part(name: str) -> tuple[str, int] | None:
    """``('ccipra-v302r0', 2)`` for ``...!ccipra-v302r0-f2.txt``: the quarterly part a file name states, or None."""
    base = name.rsplit("!", 1)[-1].rsplit("/", 1)[-1].lower()
    for suffix in (".gz", ".txt", ".csv", ".xlsx", ".zip"):
        base = base.removesuffix(suffix)
    m = _PART.match(base)
    return (m.group("stem"), int(m.group("n"))) if m else None


def check_parts(members: list[Member]) -> None:
    """Refuse a set of quarterly parts (``-f1`` .. ``-fN``) with a part missing, or a part in the wrong zip.

    Raises
    ------
    ImportFormatError
        Naming the table and the missing part, or the member whose part number differs from its zip's.

    Examples
    --------
    >>> try:
    ...     check_parts([Member("q-f1.txt", io.BytesIO), Member("q-f3.txt", io.BytesIO)])
    ... except ImportFormatError as exc:
    ...     print(exc.reason)
    part -f2 is missing (the files hold -f1, -f3): the quarter would be loaded incomplete

    """
    seen: dict[str, set[int]] = {}
    for m in members:
        part = _part(m.name)
        if part is None:
            continue
        outer = [p for p in map(_part, m.name.split("!")[:-1]) if p is not None]
        if outer and outer[-1][1] != part[1]:
            raise ImportFormatError(m.name, None, f"is part -f{part[1]} inside the zip of part -f{outer[-1][1]}: "
                                                  "the archive does not hold the files its name says")
        seen.setdefault(part[0], set()).add(part[1])
    for stem, numbers in sorted(seen.items()):
        missing = sorted(set(range(1, max(numbers) + 1)) - numbers)
        if missing:
            have = ", ".join(f"-f{n}" for n in sorted(numbers))
            raise ImportFormatError(stem, None, f"part -f{missing[0]} is missing (the files hold {have}): the quarter "
                                                "would be loaded incomplete")


def _gunzip(raw: IO[bytes]) -> IO[bytes]:
    g = gzip.GzipFile(fileobj=raw, mode="rb")
    g.myfileobj = raw  # type: ignore[attr-defined]  # closing the gzip stream closes the file too
    return g


def _members_of(name: str, opener: Callable[[], IO[bytes]], *, zipped: bool = False) -> Iterator[Member]:
    low = name.lower()
    if low.endswith(".zip"):
        yield from _zip_members(name, opener)
    elif low.endswith(".gz"):
        yield Member(name, lambda: _gunzip(opener()), zipped)
    else:
        yield Member(name, opener, zipped)


def open_members(paths: Iterable[str | Path]) -> list[Member]:
    """The data files in ``paths`` (zips expanded, members sorted by name), in the order given.

    Raises
    ------
    ImportFormatError
        When a path does not exist, has an unknown suffix, or a zip is unreadable.

    """
    members: list[Member] = []
    for path in paths:
        p = Path(path)
        if not p.is_file():
            raise ImportFormatError(p.name, None, "no such file")
        if not p.name.lower().endswith(DATA_SUFFIXES):
            raise ImportFormatError(p.name, None, f"unknown file type; expected one of {', '.join(DATA_SUFFIXES)}")
        members.extend(_members_of(p.name, lambda p=p: open(p, "rb")))  # noqa: SIM115
    if not members:
        raise ImportFormatError(", ".join(Path(p).name for p in paths), None, "no .txt, .csv or .xlsx data file found")
    members = _one_format_each(members)
    check_parts(members)
    return members


def _one_format_each(members: list[Member]) -> list[Member]:
    """Keep one member per data file when a zip ships it several ways (.csv over .xlsx over .txt)."""
    rank = {".csv": 0, ".xlsx": 1, ".txt": 2}
    best: dict[str, Member] = {}
    for m in members:
        stem = m.name.lower().removesuffix(".gz").rsplit(".", 1)[0]
        if stem not in best or rank.get(m.suffix, 3) < rank.get(best[stem].suffix, 3):
            best[stem] = m
    keep = {id(m) for m in best.values()}
    return [m for m in members if id(m) in keep]


def file_digest(paths: Iterable[str | Path]) -> str:
    """SHA-256 over the bytes of ``paths`` in the order given (the identity of an import)."""
    h = hashlib.sha256()
    for path in paths:
        with open(path, "rb") as fh:
            for block in iter(lambda fh=fh: fh.read(1 << 20), b""):
                h.update(block)
    return h.hexdigest()


def norm_header(cell: str) -> str:
    r"""``'HCPCS/\nCPT Code'`` -> ``'hcpcs_cpt_code'``: lower case, runs of other characters as one ``_``.

    Examples
    --------
    >>> norm_header("HCPCS/\nCPT Code")
    'hcpcs_cpt_code'

    """
    return re.sub(r"[^0-9a-z]+", "_", cell.lower()).strip("_")


def code_cell(text: str) -> str | None:
    """A 5-character CPT/HCPCS code, or None when ``text`` is not one."""
    text = text.strip().upper()
    return text if _CODE.fullmatch(text) else None


def date_cell(text: str, *, open_end: bool) -> int | None:
    """``YYYYMMDD``, ``YYYY-MM-DD`` or ``M/D/YYYY`` -> ``YYYYMMDD`` int; ``*`` or empty -> open end or None.

    Raises
    ------
    ValueError
        When the text is not a valid date.

    Examples
    --------
    >>> date_cell("20240701", open_end=False), date_cell("*", open_end=True), date_cell("2010-03-31", open_end=True)
    (20240701, 99991231, 20100331)

    """
    text = text.strip()
    if text in ("", "*"):
        return OPEN_END if open_end else None
    m = re.fullmatch(r"(\d{4})-?(\d{2})-?(\d{2})", text) or re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
    if not m:
        raise ValueError(f"date {text!r} is not YYYYMMDD, YYYY-MM-DD or '*'")
    a, b, c = (int(g) for g in m.groups())
    y, mo, d = (c, a, b) if "/" in text else (a, b, c)
    if y == 9999 and mo == 12 and d == 31:
        return OPEN_END
    try:
        dt.date(y, mo, d)
    except ValueError:
        raise ValueError(f"date {text!r} is not a calendar date") from None
    return y * 10000 + mo * 100 + d


def int_cell(text: str, what: str, allowed: Iterable[int] | None = None) -> int:
    """An integer cell, optionally from a fixed set; ValueError names ``what`` otherwise."""
    t = text.strip()
    if not re.fullmatch(r"\d+", t):
        raise ValueError(f"{what} {text!r} is not a whole number")
    n = int(t)
    if allowed is not None and n not in set(allowed):
        raise ValueError(f"{what} {text!r} is not one of {', '.join(map(str, sorted(set(allowed))))}")
    return n
