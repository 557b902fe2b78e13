"""``why``/``graph`` with ``--id`` on a batch, and ``solve --format csv`` (one flat row per result line)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from click.testing import CliRunner

from fluorologic.cli.main import main
from fluorologic.run.flat import FLAT_COLUMNS

BATCH = Path(__file__).resolve().parents[2] / "examples" / "batch.json"


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_why_and_graph_pick_one_encounter(tmp_path):
    res = run("why", str(BATCH), "77002", "--id", "b-3", "--format", "json", "--no-what-if")
    assert res.exit_code == 0, res.output
    ans = json.loads(res.output)
    assert (ans["encounter_id"], ans["status"]) == ("b-3", "excluded")
    one = next(e for e in json.loads(BATCH.read_text()) if e["encounter_id"] == "b-3")
    single = tmp_path / "b3.json"
    single.write_text(json.dumps(one))
    assert json.loads(run("why", str(single), "77002", "--format", "json", "--no-what-if").output) == ans
    out = tmp_path / "g.json"
    assert run("graph", str(BATCH), "--id", "b-1", "-o", str(out)).exit_code == 0
    assert {n["code"] for n in json.loads(out.read_text())["nodes"] if "code" in n} >= {"20610", "77002", "76000"}
    res = run("why", str(BATCH), "77002")
    assert res.exit_code == 2 and "--id ENCOUNTER" in res.output
    res = run("graph", str(BATCH), "--id", "nope", "-o", str(out))
    assert res.exit_code == 2 and "no encounter with encounter_id 'nope'" in res.output
    claim_lines = tmp_path / "lines.csv"
    claim_lines.write_text("encounter_id,date_of_service,place_of_service,code\nk,2024-08-01,11,27093\n"
                           "k,2024-08-01,11,77002\nj,2024-08-01,11,76000\n")
    res = run("why", str(claim_lines), "77002", "--id", "k", "--format", "json", "--no-what-if")
    assert res.exit_code == 0 and json.loads(res.output)["encounter_id"] == "k"
    dup = tmp_path / "dup.jsonl"
    dup.write_text(json.dumps(one) + "\n" + json.dumps(one) + "\n")
    assert "ids must be unique" in run("why", str(dup), "77002", "--id", "b-3").output


def test_solve_csv_flat_rows_with_changed(tmp_path):
    items = json.loads(BATCH.read_text())
    items.append({"encounter_id": "bad", "date_of_service": "2024-13-01", "place_of_service": "11",
                  "lines": [{"code": "20610"}]})
    path = tmp_path / "b.json"
    path.write_text(json.dumps(items))
    res = run("solve", str(path), "--format", "csv", "--no-summary")
    assert res.exit_code == 1
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert tuple(rows[0]) == FLAT_COLUMNS
    records = json.loads(run("solve", str(path), "--no-summary").stdout)
    lines = sum(len(r["billable"]) + len(r["excluded"]) + len(r["added"]) + len(r["alerts"]) if "error" not in r
                else 1 for r in records)
    assert len(rows) == lines  # one row per result line and per alert
    assert {(r["encounter_id"], r["reason"]) for r in rows if r["disposition"] == "alert"} == {
        (r["encounter_id"], a["kind"]) for r in records if "error" not in r for a in r["alerts"]}
    # the line column numbers the claim's lines in input order
    first = next(i for i in items if i["encounter_id"] == "b-1")
    for r in rows:
        if r["encounter_id"] == "b-1" and r["disposition"] in ("billable", "excluded"):
            assert first["lines"][int(r["line"]) - 1]["code"] == r["code"]
    by = {(r["encounter_id"], r["disposition"], r["code"]): r for r in rows}
    assert by["b-1", "billable", "20610"]["changed"] == "no"
    assert by["b-1", "excluded", "76000"]["changed"] == "yes"
    assert by["b-1", "excluded", "76000"]["reason"] == "more_specific_guidance"
    assert by["b-2", "added", "62323"]["replaces"] == "62322"
    assert by["b-2", "billable", "62323"]["changed"] == "yes"  # added in place of 62322
    assert by["bad", "error", ""]["error_field"] == "date_of_service"
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n".join(json.dumps(e) for e in items[:1]) + "\n")
    assert run("solve", str(empty), "--format", "csv").stdout.startswith("encounter_id,claim_id,")
