"""The ``fluorologic data`` commands and ``solve --store / --as-of-quarter`` through the command line."""

from __future__ import annotations

import json
from dataclasses import replace

from click.testing import CliRunner

from fluorologic.cli.main import main


def run(*args: str, env: dict | None = None):
    return CliRunner().invoke(main, list(args), env=env)


def _enc(path, dos: str) -> str:
    path.write_text(json.dumps({"encounter_id": "k", "date_of_service": dos, "place_of_service": "11",
                                "lines": [{"code": "64483", "site": "L5-S1"}, {"code": "20610"}]}))
    return str(path)


def test_import_info_reimport_and_env_store(cms, tmp_path):
    store = str(tmp_path / "rules.sqlite")
    ptp = cms.write_ptp_txt(tmp_path / "ccipra-v302r0-f1.txt")
    res = run("data", "import", "ptp", str(ptp), "--quarter", "2024Q3", "--store", store)
    assert res.exit_code == 0, res.output
    assert f"ptp practitioner 2024Q3 (effective 2024-07-01): imported; {len(cms.ptp_rows())} rows" in res.output
    res = run("data", "import", "ptp", str(ptp), "--quarter", "2024Q3", "--store", store)
    assert "already loaded (same file), nothing changed" in res.output
    info = json.loads(run("data", "info", "--format", "json", env={"FLUOROLOGIC_STORE": store}).output)
    assert [(i["kind"], i["quarter"], i["rows"], i["in_force_until"]) for i in info["imports"]] == [
        ("ptp", "2024Q3", len(cms.ptp_rows()), None)]
    text = run("data", "info", "--store", store).output
    assert "2024Q3  2024-07-01 .. open" in text and "embedded data used for: mue, aoc, pfs" in text


def test_refused_import_exit_1_with_line(cms, tmp_path):
    store = str(tmp_path / "rules.sqlite")
    lines = cms.ptp_txt_lines()
    lines[20] = "20610\t76000\t\t20240701\t*\t1"[:-3]
    bad = tmp_path / "ccipra-bad.txt"
    bad.write_text("\r\n".join(lines))
    res = run("data", "import", "ptp", str(bad), "--quarter", "2024Q3", "--store", store)
    assert res.exit_code == 1
    assert "import refused, the store is unchanged: ccipra-bad.txt, line 21: 5 fields, expected at least 6" \
           in res.output
    assert "nothing imported" in run("data", "info", "--store", store).output
    res = run("data", "import", "ptp", str(bad), "--effective", "2024-13-01", "--store", store)
    assert res.exit_code == 2 and "--effective" in res.output


def test_diff_and_solve_as_of_quarter(cms, tmp_path):
    store = str(tmp_path / "rules.sqlite")
    rows = cms.ptp_rows()
    q3 = cms.write_ptp_reference_csv(tmp_path / "ccipra_2024q3.csv", rows)
    # TEST-ONLY synthetic next quarter: one edit deleted, one added (never shipped as data)
    q4_rows = [replace(p, deletion=20240930) if (p.column_1, p.column_2) == ("64483", "20610") else p for p in rows]
    q4_rows.append(replace(rows[0], column_1="20610", column_2="99999", rationale="synthetic test edit"))
    q4 = cms.write_ptp_reference_csv(tmp_path / "synthetic_ccipra_2024q4.csv", q4_rows)
    for f in (q3, q4):
        assert run("data", "import", "ptp", str(f), "--store", store).exit_code == 0
    res = run("data", "diff", "2024Q3", "2024Q4", "--store", store, "--format", "json")
    diff = json.loads(res.output)[0]
    assert diff["counts"] == {"added": 1, "deleted": 0, "changed": 1}
    assert (diff["added"][0]["column_1"], diff["added"][0]["column_2"]) == ("20610", "99999")
    changed = diff["changed"][0]
    assert (changed["column_1"], changed["column_2"]) == ("64483", "20610")
    assert changed["old"][0]["deletion"] == 99991231 and changed["new"][0]["deletion"] == 20240930
    text = run("data", "diff", "2024q3", "2024q4", "--store", store).output
    assert "ptp practitioner 2024Q3 -> 2024Q4: 1 added, 0 deleted, 1 changed" in text
    assert "  ~ 64483/20610" in text
    enc = _enc(tmp_path / "e.json", "2024-11-01")
    new = json.loads(run("solve", enc, "--store", store).output)
    old = json.loads(run("solve", enc, "--store", store, "--as-of-quarter", "2024Q3").output)
    assert "20610" in {b["code"] for b in new["billable"]}
    assert ("20610", "ptp_bundled") in {(e["code"], e["reason"]) for e in old["excluded"]}
    why_new = json.loads(run("why", enc, "20610", "--store", store, "--no-what-if", "--format", "json").output)
    why_old = json.loads(run("why", enc, "20610", "--store", store, "--as-of-quarter", "2024Q3", "--no-what-if",
                             "--format", "json").output)
    assert why_new["status"] != why_old["status"]
    res = run("solve", enc, "--store", store, "--as-of-quarter", "2023Q1")
    assert res.exit_code == 2 and "2023Q1 is neither loaded in the rule store (loaded: 2024Q3, 2024Q4)" in res.output
    assert run("data", "diff", "2024Q3", "2025Q1", "--store", store).exit_code == 1


def test_solve_without_store_uses_embedded(tmp_path):
    enc = _enc(tmp_path / "e.json", "2024-08-01")
    missing = str(tmp_path / "none.sqlite")
    a = json.loads(run("solve", enc, "--store", missing).output)
    b = json.loads(run("solve", enc, env={"FLUOROLOGIC_STORE": missing}).output)
    assert a == b and a["audit"]
    assert not (tmp_path / "none.sqlite").exists()
    # issue 14 point 7: the embedded data is 2024Q3, so forcing that quarter works without a store
    res = run("solve", enc, "--store", missing, "--as-of-quarter", "2024Q3")
    assert res.exit_code == 0 and json.loads(res.output)["billable"] == a["billable"]
    res = run("solve", enc, "--store", missing, "--as-of-quarter", "2023Q1")
    assert res.exit_code == 2 and "loaded: nothing" in res.output and "embedded data's quarter (2024Q3)" in res.output
