"""``fluorologic scan NOTE``: JSON and text output, stdin, errors; the note is never echoed."""

from __future__ import annotations

import json

from click.testing import CliRunner

from fluorologic.cli.main import main

NOTE = ("PROCEDURE: Left L5 transforaminal epidural steroid injection.\nDETAILS: Under fluoroscopic guidance "
        "the needle was placed. Fluoroscopy time 0:30.")
CONTRACT_KEYS = {"confidence", "fluoroscopy_used", "fluoroscopy_negated", "fluoroscopy_time_seconds", "indication",
                 "body_area", "spinal", "procedure_kinds", "levels", "recommended_fluoro_code", "evidence"}


def test_scan_json_from_file(tmp_path):
    path = tmp_path / "note.txt"
    path.write_text(NOTE, encoding="utf-8")
    res = CliRunner().invoke(main, ["scan", str(path)])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert set(out) == CONTRACT_KEYS
    assert out["recommended_fluoro_code"] == "bundled" and out["fluoroscopy_time_seconds"] == 30
    assert out["levels"] == ["L5"] and out["spinal"] is True
    assert all({"fact", "start", "end", "text"} <= set(e) for e in out["evidence"])


def test_scan_text_from_stdin():
    res = CliRunner().invoke(main, ["scan", "-", "--format", "text"], input=NOTE)
    assert res.exit_code == 0
    assert res.stdout.splitlines()[0].split() == ["recommended", "code", "bundled"]
    assert "evidence" in res.stdout


def test_scan_unreadable_file_exits_2(tmp_path):
    res = CliRunner().invoke(main, ["scan", str(tmp_path / "missing.txt")])
    assert res.exit_code == 2
    assert "cannot read" in res.stderr


def test_scan_never_echoes_the_whole_note():
    res = CliRunner().invoke(main, ["scan", "-"], input=NOTE)
    assert NOTE not in res.stdout and NOTE.splitlines()[1] not in res.stdout
