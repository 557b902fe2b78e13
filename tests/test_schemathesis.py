"""schemathesis against a real `fluorologic serve`: what the published OpenAPI says is what the service does.

A bounded run (``FLUOROLOGIC_SCHEMATHESIS_EXAMPLES``, default 25 per operation) of every check; a long run is
the same command with more examples (docs/service.md).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.skipif(shutil.which("schemathesis") is None and shutil.which("st") is None,
                    reason="schemathesis is not installed (pip install '.[test]')")
def test_schemathesis_finds_no_failure(tmp_path):
    port = _free_port()
    env = {**os.environ, "FLUOROLOGIC_STORE": str(tmp_path / "none.sqlite")}
    server = subprocess.Popen([sys.executable, "-m", "fluorologic.cli.main", "serve", "--port", str(port)],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{url}/healthz", timeout=1)  # noqa: S310 (loopback)
                break
            except OSError:
                time.sleep(0.5)
        examples = os.environ.get("FLUOROLOGIC_SCHEMATHESIS_EXAMPLES", "25")
        run = subprocess.run([shutil.which("schemathesis") or "st", "run", f"{url}/openapi.json", "--checks", "all",
                              "-n", examples, "--generation-deterministic", "--request-timeout", "30"],
                             cwd=ROOT, capture_output=True, text=True, timeout=600)
        assert run.returncode == 0, run.stdout[-4000:]
    finally:
        server.terminate()
        server.wait(timeout=30)
