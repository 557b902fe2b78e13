"""The FHIR R4 Claim reader: a Claim, a Bundle or NDJSON; malformed resources give error records naming the
FHIR path, and the other claims are still solved. The service takes the same formats."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from fluorologic.claims.errors import ClaimError
from fluorologic.claims.formats import read_claims
from fluorologic.cli.main import main
from fluorologic.engine.solver import Engine
from fluorologic.service.app import Settings, create_app

ROOT = Path(__file__).resolve().parents[2]
CLAIMS = ROOT / "examples" / "claims"
BUNDLE = json.loads((CLAIMS / "fluoro_claims.fhir.json").read_text())
CLAIM_RESOURCES = [e["resource"] for e in BUNDLE["entry"] if e["resource"]["resourceType"] == "Claim"]


def _ebp() -> dict:
    claim = copy.deepcopy(next(c for c in CLAIM_RESOURCES if c["id"] == "EBP-24081404"))
    claim["provider"] = {"identifier": {"system": "http://hl7.org/fhir/sid/us-npi", "value": "1234567893"}}
    claim["insurer"] = {"display": "MEDICARE PART B"}
    return claim


def test_a_single_claim_resource_with_logical_references():
    (enc,) = read_claims(json.dumps(_ebp()), "fhir")
    assert enc["encounter_id"] == "EBP-24081404"
    assert [(ln["code"], ln["line_id"]) for ln in enc["lines"]] == [("62273", "1"), ("77002", "2")]
    assert enc["claim"]["rendering_npi"] == "1234567893" and enc["claim"]["payer"] == "MEDICARE PART B"
    assert enc["claim"]["lines"][1] == {"line_id": "2", "charge": 200.0, "diagnoses": ["G9741"]}


def test_place_of_service_from_the_facility_location_and_date_from_billable_period():
    claim = _ebp()
    for item in claim["item"]:
        del item["locationCodeableConcept"], item["servicedDate"]
    claim["contained"].append({"resourceType": "Location", "id": "loc", "type": [{"coding": [
        {"system": "https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set",
         "code": "24"}]}]})
    claim["facility"] = {"reference": "#loc"}
    (enc,) = read_claims(json.dumps(claim), "fhir")
    assert (enc["place_of_service"], enc["date_of_service"]) == ("24", "2024-08-14")


def _broken(path: str, value: object) -> dict:
    claim = _ebp()
    target = claim
    keys = path.split(".")
    for key in keys[:-1]:
        target = target[int(key)] if key.isdigit() else target[key]
    last = int(keys[-1]) if keys[-1].isdigit() else keys[-1]
    if value is None:
        del target[last]
    else:
        target[last] = value
    return claim


@pytest.mark.parametrize("path,value,field", [
    ("item.1.productOrService", {"coding": [{"system": "http://snomed.info/sct", "code": "77002"}]},
     "Claim.item[1].productOrService"),
    ("item.1.quantity", {"value": 1.5}, "Claim.item[1].quantity.value"),
    ("item.1.sequence", None, "Claim.item[1].sequence"),
    ("item.0.servicedDate", "2024-13-01", "Claim.item[0].servicedDate"),
    ("item.0.diagnosisSequence", [4], "Claim.item[0].diagnosisSequence[0]"),
    ("item.0.modifier", [{"coding": [{"code": "RTX"}]}], "Claim.item[0]"),
    ("item", [], "Claim.item"),
    ("item.0", "not an object", "Claim.item[0]"),
])
def test_malformed_claims_name_the_fhir_path(path, value, field):
    (err,) = read_claims(json.dumps(_broken(path, value)), "fhir")
    assert isinstance(err, ClaimError)
    assert err.encounter_id == "EBP-24081404"
    assert err.field == field


def test_ndjson_with_broken_lines_still_solves_the_rest(tmp_path):
    lines = [json.dumps(c) for c in CLAIM_RESOURCES[:2]]
    lines.insert(1, '{"resourceType": "Claim", "id": ')
    lines.append(json.dumps({"resourceType": "Patient", "id": "p1"}))
    lines.append(json.dumps(_broken("item.1.quantity", {"value": 0})))
    lines.append(json.dumps(BUNDLE))
    path = tmp_path / "claims.ndjson"
    path.write_text("\n".join(lines) + "\n")
    res = CliRunner().invoke(main, ["solve", str(path), "--from", "fhir", "--format", "jsonl", "--workers", "1"])
    assert "Traceback" not in res.output
    assert res.exit_code == 1
    records = [json.loads(line) for line in res.stdout.splitlines()]
    assert [(r["encounter_id"], r.get("error", {}).get("field")) for r in records[:5]] == [
        ("TFESI-24081401", None), (None, "$"), ("HIPARTH-24081402", None), ("p1", "line 4.resourceType"),
        ("EBP-24081404", "Claim.item[1].quantity.value")]
    assert len(records) == 5 + 7 and all("error" not in r for r in records[5:])


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(Settings(), Engine())) as c:
        yield c


def test_service_accepts_x12(client):
    body = (CLAIMS / "fluoro_claims.837").read_bytes().replace(b"SV1*HC:62273*900", b"SV1*ZZ:62273*900")
    r = client.post("/v1/solve", content=body, headers={"Content-Type": "application/EDI-X12"})
    assert r.status_code == 200
    records = r.json()
    assert len(records) == 7
    assert records[3] == {"encounter_id": "EBP-24081404", "error": {"field": "segment 80 SV101",
                                                                    "message": records[3]["error"]["message"]}}
    knee = records[4]
    assert knee["encounter_id"] == "KNEE-24081405@2024-08-14"
    assert [(b["code"], b["units"], b["modifiers"]) for b in knee["billable"]] == [("20610", 1, ["LT"]),
                                                                                    ("77002", 1, ["26"])]


def test_service_accepts_fhir(client):
    r = client.post("/v1/solve", content=json.dumps(BUNDLE), headers={"Content-Type": "application/fhir+json"})
    assert r.status_code == 200
    assert [rec["encounter_id"] for rec in r.json()] == [
        "TFESI-24081401", "HIPARTH-24081402", "NAIL-24081403", "EBP-24081404", "KNEE-24081405@2024-08-14",
        "KNEE-24081405@2024-08-21", "LP-24081406"]
    r = client.post("/v1/solve", content=b"\xff\xfe", headers={"Content-Type": "application/fhir+json"})
    assert r.status_code == 400


def test_service_answers_a_claim_it_cannot_read_with_one_record(client):
    """Found by schemathesis: each unreadable claim had its error record and a second one after it."""
    r = client.post("/v1/solve", content=b"[null, null]", headers={"Content-Type": "application/fhir+json"})
    assert r.status_code == 200
    assert [rec["error"]["field"] for rec in r.json()] == ["$[0]", "$[1]"]
    r = client.post("/v1/solve", content=b'"AAA"', headers={"Content-Type": "application/fhir+json"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "$"  # neither a resource nor a list of them


_JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
                     lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(
                         ["resourceType", "id", "item", "sequence", "productOrService", "coding", "code", "system",
                          "quantity", "value", "modifier", "servicedDate", "diagnosis", "entry", "resource",
                          "locationCodeableConcept", "billablePeriod", "start", "facility", "reference", "contained",
                          "type",
                          "net", "diagnosisSequence", "insurer", "provider", "identifier", "servicedPeriod"]),
                         inner, max_size=5), max_leaves=30)


@settings(max_examples=200)
@given(st.one_of(_JSON, st.builds(lambda item: {"resourceType": "Claim", "id": "c", "item": [item]}, _JSON),
                 st.builds(lambda res: {"resourceType": "Bundle", "entry": [{"resource": res}]}, _JSON)))
def test_arbitrary_json_never_raises(doc):
    items = read_claims(json.dumps(doc), "fhir")
    assert all(isinstance(i, dict | ClaimError) for i in items)


def test_deeply_nested_json_is_an_error_record():
    (err,) = read_claims("[" * 100_000 + "]" * 100_000, "fhir")
    assert isinstance(err, ClaimError) and err.field == "$"


def test_claims_split_and_stdin_detection():
    res = CliRunner().invoke(main, ["claims", "split", str(CLAIMS / "fluoro_claims.fhir.json"), "--format", "json"])
    assert res.exit_code == 0
    assert [e["claim"]["source"] for e in json.loads(res.stdout)] == ["fhir-claim"] * 7
    # an 837P on standard input is recognised by its ISA header
    res = CliRunner().invoke(main, ["solve", "-", "--format", "jsonl", "--workers", "1"],
                             input=(CLAIMS / "fluoro_claims.837").read_text())
    assert res.exit_code == 0 and len(res.stdout.splitlines()) == 7
