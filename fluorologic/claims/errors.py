"""The error record of a claim that could not be read: an :class:`InputError` that knows its encounter id.

The ``field`` names where in the claim file the fault is: an X12 segment position and element
(``segment 31 SV101-2``) or a FHIR path (``Claim.item[1].quantity``).

Examples
--------
>>> err = ClaimError("26463774", "segment 31 SV101", "must be a composite HC:code[:modifier]...")
>>> err.record()["encounter_id"], err.record()["error"]["field"]
('26463774', 'segment 31 SV101')

"""

from __future__ import annotations

from typing import Any

from fluorologic.contract.errors import InputError

__all__ = ["ClaimError"]


class ClaimError(InputError):
    """A claim (or an envelope around claims) that gives an error record instead of an encounter."""

    def __init__(self, encounter_id: str | None, field: str, message: str) -> None:
        super().__init__(field, message)
        self.encounter_id = encounter_id

    def record(self) -> dict[str, Any]:
        """The contract's error record."""
        return {"encounter_id": self.encounter_id, "error": self.to_dict()}

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle with the constructor's arguments (exceptions otherwise re-create from ``args`` only)."""
        return (ClaimError, (self.encounter_id, self.field, self.message))
