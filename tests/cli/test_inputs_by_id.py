"""why, graph and scan --id read every input solve reads: an 837P interchange, FHIR Claims, a claim-line CSV,
JSON and JSON Lines (recognised, or named with --from), and say clearly what is wrong when they cannot."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from fluorologic.cli.main import main

CLAIMS = Path(__file__).resolve().parents[2] / "examples" / "claims"


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_why_and_graph_read_837p_and_fhir(tmp_path):
    answers = []
    for name in ("fluoro_claims.837", "fluoro_claims.fhir.json"):
        res = run("why", str(CLAIMS / name), "77003", "--id", "TFESI-24081401", "--format", "json", "--no-what-if")
        assert res.exit_code == 0, res.output
        answers.append(json.loads(res.stdout))
        out = tmp_path / f"{name}.html"
        assert run("graph", str(CLAIMS / name), "--id", "HIPARTH-24081402", "-o", str(out)).exit_code == 0
        assert "HIPARTH-24081402" in out.read_text(encoding="utf-8")
    assert answers[0]["status"] == answers[1]["status"] == "excluded"
    # the same file under another name is still recognised; --from names the kind
    copy = tmp_path / "claims.edi"
    copy.write_text((CLAIMS / "fluoro_claims.837").read_text(encoding="utf-8"))
    assert run("why", str(copy), "77003", "--id", "TFESI-24081401", "--no-what-if").exit_code == 0
    assert run("why", str(copy), "77003", "--id", "TFESI-24081401", "--from", "x12", "--no-what-if").exit_code == 0
    # a claim split by date: the message names its encounters
    res = run("why", str(CLAIMS / "fluoro_claims.837"), "77002", "--id", "KNEE-24081405")
    assert res.exit_code == 2 and "KNEE-24081405@2024-08-14" in res.output


def test_scan_the_note_of_one_encounter(tmp_path):
    note = "Right L5-S1 transforaminal epidural steroid injection under fluoroscopy. Fluoroscopy time: 0.8 min."
    batch = tmp_path / "b.jsonl"
    batch.write_text("\n".join(json.dumps(e) for e in (
        {"encounter_id": "a", "date_of_service": "2024-08-14", "place_of_service": "11", "lines": [],
         "note": note},
        {"encounter_id": "b", "date_of_service": "2024-08-14", "place_of_service": "11",
         "lines": [{"code": "20610"}]})) + "\n")
    res = run("scan", str(batch), "--id", "a")
    assert res.exit_code == 0, res.output
    found = json.loads(res.stdout)
    assert found["fluoroscopy_used"] is True and found["fluoroscopy_time_seconds"] == 48
    assert note not in res.output
    res = run("scan", str(batch), "--id", "b")
    assert res.exit_code == 2 and "has no note" in res.output
    res = run("scan", str(CLAIMS / "fluoro_claims.837"), "--id", "TFESI-24081401")
    assert res.exit_code == 2 and "has no note" in res.output
    res = run("scan", str(batch), "--id", "nope")
    assert res.exit_code == 2 and "no encounter with encounter_id 'nope'" in res.output
    assert run("scan", str(batch), "--from", "json").exit_code == 2
