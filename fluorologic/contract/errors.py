"""The exceptions fluorologic raises: one base class, one subclass per kind of failure.

Examples
--------
>>> err = InputError("lines[0].code", "must be a 5-character CPT/HCPCS code")
>>> err.to_dict()
{'field': 'lines[0].code', 'message': 'must be a 5-character CPT/HCPCS code'}

"""

from __future__ import annotations

__all__ = ["DataError", "EncodingError", "FluorologicError", "InputError"]


class FluorologicError(Exception):
    """Base class of every error fluorologic raises on purpose."""


class InputError(FluorologicError):
    """An encounter field is missing or invalid; ``field`` names it as a JSON path."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message

    def to_dict(self) -> dict[str, str]:
        """Return the ``error`` object of an error record (contract.md)."""
        return {"field": self.field, "message": self.message}


class DataError(FluorologicError):
    """A rule data file is missing, malformed or inconsistent."""


class EncodingError(FluorologicError):
    """The encodings failed to parse or ground: a defect of fluorologic, not of the input."""
