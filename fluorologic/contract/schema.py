"""The contract's shapes (contract.md) as pydantic models: the service's OpenAPI schema is generated from them.

Validation itself is :func:`fluorologic.contract.encounter.parse_encounter`, the same function the command line
uses, so a request and a file line are accepted or refused alike and name the same field; these models
describe those shapes for clients (a test checks that both agree on the examples).

Examples
--------
>>> sorted(EncounterIn.model_json_schema()["required"])
['date_of_service', 'encounter_id', 'place_of_service']

"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["AddedOut", "AlertOut", "BillableOut", "DocumentationIn", "EncounterIn", "ErrorDetail", "ErrorRecord",
           "ExcludedOut", "LineIn", "ResultOut", "ScanIn", "TotalsOut", "WhyIn"]


class LineIn(BaseModel):
    """A claimed line."""

    model_config = ConfigDict(extra="allow")
    code: str = Field(pattern=r"^(?:\d{5}|\d{4}[FTU]|[A-V]\d{4})$", description="5-character CPT/HCPCS code")
    units: int = Field(1, ge=1, le=999)
    modifiers: list[str] = Field(default_factory=list, description="2-character modifiers, e.g. 26, TC, 59, XS")
    site: str | None = Field(None, max_length=200, description="anatomic site or spinal level, e.g. L5-S1")
    distinct: bool = Field(False, description="the record documents a distinct procedural service")


class DocumentationIn(BaseModel):
    """What the procedure note documents."""

    fluoroscopy_time_seconds: float | None = Field(None, ge=0, le=86400)
    indication: str | None = None
    body_area: str | None = None


class EncounterIn(BaseModel):
    """One operative session of one patient with one rendering provider."""

    model_config = ConfigDict(extra="allow")
    encounter_id: str = Field(min_length=1, max_length=64)
    date_of_service: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$", description="YYYY-MM-DD")
    place_of_service: str = Field(pattern=r"^\d{2}$", description="CMS two-digit place of service code")
    equipment_owner: Literal["physician", "facility"] | None = None
    lines: list[LineIn] | None = Field(None, description="may be empty (or absent) when a note is given")
    documentation: DocumentationIn | None = None
    note: str | None = Field(None, description="free text of the procedure note; never logged")


class BillableOut(BaseModel):
    """A line to submit."""

    code: str
    units: int
    modifiers: list[str]
    amount: float | None


class ExcludedOut(BaseModel):
    """A code (or trimmed units) not billed, with the reason."""

    code: str
    units: int
    reason: str
    by: str | None
    rule: str
    detail: str


class AddedOut(BaseModel):
    """A line fluorologic recommends."""

    code: str
    units: int
    modifiers: list[str]
    reason: str
    replaces: str | None
    detail: str


class AlertOut(BaseModel):
    """Something for the coder to check."""

    model_config = ConfigDict(extra="allow")
    kind: str
    code: str | None
    detail: str


class TotalsOut(BaseModel):
    """Fees of the lines as billed and of the billable lines."""

    billed: float
    expected: float


class ResultOut(BaseModel):
    """The contract Result of one encounter."""

    model_config = ConfigDict(extra="allow")
    schema_version: str
    encounter_id: str
    billable: list[BillableOut]
    excluded: list[ExcludedOut]
    added: list[AddedOut]
    alerts: list[AlertOut]
    audit: list[dict[str, object]]
    totals: TotalsOut


class ErrorDetail(BaseModel):
    """The field at fault (a JSON path) and what is wrong with it."""

    field: str | None
    message: str


class ErrorRecord(BaseModel):
    """An encounter that gives no result: invalid input, or ``needs_review`` when no answer came in time."""

    encounter_id: str | None
    error: ErrorDetail
    needs_review: bool | None = Field(None, description="true when the solve timed out: a coder must review it")


class WhyIn(BaseModel):
    """Why CODE was billed, excluded or added in ENCOUNTER."""

    encounter: EncounterIn
    code: str


class ScanIn(BaseModel):
    """A procedure note to read."""

    note: str
