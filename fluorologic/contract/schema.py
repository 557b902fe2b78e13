"""The contract (contract.md) defined once: these models validate input, generate the OpenAPI and the JSON Schema.

:func:`fluorologic.contract.encounter.parse_encounter` validates through :class:`EncounterIn` (pydantic v2, strict:
no coercion, so ``"1"`` is not a unit count and ``11`` is not a place of service) and turns the first error into
the field-named :class:`~fluorologic.contract.errors.InputError` of the contract; the service publishes the same
models in its OpenAPI, and ``fluorologic schema`` prints them as one JSON Schema document. What the schema says
is what validation accepts: the places of service are an enum of the embedded table, a date is a ``format:
date`` string, and the rule no schema keyword states alone (``lines`` may be empty only when a ``note`` is
given) is written into the schema as an ``anyOf``.

Examples
--------
>>> sorted(ENCOUNTER.json_schema()["required"])
['date_of_service', 'encounter_id', 'place_of_service']
>>> first_error({"encounter_id": "e", "date_of_service": "2024-02-30", "place_of_service": "11", "lines": []})
('date_of_service', "'2024-02-30' is not a real calendar date")

"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    with_config,
)
from pydantic_core import ErrorDetails
from typing_extensions import NotRequired, TypedDict

from fluorologic.contract.errors import InputError
from fluorologic.contract.places import default_places

__all__ = ["MAX_LINES", "MAX_NOTE", "MAX_TEXT", "MAX_UNITS", "AddedOut", "AdjustmentOut", "AlertOut", "BillableOut",
           "ClaimIn", "DocumentationIn", "EncounterIn", "ErrorDetail", "ErrorRecord", "ExcludedOut", "LineIn",
           "PricingOut", "ResultOut", "ScanIn", "TotalsOut", "WhyIn", "contract_schema", "first_error",
           "json_schema", "validate_encounter"]

MAX_UNITS = 999
MAX_LINES = 50
MAX_TEXT = 2000
MAX_NOTE = 200_000
MAX_SITE = 200
MAX_ID = 64
MAX_DIAGNOSES = 50
MAX_CHARGE = 10_000_000
LOCALITY_PATTERN = r"^[0-9]{5}:[0-9]{2}$"
CODE_PATTERN = r"^(?:\d{5}|\d{4}[FTU]|[A-V]\d{4})$"
MODIFIER_PATTERN = r"^[0-9A-Z]{2}$"
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"

_SURROGATE = re.compile("[\ud800-\udfff]")


def _unicode(value: str) -> str:
    """Refuse a lone surrogate: JSON may escape one (D800-DFFF alone), but it is not Unicode text."""
    if _SURROGATE.search(value):
        raise ValueError("surrogate")
    return value


def _calendar_date(value: str) -> str:
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError("calendar") from None
    return value


def _whole(value: Any) -> Any:
    """A whole number written with a fraction (``2.0``) is the integer JSON Schema says it is; booleans stay out."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


T = TypeVar("T")

#: A JSON string that is Unicode text (no lone surrogate).
Text = Annotated[str, AfterValidator(_unicode)]
#: A place of service the embedded table knows (an enum in the schema).
PlaceCode = Literal[tuple(sorted(default_places()))]  # type: ignore[valid-type]

#: A submitted charge in USD.
Charge = Annotated[int, Field(ge=0, le=MAX_CHARGE)] | Annotated[float, Field(ge=0, le=MAX_CHARGE)]

#: A number of seconds in a day (kept an int when written as one: the output echoes it as written).
Seconds = Annotated[T, Field(ge=0, le=86400)]

_STRICT = ConfigDict(strict=True, extra="allow", allow_inf_nan=False)


