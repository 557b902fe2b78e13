"""The claim formats by name and by media type, and one entry point that reads any of them.

Examples
--------
>>> [type(x).__name__ for x in read_claims('{"resourceType": "Patient"}', "fhir")]
['ClaimError']
>>> MEDIA_TYPES["application/edi-x12"]
'x12'

"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any, TextIO

from fluorologic.claims.errors import ClaimError
from fluorologic.claims.fhir import read_fhir
from fluorologic.claims.x12 import read_x12

__all__ = ["MEDIA_TYPES", "claim_items", "read_claims"]

#: Request media types (lower case) and the claim format each carries.
MEDIA_TYPES = {"application/edi-x12": "x12", "application/fhir+json": "fhir"}


def claim_items(stream: TextIO, kind: str) -> Iterator[dict[str, Any] | ClaimError]:
    """The encounters and error records of a claim stream in format ``kind`` (``x12`` or ``fhir``)."""
    return read_x12(stream) if kind == "x12" else read_fhir(stream)


def read_claims(text: str, kind: str) -> list[dict[str, Any] | ClaimError]:
    """The encounters and error records of a whole claim text in format ``kind`` (``x12`` or ``fhir``)."""
    return list(claim_items(io.StringIO(text), kind))
