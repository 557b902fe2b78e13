"""Issue 29 item 4: an output that is the input (the same path, a symlink, a hard link, standard output appended
to it, standard input read from it) is refused with exit 2 before anything is written; the input is unchanged."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ENC = {"date_of_service": "2024-08-01", "place_of_service": "11", "lines": [{"code": "20610"}, {"code": "77002"}]}


def cli(*args: str, stdin=None, stdout=None, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "fluorologic.cli.main", *args], stdin=stdin, stdout=stdout or
                          subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd, env=env, timeout=120, check=False)


@pytest.mark.parametrize("how", ["same", "symlink", "hardlink", "relative", "stdout_append", "stdin"])
def test_the_input_is_never_overwritten(tmp_path, how):
    text = "".join(json.dumps({"encounter_id": f"e{i}", **ENC}) + "\n" for i in range(200)).encode()
    src = tmp_path / "in.jsonl"
    src.write_bytes(text)
    args = ["solve", str(src), "--format", "jsonl", "--workers", "1"]
    stdin = stdout = None
    if how == "same":
        args += ["-o", str(src)]
    elif how == "symlink":
        (tmp_path / "link.jsonl").symlink_to(src)
        args += ["-o", str(tmp_path / "link.jsonl")]
    elif how == "hardlink":
        os.link(src, tmp_path / "hard.jsonl")
        args += ["-o", str(tmp_path / "hard.jsonl")]
    elif how == "relative":
        args = ["solve", "in.jsonl", "--format", "jsonl", "--workers", "1", "-o", "./in.jsonl"]
    elif how == "stdout_append":
        stdout = open(src, "ab")  # noqa: SIM115 (closed below)
    else:
        stdin = open(src, "rb")  # noqa: SIM115 (closed below)
        args = ["solve", "-", "--format", "jsonl", "--workers", "1", "-o", str(src)]
    try:
        res = cli(*args, stdin=stdin, stdout=stdout, cwd=tmp_path)
    finally:
        for fh in (stdin, stdout):
            if fh is not None:
                fh.close()
    assert res.returncode == 2
    assert b"is the input file" in res.stderr
    assert src.read_bytes() == text


def test_another_output_file_is_written(tmp_path):
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_text("".join(json.dumps({"encounter_id": f"e{i}", **ENC}) + "\n" for i in range(20)))
    res = cli("solve", str(src), "--format", "jsonl", "--workers", "1", "-o", str(out), cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert len(out.read_text().splitlines()) == 20
