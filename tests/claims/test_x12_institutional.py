"""The 837I (5010 X223A2) reader, its fix and its edits report: the hospital's claim read as the 837P is."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

from fluorologic.claims.errors import ClaimError
from fluorologic.claims.x12 import read_interchange, read_x12

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "examples" / "claims" / "hospital_claims.837i"


def _items(text: str) -> list:
    return list(read_x12(io.StringIO(text)))


def test_hospital_sample_one_institutional_encounter_per_claim():
    items = _items(SAMPLE.read_text())
    assert [type(i) for i in items] == [dict, dict, dict]
    first = items[0]
    assert first["claim_type"] == "institutional"
    assert first["place_of_service"] == "22"  # facility type code 13: hospital outpatient
    assert [(ln["code"], ln["line_id"]) for ln in first["lines"]] == [("64483", "H1401-1"), ("77003", "H1401-2")]
    assert [ln["revenue_code"] for ln in first["claim"]["lines"]] == ["0360", "0320"]
    assert first["claim"]["source"] == "x12-837i" and first["claim"]["version"] == "005010X223A2"
    assert items[2]["lines"][0]["modifiers"] == ["RT"]


def test_bad_revenue_code_is_named():
    text = SAMPLE.read_text().replace("SV2*0360*HC:62273", "SV2*36X*HC:62273")
    items = _items(text)
    errors = [i for i in items if isinstance(i, ClaimError)]
    assert len(errors) == 1 and "SV201" in errors[0].field and errors[0].encounter_id == "H-EBP-24081404"
    assert sum(isinstance(i, dict) for i in items) == 2


def test_unknown_facility_type_is_named():
    text = SAMPLE.read_text().replace("CLM*H-EBP-24081404*1850***13:A:1", "CLM*H-EBP-24081404*1850***99:A:1")
    errors = [i for i in _items(text) if isinstance(i, ClaimError)]
    assert len(errors) == 1 and errors[0].field.endswith("CLM05-1")


def test_off_campus_modifier_makes_pos_19():
    text = SAMPLE.read_text().replace("SV2*0360*HC:62273*", "SV2*0360*HC:62273:PO*")
    items = [i for i in _items(text) if isinstance(i, dict)]
    assert [i["place_of_service"] for i in items if i["encounter_id"] == "H-EBP-24081404"] == ["19"]


def test_line_date_falls_back_to_the_statement_dates():
    text = SAMPLE.read_text()
    head, rest = text.split("CLM*H-EBP-24081404", 1)
    rest = rest.replace("DTP*472*D8*20240814~", "REF*9B*NO LINE DATE~", 1)  # the same segment count
    items = [i for i in _items(head + "CLM*H-EBP-24081404" + rest) if isinstance(i, dict)]
    assert [i["date_of_service"] for i in items if i["encounter_id"] == "H-EBP-24081404"] == ["2024-08-14"]


def test_cli_fix_rewrites_sv2_and_keeps_envelopes(tmp_path):
    out = tmp_path / "fixed.837i"
    run = subprocess.run([sys.executable, "-m", "fluorologic.cli.main", "fix", str(SAMPLE), "-o", str(out)],
                         capture_output=True, text=True, cwd=ROOT, check=False)
    assert run.returncode == 0, run.stderr
    fixed = out.read_text()
    assert "SV2*0360*HC:G0260*1890*UN*1" in fixed and "HC:27096" not in fixed and "HC:77003" not in fixed
    assert "SV2*0250**200*UN*1" in fixed  # the revenue code billed alone is kept as it was
    ic = read_interchange(fixed)
    assert not ic.errors and all(tx.error is None for tx in ic.transactions)
    assert [[ln["code"] for ln in e["lines"]] for e in ic.items()] == [["64483"], ["62273"], ["G0260"]]


def test_cli_solve_prices_the_hospital_claim():
    run = subprocess.run([sys.executable, "-m", "fluorologic.cli.main", "solve", str(SAMPLE), "--format", "jsonl"],
                         capture_output=True, text=True, cwd=ROOT, check=False)
    assert run.returncode == 0, run.stderr
    results = [json.loads(line) for line in run.stdout.splitlines()]
    sij = next(r for r in results if r["encounter_id"] == "H-SIJ-24081406")
    assert [(b["code"], b["amount"], b["pricing"]["status_indicator"], b["pricing"]["apc"]) for b in sij["billable"]] \
        == [("G0260", 658.9, "T", "5442")]
    assert sij["added"][0]["replaces"] == "27096" and sij["added"][0]["reason"] == "opps_alternative_code"


FHIR = ROOT / "examples" / "claims" / "hospital_claims.fhir.json"


def _fhir(doc: dict) -> list:
    from fluorologic.claims.fhir import read_fhir
    return list(read_fhir(io.StringIO(json.dumps(doc))))


def test_fhir_institutional_claim():
    (enc,) = _fhir(json.loads(FHIR.read_text()))
    assert enc["claim_type"] == "institutional" and enc["place_of_service"] == "22"  # type of bill 0131
    assert [ln["code"] for ln in enc["lines"]] == ["27096", "77003"]  # the 0250 item bills a revenue code alone
    assert [ln["revenue_code"] for ln in enc["claim"]["lines"]] == ["0360", "0320"]


def test_fhir_type_of_bill_is_checked():
    doc = json.loads(FHIR.read_text())
    claim = doc["entry"][0]["resource"]
    claim["supportingInfo"][0]["code"]["coding"][0]["code"] = "0991"
    (err,) = _fhir(doc)
    assert isinstance(err, ClaimError) and err.field.endswith("supportingInfo[0].code")
    claim["supportingInfo"][0]["code"]["coding"][0]["code"] = "0111"  # inpatient
    (enc,) = _fhir(doc)
    assert enc["place_of_service"] == "21"


def test_fhir_professional_claim_is_read_as_before():
    doc = json.loads(FHIR.read_text())
    claim = doc["entry"][0]["resource"]
    claim["type"]["coding"][0]["code"] = "professional"
    claim["item"] = claim["item"][:2]
    for it in claim["item"]:
        it["locationCodeableConcept"] = {"coding": [{"code": "22", "system": "http://terminology.hl7.org/CodeSystem/"
                                                                          "ex-serviceplace"}]}
    (enc,) = _fhir(doc)
    assert "claim_type" not in enc and "revenue_code" not in enc["claim"]["lines"][0]


def test_4010_and_x223a3_layouts_are_read():
    """A 4010 X096A1 claim (3-digit revenue code) and an X223A3 one: the same SV2 layout."""
    text = SAMPLE.read_text().replace("005010X223A2", "005010X223A3")
    assert [type(i) for i in _items(text)] == [dict, dict, dict]
    text = SAMPLE.read_text().replace("005010X223A2", "004010X096A1").replace("SV2*0360*", "SV2*360*")
    items = _items(text)
    assert [ln["revenue_code"] for ln in items[1]["claim"]["lines"]] == ["0360"]


def test_the_workbench_takes_the_837i_as_it_takes_the_837p():
    from fluorologic.service.workbench.core import parse_upload

    kind, items = parse_upload("hospital.837i", SAMPLE.read_text())
    assert kind == "solve" and [i["claim_type"] for i in items] == ["institutional"] * 3
    kind, items = parse_upload("hospital.fhir.json", FHIR.read_text())
    assert kind == "solve" and items[0]["claim_type"] == "institutional"
