"""The claim side of a reconciliation: an X12 837P, FHIR R4 Claims or fluorologic JSON encounters, by their text.

Examples
--------
>>> claims_kind('{"resourceType": "Bundle"}'), claims_kind('[{"encounter_id": "e1"}]'), claims_kind("ISA*00*")
('fhir', 'json', 'x12')
>>> [type(i).__name__ for i in claim_items('[{"encounter_id": "e1"}, 7]', "json")]
['dict', 'int']
>>> claim_items("[", "json")
Traceback (most recent call last):
...
fluorologic.contract.errors.InputError: $: the input is not valid JSON: Expecting value at line 1

"""

from __future__ import annotations

import io
from typing import Any

from fluorologic.claims.errors import ClaimError
from fluorologic.claims.formats import read_claims
from fluorologic.claims.x12 import is_x12
from fluorologic.run.jsonin import BoundError
from fluorologic.run.streaming import open_input

__all__ = ["KINDS", "claim_items", "claims_kind"]

#: The claim formats reconciliation reads.
KINDS = ("x12", "fhir", "json")


def claims_kind(text: str) -> str:
    """``x12`` when the text starts with ISA, ``fhir`` when it holds FHIR resources, else ``json``."""
    head = text[:4096]
    if is_x12(head):
        return "x12"
    return "fhir" if '"resourceType"' in head else "json"


def claim_items(text: str, kind: str) -> list[dict[str, Any] | ClaimError | Any]:
    """The encounters (and error records) of a claim text in format ``kind`` (one of :data:`KINDS`).

    Raises
    ------
    InputError
        A JSON text that cannot be read at all (an X12 or FHIR text gives error records instead).

    """
    if kind in ("x12", "fhir"):
        return list(read_claims(text, kind))
    _shape, items = open_input(io.StringIO(text))
    out: list[Any] = []
    for item in items:
        if isinstance(item, BoundError):
            out.append({"encounter_id": item.encounter_id, "error": item.to_dict()})
        else:
            out.append(item)
    return out
