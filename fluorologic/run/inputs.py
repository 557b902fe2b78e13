"""Every input ``solve`` reads, read whole for the commands and pages that look at one encounter at a time.

``why``, ``graph``, ``scan --id`` and the workbench's upload read the same inputs as ``solve``: the contract's
JSON (one object or an array) or JSON Lines, a claim-line CSV, an X12 837P interchange and FHIR R4 Claims (a
Claim, a Bundle or NDJSON). The kind is named (``--from``) or recognised: X12 by its ``ISA`` header, FHIR by a
``resourceType`` of ``Claim`` or ``Bundle`` near the start, CSV by a ``.csv`` file name, JSON otherwise.

Examples
--------
>>> input_kind('{"resourceType": "Claim", "id": "c"}'), input_kind("a,b", "b.csv"), input_kind("[]", "b.json")
('fhir', 'csv', 'json')
>>> [i["encounter_id"] for i in read_inputs('[{"encounter_id": "a"}, {"encounter_id": "b"}]')]
['a', 'b']
>>> pick([{"encounter_id": "a"}, {"encounter_id": "b"}], "b")
{'encounter_id': 'b'}

"""

from __future__ import annotations

import io
import re
from typing import Any

from fluorologic.claims.formats import read_claims
from fluorologic.claims.x12 import is_x12
from fluorologic.contract.errors import InputError
from fluorologic.run.batch import read_encounters
from fluorologic.run.jsonin import strip_bom
from fluorologic.run.streaming import csv_encounters

__all__ = ["KINDS", "input_kind", "pick", "read_inputs"]

#: The kinds of input, as ``solve --from`` names them.
KINDS = ("json", "csv", "x12", "fhir")
#: A FHIR resource of the claims reader's kinds near the start of a JSON text.
_FHIR = re.compile(r'"resourceType"\s*:\s*"(?:Claim|Bundle)"')


def input_kind(text: str, name: str = "", from_format: str | None = None) -> str:
    """The kind of ``text``: ``from_format`` when given, else recognised (see the module docstring)."""
    if from_format is not None:
        return from_format
    head = strip_bom(text[:4096]).lstrip()
    if is_x12(head):
        return "x12"
    if _FHIR.search(head):
        return "fhir"
    return "csv" if name.lower().endswith(".csv") else "json"


def read_inputs(text: str, *, name: str = "", from_format: str | None = None) -> list[Any]:
    """The encounters of ``text`` in order, an :class:`InputError` standing for each one that cannot be read.

    Raises
    ------
    InputError
        The text is empty or, as JSON, not a JSON document or JSON Lines.

    """
    kind = input_kind(text, name, from_format)
    if kind in ("x12", "fhir"):
        return read_claims(strip_bom(text), kind)
    if kind == "csv":
        return list(csv_encounters(io.StringIO(strip_bom(text), newline="")))
    return read_encounters(text)[0]


def pick(items: list[Any], encounter_id: str) -> Any:
    """The one item whose ``encounter_id`` is ``encounter_id`` (an encounter, or the error record of a claim).

    Raises
    ------
    InputError
        No item, or more than one, has that id (field ``--id``).

    """
    found = [i for i in items if (i.get("encounter_id") if isinstance(i, dict) else
                                  getattr(i, "encounter_id", None)) == encounter_id]
    if not found:
        ids = [i["encounter_id"] for i in items if isinstance(i, dict) and isinstance(i.get("encounter_id"), str)]
        near = [i for i in ids if i.startswith(encounter_id + "@")]  # a claim split by date of service
        hint = f" (this claim's encounters: {', '.join(near)})" if near else ""
        raise InputError("--id", f"no encounter with encounter_id {encounter_id!r}{hint}")
    if len(found) > 1:
        raise InputError("--id", f"{len(found)} encounters have encounter_id {encounter_id!r}; ids must be unique "
                                 "to pick one")
    return found[0]

