"""Issue 29 item 8, the smaller defects: Unicode digits and ids past 2^63 in the workbench's addresses (a 404 or
422, never a 500); the records on disk counted after a full disk; a CSV upload with a cell too long for the csv
module (an error record, not a 500). The bare-CR file and the "at at" message are in test_unreadable_lines.py,
the read timeout in test_read_timeout.py, the incomplete set of zip parts in test_zip_parts.py."""

from __future__ import annotations

import builtins
import errno
import io
import json
import re

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from fluorologic.cli.main import main
from fluorologic.run import batchrun
from fluorologic.service.app import Settings, create_app

ENC = {"date_of_service": "2024-08-01", "place_of_service": "11", "lines": [{"code": "20610"}, {"code": "77002"}]}
ORIGIN = {"Origin": "http://127.0.0.1:8765"}


@pytest.fixture
def client(tmp_path, monkeypatch):
    monkeypatch.delenv("FLUOROLOGIC_TOKEN", raising=False)
    monkeypatch.setenv("FLUOROLOGIC_WORKBENCH_DB", str(tmp_path / "wb.sqlite"))
    app = create_app(Settings(store=str(tmp_path / "rules.sqlite"), solver_process=False))
    with TestClient(app, base_url="http://127.0.0.1:8765") as c:
        c.workbench = app.state.workbench
        yield c


def test_unicode_digits_and_huge_ids_are_never_a_500(client):
    r = client.post("/workbench/load?name=a.jsonl", content=json.dumps({"encounter_id": "e1", **ENC}).encode(),
                    headers=ORIGIN)
    bid = r.json()["id"]
    assert client.workbench().wait(bid)["status"] == "done"
    for query in ("page=\u00b2", "page=\u0661", "page=99999999999999999999999", "page=-1", "page=1e3"):
        assert client.get(f"/workbench/batches/{bid}/list?{query}").status_code == 200, query
    assert client.get(f"/workbench/batches/{bid}/impact?run=\u00b2").status_code == 200
    assert client.get(f"/workbench/batches/{bid}/impact?run={2**64}").status_code == 200
    assert client.get(f"/workbench/batches/{bid}/claims/0?wi=1&distinct=\u00b2&remove=\u00b3").status_code == 200
    big = str(2**63)
    for path in (f"/workbench/batches/{big}", f"/workbench/batches/{big}/list", f"/workbench/batches/{big}/export.csv",
                 f"/workbench/batches/{bid}/claims/{big}", f"/workbench/batches/{2**70}/progress.json",
                 "/workbench/batches/\u00b2", f"/workbench/batches/{bid}/claims/\u00b2"):
        assert client.get(path).status_code in (404, 422), path
    assert client.post(f"/workbench/batches/{big}/delete", headers=ORIGIN).status_code in (404, 422)
    assert client.get(f"/workbench/batches/{2**63 - 1}").status_code == 404


def test_a_csv_upload_with_a_huge_cell_is_an_error_record_not_a_500(client):
    rows = ["encounter_id,date_of_service,place_of_service,code,indication"]
    rows += [f"e{i},2024-08-01,11,20610," for i in range(30)]
    rows[11] = "e10,2024-08-01,11,20610," + "x" * 140_000
    r = client.post("/workbench/load?name=a.csv", content="\n".join(rows).encode(), headers=ORIGIN)
    assert r.status_code == 200, r.text
    batch = client.workbench().wait(r.json()["id"])
    assert batch["status"] == "done" and batch["total"] == 30
    export = client.get(f"/workbench/batches/{r.json()['id']}/export.csv").text
    assert export.count("line 12 is longer than 131,072 characters") == 1
    r = client.post("/workbench/load?name=b.csv", content=b"encounter_id,code\ne1,2061\xff\n", headers=ORIGIN)
    assert r.status_code == 400 and r.json()["error"] == "the file is not UTF-8 text: line 2 holds byte 0xff"


class _FullDisk(io.StringIO):
    """A text file with ``room`` bytes left: the write that does not fit is torn there, then ENOSPC."""

    def __init__(self, path: str, mode: str, room: int) -> None:
        super().__init__()
        self.room = room
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


def test_after_a_full_disk_the_message_counts_the_records_on_disk(tmp_path, monkeypatch):
    path, full, out = tmp_path / "in.jsonl", tmp_path / "full.jsonl", tmp_path / "out.jsonl"
    path.write_text("".join(json.dumps({"encounter_id": f"e{i:04d}", **ENC}) + "\n" for i in range(700)))
    assert batchrun.run_solve(str(path), "jsonl", output=str(full), workers=1, err=io.StringIO()) == 0
    lines = full.read_bytes().splitlines(keepends=True)
    room = len(b"".join(lines[:300])) + 25  # 300 whole records (256 + 44 of the second chunk) and a torn one
    real_open = builtins.open

    def full_disk_open(file, mode="r", *args, **kwargs):
        if str(file) == str(out) and mode in ("w", "a"):
            return _FullDisk(str(file), mode, room=room)
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(batchrun, "open", full_disk_open, raising=False)
    res = CliRunner().invoke(main, ["solve", str(path), "--format", "jsonl", "-o", str(out), "--workers", "1"])
    assert res.exit_code == 2
    said = int(re.search(r"stopped after (\d+) records", res.stderr).group(1))
    on_disk = sum(1 for x in out.read_bytes().splitlines(keepends=True) if x.endswith(b"\n"))
    assert said == on_disk == 300
    monkeypatch.setattr(batchrun, "open", real_open, raising=False)
    res = CliRunner().invoke(main, ["solve", str(path), "--format", "jsonl", "-o", str(out), "--workers", "1",
                                    "--resume"])
    assert res.exit_code == 0 and out.read_bytes() == full.read_bytes()
