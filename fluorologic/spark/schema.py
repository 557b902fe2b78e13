"""The Result as typed Arrow columns: the one schema the Spark integration publishes (pyarrow only, no Spark).

:data:`RESULT_ARROW_SCHEMA` is the source of truth; :func:`fluorologic.spark.result_schema` derives the Spark
``StructType`` from it, so the two cannot drift. One row per input encounter: a Result fills ``billable`` ..
``totals`` and leaves ``error`` null; an error record fills ``encounter_id`` (when known) and ``error`` only.
``audit`` (heterogeneous entries) is kept as JSON text; ``result_json`` (optional) is the whole record as
``fluorologic solve --format jsonl`` prints it.

Examples
--------
>>> batch = records_to_batch([{"encounter_id": "a", "error": {"field": "lines", "message": "must be a list"}}])
>>> batch.num_rows, batch.column("error").to_pylist()
(1, [{'field': 'lines', 'message': 'must be a list', 'needs_review': None}])
>>> "result_json" in records_to_batch([], result_json=True).schema.names
True
>>> records_to_batch([{"encounter_id": "b", "claim": {"payer": 7}}]).column("claim").to_pylist()[0]["payer"]
'7'

"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import pyarrow as pa

from fluorologic.contract.render import to_json

__all__ = ["RESULT_ARROW_SCHEMA", "arrow_schema", "record_row", "records_to_batch"]

_S = pa.string()
_I = pa.int32()
_F = pa.float64()
_STRS = pa.list_(_S)

_ADJUSTMENT = pa.struct([("rule", _S), ("factor", _F), ("detail", _S)])
_PRICING = pa.struct([("release", _S), ("site_of_service", _S), ("row", _S), ("rvu", _F), ("conversion_factor", _F),
                      ("locality", _S), ("adjustments", pa.list_(_ADJUSTMENT))])
_BILLABLE = pa.struct([("code", _S), ("units", _I), ("modifiers", _STRS), ("amount", _F), ("pricing", _PRICING),
                       ("line_ids", _STRS)])
_EXCLUDED = pa.struct([("code", _S), ("units", _I), ("reason", _S), ("by", _S), ("rule", _S), ("detail", _S),
                       ("line_id", _S)])
_EVIDENCE = pa.struct([("fact", _S), ("start", _I), ("end", _I), ("text", _S)])
_ADDED = pa.struct([("code", _S), ("units", _I), ("modifiers", _STRS), ("reason", _S), ("replaces", _S),
                    ("detail", _S), ("line_id", _S), ("evidence", pa.list_(_EVIDENCE))])
_ALERT = pa.struct([("kind", _S), ("code", _S), ("rule", _S), ("detail", _S)])
_TOTALS = pa.struct([("billed", _F), ("expected", _F), ("lines_without_fee", _I)])
_CLAIM = pa.struct([("claim_id", _S), ("payer", _S), ("rendering_npi", _S), ("diagnoses", _STRS), ("source", _S)])
_ERROR = pa.struct([("field", _S), ("message", _S), ("needs_review", pa.bool_())])

#: The columns of a solved row, in order (``result_json`` is appended when asked for).
RESULT_ARROW_SCHEMA = pa.schema([
    ("encounter_id", _S),
    ("schema_version", _S),
    ("billable", pa.list_(_BILLABLE)),
    ("excluded", pa.list_(_EXCLUDED)),
    ("added", pa.list_(_ADDED)),
    ("alerts", pa.list_(_ALERT)),
    ("totals", _TOTALS),
    ("claim", _CLAIM),
    ("audit", _S),
    ("error", _ERROR),
])
_JSON_FIELD = pa.field("result_json", _S)


def arrow_schema(result_json: bool = False) -> pa.Schema:
    """The Arrow schema of solved rows, with the ``result_json`` column when ``result_json`` is true."""
    return RESULT_ARROW_SCHEMA.append(_JSON_FIELD) if result_json else RESULT_ARROW_SCHEMA


def _text(value: Any) -> str | None:
    """A string cell: strings as they are, other scalars as JSON text, None as null."""
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and -2**31 <= value < 2**31 else None


def _float(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _texts(value: Any) -> list[str | None] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return [value]
    return [_text(v) for v in value] if isinstance(value, Sequence) else [_text(value)]


def _struct(value: Any, kind: pa.StructType) -> dict[str, Any] | None:
    """A dict shaped as ``kind``: known fields only, each coerced to its Arrow type (None where it does not fit)."""
    if not isinstance(value, Mapping):
        return None
    return {f.name: _cell(value.get(f.name), f.type) for f in kind}


def _cell(value: Any, kind: pa.DataType) -> Any:
    if pa.types.is_string(kind):
        return _text(value)
    if pa.types.is_int32(kind):
        return _int(value)
    if pa.types.is_float64(kind):
        return _float(value)
    if pa.types.is_boolean(kind):
        return value if isinstance(value, bool) else None
    if pa.types.is_struct(kind):
        return _struct(value, kind)
    if pa.types.is_list(kind):
        if pa.types.is_string(kind.value_type):
            return _texts(value)
        if not isinstance(value, Sequence) or isinstance(value, str):
            return None
        return [_cell(v, kind.value_type) for v in value]
    raise TypeError(f"no conversion for {kind}")  # pragma: no cover (the schema above has none other)


def record_row(rec: Mapping[str, Any], *, result_json: bool = False) -> dict[str, Any]:
    """One output record (a Result or an error record) as a row of :func:`arrow_schema` (never raises on odd values).

    Examples
    --------
    >>> row = record_row({"encounter_id": "a", "schema_version": "1", "billable": [{"code": "20610", "units": 1,
    ...                   "modifiers": [], "amount": 61.3}], "excluded": [], "added": [], "alerts": [], "audit": [],
    ...                   "totals": {"billed": 61.3, "expected": 61.3}})
    >>> row["billable"][0]["code"], row["totals"]["expected"], row["error"], row["audit"]
    ('20610', 61.3, None, '[]')

    """
    row: dict[str, Any] = {}
    for f in RESULT_ARROW_SCHEMA:
        value = rec.get(f.name)
        if f.name == "audit":
            row["audit"] = None if value is None else to_json(value)
        else:
            row[f.name] = _cell(value, f.type)
    if result_json:
        row["result_json"] = to_json(rec)
    return row


def _fast_row(rec: Mapping[str, Any], result_json: bool) -> dict[str, Any]:
    row = dict(rec)
    if "audit" in row:
        row["audit"] = to_json(rec["audit"])
    if result_json:
        row["result_json"] = to_json(rec)
    return row


def records_to_batch(records: Sequence[Mapping[str, Any]], *, result_json: bool = False) -> pa.RecordBatch:
    """The records as one Arrow batch of :func:`arrow_schema` (one row per record, in order).

    Records go to Arrow as they are (its converter keeps the schema's fields and drops the others); a record
    with a value of another type than the schema's (none the engine makes today) sends the batch through
    :func:`record_row`, which converts each value or leaves it null.
    """
    schema = arrow_schema(result_json)
    try:
        return pa.RecordBatch.from_pylist([_fast_row(r, result_json) for r in records], schema=schema)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError, OverflowError):
        return pa.RecordBatch.from_pylist([record_row(r, result_json=result_json) for r in records], schema=schema)
