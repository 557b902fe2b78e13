r"""Read encounters as a stream: JSON Lines one line at a time, a CSV of claim lines grouped by encounter.

:func:`open_input` looks at the start of the input and returns its shape and an iterator of items
(decoded objects, or a :class:`~fluorologic.run.jsonin.BoundError` standing for a malformed line or a value
beyond the bounds of :mod:`fluorologic.run.jsonin`):

* ``"lines"``: JSON Lines, read one line at a time (never the whole input);
* ``"object"`` / ``"array"``: one JSON document (an object or an array), read whole as before;
* ``"csv"``: claim lines, one row per line, consecutive rows with the same ``encounter_id`` forming one
  encounter (columns in ``docs/batch.md``).

Examples
--------
>>> import io
>>> shape, items = open_input(io.StringIO('{"encounter_id": "a"}\n{"encounter_id": "b"}\nnot json\n'))
>>> shape, [type(i).__name__ for i in items]
('lines', ['dict', 'dict', 'BoundError'])
>>> shape, items = open_input(io.StringIO("encounter_id,date_of_service,place_of_service,code\n"
...                                       "e1,2024-08-01,11,20610\ne1,2024-08-01,11,77002\n"), csv_input=True)
>>> [[ln["code"] for ln in e["lines"]] for e in items]
[['20610', '77002']]

"""

from __future__ import annotations

import csv
import json
import re
from collections import deque
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

from fluorologic.contract.errors import InputError
from fluorologic.run.jsonin import (
    BoundError,
    array_items,
    bad_byte,
    decodable,
    encounter_id_in,
    json_message,
    loads_item,
    strip_bom,
)

__all__ = ["CSV_COLUMNS", "csv_encounters", "open_input"]

#: The columns a claim-line CSV may have (``encounter_id``, ``date_of_service``, ``place_of_service``, ``code``
#: are required); see docs/batch.md.
CSV_COLUMNS = ("encounter_id", "date_of_service", "place_of_service", "equipment_owner", "code", "units",
               "modifiers", "site", "distinct", "fluoroscopy_time_seconds", "indication", "body_area")
_REQUIRED = ("encounter_id", "date_of_service", "place_of_service", "code")
_ENCOUNTER_FIELDS = ("date_of_service", "place_of_service", "equipment_owner", "fluoroscopy_time_seconds",
                     "indication", "body_area")


def _json_lines(first: list[str], rest: Iterable[str], start: int) -> Iterator[Any]:
    number = start
    for line in _chain(first, rest):
        number += 1
        if not line.strip():
            continue
        yield from _line_items(line, number)


def _line_items(line: str, number: int) -> Iterator[Any]:
    r"""The items of one LF-ended line: one, or several when bare CRs end the records (classic Mac line ends).

    >>> [i["encounter_id"] for i in _line_items('{"encounter_id": "a"}\r{"encounter_id": "b"}\r', 1)]
    ['a', 'b']

    """
    item = _line_item(line, number)
    if isinstance(item, BoundError) and "\r" in line.rstrip("\r\n") and _cr_separated(line):
        pieces = [p for p in _BARE_CR.split(line) if p.strip()]
        for i, piece in enumerate(pieces, start=1):
            yield _line_item(piece, number, f" (record {i} of {len(pieces)} ended by a bare CR)")
        return
    yield item


_BARE_CR = re.compile(r"\r(?!\n)")


def _cr_separated(line: str) -> bool:
    """True when the line's first JSON value is followed by a bare CR and more text (records ended by CR)."""
    try:
        json.loads(line)
    except json.JSONDecodeError as exc:
        return exc.msg == "Extra data" and "\r" in line[:exc.pos]
    except (ValueError, RecursionError):
        return False
    return False


def _line_item(line: str, number: int, part: str = "") -> Any:
    """The decoded object of one JSON line, or an error standing for it (malformed, not UTF-8, beyond a bound)."""
    where = bad_byte(line)
    if where is not None:
        return BoundError(encounter_id_in(decodable(line)), "$", f"line {number}{part}: {where}")
    try:
        item = loads_item(line)
    except json.JSONDecodeError as exc:
        return BoundError(encounter_id_in(line), "$", f"line {number}{part} is not valid JSON: {json_message(exc)}")
    if isinstance(item, BoundError):
        return BoundError(item.encounter_id, item.field, f"line {number}{part} {item.message}")
    return item


