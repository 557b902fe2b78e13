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
from fluorologic.contract.errors import InputError
from fluorologic.contract.render import from_json, to_json
from fluorologic.engine.fastpath.multisolve import Rendered, counts

if TYPE_CHECKING:
    from fluorologic.engine.solver import Engine

__all__ = ["BadItem", "echo_id", "error_record", "failure_record", "solve_chunk", "solve_chunk_rendered",
           "validated"]


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


def echo_id(eid: Any) -> str | None:
    r"""The encounter id to echo in a record: ``eid`` when it is a valid id (1-64 characters, UTF-8), else None.

    Examples
    --------
    >>> echo_id("e1"), echo_id("x" * 65), echo_id("a\ud800"), echo_id(7)
    ('e1', None, None, None)

    """
    if not isinstance(eid, str) or not 1 <= len(eid) <= 64:
        return None
    try:
        eid.encode("utf-8")
    except UnicodeEncodeError:
        return None
    return eid


def error_record(raw: Any, err: InputError) -> dict[str, Any]:
    """The contract's error record for an input item."""
    return {"encounter_id": echo_id(raw.get("encounter_id") if isinstance(raw, dict) else None),
            "error": err.to_dict()}


def failure_record(eid: Any, exc: BaseException) -> dict[str, Any]:
    """The record of an encounter whose solve failed: named by its kind of failure only (never its input text)."""
    if isinstance(exc, UnicodeError):
        message = "holds text that is not valid Unicode (a lone surrogate?); it was not solved"
    else:
        message = f"could not be solved ({type(exc).__name__}); needs review"
    return {"encounter_id": echo_id(eid), "error": {"field": "$", "message": message}}


def validated(engine: Engine, items: list[Any]) -> tuple[list[Any], list[tuple[int, Encounter]]]:
    """The error records of the invalid items (None for the valid ones) and the valid encounters by position.

    An item that is an :class:`~fluorologic.contract.encounter.Encounter` is valid as it is.
    """
    records: list[Any] = [None] * len(items)
    valid: list[tuple[int, Encounter]] = []
    places = engine.places
    for i, item in enumerate(items):
        if isinstance(item, Encounter):  # validated already (e.g. by the memo in front of a pool)
            valid.append((i, item))
            continue
        item = BadItem.of(item)
        if isinstance(item, BadItem):
            records[i] = {"encounter_id": echo_id(item.encounter_id),
                          "error": {"field": item.field, "message": item.message}}
            continue
        try:
            valid.append((i, parse_encounter(item, places)))
        except InputError as err:
            records[i] = error_record(item, err)
        except Exception as exc:  # noqa: BLE001 (validation must never cost the batch; named by kind only)
            records[i] = failure_record(item.get("encounter_id") if isinstance(item, dict) else None, exc)
    return records, valid


def solve_chunk_rendered(engine: Engine, items: list[Any], *, timeout: float | None = None
                         ) -> list[tuple[str, Any]]:
    """One record per item, in order, as JSON text (``to_json``) with its counts or its error record.

    The second member is the Result's :data:`~fluorologic.engine.fastpath.multisolve.Counts`, or, for an error
    record, the record itself. The text is the bytes :func:`solve_chunk`'s records render to.

    Examples
    --------
    >>> from fluorologic.engine.solver import Engine
    >>> [(text[:40], extra) for text, extra in solve_chunk_rendered(Engine(), [{"encounter_id": "b"}])]
    [('{"encounter_id": "b", "error": {"field":', {'encounter_id': 'b', 'error': {'field': 'date_of_service', \
'message': 'is required'}})]

    """
    records, valid = validated(engine, items)
    out: list[tuple[str, Any] | None] = [None if r is None else (to_json(r), r) for r in records]
    if valid:
        try:
            texts = engine.batch.rendered([enc for _, enc in valid], timeout=timeout)
            for (i, _), rendered in zip(valid, texts, strict=True):
                out[i] = rendered
        except Exception:  # noqa: BLE001 (one encounter the batch cannot take must not cost the others their answers)
            for i, enc in valid:
                rec = _solve_alone(engine, enc)
                out[i] = (to_json(rec), rec if "error" in rec else counts(rec))
    return out  # type: ignore[return-value]


def solve_chunk(engine: Engine, items: list[Any], *, timeout: float | None = None) -> list[dict[str, Any]]:
    """One record per item, in order: valid encounters are solved together in one program.

    Whatever one encounter does to the batch (an exception of any kind), the others keep their answers:
    the batch is then solved one encounter at a time, and only the failing one gets an error record.
    A Result decoded just now is taken as the decoder made it; one from the memo is read back from its text.
    """
    return [done.record if isinstance(done, Rendered) else done[1] if isinstance(done[1], dict) else from_json(done[0])
            for done in solve_chunk_rendered(engine, items, timeout=timeout)]


def _solve_alone(engine: Engine, enc: Encounter) -> dict[str, Any]:
    try:
        return engine.solve(enc)
    except Exception as exc:  # noqa: BLE001 (this encounter's record says it failed; the run goes on)
        return failure_record(enc.encounter_id, exc)
