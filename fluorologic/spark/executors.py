"""The executors' Python: the interpreter that runs ``solve(df)``'s batches must be able to import fluorologic.

PySpark starts its Python workers with the context's ``pythonExec``: ``PYSPARK_PYTHON`` as the SparkContext
started, else ``python3`` from the PATH. In a session the user built (not :func:`~fluorologic.spark.local_session`)
from a virtual environment that is not first on the PATH, that is another Python, without fluorologic, and every
task would fail with a bare ``No module named 'fluorologic'`` deep in a Java stack trace. So before the job is
built:

- on a local master (the executors are this machine), a Python that cannot import fluorologic is replaced, for
  this job's function only, by the driver's own interpreter (which can: it is running this code);
- on a cluster, one tiny probe task imports fluorologic on an executor; if it cannot, :class:`DataError` names the
  executors' Python and the two settings that choose it (``spark.pyspark.python`` / ``PYSPARK_PYTHON``).

Examples
--------
>>> imports_fluorologic(sys.executable)
True
>>> imports_fluorologic("/no/such/python")
False

"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

from fluorologic.contract.errors import DataError

__all__ = ["executor_python", "imports_fluorologic", "probe", "python_for_job"]

_HOW = ("set spark.pyspark.python (or PYSPARK_PYTHON before the session starts) to a Python where fluorologic is "
        "installed, or start the session with fluorologic.spark.local_session()")


@cache
def imports_fluorologic(python: str) -> bool:
    """Whether the interpreter ``python`` (a path or a name on the PATH) can import fluorologic's Spark worker."""
    try:
        done = subprocess.run([python, "-c", "import fluorologic.spark.worker"], capture_output=True, timeout=120,
                              check=False, stdin=subprocess.DEVNULL, cwd=tempfile.gettempdir())
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0


def executor_python(context: Any) -> str:
    """The Python the context starts its Python workers with (``pythonExec``, which every job's function carries)."""
    return context.pythonExec


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def probe(_: object) -> str:
    """Run on an executor by the probe task: importing this module there is the test; returns its Python."""
    return sys.executable


@contextmanager
def python_for_job(session: Any) -> Iterator[str | None]:
    """While building the job's function, make sure its Python can import fluorologic; yield that Python.

    Yields None on Spark Connect (no SparkContext: the platform chooses the executors' Python).

    Raises
    ------
    DataError
        On a cluster whose executors' Python cannot import fluorologic, naming it and the settings to change.

    """
    try:
        context = session.sparkContext
    except Exception:  # noqa: BLE001 (Spark Connect has no SparkContext)
        yield None
        return
    python = executor_python(context)
    if _same_file(python, sys.executable) or (context.master.startswith("local") and imports_fluorologic(python)):
        yield python
        return
    if context.master.startswith("local"):
        saved = context.pythonExec
        context.pythonExec = sys.executable  # this job's function only: restored as soon as it is built
        try:
            yield sys.executable
        finally:
            context.pythonExec = saved
        return
    try:
        context.parallelize([0], 1).map(probe).collect()
    except Exception as exc:  # noqa: BLE001 (a Py4J or Python exception from the executor)
        text = str(exc)
        if "fluorologic" in text and ("ModuleNotFoundError" in text or "No module named" in text):
            raise DataError(f"the executors' Python ({python}) cannot import fluorologic: {_HOW}") from None
        raise
    yield python