def _chain(first: list[str], rest: Iterable[str]) -> Iterator[str]:
    yield from first
    yield from rest


def _split_lines(text: str) -> list[str]:
    r"""``text`` split after each LF only (a CR, U+2028 or form feed inside a line stays in it).

    Examples
    --------
    >>> _split_lines('{"a": 1}\r\n{"b":\r 2}\n\u2028\n')
    ['{"a": 1}\r\n', '{"b":\r 2}\n', '\u2028\n']

    """
    parts = text.split("\n")
    lines = [p + "\n" for p in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def open_input(stream: TextIO, *, csv_input: bool = False) -> tuple[str, Iterator[Any]]:
    r"""The shape of the input and an iterator of its items (see the module docstring).

    JSON Lines are split on LF only (CRLF too, the CR being JSON white space): a bare CR or U+2028 never
    splits a record. A leading UTF-8 byte order mark is skipped. For JSON Lines, the stream must be
    opened with ``newline="\n"`` (as ``fluorologic solve`` does), for CSV with ``newline=""``.

    Raises
    ------
    InputError
        When the input is empty, or is one JSON document that is malformed.

    """
    if csv_input:
        return "csv", csv_encounters(stream)
    first, skipped = _next_filled(stream, bom=True)
    if not first:
        raise InputError("$", "the input is empty")
    if first.lstrip().startswith("["):
        return _document(first + stream.read())
    try:
        obj = loads_item(first)
    except json.JSONDecodeError:
        rest = stream.read()
        try:
            return _document(first + rest)  # one object printed over several lines
        except InputError:
            return "lines", _json_lines([first, *_split_lines(rest)], (), skipped)
    second, blank = _next_filled(stream)
    skipped += blank
    if not second:
        if isinstance(obj, BoundError):
            obj = BoundError(obj.encounter_id, obj.field, f"the input {obj.message}")
        return "object", iter([obj])
    first_item = _line_item(first, skipped + 1) if isinstance(obj, BoundError) else obj
    return "lines", _chain_items(first_item, _json_lines([second], stream, skipped + 1))


def _chain_items(first: Any, rest: Iterator[Any]) -> Iterator[Any]:
    yield first
    yield from rest


def _next_filled(stream: TextIO, *, bom: bool = False) -> tuple[str, int]:
    """The next line that is not blank ("" at the end of the input) and how many blank lines came before it."""
    blank = 0
    for line in stream:
        if bom:
            line, bom = strip_bom(line), False
        if line.strip():
            return line, blank
        blank += 1
    return "", blank


def _document(text: str) -> tuple[str, Iterator[Any]]:
    text = strip_bom(text)
    if bad_byte(text) is not None:  # one document: no record of its own to give; name the line
        number, line = next((n, ln) for n, ln in enumerate(text.split("\n"), start=1) if bad_byte(ln))
        raise InputError("$", f"the input is one JSON document and its line {number} is not UTF-8: {bad_byte(line)}")
    try:
        if text.lstrip().startswith("["):
            return "array", iter(array_items(text))
        doc = loads_item(text)
    except json.JSONDecodeError as exc:
        raise InputError("$", f"the input is not valid JSON: {exc.msg} at line {exc.lineno}") from None
    if isinstance(doc, BoundError):
        doc = BoundError(doc.encounter_id, doc.field, f"the input {doc.message}")
    return "object", iter([doc])


def _cell(row: dict[str, str | None], key: str) -> str | None:
    value = row.get(key)
    value = value.strip() if isinstance(value, str) else None
    return value or None


def _number(text: str | None, *, integer: bool) -> Any:
    """The number in a cell, or the text itself so that validation names the field."""
    if text is None:
        return None
    try:
        return int(text) if integer else float(text)
    except ValueError:
        return text


def _flag(text: str | None) -> Any:
    if text is None:
        return False
    low = text.lower()
    if low in ("true", "yes", "y", "1"):
        return True
    if low in ("false", "no", "n", "0"):
        return False
    return text


def _line(row: dict[str, str | None]) -> dict[str, Any]:
    line: dict[str, Any] = {"code": _cell(row, "code")}
    units = _number(_cell(row, "units"), integer=True)
    if units is not None:
        line["units"] = units
    mods = _cell(row, "modifiers")
    if mods:
        line["modifiers"] = [m for m in mods.replace(";", " ").replace(",", " ").split() if m]
    site = _cell(row, "site")
    if site:
        line["site"] = site
    line["distinct"] = _flag(_cell(row, "distinct"))
    return line


def _encounter(rows: list[dict[str, str | None]]) -> Any:
    head = rows[0]
    for row in rows[1:]:
        for key in _ENCOUNTER_FIELDS:
            if _cell(row, key) != _cell(head, key):
                return InputError(key, "differs between the rows of this encounter; it must be the same on each")
    raw: dict[str, Any] = {"encounter_id": _cell(head, "encounter_id"),
                           "date_of_service": _cell(head, "date_of_service"),
                           "place_of_service": _cell(head, "place_of_service")}
    owner = _cell(head, "equipment_owner")
    if owner:
        raw["equipment_owner"] = owner
    raw["lines"] = [_line(r) for r in rows if _cell(r, "code")]
    doc = {"fluoroscopy_time_seconds": _number(_cell(head, "fluoroscopy_time_seconds"), integer=False),
           "indication": _cell(head, "indication"), "body_area": _cell(head, "body_area")}
    if any(v is not None for v in doc.values()):
        raw["documentation"] = doc
    return raw


class _CsvError(InputError):
    """An error record of a CSV encounter: it remembers the encounter id it belongs to."""

    def __init__(self, eid: str | None, err: InputError) -> None:
        super().__init__(err.field, err.message)
        self.encounter_id = eid


def csv_encounters(stream: TextIO) -> Iterator[Any]:
    r"""Encounters from a claim-line CSV, one per run of rows with the same ``encounter_id``.

    Rows of one encounter must be consecutive; an id that comes back after another encounter gives an
    error record, as do rows that disagree on an encounter field (date, place, owner, documentation). A
    record that cannot be read (longer than :data:`MAX_CSV_RECORD` characters or :data:`MAX_CSV_LINES` lines, a
    quote not closed, a byte
    that is not UTF-8) is an error record naming its line, for the encounter whose id it shows; the reading
    goes on at the next line.

    >>> import io
    >>> rows = ("encounter_id,date_of_service,place_of_service,code\n"
    ...         'a,2024-08-01,11,20610\nb,2024-08-01,11,"20610\nc,2024-08-01,11,20610\n')
    >>> [e["encounter_id"] if isinstance(e, dict) else e.message for e in csv_encounters(io.StringIO(rows))]
    ['a', 'line 3 opens a quoted cell that is not closed before the end of the file', 'c']

    """
    records = _csv_records(_without_bom(stream))
    header = next((cells for _number, cells, problem in records if cells or problem), None)
    fieldnames = [c.strip() for c in header or ()]
    missing = [c for c in _REQUIRED if c not in fieldnames]
    if missing:
        raise InputError("$", f"the CSV has no column {', '.join(missing)} (columns: {', '.join(CSV_COLUMNS)})")
    return _groups(fieldnames, records)


#: The longest CSV record read, in characters (the csv module's own field limit): a longer one, or a quote not
#: closed within it, is an error record for the line where it starts.
MAX_CSV_RECORD = 131_072
#: The most lines one CSV record may span (inside a quoted cell): a quote left open is found near where it is.
MAX_CSV_LINES = 100


def _csv_records(lines: Iterator[str]) -> Iterator[tuple[int, list[str], str | None]]:
    """(line number, cells, problem) of each record: a record may span lines inside a quoted cell."""
    back: deque[str] = deque()  # lines read ahead for a quote that was never closed: read again as records
    number = 0

    def take() -> str | None:
        return back.popleft() if back else next(lines, None)

    while (line := take()) is not None:
        number += 1
        start, inside, taken = number, _ends_quoted(line, inside=False), []
        problem = f"line {start} is longer than {MAX_CSV_RECORD:,} characters" if len(line) > MAX_CSV_RECORD else None
        size = len(line)
        while inside and problem is None:
            more = take()
            if more is None or size + len(more) > MAX_CSV_RECORD or len(taken) + 1 >= MAX_CSV_LINES:
                end = ("before the end of the file" if more is None else
                       f"within {MAX_CSV_LINES} lines" if len(taken) + 1 >= MAX_CSV_LINES else
                       f"within {MAX_CSV_RECORD:,} characters")
                problem = f"line {start} opens a quoted cell that is not closed {end}"
                back.extendleft(reversed([*taken, *([more] if more is not None else [])]))
                taken = []
                break
            taken.append(more)
            size += len(more)
            inside = _ends_quoted(more, inside=True)
        text = line + "".join(taken)
        number += len(taken)
        if problem is None and bad_byte(text) is not None:
            problem = f"line {start}: {bad_byte(text)}"
        cells, error = _cells(decodable(text) if problem is None else decodable(line[:4096]))
        if problem is None and error is not None:
            problem = f"line {start} cannot be read as CSV: {error}"
        yield start, cells, problem


_CSV_TOKENS = re.compile(r'[",]')


def _ends_quoted(line: str, *, inside: bool) -> bool:
    r"""Whether a CSV line (begun inside a quoted cell or not) ends inside one, as the csv module reads it.

    A quote opens a quoted cell only at the start of a cell; elsewhere it is text (``5" needle``).

    >>> _ends_quoted('a,"b\n', inside=False), _ends_quoted('a,5" x\n', inside=False)
    (True, False)
    >>> _ends_quoted('b "" c",d\n', inside=True), _ends_quoted('"x""y",z\n', inside=False)
    (False, False)

    """
    if '"' not in line:
        return inside
    state, field_at, quote_at = ("quoted" if inside else "start"), 0, -2
    for m in _CSV_TOKENS.finditer(line):
        ch, at = m.group(), m.start()
        if state == "closing" and at != quote_at + 1:  # text after a closing quote: the cell goes on unquoted
            state = "plain"
        if state == "quoted":
            if ch == '"':
                state, quote_at = "closing", at
        elif state == "closing":
            state, field_at = ("quoted", field_at) if ch == '"' else ("start", at + 1)  # "" or the cell's end
        elif ch == ",":
            state, field_at = "start", at + 1
        else:
            state = "quoted" if state == "start" and at == field_at else "plain"
    return state == "quoted"


def _cells(text: str) -> tuple[list[str], str | None]:
    try:
        return next(csv.reader((text,)), []), None
    except csv.Error as exc:
        return [], str(exc)


def _groups(fieldnames: list[str], records: Iterator[tuple[int, list[str], str | None]]) -> Iterator[Any]:
    seen: set[str] = set()
    group: list[dict[str, str | None]] = []
    current: str | None = None
    for _number, cells, problem in records:
        if not cells and problem is None:
            continue  # a blank line, as csv.DictReader skips it
        row: dict[str, str | None] = dict.fromkeys(fieldnames)
        row.update(zip(fieldnames, cells, strict=False))
        if problem is not None:
            row[_PROBLEM] = problem
        eid = _cell(row, "encounter_id")
        if group and (eid != current or (problem is not None and eid is None)):
            yield _finish(group, current, seen)
            group = []
        current = eid
        group.append(row)
    if group:
        yield _finish(group, current, seen)


_PROBLEM = "\x00problem"  # the key of a row that could not be read (never a column name: a CSV cell has no NUL)


def _without_bom(stream: TextIO) -> Iterator[str]:
    lines = iter(stream)
    first = next(lines, None)
    if first is not None:
        yield strip_bom(first)
        yield from lines


def _finish(group: list[dict[str, str | None]], eid: str | None, seen: set[str]) -> Any:
    if eid is not None and eid in seen:
        return _CsvError(eid, InputError("encounter_id", "its rows are not consecutive: the CSV must be grouped "
                                                         "by encounter_id"))
    if eid is not None:
        seen.add(eid)
    problem = next((row[_PROBLEM] for row in group if row.get(_PROBLEM)), None)
    if problem is not None:
        return _CsvError(eid, InputError("$", problem))
    enc = _encounter(group)
    return _CsvError(eid, enc) if isinstance(enc, InputError) else enc
