"""Spark: solve the encounters of a DataFrame with the same engine, one Result row per encounter.

An optional integration (``pip install 'fluorologic[spark]'``): Spark is imported here only, and only when
:func:`solve`, :func:`result_schema` or :func:`local_session` is first used, so the engine's processes on the
executors never load it. See docs/spark.md.

Examples
--------
>>> import fluorologic.spark as fs
>>> sorted(fs.__all__)
['local_session', 'result_schema', 'solve']

"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__all__ = ["local_session", "result_schema", "solve"]

_WHERE = {"solve": "fluorologic.spark.frame", "result_schema": "fluorologic.spark.frame",
          "local_session": "fluorologic.spark.session"}


def __getattr__(name: str) -> Any:
    """The public names, imported on first use (PEP 562): pyspark loads only when Spark is used."""
    if name in _WHERE:
        return getattr(import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'fluorologic.spark' has no attribute {name!r}")
