"""The rule store: imports round-trip, re-imports change nothing, failures leave the store as it was,
quarters are chosen by date of service, and the engine answers the same from the store as from the embedded data."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from pathlib import Path

import pytest

from fluorologic.contract.errors import DataError
from fluorologic.engine.solver import Engine
from fluorologic.rules.cms import ImportFormatError
from fluorologic.rules.store import RuleStore
from fluorologic.rules.storedata import StoreRuleData

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _examples() -> list[dict]:
    out = []
    for f in sorted(EXAMPLES.glob("*.json")):
        d = json.loads(f.read_text())
        out += d if isinstance(d, list) else [d]
    return out


def _decisions(result: dict) -> dict:
    """A result without its audit trail (the audit cites the source file, which differs by design)."""
    return {k: v for k, v in result.items() if k != "audit"}


def _snapshot(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def loaded(cms, tmp_path):
    """A store with the embedded PTP, MUE, AOC and PFS (July 2024) rows imported in real CMS layouts."""
    store = RuleStore(tmp_path / "rules.sqlite")
    store.import_files("ptp", [cms.write_ptp_reference_csv(tmp_path / "ncci_ptp_practitioner_2024q3.csv")])
    store.import_files("mue", [cms.write_mue_csv(tmp_path / "MCR_MUE_PractitionerServices_Eff_07-01-2024.csv")])
    store.import_files("aoc", [cms.write_aoc_csv(tmp_path / "aoc.csv")], quarter="2024Q3")
    store.import_files("pfs", [cms.write_pfs_csv(tmp_path / "PPRRVU24_JUL.csv")])
    return store


def test_import_round_trip_every_table(loaded, cms):
    data = StoreRuleData(RuleStore(loaded.path, readonly=True))
    assert data.loaded == {"ptp", "mue", "aoc", "pfs"}
    emb = cms.embedded()
    codes = cms.core_codes()  # the codes whose PTP rows were imported (conftest.ptp_rows)
    a, b = emb.select(codes, 20240801), data.select(codes, 20240801)
    key = lambda p: (p.column_1, p.column_2, p.deletion, p.indicator, p.rationale)  # noqa: E731
    assert sorted(map(key, a.ptp)) == sorted(map(key, b.ptp)) and len(b.ptp) > 1000
    assert {p.quarter for p in b.ptp} == {"2024Q3"}
    assert [(m.code, m.value, m.mai, m.mai_text) for m in a.mue] == [(m.code, m.value, m.mai, m.mai_text)
                                                                     for m in b.mue]
    assert sorted((x.primary, x.add_on, x.edit_type) for x in a.aoc) == sorted((x.primary, x.add_on, x.edit_type)
                                                                              for x in b.aoc)
    assert a.addons == b.addons
    fee = lambda f: (f.code, f.mod, f.facility_total, f.nonfacility_total, f.conv_factor, f.pctc)  # noqa: E731
    assert sorted(map(fee, a.fees)) == sorted(map(fee, b.fees))
    assert all(data.pctc(c, 20240801) == emb.pctc(c, 20240801) for c in codes)


def test_engine_answers_the_same_from_the_store(loaded):
    emb, st = Engine(), Engine(data=StoreRuleData(RuleStore(loaded.path, readonly=True)))
    for enc in _examples():
        enc = dict(enc, date_of_service="2024-08-01") if "date_of_service" in enc else enc
        assert _decisions(st.solve_record(enc)) == _decisions(emb.solve_record(enc))


def test_audit_cites_the_imported_file_and_quarter(loaded):
    st = Engine(data=StoreRuleData(RuleStore(loaded.path, readonly=True)))
    res = st.solve({"encounter_id": "a", "date_of_service": "2024-08-01", "place_of_service": "11",
                    "lines": [{"code": "64483", "site": "L5-S1"}, {"code": "20610"}]})
    sources = [e["source"] for e in res["audit"] if e.get("source") and e["source"]["table"] == "NCCI PTP practitioner"]
    assert sources and all(s["quarter"] == "2024Q3" and "ncci_ptp_practitioner_2024q3.csv" in s["source"]
                           for s in sources)


def test_reimport_same_file_changes_nothing(loaded, tmp_path):
    before = _snapshot(loaded.path)
    imports = loaded.imports()
    result = loaded.import_files("ptp", [tmp_path / "ncci_ptp_practitioner_2024q3.csv"])
    assert result.status == "unchanged"
    assert loaded.imports() == imports and _snapshot(loaded.path) == before


def test_other_file_same_quarter_needs_replace(loaded, cms, tmp_path):
    other = cms.write_ptp_reference_csv(tmp_path / "ccipra_2024q3_other.csv", cms.ptp_rows()[:10])
    with pytest.raises(DataError, match="already loaded .* --replace"):
        loaded.import_files("ptp", [other])
    result = loaded.import_files("ptp", [other], replace=True)
    assert result.status == "replaced" and result.entry.rows == 10
    assert [i.rows for i in loaded.imports("ptp")] == [10]


def _broken_files(cms, tmp_path: Path) -> list[tuple[str, Path, str]]:
    """Truncated and corrupted variants of real layouts, with the message each must give."""
    lines = cms.ptp_txt_lines()
    bad_date = list(lines)
    bad_date[900] = bad_date[900].replace("20240701", "20241301")
    (tmp_path / "bad_date_2024q4.txt").write_bytes("\r\n".join(bad_date).encode())
    cut = cms.write_ptp_reference_csv(tmp_path / "cut_2024q4.csv.gz", gz=True)
    cut.write_bytes(cut.read_bytes()[:-200])
    garbage = tmp_path / "garbage_2024q4.zip"
    garbage.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 4)
    binary = tmp_path / "binary_2024q4.txt"
    binary.write_bytes("\r\n".join(lines[:700]).encode() + b"\r\n\x00\xff\xfe\x9c\x00\x13garbage\r\n")
    return [("ptp", tmp_path / "bad_date_2024q4.txt", "line 901: date '20241301' is not a calendar date"),
            ("ptp", cut, "truncated or corrupted"),
            ("ptp", garbage, "not a readable .zip archive"),
            ("ptp", binary, "line 701")]


def test_failed_import_leaves_store_and_answers_as_before(loaded, cms, tmp_path):
    enc = {"encounter_id": "k", "date_of_service": "2024-11-01", "place_of_service": "11",
           "lines": [{"code": "64483", "site": "L5-S1", "units": 3}, {"code": "20610"}]}
    before_answer = Engine(data=StoreRuleData(RuleStore(loaded.path, readonly=True))).solve(enc)
    before = _snapshot(loaded.path)
    for kind, path, message in _broken_files(cms, tmp_path):
        with pytest.raises(ImportFormatError) as err:
            loaded.import_files(kind, [path], setting="practitioner")
        assert message in str(err.value)
        assert _snapshot(loaded.path) == before
        assert [i.quarter for i in loaded.imports("ptp")] == ["2024Q3"]
    after = Engine(data=StoreRuleData(RuleStore(loaded.path, readonly=True))).solve(enc)
    assert after == before_answer


def test_bad_row_deep_in_a_large_file_rolls_back(loaded, cms, tmp_path):
    """The failure comes after thousands of rows were already inserted: all of them are rolled back."""
    rows = cms.ptp_rows() * 3
    path = cms.write_ptp_reference_csv(tmp_path / "ccipra_2024q4.csv", rows)
    text = path.read_text().splitlines()
    # the last row of indicator 1, near the end (the rows' order follows the embedded codes)
    at = next(i for i in range(len(text) - 2, 0, -1) if text[i].split(",")[4] == "1")
    assert at > len(text) - 1000
    text[at] = text[at].replace(",1,", ",X,")
    path.write_text("\n".join(text) + "\n")
    before = _snapshot(loaded.path)
    with pytest.raises(ImportFormatError, match=f"line {at + 1}: modifier indicator 'X'"):
        loaded.import_files("ptp", [path])
    assert _snapshot(loaded.path) == before
    assert loaded.conn.execute("SELECT count(*) FROM ptp").fetchone()[0] == len(cms.ptp_rows())


def test_quarter_and_setting_are_required_when_names_do_not_tell(cms, tmp_path):
    store = RuleStore(tmp_path / "s.sqlite")
    path = cms.write_ptp_reference_csv(tmp_path / "edits.csv")
    with pytest.raises(DataError, match="pass --quarter"):
        store.import_files("ptp", [path])
    with pytest.raises(DataError, match="pass --setting"):
        store.import_files("ptp", [path], quarter="2024Q3")
    assert store.import_files("ptp", [path], quarter="2024q3", setting="practitioner").entry.quarter == "2024Q3"


def test_ptp_zip_parts_import_as_one_quarter(cms, tmp_path):
    store = RuleStore(tmp_path / "s.sqlite")
    entry = store.import_files("ptp", [cms.write_ptp_zip(tmp_path / "ccipra-v302r0.zip", parts=4)],
                               quarter="2024Q3").entry
    assert (entry.setting, entry.rows) == ("practitioner", len(cms.ptp_rows()))


def _synthetic_next_quarter(cms, tmp_path: Path) -> tuple[Path, Path]:
    """TEST-ONLY synthetic 2024Q4: the 2024Q3 rows with 64483/20610 deleted 2024-09-30, one invented edit added,
    and the 64483 MUE raised to 2. Never shipped as data."""
    rows = [replace(p, deletion=20240930) if (p.column_1, p.column_2) == ("64483", "20610") else p
            for p in cms.ptp_rows()]
    rows.append(replace(rows[0], column_1="20610", column_2="99999", rationale="synthetic test edit"))
    ptp = cms.write_ptp_reference_csv(tmp_path / "synthetic_ccipra_2024q4.csv", rows)
    mue = [replace(m, value=2) if m.code == "64483" else m for m in cms.mue_rows()]
    return ptp, cms.write_mue_csv(tmp_path / "synthetic_mue_practitioner_2024q4.csv", mue)


def test_newer_quarter_keeps_older_and_each_date_gets_its_quarter(loaded, cms, tmp_path):
    ptp, mue = _synthetic_next_quarter(cms, tmp_path)
    loaded.import_files("ptp", [ptp])
    loaded.import_files("mue", [mue])
    assert [i.quarter for i in loaded.imports("ptp")] == ["2024Q3", "2024Q4"]
    engine = Engine(data=StoreRuleData(RuleStore(loaded.path, readonly=True)))
    enc = {"encounter_id": "k", "place_of_service": "11",
           "lines": [{"code": "64483", "site": "L5-S1", "units": 3}, {"code": "20610"}]}
    q3 = engine.solve(dict(enc, date_of_service="2024-08-01"))
    q4 = engine.solve(dict(enc, date_of_service="2024-11-01"))
    assert ("20610", "ptp_bundled") in {(e["code"], e["reason"]) for e in q3["excluded"]}
    assert "20610" in {b["code"] for b in q4["billable"]}
    assert {b["code"]: b["units"] for b in q4["billable"]}["64483"] == 2
    as_of_q3 = Engine(data=StoreRuleData(RuleStore(loaded.path, readonly=True), as_of="2024Q3"))
    assert _decisions(as_of_q3.solve(dict(enc, date_of_service="2024-11-01"))) == _decisions(
        dict(q3, encounter_id="k"))


def test_unknown_kind_and_missing_file(tmp_path):
    store = RuleStore(tmp_path / "s.sqlite")
    with pytest.raises(DataError, match="unknown kind"):
        store.import_files("xyz", [tmp_path / "a.csv"])
    with pytest.raises(ImportFormatError, match="no such file"):
        store.import_files("ptp", [tmp_path / "missing_2024q3.csv"])


def test_default_store_path_follows_env(monkeypatch, tmp_path):
    from fluorologic.rules.store import default_store_path

    monkeypatch.delenv("FLUOROLOGIC_STORE", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert default_store_path() == tmp_path / "fluorologic" / "rules.sqlite"
    monkeypatch.setenv("FLUOROLOGIC_STORE", str(tmp_path / "x.sqlite"))
    assert default_store_path() == tmp_path / "x.sqlite"
    assert RuleStore.open_existing(tmp_path / "x.sqlite") is None and not (tmp_path / "x.sqlite").exists()


def test_encounter_lookups_search_the_primary_key_never_scan(loaded):
    """Per-encounter work does not grow with the table: every data-row query the engine runs is an index search."""
    store = RuleStore(loaded.path, readonly=True)
    seen: list[str] = []
    store.conn.set_trace_callback(seen.append)
    StoreRuleData(store).select({"20610", "76000", "77002", "99213"}, 20240801)
    store.conn.set_trace_callback(None)
    data_queries = [q for q in seen if " FROM import " not in q]
    assert {q.split(" FROM ")[1].split()[0] for q in data_queries} == {"ptp", "mue", "aoc", "pfs"}
    for sql in data_queries:
        plan = " | ".join(r[-1] for r in store.conn.execute("EXPLAIN QUERY PLAN " + sql))
        assert "SCAN" not in plan and "USING PRIMARY KEY (import_id=? AND" in plan, (sql, plan)
