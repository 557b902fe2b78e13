r"""FHIR R4 Claim in: a Claim resource, a Bundle of them, or NDJSON; one encounter per claim and date of service.

The few elements fluorologic needs are read and checked here, each refusal naming its FHIR path
(``Claim.item[1].productOrService``); the rest of the resource is not validated (docs/claims.md says why
fhir.resources is not used: it ships R5, R4B and STU3 models, not R4, and validates every element).

=====================================  =========================================================================
contract                               FHIR R4 Claim
=====================================  =========================================================================
``encounter_id``                       ``Claim.id`` (else ``identifier[0].value``), plus ``@date`` when the
                                       items span several dates of service
``date_of_service``                    ``item.servicedDate`` / ``item.servicedPeriod.start``, else
                                       ``Claim.billablePeriod.start``
``place_of_service``                   ``item.locationCodeableConcept`` (CMS place-of-service codes), else
                                       the ``type`` of the ``Claim.facility`` Location
``lines[].code`` / ``modifiers``       ``item.productOrService`` coding of a CPT or HCPCS system /
                                       ``item.modifier[].coding[0].code``
``lines[].units`` / ``line_id``        ``item.quantity.value`` / ``item.sequence``
``claim``                              ``claim_id``; ``payer`` (``insurer``); ``rendering_npi`` (``provider``,
                                       an NPI identifier); ``diagnoses`` (``diagnosis`` in sequence order);
                                       per line ``charge`` (``item.net``) and ``diagnoses``
                                       (``item.diagnosisSequence``)
``claim_type``                         ``institutional`` when ``Claim.type`` is ``institutional``: then the
                                       place comes from the type of bill (``supportingInfo`` ``typeofbill``),
                                       else 22; ``item.revenue`` is kept as ``claim.lines[].revenue_code``;
                                       an item without a CPT/HCPCS code (a revenue code alone) is skipped
=====================================  =========================================================================

Examples
--------
>>> claim = {"resourceType": "Claim", "id": "c1", "billablePeriod": {"start": "2024-08-01"},
...          "item": [{"sequence": 1, "productOrService": {"coding": [{"system": "http://www.ama-assn.org/go/cpt",
...                    "code": "20610"}]}, "locationCodeableConcept": {"coding": [{"code": "11",
...                    "system": "https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set"}]}}]}
>>> import io
>>> [(e["encounter_id"], e["lines"]) for e in read_fhir(io.StringIO(json.dumps(claim)))]
[('c1', [{'code': '20610', 'units': 1, 'modifiers': [], 'line_id': '1'}])]

"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from typing import Any, TextIO

from fluorologic.claims.errors import ClaimError
from fluorologic.claims.grouping import ClaimLine, claim_encounters
from fluorologic.claims.x12_institutional import place_of_facility
from fluorologic.contract.errors import InputError

__all__ = ["CODE_SYSTEMS", "PLACE_SYSTEMS", "SOURCE", "read_fhir"]

SOURCE = "fhir-claim"
#: Code systems of CPT and HCPCS Level II procedure codes.
CODE_SYSTEMS = frozenset({"http://www.ama-assn.org/go/cpt", "urn:oid:2.16.840.1.113883.6.12",
                          "urn:oid:2.16.840.1.113883.6.285", "https://bluebutton.cms.gov/resources/codesystem/hcpcs",
                          "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets"})
#: Code systems of the CMS place-of-service codes (the R4 example code system ex-serviceplace holds the same codes).
PLACE_SYSTEMS = frozenset({"https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set",
                           "http://terminology.hl7.org/CodeSystem/ex-serviceplace"})
NPI_SYSTEM = "http://hl7.org/fhir/sid/us-npi"
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def _obj(value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InputError(path, "must be a JSON object")
    return value


def _list(value: Any, path: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise InputError(path, "must be a JSON array")
    return value


def _date(value: Any, path: str) -> dt.date:
    if not isinstance(value, str) or not _DATE_RE.match(value):
        raise InputError(path, "must be a FHIR date or dateTime (YYYY-MM-DD...)")
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        raise InputError(path, f"{value!r} is not a real calendar date") from None


def _codings(concept: Any, path: str) -> list[dict[str, Any]]:
    if concept is None:
        return []
    return [_obj(c, f"{path}.coding[{i}]") for i, c in enumerate(_list(_obj(concept, path).get("coding"), path))]


def _place(concept: Any, path: str) -> str | None:
    for coding in _codings(concept, path):
        if coding.get("system") in PLACE_SYSTEMS and isinstance(coding.get("code"), str):
            return coding["code"]
    return None


def _resolve(ref: Any, index: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
    """The resource a Reference points at (contained ``#id`` or ``Type/id`` / fullUrl in the Bundle), or None."""
    if not isinstance(ref, dict) or not isinstance(ref.get("reference"), str):
        return None
    return index.get(ref["reference"])


def _identifier(ref: Any, index: dict[str, dict[str, Any]], system: str | None) -> str | None:
    """The identifier value of a Reference (logical, or of the resource it points at), of ``system`` if given."""
    for holder in (ref, _resolve(ref, index)):
        if not isinstance(holder, dict):
            continue
        ids = holder.get("identifier")
        for ident in ids if isinstance(ids, list) else [ids]:
            if isinstance(ident, dict) and isinstance(ident.get("value"), str) and (
                    system is None or ident.get("system") == system):
                return ident["value"]
    return None


def _name(ref: Any, index: dict[str, dict[str, Any]]) -> str | None:
    target = _resolve(ref, index)
    for value in ((target or {}).get("name"), ref.get("display") if isinstance(ref, dict) else None):
        if isinstance(value, str):
            return value
    return None


def _index(resource: dict[str, Any], bundle: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    index = dict(bundle)
    contained = resource.get("contained")
    for res in contained if isinstance(contained, list) else ():
        if isinstance(res, dict) and isinstance(res.get("id"), str):
            index["#" + res["id"]] = res
    return index


def _quantity(item: dict[str, Any], path: str) -> int:
    qty = item.get("quantity")
    if qty is None:
        return 1
    value = _obj(qty, f"{path}.quantity").get("value", 1)
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value) or value < 1:
        raise InputError(f"{path}.quantity.value", f"{value!r} is not a whole number of units of at least 1")
    return int(value)


def _item(item: Any, path: str, default_date: dt.date | None, default_place: str | None,
          diagnoses: dict[int, str]) -> ClaimLine:
    item = _obj(item, path)
    seq = item.get("sequence")
    if isinstance(seq, bool) or not isinstance(seq, int) or seq < 1:
        raise InputError(f"{path}.sequence", "is required: a positive integer")
    codes = [c for c in _codings(item.get("productOrService"), f"{path}.productOrService")
             if c.get("system") in CODE_SYSTEMS]
    if not codes or not isinstance(codes[0].get("code"), str):
        raise InputError(f"{path}.productOrService", "has no coding of a CPT or HCPCS system "
                                                     f"({', '.join(sorted(CODE_SYSTEMS))})")
    mods = []
    for i, concept in enumerate(_list(item.get("modifier"), f"{path}.modifier")):
        codings = _codings(concept, f"{path}.modifier[{i}]")
        if not codings or not isinstance(codings[0].get("code"), str):
            raise InputError(f"{path}.modifier[{i}]", "has no coding with a code")
        mods.append(codings[0]["code"])
    if item.get("servicedDate") is not None:
        date = _date(item["servicedDate"], f"{path}.servicedDate")
    elif item.get("servicedPeriod") is not None:
        period = _obj(item["servicedPeriod"], f"{path}.servicedPeriod")
        date = _date(period.get("start"), f"{path}.servicedPeriod.start")
    elif default_date is not None:
        date = default_date
    else:
        raise InputError(f"{path}.servicedDate", "is required when Claim.billablePeriod.start is absent")
    place = _place(item.get("locationCodeableConcept"), f"{path}.locationCodeableConcept") or default_place
    if place is None:
        raise InputError(f"{path}.locationCodeableConcept", "no CMS place-of-service code here nor in the type of the "
                                                            "Claim.facility Location")
    pointers = _list(item.get("diagnosisSequence"), f"{path}.diagnosisSequence")
    for i, p in enumerate(pointers):
        if p not in diagnoses:
            raise InputError(f"{path}.diagnosisSequence[{i}]", f"{p!r} is not the sequence of a Claim.diagnosis")
    net = item.get("net")
    charge = net.get("value") if isinstance(net, dict) else None
    line = {"code": codes[0]["code"], "units": _quantity(item, path), "modifiers": mods, "line_id": str(seq)}
    return ClaimLine(date, place, line, {"charge": charge, "diagnoses": [diagnoses[p] for p in pointers]}, path)


def _claim(res: dict[str, Any], path: str, bundle: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    index = _index(res, bundle)
    claim_id = res.get("id") if isinstance(res.get("id"), str) else _identifier(res, {}, None)
    if not claim_id:
        raise InputError(f"{path}.id", "the Claim has neither an id nor an identifier")
    period = res.get("billablePeriod")
    start = _obj(period, f"{path}.billablePeriod").get("start") if period is not None else None
    default_date = _date(start, f"{path}.billablePeriod.start") if start is not None else None
    facility = _resolve(res.get("facility"), index)
    default_place = None
    types = (facility or {}).get("type")
    for i, concept in enumerate(types if isinstance(types, list) else ()):
        default_place = default_place or _place(concept, f"{path}.facility.type[{i}]")
    diagnoses: dict[int, str] = {}
    for i, diag in enumerate(_list(res.get("diagnosis"), f"{path}.diagnosis")):
        where = f"{path}.diagnosis[{i}]"
        diag = _obj(diag, where)
        codings = _codings(diag.get("diagnosisCodeableConcept"), f"{where}.diagnosisCodeableConcept")
        if not isinstance(diag.get("sequence"), int) or not codings or not isinstance(codings[0].get("code"), str):
            raise InputError(where, "needs a sequence and a diagnosisCodeableConcept with a code")
        diagnoses[diag["sequence"]] = codings[0]["code"]
    items = _list(res.get("item"), f"{path}.item")
    if not items:
        raise InputError(f"{path}.item", "the Claim has no item")
    institutional = _institutional(res, path)
    if institutional:  # the hospital's claim: its place from the type of bill, else hospital outpatient (POS 22)
        default_place = default_place or _bill_place(res, path)
    lines = [_item(it, f"{path}.item[{i}]", default_date, default_place, diagnoses) for i, it in enumerate(items)
             if not institutional or _coded(it)]
    if not lines:
        raise InputError(f"{path}.item", "the Claim has no item with a CPT or HCPCS code")
    if institutional:
        for line, it in zip(lines, [it for it in items if _coded(it)], strict=True):
            line.extra["revenue_code"] = _revenue(it)
    payer_name = _name(res.get("insurer"), index)
    head = {"claim_id": claim_id, "payer": _identifier(res.get("insurer"), index, None) or payer_name,
            "payer_name": payer_name,
            "rendering_npi": _identifier(res.get("provider"), index, NPI_SYSTEM),
            "diagnoses": [diagnoses[k] for k in sorted(diagnoses)], "source": SOURCE}
    out = [raw for raw, _ in claim_encounters(claim_id, head, lines, path)]
    for raw in out if institutional else ():
        raw["claim_type"] = "institutional"
    return out


def _institutional(res: dict[str, Any], path: str) -> bool:
    """Whether ``Claim.type`` is ``institutional`` (code system claim-type)."""
    return any(c.get("code") == "institutional" for c in _codings(res.get("type"), f"{path}.type"))


def _coded(item: Any) -> bool:
    """Whether an item has a CPT or HCPCS coding (an institutional item may bill a revenue code alone)."""
    concept = item.get("productOrService") if isinstance(item, dict) else None
    codings = concept.get("coding") if isinstance(concept, dict) else None
    return isinstance(codings, list) and any(isinstance(c, dict) and c.get("system") in CODE_SYSTEMS for c in codings)


def _revenue(item: dict[str, Any]) -> str | None:
    """The NUBC revenue code of an institutional item (``item.revenue``), or None."""
    concept = item.get("revenue")
    codings = concept.get("coding") if isinstance(concept, dict) else None
    found = [c.get("code") for c in codings or () if isinstance(c, dict) and isinstance(c.get("code"), str)]
    return found[0] if found else None


def _bill_place(res: dict[str, Any], path: str) -> str:
    """The place of service of an institutional Claim: its type of bill, else 22 (hospital outpatient, on campus).

    The type of bill is the ``supportingInfo`` of category ``typeofbill`` (e.g. ``0131``).
    """
    for i, info in enumerate(_list(res.get("supportingInfo"), f"{path}.supportingInfo")):
        if not isinstance(info, dict):
            continue
        if any(c.get("code") == "typeofbill" for c in _codings(info.get("category"), f"{path}.supportingInfo[{i}]")):
            codes = [c.get("code") for c in _codings(info.get("code"), f"{path}.supportingInfo[{i}].code")]
            bill = str(codes[0] or "").lstrip("0") if codes else ""
            try:
                return place_of_facility(bill[:2], [])
            except InputError as err:
                raise InputError(f"{path}.supportingInfo[{i}].code", err.message) from None
    return "22"


def _resource(res: Any, path: str) -> Iterator[dict[str, Any] | ClaimError]:
    """The encounters and error records of one top-level resource (a Claim or a Bundle)."""
    if not isinstance(res, dict):
        yield ClaimError(None, path, "a FHIR resource must be a JSON object")
        return
    kind = res.get("resourceType")
    if kind == "Bundle":
        entries = res.get("entry") if isinstance(res.get("entry"), list) else []
        bundle: dict[str, dict[str, Any]] = {}
        for entry in entries:
            inner = entry.get("resource") if isinstance(entry, dict) else None
            if isinstance(inner, dict):
                if isinstance(entry.get("fullUrl"), str):
                    bundle[entry["fullUrl"]] = inner
                if isinstance(inner.get("resourceType"), str) and isinstance(inner.get("id"), str):
                    bundle[f"{inner['resourceType']}/{inner['id']}"] = inner
        for i, entry in enumerate(entries):
            inner = entry.get("resource") if isinstance(entry, dict) else None
            where = f"Bundle.entry[{i}].resource"
            if isinstance(inner, dict) and inner.get("resourceType") == "Claim":
                yield from _one_claim(inner, where, bundle)
            elif not isinstance(inner, dict):
                yield ClaimError(None, where, "is required: a FHIR resource")
        return
    if kind == "Claim":
        yield from _one_claim(res, "Claim", {})
        return
    yield ClaimError(res.get("id") if isinstance(res.get("id"), str) else None, f"{path}.resourceType",
                     f"{kind!r} is not a Claim or a Bundle of Claims")


def _one_claim(res: dict[str, Any], path: str, bundle: dict[str, dict[str, Any]]
               ) -> Iterator[dict[str, Any] | ClaimError]:
    cid = res.get("id") if isinstance(res.get("id"), str) else None
    try:
        yield from _claim(res, path, bundle)
    except InputError as err:
        yield ClaimError(cid, err.field, err.message)
    except Exception as exc:  # the boundary: a shape not foreseen above is this claim's error record, not a crash
        yield ClaimError(cid, path, f"the Claim could not be read ({type(exc).__name__})")


def read_fhir(stream: TextIO) -> Iterator[dict[str, Any] | ClaimError]:
    """The encounters and error records of a Claim, a Bundle, a JSON array of them, or NDJSON, in order.

    Examples
    --------
    >>> import io
    >>> [e.record()["error"]["field"] for e in read_fhir(io.StringIO('{"resourceType": "Claim", "id": "x"}'))]
    ['Claim.item']

    """
    text = stream.read().lstrip("\ufeff")
    try:
        doc = json.loads(text)
    except RecursionError:
        yield ClaimError(None, "$", "the JSON is nested too deeply to read")
        return
    except json.JSONDecodeError:
        doc = None
    else:
        for i, res in enumerate(doc if isinstance(doc, list) else [doc]):
            yield from _resource(res, f"$[{i}]" if isinstance(doc, list) else "$")
        return
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            res = json.loads(line)
        except RecursionError:
            yield ClaimError(None, "$", f"line {number} is nested too deeply to read")
            continue
        except json.JSONDecodeError as exc:
            yield ClaimError(None, "$", f"line {number} is not valid JSON: {exc.msg.removesuffix(' at')} "
                                         f"at column {exc.colno}")
            continue
        yield from _resource(res, f"line {number}")
