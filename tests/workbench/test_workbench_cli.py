"""``fluorologic workbench FILE`` as a process: it loads the file, listens on 127.0.0.1 and prints the address."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from .conftest import free_port

BATCH = Path(__file__).resolve().parents[2] / "examples" / "batch.json"


def test_workbench_command_serves_the_loaded_batch(tmp_path):
    port = free_port()
    env = {**os.environ, "FLUOROLOGIC_STORE": str(tmp_path / "rules.sqlite")}
    env.pop("FLUOROLOGIC_TOKEN", None)
    proc = subprocess.Popen([sys.executable, "-m", "fluorologic.cli.main", "workbench", str(BATCH), "--no-browser",
                             "--port", str(port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert line.strip() == f"fluorologic workbench: http://127.0.0.1:{port}/workbench/batches/1"
        assert (tmp_path / "workbench.sqlite").exists()  # beside the rule store
        end = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/workbench/batches/1/progress.json") as r:
                    if json.loads(r.read())["status"] == "done":
                        break
            except OSError:
                pass
            assert time.monotonic() < end, "the workbench did not answer"
            time.sleep(0.2)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/workbench/batches/1") as r:
            assert "Dashboard: batch.json" in r.read().decode()
    finally:
        proc.terminate()
        proc.wait(10)