@with_config(_STRICT)
class LineIn(TypedDict):
    """A claimed line."""

    code: Annotated[str, Field(pattern=CODE_PATTERN, description="5-character CPT/HCPCS code, e.g. 77002")]
    units: NotRequired[Annotated[int, Field(ge=1, le=MAX_UNITS, description="units billed (default 1)"),
                                 BeforeValidator(_whole)]]
    modifiers: NotRequired[Annotated[list[Annotated[str, Field(pattern=MODIFIER_PATTERN)]], Field(
        description="2-character modifiers, e.g. 26, TC, 59, XS, RT, LT, 50 (default none)")]]
    site: NotRequired[Annotated[Text | None, Field(max_length=MAX_SITE,
                                                   description="anatomic site or spinal level, e.g. L5-S1")]]
    distinct: NotRequired[Annotated[bool, Field(description="the record documents a distinct procedural service "
                                                            "(separate site, lesion or session)")]]
    line_id: NotRequired[Annotated[Text | None, Field(min_length=1, max_length=MAX_ID, description=(
        "the caller's id of the line (837P LX or REF*6R, FHIR item.sequence), echoed on its entries"))]]


@with_config(_STRICT)
class DocumentationIn(TypedDict):
    """What the procedure note documents."""

    fluoroscopy_time_seconds: NotRequired[Annotated[Seconds[int] | Seconds[float] | None, Field(
        description="total fluoroscopy time in seconds")]]
    indication: NotRequired[Annotated[Text | None, Field(max_length=MAX_TEXT,
                                                         description="why real-time imaging was needed")]]
    body_area: NotRequired[Annotated[Text | None, Field(max_length=MAX_TEXT, description="the anatomy imaged")]]


@with_config(_STRICT)
class ClaimIn(TypedDict):
    """What the claim says beside the lines: passed through unchanged, used where a rule needs it."""

    claim_id: NotRequired[Annotated[Text | None, Field(min_length=1, max_length=MAX_ID, description="e.g. CLM01")]]
    payer: NotRequired[Annotated[Text | None, Field(max_length=MAX_TEXT, description="the payer's name or id")]]
    rendering_npi: NotRequired[Annotated[Text | None, Field(max_length=MAX_ID, description="rendering NPI")]]
    diagnoses: NotRequired[Annotated[list[Annotated[Text, Field(max_length=MAX_ID)]], Field(
        max_length=MAX_DIAGNOSES, description="ICD-10-CM codes in claim order")]]
    source: NotRequired[Annotated[Text | None, Field(max_length=MAX_ID, description='e.g. "x12-837p", "fhir-claim"')]]
    charges: NotRequired[Annotated[Annotated[dict[Annotated[Text, Field(max_length=MAX_ID)], Charge], Field(
        max_length=MAX_LINES)] | None, Field(description=(
            "the submitted charge per line id (837P SV102, 837I SV203), for the workbench and reconciliation; "
            "never used to price"))]]
    locality: NotRequired[Annotated[Annotated[str, Field(pattern=LOCALITY_PATTERN)] | None, Field(description=(
        'the MPFS payment locality as "MAC:locality", e.g. "15202:01"; absent: national amounts'))]]


_LINES_OR_NOTE = {"anyOf": [{"required": ["note"], "properties": {"note": {"type": "string"}}},
                            {"required": ["lines"], "properties": {"lines": {"type": "array", "minItems": 1}}}]}


@with_config(ConfigDict(strict=True, extra="allow", allow_inf_nan=False, json_schema_extra=_LINES_OR_NOTE))
class EncounterIn(TypedDict):
    """One operative session of one patient with one rendering provider."""

    encounter_id: Annotated[Text, Field(min_length=1, max_length=MAX_ID, description="the caller's id, echoed back")]
    date_of_service: Annotated[str, Field(pattern=DATE_PATTERN, json_schema_extra={"format": "date"},
                                          description="YYYY-MM-DD"), AfterValidator(_calendar_date)]
    place_of_service: Annotated[PlaceCode, Field(description="CMS two-digit place of service code")]
    equipment_owner: NotRequired[Annotated[Literal["physician", "facility"] | None, Field(
        description="who owns the fluoroscopy unit; by default facility for POS 19, 21, 22, 23, 24")]]
    note: NotRequired[Annotated[Text | None, Field(max_length=MAX_NOTE,
                                                   description="free text of the procedure note; never logged")]]
    lines: NotRequired[Annotated[list[LineIn] | None, Field(
        max_length=MAX_LINES, description="the codes billed; may be empty (or absent) only with a note")]]
    documentation: NotRequired[DocumentationIn | None]
    claim: NotRequired[ClaimIn | None]
    claim_type: NotRequired[Annotated[Literal["professional", "institutional"] | None, Field(description=(
        "whose claim: the practitioner's (837P; MPFS, practitioner NCCI; the default) or the hospital outpatient "
        "department's (837I; OPPS status indicators and APCs, outpatient-hospital NCCI)"))]]


