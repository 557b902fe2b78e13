"""Fluoroscopy claims in three formats give the same decisions; the edits report names each line; ``fix``
applies them to the 837P with valid envelopes, changes nothing else, and is a fixed point."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from pyx12.x12file import X12Reader

from fluorologic.claims.edits import DISPOSITIONS, EDIT_COLUMNS
from fluorologic.claims.fix import fix_interchange
from fluorologic.claims.x12 import read_interchange
from fluorologic.cli.main import main
from fluorologic.run.batchrun import solve_items

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from bench.bench_claims import to_837  # noqa: E402
from bench.generate import generate  # noqa: E402

CLAIMS = ROOT / "examples" / "claims"
SAMPLES = ROOT.parent / "shared" / "reference" / "claims"

# (encounter id, line id) -> (code, disposition, new code, new units, new modifiers, reason)
EXPECTED = {
    ("TFESI-24081401", "1"): ("64483", "billed_as_is", "", "", "", ""),
    ("TFESI-24081401", "2"): ("77003", "excluded", "", "", "", "guidance_included"),
    ("HIPARTH-24081402", "1"): ("27093", "billed_as_is", "", "", "", ""),
    ("HIPARTH-24081402", "2"): ("77002", "excluded", "", "", "", "guidance_included"),
    ("HIPARTH-24081402", "3"): ("73525", "billed_as_is", "", "", "", ""),
    ("NAIL-24081403", "1"): ("27506", "billed_as_is", "", "", "", ""),
    ("NAIL-24081403", "2"): ("76000", "excluded", "", "", "", "integral_to_surgery"),
    ("EBP-24081404", "1"): ("62273", "billed_as_is", "", "", "", ""),
    ("EBP-24081404", "2"): ("77002", "replaced", "77003", "1", "26", "wrong_guidance_code"),
    ("KNEE-24081405@2024-08-14", "1"): ("20610", "billed_as_is", "", "", "", ""),
    ("KNEE-24081405@2024-08-14", "2"): ("77002", "units_trimmed", "", "1", "26", "unit_limit"),
    ("KNEE-24081405@2024-08-21", "3"): ("20610", "billed_as_is", "", "", "", ""),
    ("KNEE-24081405@2024-08-21", "4"): ("77002", "modifier_added", "", "", "26", "modifier_added"),
    ("LP-24081406", "1"): ("62270", "replaced", "62328", "1", "", "imaging_inclusive_code"),
    ("LP-24081406", "2"): ("77003", "excluded", "", "", "", "guidance_included"),
}


def _invoke(*args: str, stdin: str | None = None) -> tuple[int, str]:
    res = CliRunner().invoke(main, list(args), input=stdin)
    assert "Traceback" not in res.output
    return res.exit_code, res.stdout


def _decisions(records: list[dict]) -> dict[str, tuple]:
    """What each encounter decides, line ids included, whatever the input format."""
    out = {}
    for r in records:
        out[r["encounter_id"]] = (
            sorted((b["code"], b["units"], tuple(b["modifiers"]), tuple(b.get("line_ids") or ()))
                   for b in r["billable"]),
            sorted((e["code"], e["units"], e["reason"], e["rule"], e.get("line_id") or "") for e in r["excluded"]),
            sorted((a["code"], a["reason"], a["replaces"] or "") for a in r["added"]),
            sorted((a["kind"], a["code"] or "") for a in r["alerts"]))
    return out


@pytest.fixture(scope="module")
def solved() -> dict[str, list[dict]]:
    out = {}
    for name, args in {"json": [str(CLAIMS / "fluoro_encounters.json")],
                       "x12": [str(CLAIMS / "fluoro_claims.837")],
                       "fhir": [str(CLAIMS / "fluoro_claims.fhir.json"), "--from", "fhir"]}.items():
        code, stdout = _invoke("solve", *args, "--format", "jsonl", "--workers", "1")
        assert code == 0, name
        out[name] = [json.loads(line) for line in stdout.splitlines()]
    return out


def test_837p_and_fhir_decide_as_the_json_encounters(solved):
    assert len(solved["json"]) == 7
    assert _decisions(solved["x12"]) == _decisions(solved["json"])
    assert _decisions(solved["fhir"]) == _decisions(solved["json"])


def test_claim_object_is_echoed(solved):
    ebp = next(r for r in solved["x12"] if r["encounter_id"] == "EBP-24081404")
    assert ebp["claim"]["claim_id"] == "EBP-24081404" and ebp["claim"]["diagnoses"] == ["G9741"]
    assert ebp["claim"]["rendering_npi"] == "1234567893" and ebp["claim"]["payer"] == "06102"
    fhir = next(r for r in solved["fhir"] if r["encounter_id"] == "EBP-24081404")
    assert fhir["claim"]["source"] == "fhir-claim"
    assert (fhir["claim"]["rendering_npi"], fhir["claim"]["payer"], fhir["claim"]["diagnoses"]) == (
        "1234567893", "06102", ["G9741"])
    replaced = next(b for b in ebp["billable"] if b["code"] == "77003")
    assert replaced["line_ids"] == ["2"]
    assert next(e for e in ebp["excluded"] if e["code"] == "77002")["line_id"] == "2"


@pytest.mark.parametrize("source,extra", [("fluoro_claims.837", []), ("fluoro_claims.fhir.json", ["--from", "fhir"]),
                                          ("fluoro_encounters.json", [])])
def test_edits_report_names_each_line_with_its_disposition(source, extra):
    code, stdout = _invoke("solve", str(CLAIMS / source), *extra, "--format", "edits", "--workers", "1")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(stdout)))
    assert tuple(rows[0]) == EDIT_COLUMNS
    got = {(r["encounter_id"], r["line_id"]): (r["code"], r["disposition"], r["new_code"], r["new_units"],
                                               r["new_modifiers"], r["reason"]) for r in rows}
    assert got == EXPECTED
    assert len(rows) == len(EXPECTED)
    assert {r["disposition"] for r in rows} <= set(DISPOSITIONS)
    assert all(r["sentence"] and r["rule"] for r in rows if r["disposition"] != "billed_as_is")


def test_edits_json_has_the_same_rows():
    _, text = _invoke("solve", str(CLAIMS / "fluoro_claims.837"), "--format", "edits", "--workers", "1")
    _, js = _invoke("solve", str(CLAIMS / "fluoro_claims.837"), "--format", "edits-json", "--workers", "1")
    rows = json.loads(js)
    assert [(r["line_id"], r["disposition"], " ".join(r["new_modifiers"])) for r in rows] == [
        (r["line_id"], r["disposition"], r["new_modifiers"]) for r in csv.DictReader(io.StringIO(text))]


def _fix(text: str) -> tuple[str, list[dict]]:
    ic = read_interchange(text)
    items = list(ic.items())
    result = fix_interchange(ic, list(zip(items, solve_items(items, workers=1), strict=True)))
    return result.text, result.rows


def _envelope_errors(text: str) -> list:
    reader = X12Reader(io.StringIO(text))
    errors = []
    for _ in reader:
        errors += reader.pop_errors()
    reader.cleanup()
    return errors + reader.pop_errors()


def test_fix_applies_the_decisions_and_keeps_envelopes_valid():
    original = (CLAIMS / "fluoro_claims.837").read_text()
    fixed, rows = _fix(original)
    assert _envelope_errors(fixed) == []
    segs = fixed.split("~\n")
    assert "SV1*HC:77003:26*200*UN*1***1" in segs  # the blood patch's 77002 replaced
    assert "SV1*HC:77002:26*400*UN*1***1" in segs  # trimmed to 1 unit, 26 added
    assert "SV1*HC:77002:26*120*UN*1***2" in segs  # 26 added
    assert "SV1*HC:62328*560*UN*1***1" in segs  # 62270 + 77003 -> 62328
    assert not any(s.startswith(("SV1*HC:76000", "SV1*HC:77003*")) for s in segs)  # excluded lines removed
    assert "CLM*TFESI-24081401*1450***22:B:1*Y*A*Y*Y" in segs  # 1650 - the removed line's 200
    se = next(s for s in segs if s.startswith("SE*"))
    st_at = next(i for i, s in enumerate(segs) if s.startswith("ST*"))
    assert se == f"SE*{segs.index(se) - st_at + 1}*0417"
    # every changed segment is an SV1, LX, CLM or SE of a line the report changes; all else is byte for byte
    removed = [s for s in original.split("~\n") if s not in segs]
    assert {s.split("*")[0] for s in removed} <= {"LX", "SV1", "DTP", "CLM", "SE"}
    changed = [r for r in rows if r["disposition"] != "billed_as_is"]
    assert len(changed) == 8


def test_fix_is_a_fixed_point():
    once, _ = _fix((CLAIMS / "fluoro_claims.837").read_text())
    twice, rows = _fix(once)
    assert twice == once
    assert {r["disposition"] for r in rows} == {"billed_as_is"}


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="../shared/reference/claims not present")
@pytest.mark.parametrize("name", ["lfh_demo.example1.837", "pyx12_simple_837p.txt"])
def test_fix_leaves_real_samples_byte_for_byte(name):
    text = (SAMPLES / name).read_text(encoding="utf-8")
    fixed, rows = _fix(text)
    assert fixed == text
    assert rows and {r["disposition"] for r in rows} == {"billed_as_is"}


def test_fix_command_writes_the_file_and_the_report(tmp_path):
    out = tmp_path / "corrected.837"
    code, stdout = _invoke("fix", str(CLAIMS / "fluoro_claims.837"), "-o", str(out), "--workers", "1")
    assert code == 0
    assert out.read_text() == _fix((CLAIMS / "fluoro_claims.837").read_text())[0]
    rows = list(csv.DictReader(io.StringIO(stdout)))
    assert len(rows) == len(EXPECTED)


def test_claims_split_prints_the_encounters():
    code, stdout = _invoke("claims", "split", str(CLAIMS / "fluoro_claims.837"))
    assert code == 0
    assert [json.loads(line)["encounter_id"] for line in stdout.splitlines()] == [
        "TFESI-24081401", "HIPARTH-24081402", "NAIL-24081403", "EBP-24081404", "KNEE-24081405@2024-08-14",
        "KNEE-24081405@2024-08-21", "LP-24081406"]


def test_fix_rewrites_only_what_changes_in_an_sv1():
    text = (CLAIMS / "fluoro_claims.837").read_text()
    text = text.replace("SV1*HC:77002*200*UN*1***1", "SV1*HC:77002*200*UN*1.00***1")
    fixed, _ = _fix(text)
    assert "SV1*HC:77003:26*200*UN*1.00***1" in fixed.split("~\n")  # the code and modifier change, SV104 as written


def test_fix_on_generated_practice_claims_is_a_fixed_point_with_valid_envelopes():
    text = to_837(generate(150, seed=5), per_set=40)
    ic = read_interchange(text)
    items = list(ic.items())
    once = fix_interchange(ic, list(zip(items, solve_items(items, workers=1), strict=True)))
    assert once.changed_lines > 0 and _envelope_errors(once.text) == []
    ic2 = read_interchange(once.text)
    items2 = list(ic2.items())
    twice = fix_interchange(ic2, list(zip(items2, solve_items(items2, workers=1), strict=True)))
    assert twice.text == once.text
    assert twice.changed_lines == 0
    left = {n.split(":")[0].removeprefix("claim ") for n in twice.notes}  # claims left for review, every line excluded
    assert {r["claim_id"] for r in twice.rows if r["disposition"] != "billed_as_is"} <= left
