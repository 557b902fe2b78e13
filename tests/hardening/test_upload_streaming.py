"""Issue 29 item 7: the workbench streams an upload to a temporary file and stops at the limit. A chunked upload
far over the limit is answered 413 before the client has sent it all, and the server process does not grow by
the size of the body. The server runs in its own process with the limit lowered to 8 MB (so that the test sends
200 MB, not 600); its peak memory (VmHWM) is read from /proc."""

from __future__ import annotations

import os
import select
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc (Linux)")]

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 8 * 1024 * 1024
SENT = 200 * 1024 * 1024
SERVER = """
import sys
import uvicorn
from fluorologic.service.app import Settings, create_app
from fluorologic.service.workbench import routes
routes.MAX_UPLOAD = {limit}
app = create_app(Settings(store=sys.argv[2], solver_process=False))
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
"""


def peak_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def up(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            return s.recv(64).startswith(b"HTTP/1.1 200")
    except OSError:
        return False


def test_a_chunked_upload_over_the_limit_is_refused_without_buffering_it(tmp_path):
    port = free_port()
    script = tmp_path / "server.py"
    script.write_text(SERVER.format(limit=LIMIT))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "FLUOROLOGIC_WORKBENCH_DB": str(tmp_path / "wb.sqlite")}
    env.pop("FLUOROLOGIC_TOKEN", None)
    proc = subprocess.Popen([sys.executable, str(script), str(port), str(tmp_path / "rules.sqlite")], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 90
        while not up(port):
            assert time.monotonic() < deadline and proc.poll() is None, "the server did not start"
            time.sleep(0.2)
        before = peak_kb(proc.pid)
        chunk = (b'{"encounter_id": "x", "note": "' + b"a" * 65_000 + b'"}\n')
        sent, answer = 0, b""
        with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
            s.sendall(b"POST /workbench/load?name=big.jsonl HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                      b"Origin: http://127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n")
            try:
                while sent < SENT:
                    s.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                    sent += len(chunk)
                    if select.select([s], [], [], 0)[0]:
                        break
                else:
                    s.sendall(b"0\r\n\r\n")
            except (BrokenPipeError, ConnectionResetError):
                pass
            try:
                while select.select([s], [], [], 10)[0]:
                    data = s.recv(65536)
                    if not data:
                        break
                    answer += data
            except ConnectionResetError:
                pass
        grown_mb = (peak_kb(proc.pid) - before) / 1024
        assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
        assert sent < SENT  # answered before the whole body was sent
        assert grown_mb < 64, f"the server grew by {grown_mb:.0f} MB"
        assert up(port)  # and it still serves
    finally:
        proc.kill()
        proc.wait(timeout=30)
