"""Issue 13 for ``fluorologic why`` and ``graph``: the same reader bounds as ``solve`` (D1, D7, D9), and a lone
surrogate is an input error (exit 1), never a traceback."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from fluorologic.cli.main import main

KNEE = {"encounter_id": "k1", "date_of_service": "2024-08-01", "place_of_service": "11",
        "lines": [{"code": "20610", "site": "left knee"}, {"code": "77002"}]}


def _why(tmp_path, data: bytes):
    path = tmp_path / "enc.json"
    path.write_bytes(data)
    return CliRunner().invoke(main, ["why", str(path), "77002"])


def test_a_byte_order_mark_and_a_bare_cr_are_read(tmp_path):
    text = json.dumps(KNEE).replace(', "place_of_service"', ',\r"place_of_service"')
    res = _why(tmp_path, b"\xef\xbb\xbf" + text.encode())
    assert res.exit_code == 0, res.output
    assert "77002" in res.stdout


@pytest.mark.parametrize("text", [
    json.dumps(dict(KNEE, claim="@@")).replace('"@@"', "[" * 5000 + "]" * 5000),
    json.dumps(KNEE).replace('"lines": [{', '"lines": [{"units": ' + "9" * 5000 + ", ", 1),
    json.dumps(dict(KNEE, lines=[{"code": "20610", "site": "L5\ud800S1"}, {"code": "77002"}])),
])
def test_deep_huge_or_surrogate_input_is_exit_1_and_one_line(tmp_path, text):
    res = _why(tmp_path, text.encode())
    assert res.exit_code == 1, res.output
    assert "Traceback" not in res.output and len(res.stderr.strip().splitlines()) == 1
