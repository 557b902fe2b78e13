"""Issue 13, the command line's reader: D1 (depth, numbers), D4 (values too deep to pickle), D7 (line breaks),
D8 (disk full on -o, then --resume) and D9 (byte order mark). One record per input encounter, in order."""

from __future__ import annotations

import builtins
import errno
import io
import json

import pytest
from click.testing import CliRunner

from fluorologic.cli.main import main
from fluorologic.run import batchrun
from fluorologic.run.batchrun import run_solve

VALID = {"date_of_service": "2024-08-01", "place_of_service": "11",
         "lines": [{"code": "20610", "site": "left knee"}, {"code": "77002"}]}


def enc(eid: str, **extra) -> dict:
    return {"encounter_id": eid, **VALID, **extra}


def line(obj) -> str:
    return json.dumps(obj)


def deep_claim(eid: str, depth: int) -> str:
    return '{"encounter_id": "%s", "date_of_service": "2024-08-01", "place_of_service": "11", "lines": [], ' \
           '"claim": %s}' % (eid, "[" * depth + "]" * depth)


def big_number(eid: str, digits: int) -> str:
    return '{"encounter_id": "%s", "date_of_service": "2024-08-01", "place_of_service": "11", ' \
           '"lines": [{"code": "20610", "units": %s}]}' % (eid, "9" * digits)


def solve_file(tmp_path, text: str | bytes, name: str = "in.jsonl", **kw) -> tuple[int, list[dict], str]:
    path = tmp_path / name
    if isinstance(text, str):
        text = text.encode("utf-8")
    path.write_bytes(text)
    out, err = tmp_path / "out.jsonl", io.StringIO()
    kw.setdefault("workers", 1)
    code = run_solve(str(path), "jsonl", output=str(out), err=err, **kw)
    records = [json.loads(x) for x in out.read_text(encoding="utf-8").split("\n") if x]
    return code, records, err.getvalue()


def reference(eid: str) -> dict:
    _, records, _ = solve_file_mem(line(enc(eid)))
    return records[0]


def solve_file_mem(text: str) -> tuple[int, list[dict], str]:
    out, err = io.StringIO(), io.StringIO()
    code = run_solve(io.StringIO(text), "jsonl", out=out, err=err, workers=1)
    return code, [json.loads(x) for x in out.getvalue().splitlines() if x], err.getvalue()


HOSTILE = [deep_claim("deep-2000", 2000), big_number("big-5000", 5000), deep_claim("deep-500", 500),
           '{"encounter_id": "nan", "date_of_service": "2024-08-01", "place_of_service": "11", "lines": [], '
           '"documentation": {"fluoroscopy_time_seconds": NaN}}',
           '{"encounter_id": "inf", "date_of_service": "2024-08-01", "place_of_service": "11", "lines": [], '
           '"documentation": {"fluoroscopy_time_seconds": 1e999}}']


def test_d1_deep_nesting_and_huge_numbers_in_json_lines_are_error_records_naming_the_encounter(tmp_path):
    text = "".join(x + "\n" for x in [line(enc("a")), *HOSTILE, line(enc("b"))])
    code, records, _ = solve_file(tmp_path, text)
    assert code == 1
    assert [r["encounter_id"] for r in records] == ["a", "deep-2000", "big-5000", "deep-500", "nan", "inf", "b"]
    assert all("error" in r for r in records[1:-1])
    assert "nested deeper than" in records[1]["error"]["message"]
    assert "digits" in records[2]["error"]["message"]
    assert records[0] == reference("a") and records[-1] == reference("b")


def test_d1_deep_nesting_and_huge_numbers_in_a_json_array_keep_every_other_record(tmp_path):
    text = "[" + ",\n".join([line(enc("a")), *HOSTILE, line(enc("b"))]) + "]"
    code, records, _ = solve_file(tmp_path, text, name="in.json")
    assert code == 1
    assert [r["encounter_id"] for r in records] == ["a", "deep-2000", "big-5000", "deep-500", "nan", "inf", "b"]
    assert records[0] == reference("a") and records[-1] == reference("b")


