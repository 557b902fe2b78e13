r"""Read encounters from JSON (one object or an array) or JSON Lines, keeping malformed lines as errors.

Examples
--------
>>> [type(x).__name__ for x in read_encounters('{"a": 1}\n{"b": 2}\n')[0]]
['dict', 'dict']
>>> read_encounters('[{"a": 1}]')[1]
'array'

"""

from __future__ import annotations

import json
from typing import Any

from fluorologic.contract.errors import InputError
from fluorologic.run.jsonin import array_items, json_message, loads_item, strip_bom

__all__ = ["read_encounters"]


def read_encounters(text: str) -> tuple[list[Any], str]:
    """Parse ``text``; return the items (an InputError stands for a malformed JSON line) and the shape.

    The shape is ``"object"``, ``"array"`` or ``"lines"``; it decides how ``--format json`` prints. The
    bounds of :mod:`fluorologic.run.jsonin` apply (a value beyond them is an InputError item), a byte
    order mark is skipped, and JSON Lines are split after LF only, as ``fluorologic solve`` reads them.
    """
    text = strip_bom(text)
    stripped = text.strip()
    if not stripped:
        raise InputError("$", "the input is empty")
    try:
        if stripped.startswith("["):
            return array_items(stripped), "array"
        doc = loads_item(stripped)
    except json.JSONDecodeError:
        doc = None
    else:
        return [doc], "object"
    items: list[Any] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            items.append(loads_item(line))
        except json.JSONDecodeError as exc:
            items.append(InputError("$", f"line {number} is not valid JSON: {json_message(exc)}"))
    return items, "lines"