#: Validates an encounter (a dict in, the same dict's validated values out).
ENCOUNTER = TypeAdapter(EncounterIn)


# The contract's words for each field's errors, by the field's name (the last name in the error's path).
_MESSAGES = {
    "encounter_id": "must be a string of 1 to 64 characters",
    "line_id": "must be a string of 1 to 64 characters",
    "claim_id": "must be a string of 1 to 64 characters",
    "date_of_service": "must be a date written YYYY-MM-DD",
    "place_of_service": "must be a two-digit CMS place of service code such as \"11\"",
    "equipment_owner": "must be \"physician\" or \"facility\"",
    "lines": "must be a list",
    "code": "must be a 5-character CPT/HCPCS code such as 77002",
    "units": "must be a whole number",
    "modifiers": "must be a list of 2-character modifiers",
    "distinct": "must be true or false",
    "documentation": "must be an object",
    "claim": "must be an object",
    "diagnoses": f"must be a list of at most {MAX_DIAGNOSES} ICD-10-CM codes",
    "fluoroscopy_time_seconds": "must be a number of seconds between 0 and 86400",
    "claim_type": "must be \"professional\" or \"institutional\"",
    "charges": f"must be an object of line id -> submitted charge in USD (0 to {MAX_CHARGE:,})",
    "locality": "must be an MPFS payment locality written MAC:locality, e.g. \"15202:01\"",
}


#: The names of the input fields: an error's path keeps these and list positions, not the tags of union members.
_FIELDS = frozenset(name for model in (EncounterIn, LineIn, DocumentationIn, ClaimIn) for name in model.__annotations__)


def _fields(loc: tuple[int | str, ...]) -> tuple[int | str, ...]:
    return tuple(p for p in loc if isinstance(p, int) or p in _FIELDS)


def _path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in _fields(loc):
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "$"


def _message(err: ErrorDetails) -> str:
    loc, kind, value = _fields(err["loc"]), err["type"], err["input"]
    names = [p for p in loc if isinstance(p, str)]
    name = names[-1] if names else "$"
    if kind == "missing":
        return "is required"
    if kind == "value_error" and "surrogate" in err["msg"]:
        return "contains a lone surrogate: not valid Unicode text"
    if kind == "value_error" and "calendar" in err["msg"]:
        return f"{value!r} is not a real calendar date"
    if name == "place_of_service" and kind == "literal_error" and isinstance(value, str) and re.fullmatch(r"\d\d",
                                                                                                      value):
        return f"{value!r} is not a place of service fluorologic knows: {', '.join(sorted(default_places()))}"
    if loc and isinstance(loc[-1], int):  # an item of a list
        if name == "modifiers":
            return "must be a 2-character modifier such as 26 or XS"
        if name == "lines":
            return "must be an object"
    if name == "units" and kind in ("greater_than_equal", "less_than_equal"):
        return f"must be between 1 and {MAX_UNITS}"
    if name == "lines" and kind == "too_long":
        return f"has more than {MAX_LINES} lines"
    if name in _MESSAGES:
        return _MESSAGES[name]
    if kind == "string_too_long":
        return f"is longer than {err.get('ctx', {}).get('max_length')} characters"
    if kind == "string_type":
        return f"must be a string, not {type(value).__name__}"
    return err["msg"].lower()


def validate_encounter(raw: Any) -> EncounterIn:
    """Validate one encounter object against the contract.

    Raises
    ------
    InputError
        Naming the first invalid field (its JSON path) in the contract's words.

    """
    if not isinstance(raw, dict):
        raise InputError("$", "an encounter must be a JSON object")
    try:
        valid: EncounterIn = ENCOUNTER.validate_python(raw)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        raise InputError(_path(err["loc"]), _message(err)) from None
    if not valid.get("lines") and valid.get("note") is None:
        raise InputError("lines", "is required and may be empty only when a note is given")
    return valid


