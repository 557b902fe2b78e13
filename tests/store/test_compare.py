"""``fluorologic compare BATCH --quarters Q1 Q2`` agrees with solving the batch twice with ``--as-of-quarter``."""

from __future__ import annotations

import json
from dataclasses import replace

from click.testing import CliRunner

from fluorologic.cli.main import main


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def two_quarters(cms, tmp_path) -> str:
    """A store with the embedded PTP rows as 2024Q3 and a TEST-ONLY synthetic 2024Q4 (64483/20610 deleted)."""
    store = str(tmp_path / "rules.sqlite")
    rows = cms.ptp_rows()
    q3 = cms.write_ptp_reference_csv(tmp_path / "ccipra_2024q3.csv", rows)
    q4_rows = [replace(p, deletion=20240930) if (p.column_1, p.column_2) == ("64483", "20610") else p for p in rows]
    q4 = cms.write_ptp_reference_csv(tmp_path / "synthetic_ccipra_2024q4.csv", q4_rows)
    for f in (q3, q4):
        assert run("data", "import", "ptp", str(f), "--store", store).exit_code == 0
    return store


def _decision(rec):
    return (sorted((b["code"], b["units"], tuple(b["modifiers"])) for b in rec["billable"]),
            sorted((e["code"], e["reason"]) for e in rec["excluded"]), sorted(a["code"] for a in rec["added"]))


def test_compare_agrees_with_two_solves(cms, tmp_path):
    store = two_quarters(cms, tmp_path)
    batch = [{"encounter_id": f"e{i}", "date_of_service": "2024-11-0" + str(1 + i % 9), "place_of_service": "11",
              "lines": lines} for i, lines in enumerate([
                  [{"code": "64483", "site": "L5-S1"}, {"code": "20610"}],
                  [{"code": "20610", "site": "left knee"}, {"code": "77002"}],
                  [{"code": "64483", "site": "L4-L5"}, {"code": "20610", "site": "right knee"}, {"code": "76000"}],
                  [{"code": "62323"}, {"code": "77003"}]])]
    path = tmp_path / "batch.json"
    path.write_text(json.dumps(batch))
    solved = {}
    for q in ("2024Q3", "2024Q4"):
        res = run("solve", str(path), "--store", store, "--as-of-quarter", q, "--no-summary")
        assert res.exit_code == 0, res.output
        solved[q] = json.loads(res.output)
    expected = {a["encounter_id"]: round(b["totals"]["expected"] - a["totals"]["expected"], 2)
                for a, b in zip(solved["2024Q3"], solved["2024Q4"], strict=True) if _decision(a) != _decision(b)}
    assert expected, "the synthetic quarter must change some decision"
    res = run("compare", str(path), "--quarters", "2024q3", "2024Q4", "--store", store, "--format", "json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert {c["encounter_id"]: c["difference"] for c in out["changes"]} == expected
    assert out["expected"] == {q: round(sum(r["totals"]["expected"] for r in solved[q]), 2) for q in solved}
    change = next(c for c in out["changes"] if c["encounter_id"] == "e0")
    assert any("64483/20610" in r["row"] for r in change["rows_only_before"])
    table = run("compare", str(path), "--quarters", "2024Q3", "2024Q4", "--store", store).output
    assert f"2024Q3 -> 2024Q4: 4 encounters, {len(expected)} changed, 0 errors" in table
    assert "e0" in table and "- NCCI PTP" in table
    res = run("compare", str(path), "--quarters", "2024Q3", "2023Q1", "--store", store)
    assert res.exit_code == 2 and "--quarters: 2023Q1 is neither loaded in the rule store" in res.output
