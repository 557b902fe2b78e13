"""A local Spark session set up for fluorologic: workers on this Python, small shuffles, no UI, a JVM for short jobs.

On a cluster the session comes from ``spark-submit`` or the platform (Databricks); this is for a machine of
one's own, the tests and the benchmarks.

The JVM of a local session (driver and executor in one) compiles with the JIT's first tier only
(:data:`SHORT_JOB_JAVA_OPTIONS`): in this job the JVM only moves Arrow batches and writes Parquet, and the
optimizing compiler spends more CPU time compiling that code in a job's first minutes than its faster code
saves (docs/spark.md, Figures).

Examples
--------
>>> SHORT_JOB_JAVA_OPTIONS
'-XX:TieredStopAtLevel=1'
>>> java_missing() in (None, "java is not installed (no java on PATH and no JAVA_HOME)")
True

"""

from __future__ import annotations

import os
import shutil
import sys

from pyspark.sql import SparkSession

__all__ = ["LOOPBACK", "SHORT_JOB_JAVA_OPTIONS", "java_missing", "local_session"]

#: JVM options of a local session: C1 (the quick compiler) only; ``spark_driver_extraJavaOptions`` replaces them.
SHORT_JOB_JAVA_OPTIONS = "-XX:TieredStopAtLevel=1"

#: The address a local session's driver binds to and announces: nothing of a local job leaves the machine.
LOOPBACK = "127.0.0.1"


def java_missing() -> str | None:
    """Why Spark cannot start here (no Java), or None when a ``java`` can be found."""
    home = os.environ.get("JAVA_HOME")
    if home and os.path.exists(os.path.join(home, "bin", "java")):
        return None
    if shutil.which("java"):
        return None
    return "java is not installed (no java on PATH and no JAVA_HOME)"


def local_session(master: str = "local[2]", **conf: str) -> SparkSession:
    """A session on ``master`` whose Python workers run this interpreter (where fluorologic is installed).

    ``conf`` entries are Spark settings, with ``_`` for ``.`` (e.g. ``spark_driver_memory="2g"``); they win
    over this function's own (e.g. ``spark_driver_extraJavaOptions=""`` lets the JVM use its optimizing JIT).
    The driver binds to and announces the loopback address (:data:`LOOPBACK`: ``spark.driver.host``,
    ``spark.driver.bindAddress`` and ``SPARK_LOCAL_IP``), never the machine's network address.
    """
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    os.environ.setdefault("SPARK_LOCAL_IP", LOOPBACK)
    builder = (SparkSession.builder.master(master).appName("fluorologic")
               .config("spark.driver.host", LOOPBACK)
               .config("spark.driver.bindAddress", LOOPBACK)
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.shuffle.partitions", "8")
               .config("spark.sql.adaptive.enabled", "false")
               .config("spark.driver.extraJavaOptions", SHORT_JOB_JAVA_OPTIONS))
    for key, value in conf.items():
        builder = builder.config(key.replace("_", "."), value)
    return builder.getOrCreate()
