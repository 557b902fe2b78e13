"""Streaming batches: one record per input encounter in order, CSV input, formats, and resume after a kill."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from fluorologic.cli.main import main
from fluorologic.contract.render import to_json
from fluorologic.run import parallel
from fluorologic.run.batchrun import UsageError, run_solve
from fluorologic.run.streaming import open_input

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.generate import generate, lines  # noqa: E402


def _run(text: str, fmt: str = "jsonl", **kw):
    out, err = io.StringIO(), io.StringIO()
    code = run_solve(io.StringIO(text), fmt, out=out, err=err, **kw)
    return code, out.getvalue(), err.getvalue()


def test_ten_thousand_with_one_percent_malformed_gives_ten_thousand_records_in_order(tmp_path):
    # 400 distinct encounters (and 1% broken lines) repeated under fresh ids, as claim streams repeat
    # the same services all day: the repeats are answered from the solver's memo, which keeps this fast.
    distinct = generate(400, seed=21)
    items = generate(10_000, seed=22, malformed=0.01)
    items = [dict(distinct[i % 400], encounter_id=f"e{i:05d}") if isinstance(it, dict) else it
             for i, it in enumerate(items)]
    text = "".join(line + "\n" for line in lines(items))
    path = tmp_path / "in.jsonl"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    code = run_solve(str(path), "jsonl", output=str(out), workers=2, summary=True, err=io.StringIO())
    records = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert code == 1
    assert len(records) == 10_000
    bad = 0
    for item, rec in zip(items, records, strict=True):
        if isinstance(item, dict):
            assert rec["encounter_id"] == item["encounter_id"]
            assert "error" not in rec
        else:
            bad += 1
            assert "error" in rec
    assert 50 <= bad <= 150


def test_summary_counts_and_totals():
    items = generate(30, seed=4)
    code, out, err = _run("".join(json.dumps(i) + "\n" for i in items), summary=True)
    recs = [json.loads(x) for x in out.splitlines()]
    assert code == 0
    assert "fluorologic: 30 encounters, 0 errors" in err
    n_ptp = sum(e["reason"] == "guidance_included" for r in recs for e in r["excluded"])
    assert f"guidance_included {n_ptp}" in err
    billed = sum(r["totals"]["billed"] for r in recs)
    assert f"billed {billed:.2f}" in err


def test_json_format_streams_the_same_array_as_before():
    items = generate(12, seed=8)
    code, out, _ = _run("".join(json.dumps(i) + "\n" for i in items), "json", chunk_size=5)
    records = json.loads(out)
    assert out == to_json(records, indent=2) + "\n"
    assert [r["encounter_id"] for r in records] == [i["encounter_id"] for i in items]
    code, out, _ = _run(json.dumps(items[0]), "json")
    assert json.loads(out)["encounter_id"] == items[0]["encounter_id"]


def test_workers_keep_input_order():
    items = generate(300, seed=13)
    text = "".join(json.dumps(i) + "\n" for i in items)
    _, one, _ = _run(text, workers=1, chunk_size=16)
    _, two, _ = _run(text, workers=2, chunk_size=16)
    assert one == two
    assert [json.loads(x)["encounter_id"] for x in two.splitlines()] == [i["encounter_id"] for i in items]


def _record_executors(monkeypatch) -> list[int]:
    """The worker count of every process executor the pool starts from now on (the list fills as they start)."""
    started: list[int] = []
    real = parallel.ProcessPoolExecutor

    def pool(*args, **kwargs):
        started.append(kwargs["max_workers"])
        return real(*args, **kwargs)

    monkeypatch.setattr(parallel, "ProcessPoolExecutor", pool)
    return started


def test_one_worker_hands_a_long_stream_to_a_recycled_worker_process(monkeypatch):
    """With --workers 1 this process solves the first encounters, then a worker process (bounded memory)."""
    items = generate(120, seed=14)
    text = "".join(json.dumps(i) + "\n" for i in items)
    _, alone, _ = _run(text, workers=1, chunk_size=16)
    monkeypatch.setattr(parallel, "RECYCLE_ENCOUNTERS", 32)  # a worker replaced every 2 chunks
    monkeypatch.setattr(parallel, "HERE_GROWTH_MB", 0)  # one chunk solved here, then the workers
    monkeypatch.setattr(parallel, "_WORKER_ENGINE", None)  # a fresh engine: its memo has not seen these encounters
    started = _record_executors(monkeypatch)
    _, handed, _ = _run(text, workers=1, chunk_size=16)
    assert handed == alone
    assert len(started) >= 3 and set(started) == {1}  # one worker at a time, replaced every 2 chunks


def test_with_two_workers_this_process_solves_while_the_worker_is_busy(monkeypatch):
    """--workers 2: one worker process, and this process solves the chunks it would otherwise wait for."""
    items = generate(600, seed=15)
    text = "".join(json.dumps(i) + "\n" for i in items)
    monkeypatch.setenv("FLUOROLOGIC_MEMO_SIZE", "0")  # every encounter is solved by someone
    monkeypatch.setattr(parallel, "_WORKER_ENGINE", None)
    _, alone, _ = _run(text, workers=1, chunk_size=20)
    monkeypatch.setattr(parallel, "_WORKER_ENGINE", None)
    started = _record_executors(monkeypatch)
    _, two, _ = _run(text, workers=2, chunk_size=20)
    here = parallel._engine().batch.solved
    assert two == alone
    assert started == [1]  # the other worker is this process
    assert 0 < here < len(items)  # it solved a share, the worker the rest


CSV = """encounter_id,date_of_service,place_of_service,equipment_owner,code,units,modifiers,site,distinct,\
fluoroscopy_time_seconds,indication,body_area
k1,2024-08-01,11,,20610,1,RT,left knee,,30,confirm needle position,knee
k1,2024-08-01,11,,77002,,,,,30,confirm needle position,knee
t1,2024-08-14,22,facility,64483,1,,L5-S1,false,,,
t1,2024-08-14,22,facility,77003,2,,,,,,
bad,2024-08-14,11,,20610,x,,,,,,
mix,2024-08-14,11,,20610,,,,,,,
mix,2024-08-15,11,,77002,,,,,,,
k1,2024-08-01,11,,20610,,,,,,,
"""


def test_csv_claim_lines_grouped_by_encounter():
    code, out, err = _run(CSV, csv_input=True)
    recs = [json.loads(x) for x in out.splitlines()]
    assert [r["encounter_id"] for r in recs] == ["k1", "t1", "bad", "mix", "k1"]
    assert code == 1
    assert {b["code"] for b in recs[0]["billable"]} == {"20610", "77002"}
    assert recs[2]["error"]["field"] == "lines[0].units"
    assert recs[3]["error"]["field"] == "date_of_service"
    assert recs[4]["error"]["field"] == "encounter_id"
    same = {"encounter_id": "t1", "date_of_service": "2024-08-14", "place_of_service": "22",
            "equipment_owner": "facility", "lines": [{"code": "64483", "units": 1, "site": "L5-S1"},
                                                     {"code": "77003", "units": 2}]}
    _, out_json, _ = _run(json.dumps(same))
    assert json.loads(out_json) == recs[1]


def test_csv_without_required_columns_is_a_usage_error():
    with pytest.raises(UsageError, match="place_of_service"):
        _run("encounter_id,code\na,20610\n", csv_input=True)


def test_open_input_shapes():
    assert open_input(io.StringIO('[{"a": 1}]'))[0] == "array"
    assert open_input(io.StringIO('{\n "a": 1\n}\n'))[0] == "object"
    assert open_input(io.StringIO('\n{"a": 1}\n\n'))[0] == "object"
    shape, items = open_input(io.StringIO('{"a": 1}\n\n{"b": 2}\n{oops\n'))
    items = list(items)
    assert shape == "lines" and len(items) == 3 and "line 4" in items[2].message


def test_resume_needs_output_and_jsonl():
    res = CliRunner().invoke(main, ["solve", str(ROOT / "examples" / "batch.json"), "--resume"])
    assert res.exit_code == 2
    assert "--resume" in res.stderr


def _write_input(tmp_path, n, seed):
    items = generate(n, seed=seed, malformed=0.01)
    path = tmp_path / "in.jsonl"
    path.write_text("".join(line + "\n" for line in lines(items)), encoding="utf-8")
    return path


def test_resume_after_torn_last_line_and_mismatched_input(tmp_path):
    path = _write_input(tmp_path, 60, 30)
    full = tmp_path / "full.jsonl"
    run_solve(str(path), "jsonl", output=str(full), workers=1, err=io.StringIO())
    part = tmp_path / "part.jsonl"
    data = full.read_bytes()
    cut = data.index(b"\n", len(data) // 2) + 1
    part.write_bytes(data[:cut] + data[cut:cut + 40])  # a torn record after the complete ones
    run_solve(str(path), "jsonl", output=str(part), workers=1, resume=True, err=io.StringIO())
    assert part.read_bytes() == data
    wrong = tmp_path / "wrong.jsonl"
    wrong.write_text('{"encounter_id": "not-in-input", "error": {"field": "$", "message": "x"}}\n')
    with pytest.raises(UsageError, match="not the same input"):
        run_solve(str(path), "jsonl", output=str(wrong), workers=1, resume=True, err=io.StringIO())


def test_killed_run_resumes_to_the_uninterrupted_output(tmp_path):
    path = _write_input(tmp_path, 800, 40)
    full = tmp_path / "full.jsonl"
    run_solve(str(path), "jsonl", output=str(full), workers=2, chunk_size=32, err=io.StringIO())
    out = tmp_path / "out.jsonl"
    cmd = [sys.executable, "-m", "fluorologic.cli.main", "solve", str(path), "--format", "jsonl", "-o", str(out),
           "--workers", "2"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 120
    while time.time() < deadline and (not out.exists() or out.stat().st_size < 5_000):
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    done = out.read_bytes().count(b"\n")
    assert 0 < done < 800, "the run should have been killed midway"
    res = subprocess.run([*cmd, "--resume"], capture_output=True, timeout=300)
    assert res.returncode == 1  # the input has malformed lines
    assert out.read_bytes() == full.read_bytes()


def test_progress_bar_only_on_a_terminal(monkeypatch):
    from fluorologic.run import batchrun

    monkeypatch.setattr(sys.stderr, "isatty", lambda: False, raising=False)
    assert batchrun._progress(10, 0) is None
    fake = io.StringIO()
    fake.isatty = lambda: True  # type: ignore[method-assign]
    monkeypatch.setattr(batchrun.sys, "stderr", fake)
    bar = batchrun._progress(10, 0)
    bar.update(5)
    bar.close()
    assert "5/10" in fake.getvalue() and "enc" in fake.getvalue()


def test_unknown_quarter_of_the_rule_store_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="as-of-quarter"):
        _run('{"encounter_id": "a"}', rules=(str(tmp_path / "store.sqlite"), "2019Q1"))


def test_a_chunk_that_fails_here_fails_in_its_place(monkeypatch):
    """An exception solving a chunk in this process comes after the records of every chunk before it."""
    monkeypatch.setattr(parallel._Pools, "busy", lambda _self: True)  # this process solves every chunk

    def fn(chunk):
        if chunk == ["c2"]:
            raise ValueError("boom")
        return parallel.ChunkResult(list(chunk), parallel.Summary(), [])

    seen = []
    with pytest.raises(ValueError, match="boom"):
        for result in parallel.ordered_map(fn, [["c0"], ["c1"], ["c2"], ["c3"]], 2):
            seen.extend(result.lines)
    assert seen == ["c0", "c1"]
