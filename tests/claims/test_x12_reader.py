"""The X12 837P reader: the two real sample files read unchanged, fields as the issue maps them, and
malformed interchanges give error records naming the segment while the rest of the file is solved."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from fluorologic.claims.errors import ClaimError
from fluorologic.claims.x12 import read_x12
from fluorologic.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT.parent / "shared" / "reference" / "claims"
FLUORO = ROOT / "examples" / "claims" / "fluoro_claims.837"
needs_samples = pytest.mark.skipif(not SAMPLES.is_dir(), reason="../shared/reference/claims not present")


def _read(text: str) -> list:
    return list(read_x12(io.StringIO(text)))


def _solve(tmp_path: Path, text: str, *args: str) -> tuple[int, list[dict]]:
    path = tmp_path / "claims.837"
    path.write_text(text, encoding="utf-8")
    res = CliRunner().invoke(main, ["solve", str(path), "--format", "jsonl", "--workers", "1", *args])
    assert "Traceback" not in res.output
    return res.exit_code, [json.loads(line) for line in res.stdout.splitlines()]


@needs_samples
def test_lfh_5010_x222a2_sample_one_encounter_per_date():
    path = SAMPLES / "lfh_demo.example1.837"
    before = path.read_bytes()
    items = _read(path.read_text(encoding="utf-8"))
    assert path.read_bytes() == before
    assert [e["encounter_id"] for e in items] == ["26463774@2006-10-03", "26463774@2006-10-10"]
    assert [e["date_of_service"] for e in items] == ["2006-10-03", "2006-10-10"]
    assert [e["place_of_service"] for e in items] == ["11", "11"]
    assert [[(ln["code"], ln["units"], ln["modifiers"], ln["line_id"]) for ln in e["lines"]] for e in items] == [
        [("99213", 1, [], "1"), ("87070", 1, [], "2")], [("99214", 1, [], "3"), ("86663", 1, [], "4")]]
    claim = items[1]["claim"]
    assert claim["claim_id"] == "26463774"
    assert claim["source"] == "x12-837p" and claim["version"] == "005010X222A2"
    assert claim["payer"] == "999996666" and claim["payer_name"] == "KEY INSURANCE COMPANY"
    assert claim["diagnoses"] == ["0340", "V7389"]
    assert claim["rendering_npi"] is None  # no 2310B NM1*82: the billing provider renders
    assert claim["lines"] == [{"line_id": "3", "lx": "3", "charge": "35.00", "diagnoses": ["V7389"]},
                              {"line_id": "4", "lx": "4", "charge": "10.00", "diagnoses": ["V7389"]}]


@needs_samples
def test_pyx12_4010_sample_line_ids_from_ref_6r_and_payer_from_2010bb():
    items = _read((SAMPLES / "pyx12_simple_837p.txt").read_text(encoding="utf-8"))
    assert [e["encounter_id"] for e in items] == ["3215338@2004-04-07", "3215338@2004-04-14", "5555@2004-04-07",
                                                  "5555@2004-04-14", "5555@2005-04-14"]
    assert [[(ln["code"], ln["units"], ln["modifiers"], ln["line_id"]) for ln in e["lines"]] for e in items] == [
        [("H2015", 12, ["TT"], "1057296")], [("H2015", 12, ["TT"], "1057297")], [("H2015", 12, ["TT"], "1057296")],
        [("H2015", 12, ["TT"], "1057297")], [("H2017", 12, ["TT"], "105797")]]
    assert {e["place_of_service"] for e in items} == {"12"}
    # 2010BB NM1*PR is the payer; the NM1*PR of the 2330B other-payer loop is not
    assert {e["claim"]["payer"] for e in items} == {"8888888"}
    assert {e["claim"]["version"] for e in items} == {"004010X098A1"}
    assert items[0]["claim"]["rendering_npi"] is None  # NM1*82 with NM108 24 (an EIN), not XX (an NPI)


@needs_samples
@pytest.mark.parametrize("name,count", [("lfh_demo.example1.837", 2), ("pyx12_simple_837p.txt", 5)])
def test_real_samples_are_solved_by_isa_detection(tmp_path, name, count):
    code, records = _solve(tmp_path, (SAMPLES / name).read_text(encoding="utf-8"))
    assert code == 0
    assert len(records) == count
    assert all("error" not in r for r in records)
    assert all(r["claim"]["source"] == "x12-837p" for r in records)
    read = _read((SAMPLES / name).read_text(encoding="utf-8"))
    # nothing here is a fluoroscopy decision: every line read is billed as it was
    assert [sorted((b["code"], b["units"], b["modifiers"]) for b in r["billable"]) for r in records] == [
        sorted((ln["code"], ln["units"], ln["modifiers"]) for ln in e["lines"]) for e in read]


def _two_sets(text: str) -> str:
    """The fluoroscopy interchange with its transaction set written twice (ST 0417 and 0418), GE01 = 2."""
    segs = text.split("~\n")
    st = next(i for i, s in enumerate(segs) if s.startswith("ST*"))
    se = next(i for i, s in enumerate(segs) if s.startswith("SE*"))
    second = [s.replace("0417", "0418") for s in segs[st:se + 1]]
    out = segs[:se + 1] + second + segs[se + 1:]
    out = [("GE*2*417" if s.startswith("GE*") else s) for s in out]
    return "~\n".join(out)


def _errors_and_solved(records: list[dict]) -> tuple[list[dict], list[dict]]:
    return [r for r in records if "error" in r], [r for r in records if "error" not in r]


def test_two_transaction_sets_read_cleanly():
    items = _read(_two_sets(FLUORO.read_text()))
    assert len(items) == 14 and not any(isinstance(i, ClaimError) for i in items)


def test_missing_se_voids_its_transaction_set_only(tmp_path):
    text = _two_sets(FLUORO.read_text())
    text = text.replace("SE*123*0417~\n", "", 1)
    code, records = _solve(tmp_path, text)
    errors, solved = _errors_and_solved(records)
    assert code == 1
    assert len(errors) == 6 and len(solved) == 7  # the 6 claims of set 0417; set 0418 solved (7 encounters)
    assert {e["encounter_id"] for e in errors} == {"TFESI-24081401", "HIPARTH-24081402", "NAIL-24081403",
                                                   "EBP-24081404", "KNEE-24081405", "LP-24081406"}
    assert all(e["error"]["field"].startswith("segment ") and "no SE closes transaction set 0417"
               in e["error"]["message"] for e in errors)


def test_wrong_segment_count_names_the_se_segment(tmp_path):
    text = _two_sets(FLUORO.read_text()).replace("SE*123*0417", "SE*120*0417", 1)
    code, records = _solve(tmp_path, text)
    errors, solved = _errors_and_solved(records)
    assert code == 1 and len(errors) == 6 and len(solved) == 7
    assert {e["error"]["field"] for e in errors} == {"segment 125 SE"}
    assert "SE count of 120" in errors[0]["error"]["message"]


def test_bad_sv1_composite_is_an_error_record_for_its_claim_only(tmp_path):
    text = FLUORO.read_text().replace("SV1*HC:62273*900", "SV1*ZZ:62273*900", 1)
    code, records = _solve(tmp_path, text)
    errors, solved = _errors_and_solved(records)
    assert code == 1
    assert [(e["encounter_id"], e["error"]["field"]) for e in errors] == [("EBP-24081404", "segment 80 SV101")]
    assert len(solved) == 6


@pytest.mark.parametrize("old,new,field", [
    ("SV1*HC:77003*200*UN*1***1~\nDTP*472*D8*20240814~\nHL*3", "SV1*HC:7700*200*UN*1***1~\nDTP*472*D8*20240814~\nHL*3",
     "segment 29 SV101-2"),
    ("SV1*HC:64483*1450*UN*1***1:2", "SV1*HC:64483*1450*UN*1.5***1:2", "segment 26 SV104"),
    ("SV1*HC:64483*1450*UN*1***1:2", "SV1*HC:64483*1450*UN*1***1:7", "segment 26 SV107"),
    ("CLM*TFESI-24081401*1650***22:B:1", "CLM*TFESI-24081401*1650***00:B:1", "segment 21 CLM05-1"),
    ("DTP*472*D8*20240814~\nLX*2~\nSV1*HC:77003", "DTP*472*D8*20241314~\nLX*2~\nSV1*HC:77003", "segment 27 DTP03"),
])
def test_bad_elements_are_named(old, new, field):
    text = FLUORO.read_text()
    assert old in text
    items = _read(text.replace(old, new, 1))
    errors = [i for i in items if isinstance(i, ClaimError)]
    assert [(e.encounter_id, e.field) for e in errors] == [("TFESI-24081401", field)]
    assert len(items) == 7


def test_unknown_version_voids_its_transaction_set(tmp_path):
    text = _two_sets(FLUORO.read_text()).replace("ST*837*0417*005010X222A1", "ST*837*0417*005010X224A2", 1)
    code, records = _solve(tmp_path, text)
    errors, solved = _errors_and_solved(records)
    assert code == 1 and len(errors) == 6 and len(solved) == 7
    assert {e["error"]["field"] for e in errors} == {"segment 3 ST03"}
    assert "005010X224A2" in errors[0]["error"]["message"]


def test_unknown_interchange_version_is_one_error_record(tmp_path):
    code, records = _solve(tmp_path, FLUORO.read_text().replace("*^*00501*", "*^*00601*", 1), "--from", "x12")
    assert code == 1
    assert records == [{"encounter_id": None, "error": {"field": "segment 1 ISA", "message": records[0]["error"][
        "message"]}}]
    assert "00601" in records[0]["error"]["message"]


@pytest.mark.parametrize("cut", [0.3, 0.6, 0.95])
def test_truncated_interchange_never_a_traceback(tmp_path, cut):
    text = FLUORO.read_text()
    code, records = _solve(tmp_path, text[: int(len(text) * cut)], "--from", "x12")
    assert code == 1
    assert any("error" in r for r in records)


def test_delimiters_come_from_the_isa_segment():
    text = FLUORO.read_text()
    isa, rest = text.split("~\n", 1)
    other = (isa.replace("*", "|").replace(":", ">") + "!\n"
             + rest.replace("*", "|").replace(":", ">").replace("~", "!"))
    assert _read(other) == _read(text)


def test_wrong_ge_count_is_one_record_and_the_claims_are_solved(tmp_path):
    text = _two_sets(FLUORO.read_text()).replace("GE*2*417", "GE*3*417")
    code, records = _solve(tmp_path, text)
    errors, solved = _errors_and_solved(records)
    assert code == 1 and len(solved) == 14
    assert [(e["encounter_id"], e["error"]["field"]) for e in errors] == [(None, "segment 249 GE")]


def test_crlf_and_a_byte_order_mark_are_read(tmp_path):
    text = "\ufeff" + FLUORO.read_text().replace("~\n", "~\r\n")
    assert _read(text) == _read(FLUORO.read_text())
    code, records = _solve(tmp_path, text)
    assert code == 0 and len(records) == 7


@settings(max_examples=150)
@given(st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 40), st.sampled_from(["", "*", ":", "~", "~\n",
                                                                                        "SE*", "HL*9", "X", "ST*837"])),
                min_size=1, max_size=4))
def test_mangled_interchanges_never_raise(edits):
    text = FLUORO.read_text()
    for at, length, insert in edits:
        at %= len(text) + 1
        text = text[:at] + insert + text[at + length:]
    items = _read(text)
    assert all(isinstance(i, dict | ClaimError) for i in items)
