"""The solve command: formats, exit codes and error records (contract.md)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from fluorologic.cli.main import main

ROOT = Path(__file__).resolve().parent.parent


def test_single_object_in_single_object_out():
    res = CliRunner().invoke(main, ["solve", str(ROOT / "examples" / "blood_patch.json")])
    assert res.exit_code == 0
    out = json.loads(res.stdout)
    assert out["encounter_id"] == "blood-patch-1"
    assert out["schema_version"] == "1"


def test_batch_with_error_exits_1_and_keeps_order():
    res = CliRunner().invoke(main, ["solve", str(ROOT / "examples" / "batch_with_error.json"), "--format", "jsonl"])
    assert res.exit_code == 1
    records = [json.loads(line) for line in res.stdout.splitlines()]
    assert [r["encounter_id"] for r in records] == ["b-1", "b-2", "b-3", "b-4"]
    assert records[3]["error"]["field"] == "lines[0].code"
    assert "lines[0].code" in res.stderr


def test_json_lines_with_a_broken_line():
    text = ('{"encounter_id":"a","date_of_service":"2024-08-14","place_of_service":"11","lines":[{"code":"20610"}]}\n'
            '{"encounter_id": \n'
            '{"encounter_id":"c","date_of_service":"2024-08-14","place_of_service":"11","lines":[]}\n')
    res = CliRunner().invoke(main, ["solve", "-", "--format", "jsonl"], input=text)
    assert res.exit_code == 1
    records = [json.loads(line) for line in res.stdout.splitlines()]
    assert [r.get("encounter_id") for r in records] == ["a", None, "c"]
    assert "line 2" in records[1]["error"]["message"]


def test_unreadable_file_exits_2(tmp_path):
    res = CliRunner().invoke(main, ["solve", str(tmp_path / "missing.json")])
    assert res.exit_code == 2
    assert "cannot read" in res.stderr


def test_empty_input_exits_2():
    assert CliRunner().invoke(main, ["solve", "-"], input="").exit_code == 2


def test_table_format():
    res = CliRunner().invoke(main, ["solve", str(ROOT / "examples" / "femoral_nailing.json"), "--format", "table"])
    assert res.exit_code == 0
    assert "integral_to_surgery" in res.stdout