def first_error(raw: Any) -> tuple[str, str] | None:
    """The first invalid field of an encounter (its JSON path and the contract's message), or None when valid.

    >>> first_error({"encounter_id": "e", "date_of_service": "2024-08-01", "place_of_service": "11",
    ...              "lines": [{"code": "20610", "units": "2"}]})
    ('lines[0].units', 'must be a whole number')

    """
    try:
        validate_encounter(raw)
    except InputError as err:
        return err.field, err.message
    return None


class AdjustmentOut(BaseModel):
    """One payment rule applied to a line's fee, in order."""

    rule: str = Field(description="bilateral, multiple_procedure, imaging_family, component or packaged")
    factor: float = Field(description="the factor applied, e.g. 1.5 or 0.5")
    detail: str = Field(description="one sentence a coder can read, with its manual section")


class PricingOut(BaseModel):
    """How a billable line's amount was reached."""

    model_config = ConfigDict(extra="allow")
    release: str = Field(description="the fee schedule release (e.g. RVU24C) or, on institutional claims, the OPPS "
                                     "quarter and I/OCE version")
    site_of_service: str | None = Field(None, description="facility or non_facility (MPFS site-of-service class)")
    row: str | None = Field(None, description="global, 26 or TC")
    rvu: float | None = Field(None, description="total RVUs used")
    conversion_factor: float | None = Field(None, description="USD per RVU")
    locality: str | None = Field(None, description="national or MAC:locality")
    adjustments: list[AdjustmentOut] = Field(default_factory=list, description="in the order applied")
    apc: str | None = Field(None, description="institutional claims: the APC")
    status_indicator: str | None = Field(None, description="institutional claims: the OPPS status indicator")


class BillableOut(BaseModel):
    """A line to submit."""

    code: str
    units: int
    modifiers: list[str] = Field(description="sorted")
    amount: float | None = Field(description="expected allowed amount in USD, or null where no fee is known")
    pricing: PricingOut | None = Field(None, description="how the amount was reached; null where no fee is known")
    line_ids: list[str] | None = Field(None, description="the input lines it stands for, when given")


class ExcludedOut(BaseModel):
    """A code (or trimmed units) not billed, with the reason."""

    code: str
    units: int
    reason: str
    by: str | None
    rule: str
    detail: str
    line_id: str | None = Field(None, description="the input line, when given")


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
    lines_without_fee: int = Field(0, description="lines of either side with no known fee, left out of the sums")


class ResultOut(BaseModel):
    """The contract Result of one encounter."""

    model_config = ConfigDict(extra="allow")
    schema_version: str
    encounter_id: str
    claim: dict[str, Any] | None = Field(None, description="as given, when given")
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
    code: str = Field(pattern=CODE_PATTERN, description="the code to explain")


class ScanIn(BaseModel):
    """A procedure note to read."""

    note: Text = Field(max_length=MAX_NOTE)


def json_schema(model: Any, ref_template: str = "#/$defs/{model}") -> dict[str, Any]:
    """The JSON Schema of one of these models (a TypedDict or a BaseModel), references by ``ref_template``."""
    return TypeAdapter(model).json_schema(ref_template=ref_template)


def contract_schema() -> dict[str, Any]:
    """The JSON Schema document of the contract: ``Encounter`` and ``Result`` (and the error record).

    >>> sorted(contract_schema()["$defs"])[:3]
    ['AddedOut', 'AdjustmentOut', 'AlertOut']

    """
    defs: dict[str, Any] = {}
    for model in (EncounterIn, ResultOut, ErrorRecord):
        schema = json_schema(model, "#/$defs/{model}")
        defs.update(schema.pop("$defs", {}))
        defs[model.__name__] = schema
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": "fluorologic contract",
            "description": "An Encounter (input) and its Result or error record (output); see contract.md.",
            "oneOf": [{"$ref": "#/$defs/EncounterIn"}, {"$ref": "#/$defs/ResultOut"}, {"$ref": "#/$defs/ErrorRecord"}],
            "$defs": dict(sorted(defs.items()))}
