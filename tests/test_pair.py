"""``fluorologic pair``: the physician's and the hospital's claims of one encounter, side by side."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from fluorologic.engine.solver import Engine
from fluorologic.run.pair import pair_claims, read_items

ROOT = Path(__file__).resolve().parent.parent
CLAIMS = ROOT / "examples" / "claims"


def _pairs():
    prof = read_items((CLAIMS / "physician_claims.837p").read_text())
    hosp = read_items((CLAIMS / "hospital_claims.837i").read_text())
    return pair_claims(prof, hosp, Engine())


def test_the_example_pairs_and_their_disagreements():
    out = _pairs()
    assert not out["unpaired"] and not out["errors"]
    by = {p["physician"]["encounter_id"]: p for p in out["pairs"]}
    assert {k: v["hospital"]["encounter_id"] for k, v in by.items()} == {
        "TFESI-24081401": "H-TFESI-24081401", "EBP-24081404": "H-EBP-24081404", "SIJ-24081406": "H-SIJ-24081406"}
    assert by["TFESI-24081401"]["alerts"] == []
    assert [(a["kind"], a["code"]) for a in by["EBP-24081404"]["alerts"]] == [("hospital_line_missing", "77003")]
    assert "77003-26" in by["EBP-24081404"]["alerts"][0]["detail"]
    sij = by["SIJ-24081406"]
    assert sij["alerts"] == []
    assert sij["agree"] == [{"physician": "27096", "hospital": "G0260", "why": "opps_alternative_code"}]
    assert sij["hospital"]["billable"][0]["pricing"]["status_indicator"] == "T"


def test_a_hospital_code_the_physician_leaves_out_is_flagged():
    prof = [{"encounter_id": "p", "date_of_service": "2024-08-14", "place_of_service": "22",
             "lines": [{"code": "20610", "site": "left knee"}]}]
    hosp = [{"encounter_id": "h", "date_of_service": "2024-08-14", "place_of_service": "22",
             "lines": [{"code": "20610", "site": "left knee"}, {"code": "77002", "site": "left knee"}]},
            {"encounter_id": "h2", "date_of_service": "2024-08-15", "place_of_service": "22",
             "lines": [{"code": "20610"}]}]
    out = pair_claims(prof, hosp, Engine())
    assert [(a["kind"], a["code"]) for a in out["pairs"][0]["alerts"]] == [("physician_line_missing", "77002")]
    assert [(u["side"], u["result"]["encounter_id"]) for u in out["unpaired"]] == [("hospital", "h2")]


def test_cli_pair_json():
    run = subprocess.run([sys.executable, "-m", "fluorologic.cli.main", "pair", str(CLAIMS / "physician_claims.837p"),
                          str(CLAIMS / "hospital_claims.fhir.json"), "--format", "json"],
                         capture_output=True, text=True, cwd=ROOT, check=False)
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    assert len(out["pairs"]) == 1 and out["pairs"][0]["physician"]["encounter_id"] == "SIJ-24081406"
    assert [(u["side"], u["result"]["encounter_id"]) for u in out["unpaired"]] == [
        ("physician", "TFESI-24081401"), ("physician", "EBP-24081404")]
