"""Issue 29 item 8: a request read timeout. A client that never sends its request head gets 408 and the connection
is closed; one that stops in the middle of a body is disconnected; a slow but steady client is served. Both of
uvicorn's protocols (httptools, h11) with the deadlines lowered, and ``fluorologic serve`` itself as shipped."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
SERVER = """
import sys
import uvicorn
from fluorologic.service import timeouts
from fluorologic.service.app import Settings, create_app
cls = getattr(timeouts, sys.argv[2])
cls.head_timeout = cls.body_idle_timeout = 1.5
app = create_app(Settings(solver_process=False))
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning", http=cls)
"""
BODY = json.dumps({"encounter_id": "a", "date_of_service": "2024-08-01", "place_of_service": "11",
                   "lines": [{"code": "20610"}, {"code": "77002"}]}).encode()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_up(proc: subprocess.Popen, port: int) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                if s.recv(64).startswith(b"HTTP/1.1 200"):
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError("the server did not start")


def read_all(s: socket.socket, limit: float) -> tuple[bytes, float]:
    """Everything the server sends until it closes, and how long that took (bounded by ``limit``)."""
    start = time.monotonic()
    s.settimeout(limit)
    out = b""
    try:
        while data := s.recv(65536):
            out += data
    except (TimeoutError, ConnectionResetError):
        pass
    return out, time.monotonic() - start


def post_head(length: int) -> bytes:
    return (b"POST /v1/solve HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n" % length)


@pytest.fixture(params=["HttpToolsWithTimeout", "H11WithTimeout"])
def server(request, tmp_path):
    port = free_port()
    (tmp_path / "server.py").write_text(SERVER)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("FLUOROLOGIC_TOKEN", None)
    proc = subprocess.Popen([sys.executable, str(tmp_path / "server.py"), str(port), request.param], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_up(proc, port)
        yield port
    finally:
        proc.kill()
        proc.wait(timeout=30)


def test_slow_and_silent_clients_are_cut_and_steady_ones_served(server):
    with socket.create_connection(("127.0.0.1", server)) as s:  # says nothing
        answer, took = read_all(s, 15)
    assert answer.startswith(b"HTTP/1.1 408") and took < 10
    with socket.create_connection(("127.0.0.1", server)) as s:  # half a head
        s.sendall(b"POST /v1/solve HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        answer, took = read_all(s, 15)
    assert answer.startswith(b"HTTP/1.1 408") and took < 10
    with socket.create_connection(("127.0.0.1", server)) as s:  # a body that stops
        s.sendall(post_head(len(BODY)) + BODY[:10])
        answer, took = read_all(s, 15)
    assert answer == b"" or not answer.startswith(b"HTTP/1.1 200")
    assert took < 10
    with socket.create_connection(("127.0.0.1", server)) as s:  # slow but steady: 1 s a piece, 3 s in all
        s.sendall(post_head(len(BODY)))
        for i in range(0, len(BODY), len(BODY) // 3 + 1):
            time.sleep(1.0)
            s.sendall(BODY[i:i + len(BODY) // 3 + 1])
        s.settimeout(30)
        assert s.recv(65536).startswith(b"HTTP/1.1 200")


def test_serve_as_shipped_cuts_a_client_that_never_sends_its_head():
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("FLUOROLOGIC_TOKEN", None)
    proc = subprocess.Popen([sys.executable, "-m", "fluorologic.cli.main", "serve", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_up(proc, port)
        with socket.create_connection(("127.0.0.1", port)) as s:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            answer, took = read_all(s, 25)
        assert answer.startswith(b"HTTP/1.1 408")
        assert 9 < took < 20
    finally:
        proc.kill()
        proc.wait(timeout=30)
