"""Input rows as the items the engine takes: a JSON text column, contract columns, or grouped claim lines.

Each input row gives exactly one item: a decoded encounter (a dict), or an
:class:`~fluorologic.contract.errors.InputError` that becomes the row's error record. pyarrow only (this runs in
the engine's process on an executor, which never imports Spark).

* ``json``: one column of encounter JSON text (``fluorologic solve``'s JSON Lines, one line per row);
* ``contract``: the contract's fields as columns (``lines`` an array of structs); nulls are absent fields;
* ``lines``: a ``rows`` column, the claim lines of one encounter as structs of text cells, in input order, read
  as ``fluorologic solve`` reads the rows of a claim-line CSV.

Examples
--------
>>> import pyarrow as pa
>>> batch = pa.RecordBatch.from_pydict({"value": ['{"encounter_id": "a"}', "not json", None]})
>>> [isinstance(i, InputError) for i in items_of(batch, "json")]  # an error stands for the row
[False, True, True]
>>> batch = pa.RecordBatch.from_pylist([{"encounter_id": "b", "equipment_owner": None,
...                                      "lines": [{"code": "20610", "site": None}]}])
>>> items_of(batch, "contract")
[{'encounter_id': 'b', 'lines': [{'code': '20610'}]}]

"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pyarrow as pa

from fluorologic.contract.errors import InputError
from fluorologic.run.jsonin import BoundError, encounter_id_in, json_message, loads_item
from fluorologic.run.streaming import _encounter as csv_rows_encounter

__all__ = ["MODES", "clean", "items_of"]

#: The input shapes :func:`items_of` reads.
MODES = ("json", "contract", "lines")


def clean(value: Any) -> Any:
    """A value of an Arrow row as JSON would give it: null fields dropped, dates as ``YYYY-MM-DD``, decimals as floats.

    Examples
    --------
    >>> clean({"a": None, "d": dt.date(2024, 8, 1), "l": [{"x": None, "y": Decimal("1.5")}]})
    {'d': '2024-08-01', 'l': [{'y': 1.5}]}

    """
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [clean(v) for v in value]
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def _json_item(text: Any) -> Any:
    if not isinstance(text, str) or not text.strip():
        return InputError("$", "the row has no encounter JSON (null or blank)")
    try:
        return loads_item(text)  # within the CLI reader's bounds (depth, number size)
    except json.JSONDecodeError as exc:  # named by its id where the text shows it, as the CLI does
        return BoundError(encounter_id_in(text), "$", f"the row is not valid JSON: {json_message(exc)}")


def _rows_item(row: dict[str, Any]) -> Any:
    rows = row.get("rows") or []
    cells = [dict(r) for r in rows]
    item = csv_rows_encounter(cells) if cells else InputError("lines", "the encounter has no rows")
    if isinstance(item, InputError):
        item.encounter_id = row.get("encounter_id")  # the error record names the encounter
    return item


def items_of(batch: pa.RecordBatch, mode: str) -> list[Any]:
    """One item per row of ``batch`` read as ``mode`` (see the module docstring).

    Raises
    ------
    ValueError
        For an unknown ``mode``.

    """
    if mode == "json":
        return [_json_item(v) for v in batch.column(0).to_pylist()]
    if mode == "contract":
        return [clean(r) for r in batch.to_pylist()]
    if mode == "lines":
        return [_rows_item(r) for r in batch.to_pylist()]
    raise ValueError(f"input must be one of {', '.join(MODES)}, not {mode!r}")
