"""One record per input item: the contract Result of each valid encounter, an error record for the rest.

A chunk is a list of input items (decoded JSON objects, or an :class:`~fluorologic.contract.errors.InputError`
standing for a malformed input line). :func:`solve_chunk` validates each item, solves the valid ones
together in one keyed program, and never lets one encounter the batch cannot take cost another its answer.

Examples
--------
>>> from fluorologic.engine.solver import Engine
>>> recs = solve_chunk(Engine(), [{"encounter_id": "a", "date_of_service": "2024-08-01", "place_of_service": "11",
...                                "lines": [{"code": "20610"}]}, {"encounter_id": "b"}])
>>> [(r["encounter_id"], "error" in r) for r in recs]
[('a', False), ('b', True)]

"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fluorologic.contract.encounter import Encounter, parse_encounter
from fluorologic.contract.errors import FluorologicError, InputError

if TYPE_CHECKING:
    from fluorologic.engine.solver import Engine

__all__ = ["BadItem", "error_record", "solve_chunk"]


@dataclass(frozen=True)
class BadItem:
    """An input item that is not an encounter at all (e.g. a malformed JSON line), as sent to a worker."""

    encounter_id: str | None
    field: str
    message: str

    @classmethod
    def of(cls, item: Any) -> Any:
        """``item`` itself, or a :class:`BadItem` when it is an :class:`InputError` (which does not pickle)."""
        if isinstance(item, InputError):
            eid = getattr(item, "encounter_id", None)
            return cls(eid if isinstance(eid, str) else None, item.field, item.message)
        return item


def error_record(raw: Any, err: InputError) -> dict[str, Any]:
    """The contract's error record for an input item."""
    eid = raw.get("encounter_id") if isinstance(raw, dict) else None
    return {"encounter_id": eid if isinstance(eid, str) else None, "error": err.to_dict()}


def solve_chunk(engine: Engine, items: list[Any], *, timeout: float | None = None) -> list[dict[str, Any]]:
    """One record per item, in order: valid encounters are solved together in one program."""
    records: list[dict[str, Any] | None] = [None] * len(items)
    valid: list[tuple[int, Encounter]] = []
    for i, item in enumerate(items):
        item = BadItem.of(item)
        if isinstance(item, BadItem):
            records[i] = {"encounter_id": item.encounter_id, "error": {"field": item.field, "message": item.message}}
            continue
        try:
            valid.append((i, parse_encounter(item, engine.places)))
        except InputError as err:
            records[i] = error_record(item, err)
    if valid:
        try:
            recs = engine.batch.results([enc for _, enc in valid], timeout=timeout)
            for (i, _), rec in zip(valid, recs, strict=True):
                records[i] = rec
        except FluorologicError:
            # One encounter the batch cannot take must not cost the others their answers.
            for i, enc in valid:
                records[i] = _solve_alone(engine, enc)
    return [r for r in records if r is not None]


def _solve_alone(engine: Engine, enc: Encounter) -> dict[str, Any]:
    try:
        return engine.solve(enc)
    except FluorologicError as exc:
        return {"encounter_id": enc.encounter_id,
                "error": {"field": "$", "message": f"could not be solved ({type(exc).__name__}); needs review"}}