@pytest.mark.parametrize("text", [deep_claim("one", 5000), big_number("one", 5000)])
def test_d1_a_single_object_beyond_the_bounds_is_one_error_record(tmp_path, text):
    code, records, _ = solve_file(tmp_path, text, name="in.json")
    assert code == 1
    assert records == [{"encounter_id": "one", "error": records[0]["error"]}]
    assert records[0]["error"]["field"] == "$"


def test_d1_through_the_command_line_no_traceback_exit_1(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text("".join(x + "\n" for x in [line(enc("a")), *HOSTILE]), encoding="utf-8")
    res = CliRunner().invoke(main, ["solve", str(path), "--format", "jsonl", "--workers", "1"])
    assert res.exit_code == 1, res.output
    assert "Traceback" not in res.output
    assert len(res.stdout.splitlines()) == 1 + len(HOSTILE)


def test_d4_nesting_that_json_reads_but_pickle_cannot_still_gives_every_record_with_two_workers(tmp_path):
    items = [line(enc(f"v{i}")) if i % 3 else deep_claim(f"d{i}", 900) for i in range(24)]
    code, records, _ = solve_file(tmp_path, "".join(x + "\n" for x in items), workers=2, chunk_size=4)
    assert code == 1
    assert [r["encounter_id"] for r in records] == [f"v{i}" if i % 3 else f"d{i}" for i in range(24)]
    assert all(("error" in r) == (i % 3 == 0) for i, r in enumerate(records))


def test_d7_a_bare_cr_or_u2028_never_splits_a_json_line(tmp_path):
    first = line(enc("cr")).replace(', "place_of_service"', ',\r"place_of_service"')
    third = json.dumps(enc("ls", lines=[{"code": "20610", "site": "left\u2028knee"}]), ensure_ascii=False)
    text = first + "\n" + "{not json\u2028 at all\r}\n" + third + "\r\n"
    code, records, _ = solve_file(tmp_path, text)
    assert code == 1
    assert len(records) == 3
    assert records[0]["encounter_id"] == "cr" and "error" not in records[0]
    assert "error" in records[1]
    assert records[2]["encounter_id"] == "ls" and "error" not in records[2]


def test_d7_through_standard_input():
    first = line(enc("cr")).replace(', "place_of_service"', ',\r"place_of_service"')
    text = first + "\n" + line(enc("b")) + "\n"
    res = CliRunner().invoke(main, ["solve", "-", "--format", "jsonl", "--workers", "1"], input=text.encode())
    assert res.exit_code == 0, res.output
    assert [json.loads(x)["encounter_id"] for x in res.stdout.splitlines()] == ["cr", "b"]


@pytest.mark.parametrize("name,text", [
    ("in.json", json.dumps(enc("bom"))),
    ("in.json", json.dumps([enc("bom"), enc("b")])),
    ("in.jsonl", line(enc("bom")) + "\n" + line(enc("b")) + "\n"),
    ("in.csv", "encounter_id,date_of_service,place_of_service,code\nbom,2024-08-01,11,20610\n"),
])
def test_d9_a_utf8_byte_order_mark_is_accepted(tmp_path, name, text):
    code, records, _ = solve_file(tmp_path, b"\xef\xbb\xbf" + text.encode("utf-8"), name=name)
    assert code == 0
    assert records[0]["encounter_id"] == "bom" and "error" not in records[0]


class _FullDisk(io.StringIO):
    """A text file on a disk with ``room`` bytes left: the write that does not fit is torn, then ENOSPC."""

    def __init__(self, path: str, mode: str, room: int) -> None:
        super().__init__()
        self.path, self.room = path, room
        self.fh = builtins.open(path, mode, encoding="utf-8")  # noqa: SIM115

    def write(self, s: str) -> int:
        data = s.encode("utf-8")
        if len(data) > self.room:
            self.fh.write(data[:self.room].decode("utf-8", "ignore"))
            self.fh.flush()
            self.room = 0
            raise OSError(errno.ENOSPC, "No space left on device")
        self.room -= len(data)
        return self.fh.write(s)

    def flush(self) -> None:
        self.fh.flush()

    def close(self) -> None:
        self.fh.close()


def test_d8_disk_full_on_output_exits_2_with_one_line_and_resume_completes_the_output(tmp_path, monkeypatch):
    items = [enc(f"e{i:03d}") if i % 7 else {"encounter_id": f"e{i:03d}"} for i in range(60)]
    path = tmp_path / "in.jsonl"
    path.write_text("".join(line(x) + "\n" for x in items), encoding="utf-8")
    full = tmp_path / "full.jsonl"
    assert run_solve(str(path), "jsonl", output=str(full), workers=1, err=io.StringIO()) == 1
    out = tmp_path / "out.jsonl"
    real_open = builtins.open

    def full_disk_open(file, mode="r", *args, **kwargs):
        if str(file) == str(out) and mode in ("w", "a"):
            return _FullDisk(str(file), mode, room=len(full.read_bytes()) // 2)
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(batchrun, "open", full_disk_open, raising=False)
    res = CliRunner().invoke(main, ["solve", str(path), "--format", "jsonl", "-o", str(out), "--workers", "1"])
    assert res.exit_code == 2
    failure = [x for x in res.stderr.splitlines() if not x.startswith("fluorologic: encounter ")]
    assert len(failure) == 1 and "No space left on device" in failure[0] and "--resume" in failure[0]
    assert "Traceback" not in res.stderr
    assert 0 < len(out.read_bytes()) < len(full.read_bytes())
    monkeypatch.setattr(batchrun, "open", real_open, raising=False)
    res = CliRunner().invoke(main, ["solve", str(path), "--format", "jsonl", "-o", str(out), "--workers", "1",
                                    "--resume"])
    assert res.exit_code == 1
    assert out.read_bytes() == full.read_bytes()


def test_d8_any_crash_in_the_run_is_exit_2_and_one_line(tmp_path, monkeypatch):
    path = tmp_path / "in.jsonl"
    path.write_text(line(enc("a")) + "\n" + line(enc("b")) + "\n", encoding="utf-8")

    def boom(*_args, **_kwargs):
        raise RuntimeError("some text that must not be printed")

    monkeypatch.setattr(batchrun, "ordered_map", boom)
    res = CliRunner().invoke(main, ["solve", str(path), "--format", "jsonl", "--workers", "1"])
    assert res.exit_code == 2
    assert res.stderr.count("\n") == 1 and "RuntimeError" in res.stderr
    assert "must not be printed" not in res.stderr


@pytest.fixture
def small_disk(tmp_path):
    """A 1 MiB tmpfs (skipped where mounting is not permitted): room for half the test's output, not all of it."""
    import shutil
    import subprocess

    where = tmp_path / "small"
    where.mkdir()
    if shutil.which("mount") is None or subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=1024k", "tmpfs", str(where)], capture_output=True).returncode:
        pytest.skip("cannot mount a small tmpfs here")
    yield where
    subprocess.run(["umount", str(where)], capture_output=True)


def test_d8_a_real_full_disk_exits_2_and_resume_completes_once_there_is_room(tmp_path, small_disk):
    import subprocess
    import sys

    items = [enc(f"e{i:03d}") if i % 7 else {"encounter_id": f"e{i:03d}"} for i in range(150)]
    path = tmp_path / "in.jsonl"
    path.write_text("".join(line(x) + "\n" for x in items), encoding="utf-8")
    full = tmp_path / "full.jsonl"
    assert run_solve(str(path), "jsonl", output=str(full), workers=1, err=io.StringIO(), chunk_size=16) == 1
    filler = small_disk / "filler"
    filler.write_bytes(b"x" * (1024 * 1024 - len(full.read_bytes()) // 2))
    out = small_disk / "out.jsonl"
    cmd = [sys.executable, "-m", "fluorologic.cli.main", "solve", str(path), "--format", "jsonl", "-o", str(out),
           "--workers", "1"]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert res.returncode == 2
    failure = [x for x in res.stderr.splitlines() if not x.startswith("fluorologic: encounter ")]
    assert len(failure) == 1 and "No space left on device" in failure[0], res.stderr
    assert "Traceback" not in res.stderr
    assert 0 < len(out.read_bytes()) < len(full.read_bytes())
    filler.unlink()
    res = subprocess.run([*cmd, "--resume"], capture_output=True, text=True, timeout=300)
    assert res.returncode == 1, res.stderr
    assert out.read_bytes() == full.read_bytes()
