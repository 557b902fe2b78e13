"""A Spark session of the user's own: the executors' Python is found or named, and local sessions stay on loopback.

Each test starts its own JVM in a child process (a SparkContext is one per process), with a session built the
way a user builds one (``SparkSession.builder``), not with :func:`fluorologic.spark.local_session`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

pytest.importorskip("pyspark", reason="pyspark is not installed (pip install 'fluorologic[spark]')")

from fluorologic.spark.session import java_missing  # noqa: E402

if java_missing():
    pytest.skip(f"Spark needs Java: {java_missing()}", allow_module_level=True)

REPO = Path(__file__).resolve().parents[2]

# The child: a user's session (loopback, as every local test here must be), one encounter solved; it prints the
# billable codes and every TCP address the JVM (its child) listens on.
USER_SESSION = r"""
import json, os, sys
from pyspark.sql import SparkSession
spark = (SparkSession.builder.master("local[1]").appName("user").config("spark.ui.enabled", "false")
         .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1").getOrCreate())
from fluorologic.spark import solve
enc = {"encounter_id": "k1", "date_of_service": "2024-08-01", "place_of_service": "11",
       "lines": [{"code": "20610", "site": "left knee"}, {"code": "77002"}]}
row = solve(spark.createDataFrame([(json.dumps(enc),)], "value string")).first()
print(json.dumps({"billable": [b.code for b in row.billable], "python": spark.sparkContext.pythonExec}))
spark.stop()
"""

LOCAL_SESSION = r"""
import json, os
from fluorologic.spark import local_session
spark = local_session("local[1]")
spark.range(3).count()

def listening(pid):
    inodes = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as f:
            for line in list(f)[1:]:
                cols = line.split()
                if cols[3] == "0A" and cols[9] in inodes:  # LISTEN
                    found.append(cols[1].rsplit(":", 1)[0])
    return found

children = [int(p) for p in open(f"/proc/{os.getpid()}/task/{os.getpid()}/children").read().split()]
addresses = sorted({a for pid in children for a in listening(pid)})
conf = spark.sparkContext.getConf()
print(json.dumps({"addresses": addresses, "host": conf.get("spark.driver.host"),
                  "bind": conf.get("spark.driver.bindAddress")}))
spark.stop()
"""

# 127.0.0.1 as /proc/net/tcp writes it (little-endian hex), and its IPv4-mapped IPv6 form.
LOOPBACK_HEX = {"0100007F", "0000000000000000FFFF00000100007F"}


def _python_without_fluorologic() -> str | None:
    for name in ("/usr/bin/python3", shutil.which("python3") or ""):
        if name and os.path.exists(name) and Path(name).resolve() != Path(sys.executable).resolve():
            done = subprocess.run([name, "-c", "import fluorologic"], capture_output=True, check=False,
                                  cwd=tempfile.gettempdir())
            if done.returncode != 0:
                return name
    return None


def _run(script: str, env: dict[str, str]) -> dict:
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, env=env,
                          cwd=REPO, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_users_session_whose_python_is_not_first_on_path_solves():
    other = _python_without_fluorologic()
    if other is None:
        pytest.skip("no Python without fluorologic on this machine to stand for the PATH's first python3")
    env = dict(os.environ, PYSPARK_PYTHON=other, SPARK_LOCAL_IP="127.0.0.1")
    env.pop("PYSPARK_DRIVER_PYTHON", None)
    out = _run(USER_SESSION, env)
    assert out == {"billable": ["20610", "77002"], "python": other}  # the context keeps the user's setting


def test_local_session_listens_on_loopback_only():
    env = dict(os.environ)
    env.pop("SPARK_LOCAL_IP", None)
    out = _run(LOCAL_SESSION, env)
    assert out["host"] == out["bind"] == "127.0.0.1"
    assert out["addresses"], "the JVM listens on no TCP port: nothing was checked"
    assert set(out["addresses"]) <= LOOPBACK_HEX, out["addresses"]
