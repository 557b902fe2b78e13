"""``POST /v1/reconcile``: the payer's 835 beside the decisions for the claims (multipart: ``claims``, ``remittance``).

The body is ``multipart/form-data`` with two parts, ``claims`` (an X12 837P, FHIR R4 Claims or fluorologic JSON
encounters) and ``remittance`` (the X12 835), read with the standard library's MIME parser. The answer is the
reconciliation as JSON (``rows``, ``summary``, ``errors``, ``warnings``, ``provider_adjustments``, ``notes``), or
the rows as CSV with ``?format=csv``. Claims or remittance parts that cannot be read are answered in ``errors``
(status 200, the rest reconciled); a body that is not such a multipart form is refused with 400, one larger than
the service's limit with 413.

Examples
--------
>>> body, ctype = form({"claims": "[]", "remittance": "ST*835*1~SE*2*1~"})
>>> parts(body, ctype)
{'claims': '[]', 'remittance': 'ST*835*1~SE*2*1~'}

"""

from __future__ import annotations

import email.parser
import email.policy
from typing import Any

from fluorologic.contract.errors import InputError
from fluorologic.engine.solver import Engine
from fluorologic.reconcile.claims_in import claim_items, claims_kind
from fluorologic.reconcile.reconcile import COLUMNS, VERDICTS, Reconciliation, reconcile
from fluorologic.reconcile.remit import read_835

__all__ = ["OPENAPI", "RESPONSES", "answer", "form", "parts"]

_BOUNDARY = "fluorologic-form-boundary"
_NAMES = ("claims", "remittance")
_NOT_TEXT = "\x00not UTF-8 text"


def form(fields: dict[str, str]) -> tuple[bytes, str]:
    """A multipart/form-data body of text fields and its content type (for tests and examples)."""
    chunks = []
    for name, text in fields.items():
        chunks.append(f'--{_BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"; filename="{name}"\r\n'
                      f"Content-Type: text/plain; charset=utf-8\r\n\r\n{text}\r\n")
    return ("".join(chunks) + f"--{_BOUNDARY}--\r\n").encode("utf-8"), f"multipart/form-data; boundary={_BOUNDARY}"


def parts(body: bytes, content_type: str) -> dict[str, str]:
    """The ``claims`` and ``remittance`` parts of a multipart/form-data body, as text.

    Raises
    ------
    InputError
        The body is not multipart/form-data, or a part is missing (a part that is not UTF-8 text is kept as
        :data:`_NOT_TEXT` and answered in the reconciliation's errors).

    """
    if not content_type.lower().startswith("multipart/form-data") or "boundary=" not in content_type.lower():
        raise InputError("$", "the body must be multipart/form-data with the parts claims and remittance")
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1", "replace")
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    found: dict[str, str] = {}
    if message.is_multipart():
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if isinstance(name, str) and name in _NAMES and name not in found:
                payload = part.get_payload(decode=True)
                try:
                    found[name] = payload.decode("utf-8") if isinstance(payload, bytes) else ""
                except UnicodeDecodeError:
                    found[name] = _NOT_TEXT  # answered in the reconciliation's errors, as any unreadable part
    for name in _NAMES:
        if name not in found:
            raise InputError(name, "is required: a multipart part named claims (837P, FHIR or JSON encounters) "
                                   "and one named remittance (X12 835)")
    return found


def answer(fields: dict[str, str], engine: Engine) -> Reconciliation:
    """Reconcile the parts; what cannot be read is in the answer's ``errors``."""
    unread: list[dict[str, Any]] = []
    for name in _NAMES:
        if fields[name] == _NOT_TEXT:
            unread.append({"encounter_id": None, "error": {"field": name, "message": "is not UTF-8 text"}})
    remit = read_835("" if fields["remittance"] == _NOT_TEXT else fields["remittance"])
    items: list[Any] = []
    if fields["claims"] != _NOT_TEXT:
        try:
            items = claim_items(fields["claims"], claims_kind(fields["claims"]))
        except InputError as err:
            unread.append({"encounter_id": None, "error": {"field": f"claims {err.field}", "message": err.message}})
    rec = reconcile(items, remit, engine)
    rec.errors[:0] = unread
    return rec


_ROW = {"type": "object", "description": "one row per claim line, plus one per remittance line no claim line answers "
        "(contract.md, Remittance reconciliation)", "properties": {c: {} for c in COLUMNS},
        "required": list(COLUMNS)}
_ROW["properties"]["verdict"] = {"type": "string", "enum": list(VERDICTS)}
_ROW["properties"]["payer_outcome"] = {"type": "string", "enum": ["paid", "reduced", "denied", "not_in_remit"]}
_ROW["properties"]["next_step"] = {"type": "string", "enum": ["none", "appeal", "correct_and_resubmit",
                                                               "refund_review", "review"]}

#: The request body of ``POST /v1/reconcile`` for the OpenAPI document.
OPENAPI = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": list(_NAMES), "properties": {
        "claims": {"type": "string", "format": "binary", "description": "an X12 837P, FHIR R4 Claims, or "
                   "fluorologic JSON encounters with claim.claim_id and line_id"},
        "remittance": {"type": "string", "format": "binary", "description": "the payer's X12 835 (5010 X221A1)"}}}}}},
    "parameters": [{"name": "format", "in": "query", "required": False,
                    "schema": {"type": "string", "enum": ["json", "csv"], "default": "json"}}]}

_RECORD = {"type": "object", "properties": {"encounter_id": {"type": ["string", "null"]},
                                            "error": {"type": "object"}}}

#: The answers of ``POST /v1/reconcile`` for the OpenAPI document.
RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "the reconciliation", "content": {
        "application/json": {"schema": {"type": "object", "required": ["rows", "summary", "errors"], "properties": {
            "rows": {"type": "array", "items": _ROW},
            "summary": {"type": "object", "description": "rows and dollars by verdict; appealable_billed, "
                        "paid_at_risk, provider_adjustments"},
            "errors": {"type": "array", "items": _RECORD},
            "warnings": {"type": "array", "items": {"type": "object"}},
            "provider_adjustments": {"type": "array", "items": {"type": "object"}},
            "notes": {"type": "array", "items": {"type": "string"}}}}},
        "text/csv": {"schema": {"type": "string"}}}},
    400: {"description": "not a multipart form with the parts claims and remittance",
          "content": {"application/json": {"schema": _RECORD}}},
    413: {"description": "the body is larger than the service's limit",
          "content": {"application/json": {"schema": _RECORD}}}}
