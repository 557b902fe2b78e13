"""Issue 29 item 2: ``kill -9`` of ``fluorologic solve`` or ``fluorologic serve`` leaves no process behind,
whatever the timing (a worker still importing, workers solving, server processes serving): every process of
the session is gone within seconds, the caller's pipe reaches its end, the port can be bound again.

Linux only (it reads /proc). Marked slow; the CI run (``python -m pytest -q``) runs it, each case bounded.
"""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")]

ROOT = Path(__file__).resolve().parents[2]
ENC = {"date_of_service": "2024-08-01", "place_of_service": "11", "lines": [{"code": "20610"}, {"code": "77002"}]}
GONE_WITHIN = 20.0  # seconds: the bound on every wait of these tests


def _stat(pid: int) -> tuple[int, int] | None:
    """(parent pid, session id) of a live process, or None (gone, or a zombie waiting for its parent)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()
    return None if fields[0] == "Z" else (int(fields[1]), int(fields[3]))


def in_session(sid: int) -> list[int]:
    """The live processes of session ``sid`` (every process the command started, wherever it was reparented)."""
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            st = _stat(int(entry))
            if st is not None and st[1] == sid:
                out.append(int(entry))
    return out


def children(pid: int) -> list[int]:
    return [int(e) for e in os.listdir("/proc") if e.isdigit() and (_stat(int(e)) or (0, 0))[0] == pid]


def wait_until(check, timeout: float = GONE_WITHIN) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if check():
            return True
        time.sleep(0.05)
    return check()


def start(*args: str, **kw) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "fluorologic.cli.main", *args], env=env, start_new_session=True,
                            **kw)


def kill_and_check(proc: subprocess.Popen) -> None:
    sid = proc.pid  # start_new_session: the session id is the leader's pid
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=GONE_WITHIN)
    left = []
    try:
        assert wait_until(lambda: not in_session(sid)), f"left running: {in_session(sid)}"
    finally:
        left = in_session(sid)
        for pid in left:  # never leave one behind for the next test
            os.kill(pid, signal.SIGKILL)


@pytest.mark.parametrize("when", ["worker_starting", "workers_solving"])
def test_kill_9_of_solve_leaves_no_worker_and_ends_the_pipe(tmp_path, when):
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"encounter_id": f"e{i}", **ENC, "lines": [{"code": "20610",
                                                                                   "units": 1 + i % 3}]}) + "\n"
                           for i in range(40_000)))
    proc = start("solve", str(src), "--format", "jsonl", "--workers", "2", stdout=subprocess.PIPE,
                 stderr=subprocess.DEVNULL)
    try:
        assert wait_until(lambda: len(children(proc.pid)) >= 2, 60), "no worker started"
        fd = proc.stdout.fileno()
        if when == "workers_solving":  # a record is out: the workers are solving
            assert select.select([fd], [], [], 120)[0] and os.read(fd, 1) == b"{"
        kill_and_check(proc)
        # nothing holds the caller's pipe any more: reading it ends (solve ... | wc -l ends)
        end = time.monotonic() + GONE_WITHIN
        while select.select([fd], [], [], max(0.0, end - time.monotonic()))[0]:
            if os.read(fd, 1 << 20) == b"":
                break
        else:
            raise AssertionError("the caller's pipe is still held open")
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stdout.close()


LATE_CHILD = """
import multiprocessing, sys, time


def late():
    time.sleep(2.0)  # the parent is killed meanwhile: the worker's initializer runs in an orphan
    from fluorologic.run.parallel import worker_process
    worker_process()
    time.sleep(600)


if __name__ == "__main__":
    multiprocessing.get_context("spawn").Process(target=late).start()
    time.sleep(600)
"""


def test_a_worker_whose_parent_died_before_its_initializer_ends(tmp_path):
    (tmp_path / "late_child.py").write_text(LATE_CHILD)
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{tmp_path}"}
    proc = subprocess.Popen([sys.executable, str(tmp_path / "late_child.py")], env=env, start_new_session=True,
                            cwd=tmp_path)
    try:
        assert wait_until(lambda: len(children(proc.pid)) >= 1, 60), "no child started"
        time.sleep(0.3)
        kill_and_check(proc)
    finally:
        if proc.poll() is None:
            proc.kill()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as res:  # noqa: S310 (loopback)
            return res.status == 200
    except OSError:
        return False


def _bindable(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


@pytest.mark.parametrize("when", ["starting", "serving"])
def test_kill_9_of_serve_leaves_no_server_process_and_frees_the_port(when):
    port = _free_port()
    proc = start("serve", "--workers", "2", "--port", str(port), stdout=subprocess.DEVNULL,
                 stderr=subprocess.DEVNULL)
    try:
        assert wait_until(lambda: len(children(proc.pid)) >= 2, 60), "no server process started"
        if when == "serving":
            assert wait_until(lambda: _healthy(port), 120), "the server never answered"
        kill_and_check(proc)
        assert wait_until(lambda: _bindable(port)), "the port is still held"
        assert not _healthy(port)
    finally:
        if proc.poll() is None:
            proc.kill()
