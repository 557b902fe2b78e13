r"""Decode untrusted JSON within bounds: nesting depth, number size, and no NaN or Infinity.

Every place input enters (the command line's reader, the service's request bodies) decodes through
:func:`loads_item` or :func:`array_items`. A value that breaks a bound does not raise: it becomes an
:class:`~fluorologic.contract.errors.InputError` standing for that one encounter (naming it when its
``encounter_id`` can be read from the text), so the other encounters of the input still get their
answers. An encounter needs four levels of nesting; :data:`MAX_DEPTH` leaves room for a ``claim``
passed through, and keeps every value small enough to pickle to a worker process.

Examples
--------
>>> loads_item('{"encounter_id": "a", "lines": []}')
{'encounter_id': 'a', 'lines': []}
>>> err = loads_item('{"encounter_id": "deep", "claim": ' + "[" * 100 + "]" * 100 + "}")
>>> err.encounter_id, err.field, err.message
('deep', '$', 'is nested deeper than 64 levels')
>>> [type(x).__name__ for x in array_items('[{"a": 1}, ' + "1" * 5000 + ', {"b": 2}]')]
['dict', 'BoundError', 'dict']

"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from fluorologic.contract.errors import InputError
from fluorologic.contract.render import fast_json

__all__ = ["MAX_DEPTH", "MAX_DIGITS", "BoundError", "array_items", "bad_byte", "depth_exceeds", "encounter_id_in",
           "json_message", "loads_item", "strip_bom"]

#: The deepest nesting of arrays and objects accepted in one encounter.
MAX_DEPTH = 64
#: The most digits of an integer (or characters of any number) accepted.
MAX_DIGITS = 100

_STRING = r'"(?:[^"\\]|\\.)*"'
_TOKEN = re.compile(_STRING + r"|[\[\]{}]", re.DOTALL)
_ID_VALUE = re.compile(r"\s*:\s*(" + _STRING + ")", re.DOTALL)
_COLON = re.compile(r"\s*:")
_SCALAR_END = re.compile(r"[^,\]}\s]*")
_WS = re.compile(r"[ \t\n\r]*")


class BoundError(InputError):
    """An input value beyond a bound (or not JSON): it remembers the encounter id read from its text, if any."""

    def __init__(self, encounter_id: str | None, field: str, message: str) -> None:
        super().__init__(field, message)
        self.encounter_id = encounter_id


_UNDECODED = re.compile("[\udc80-\udcff]")  # a byte that is not UTF-8, as errors="surrogateescape" keeps it


def json_message(exc: json.JSONDecodeError) -> str:
    r"""What is wrong with a JSON text and where, in words (the decoder's message is cut before its position).

    >>> try:
    ...     json.loads('{"a": "x\ty"}')
    ... except json.JSONDecodeError as exc:
    ...     json_message(exc)
    'Invalid control character at column 9'

    """
    return f"{exc.msg.removesuffix(' at')} at column {exc.colno}"


def bad_byte(text: str) -> str | None:
    r"""Where ``text`` (read with ``errors="surrogateescape"``) holds a byte that is not UTF-8, in words, or None.

    >>> bad_byte(b'{"a": "\xff"}'.decode("utf-8", "surrogateescape")), bad_byte("caf\u00e9")
    ('byte 0xff at column 8 is not UTF-8', None)

    """
    m = _UNDECODED.search(text)
    return None if m is None else f"byte 0x{ord(m.group()) - 0xDC00:02x} at column {m.start() + 1} is not UTF-8"


def decodable(text: str) -> str:
    """``text`` with each byte that is not UTF-8 (see :func:`bad_byte`) replaced by U+FFFD."""
    return _UNDECODED.sub("\ufffd", text)


class _TooLarge(Exception):  # noqa: N818 (raised through the JSON decoder, turned into an InputError)
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _int(text: str) -> int:
    if len(text) > MAX_DIGITS:
        raise _TooLarge(f"has a number of {len(text)} digits (at most {MAX_DIGITS})")
    return int(text)


def _float(text: str) -> float:
    if len(text) > MAX_DIGITS:
        raise _TooLarge(f"has a number of {len(text)} characters (at most {MAX_DIGITS})")
    value = float(text)
    if math.isinf(value):
        raise _TooLarge(f"has a number too large for a double ({text[:20]})")
    return value


def _constant(text: str) -> Any:
    raise _TooLarge(f"has {text}, which is not a JSON number")


_DECODER = json.JSONDecoder(parse_int=_int, parse_float=_float, parse_constant=_constant)


def strip_bom(text: str) -> str:
    r"""``text`` without a leading UTF-8 byte order mark.

    Examples
    --------
    >>> strip_bom("\ufeff{}")
    '{}'

    """
    return text[1:] if text.startswith("\ufeff") else text


def depth_exceeds(obj: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether lists and dicts nest deeper than ``limit`` in ``obj`` (iterative: any depth is safe).

    Examples
    --------
    >>> depth_exceeds([[[]]], 3), depth_exceeds([[[]]], 2)
    (False, True)

    """
    stack: list[tuple[Any, int]] = [(obj, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children: Any = value.values()
        elif isinstance(value, list | tuple):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((c, depth + 1) for c in children if isinstance(c, dict | list | tuple))
    return False


def encounter_id_in(text: str) -> str | None:
    """The top-level ``encounter_id`` of an object's JSON text, read without decoding the rest (or None).

    Examples
    --------
    >>> encounter_id_in('{"claim": {"encounter_id": "inner"}, "encounter_id": "outer", "x": [[[[1]]]]}')
    'outer'

    """
    depth = 0
    for m in _TOKEN.finditer(text):
        tok = m.group()
        if tok in ("[", "{"):
            depth += 1
        elif tok in ("]", "}"):
            depth -= 1
        elif depth == 1 and tok == '"encounter_id"' and _COLON.match(text, m.end()):
            value = _ID_VALUE.match(text, m.end())
            if value is None:
                return None
            try:
                eid = json.loads(value.group(1))
            except ValueError:
                return None
            return eid if isinstance(eid, str) and 1 <= len(eid) <= 64 else None
    return None


def loads_item(text: str) -> Any:
    """One decoded JSON value, or a :class:`BoundError` when it breaks a bound.

    Raises
    ------
    json.JSONDecodeError
        When ``text`` is not JSON at all (the caller decides what that means).

    """
    try:
        value = fast_json(text)  # orjson where it reads as the bounded decoder below would (no long number)
    except ValueError:
        try:
            value, end = _DECODER.raw_decode(text, _WS.match(text).end())
        except RecursionError:
            return BoundError(encounter_id_in(text), "$", f"is nested deeper than {MAX_DEPTH} levels")
        except _TooLarge as exc:
            return BoundError(encounter_id_in(text), "$", exc.message)
        if _WS.match(text, end).end() != len(text):
            raise json.JSONDecodeError("Extra data", text, end) from None
    if _brackets(text) > MAX_DEPTH and depth_exceeds(value):
        return BoundError(encounter_id_in(text), "$", f"is nested deeper than {MAX_DEPTH} levels")
    return value


def _brackets(text: str) -> int:
    """How many ``[`` and ``{`` the text holds, in strings too: a bound on how deep its value can nest.

    Counting them is a C loop, walking the decoded value is not, and a line of a claim stream holds far
    fewer than :data:`MAX_DEPTH`: the walk is needed only past it.

    >>> _brackets('{"a": [{"b": "[x"}]}')
    4
    """
    return text.count("[") + text.count("{")


def _value_end(text: str, start: int) -> int:
    """Where the JSON value that starts at ``start`` ends (brackets matched, strings skipped)."""
    if text[start] in "[{":
        depth = 0
        for m in _TOKEN.finditer(text, start):
            tok = m.group()
            if tok in ("[", "{"):
                depth += 1
            elif tok in ("]", "}"):
                depth -= 1
                if depth == 0:
                    return m.end()
        return len(text)
    m = _SCALAR_END.match(text, start)
    return m.end()


def array_items(text: str) -> list[Any]:
    """The elements of a JSON array, each decoded on its own: one that breaks a bound is a :class:`BoundError`.

    Raises
    ------
    json.JSONDecodeError
        When ``text`` is not a JSON array.

    """
    pos = _WS.match(text).end()
    if not text.startswith("[", pos):
        raise json.JSONDecodeError("Expecting '['", text, pos)
    pos = _WS.match(text, pos + 1).end()
    items: list[Any] = []
    if text.startswith("]", pos):
        pos += 1
    else:
        while True:
            try:
                value, end = _DECODER.raw_decode(text, pos)
            except (RecursionError, _TooLarge) as exc:
                end = _value_end(text, pos)
                part = text[pos:end]
                message = exc.message if isinstance(exc, _TooLarge) else f"is nested deeper than {MAX_DEPTH} levels"
                items.append(BoundError(encounter_id_in(part), "$", f"item {len(items)} {message}"))
            else:
                if depth_exceeds(value):
                    items.append(BoundError(encounter_id_in(text[pos:end]), "$",
                                            f"item {len(items)} is nested deeper than {MAX_DEPTH} levels"))
                else:
                    items.append(value)
            pos = _WS.match(text, end).end()
            if text.startswith(",", pos):
                pos = _WS.match(text, pos + 1).end()
                continue
            if text.startswith("]", pos):
                pos += 1
                break
            raise json.JSONDecodeError("Expecting ',' delimiter", text, pos)
    if _WS.match(text, pos).end() != len(text):
        raise json.JSONDecodeError("Extra data", text, pos)
    return items
