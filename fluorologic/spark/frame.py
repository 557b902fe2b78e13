"""``solve(df)``: a Spark DataFrame of encounters in, a DataFrame of Results (typed columns) out.

The rows go to the executors' Python workers as Arrow batches (``mapInArrow``); each Python worker feeds them to
its own engine process (:mod:`fluorologic.spark.worker`), which answers with Arrow batches of
:func:`result_schema`. One output row per input encounter; invalid input gives an error row (``error`` set).

Examples
--------
>>> [f.name for f in result_schema().fields][:4]
['encounter_id', 'schema_version', 'billable', 'excluded']
>>> result_schema()["totals"].dataType.simpleString()
'struct<billed:double,expected:double,lines_without_fee:int>'

"""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import partial

from pyspark.sql import DataFrame
from pyspark.sql import functions as F  # noqa: N812 (Spark's own idiom)
from pyspark.sql.pandas.types import from_arrow_schema
from pyspark.sql.types import ArrayType, StructField, StructType

from fluorologic.contract.errors import DataError
from fluorologic.rules.source import rule_source
from fluorologic.spark.executors import python_for_job
from fluorologic.spark.inputs import MODES
from fluorologic.spark.schema import arrow_schema
from fluorologic.spark.worker import RECYCLE_ENCOUNTERS, Options, map_batches

__all__ = ["CONTRACT_COLUMNS", "result_schema", "solve"]

#: The contract's encounter fields, read as columns by ``input="contract"``.
CONTRACT_COLUMNS = ("encounter_id", "date_of_service", "place_of_service", "equipment_owner", "lines",
                    "documentation", "note", "claim")
_JSON = "__fluorologic_json"
_ROWS = "rows"


def result_schema(result_json: bool = False) -> StructType:
    """The published Spark schema of solved rows (from :data:`fluorologic.spark.schema.RESULT_ARROW_SCHEMA`)."""
    return from_arrow_schema(arrow_schema(result_json), prefer_timestamp_ntz=False)


def _ship_store(df: DataFrame, store: str | None, as_of_quarter: str | None) -> bool:
    """Check the rule store on the driver, then send it to the executors; True when Spark ships the file."""
    if store is None:
        if as_of_quarter is not None:
            raise DataError("as_of_quarter needs a store: without one the embedded rule data is used")
        return False
    if not os.path.isfile(store):
        raise DataError(f"{store}: no such rule store file")
    rule_source(store, as_of_quarter)  # raises DataError now rather than on every executor
    try:
        df.sparkSession.sparkContext.addFile(os.path.abspath(store))
    except Exception:  # noqa: BLE001 (Spark Connect has no SparkContext: the path must be readable on executors)
        return False
    return True


def _line_rows(df: DataFrame, keep: Sequence[str]) -> DataFrame:
    """Claim lines (one row each) grouped by ``encounter_id``: a ``rows`` array of text cells, in input order."""
    cells = []
    for field in df.schema.fields:
        if field.name in keep:
            continue
        col = F.col(f"`{field.name}`")
        if isinstance(field.dataType, ArrayType):
            col = F.array_join(col.cast("array<string>"), ";")
        cells.append(col.cast("string").alias(field.name))
    ordered = df.withColumn("__pos", F.monotonically_increasing_id())
    grouped = ordered.groupBy(F.col("encounter_id").cast("string").alias("encounter_id")).agg(
        F.sort_array(F.collect_list(F.struct(F.col("__pos"), F.struct(*cells).alias("row")))).alias("__rows"),
        *[F.first(f"`{k}`").alias(k) for k in keep])
    return grouped.select(*[F.col(f"`{k}`") for k in keep], F.col("encounter_id"),
                          F.transform("__rows", lambda r: r["row"]).alias(_ROWS))


def solve(df: DataFrame, *, input: str = "json", store: str | None = None,  # noqa: A002 (the issue's name)
          as_of_quarter: str | None = None, column: str | None = None, keep: Sequence[str] = (),
          result_json: bool = False, recycle: int = RECYCLE_ENCOUNTERS, partitions: int | None = None) -> DataFrame:
    """Solve every encounter of ``df``; one row of :func:`result_schema` per input encounter.

    Parameters
    ----------
    df
        The encounters: a column of encounter JSON (``input="json"``), the contract's fields as columns
        (``"contract"``: ``encounter_id``, ``date_of_service``, ``place_of_service``, ``lines`` ...), or claim lines,
        one row per line with the claim-line CSV's columns (``"lines"``: grouped by ``encounter_id``).
    input
        ``"json"``, ``"contract"`` or ``"lines"``.
    store, as_of_quarter
        A rule store file (``fluorologic data import``), shipped to the executors with ``SparkContext.addFile``,
        and a quarter loaded in it; without a store, the rule data embedded in the package.
    column
        The JSON column (``input="json"``): by default ``value`` (``spark.read.text``) or the only column.
    keep
        Input columns carried to the output in front of the Result's (e.g. a row id or a file name).
    result_json
        Add ``result_json``: the record as ``fluorologic solve --format jsonl`` prints it.
    recycle
        Encounters an engine process solves before it is replaced (clingo's memory is freed only at exit).
    partitions
        Spread the encounters over this many tasks first (a round-robin shuffle). Spark cuts files by bytes, and
        a few MB of encounters are minutes of solving: without this, a small file may be one task on one core.

    Returns
    -------
    DataFrame
        ``keep`` columns, then :func:`result_schema` (lazy: nothing runs until an action).

    Raises
    ------
    ValueError
        A bad ``input``, ``column`` or ``keep``.
    DataError
        The rule store or quarter cannot be used, or the executors' Python cannot import fluorologic (it is named;
        on a local master the driver's own Python is used instead: :mod:`fluorologic.spark.executors`).

    Examples
    --------
    >>> from fluorologic.spark.session import local_session  # doctest: +SKIP
    >>> spark = local_session()  # doctest: +SKIP
    >>> df = spark.createDataFrame([('{"encounter_id": "k1", "date_of_service": "2024-08-01", '
    ...     '"place_of_service": "11", "lines": [{"code": "20610"}, {"code": "77002"}]}',)], "value string")
    ...     # doctest: +SKIP
    >>> [b.code for b in solve(df).first().billable]  # doctest: +SKIP
    ['20610', '77002']

    """
    if input not in MODES:
        raise ValueError(f"input must be one of {', '.join(MODES)}, not {input!r}")
    keep = tuple(keep)
    names = set(result_schema(result_json).names)
    for k in keep:
        if k not in df.columns:
            raise ValueError(f"keep: the input has no column {k!r}")
        if k in names:
            raise ValueError(f"keep: {k!r} is also a column of the Result; rename it first")
    if recycle < 1:
        raise ValueError("recycle must be at least 1")
    shipped = _ship_store(df, store, as_of_quarter)
    if input == "json":
        column = column or ("value" if "value" in df.columns else df.columns[0] if len(df.columns) == 1 else None)
        if column is None or column not in df.columns:
            raise ValueError("column: name the column that holds the encounter JSON")
        prepared = df.select(*[F.col(f"`{k}`") for k in keep], F.col(f"`{column}`").cast("string").alias(_JSON))
        inputs: tuple[str, ...] = (_JSON,)
    elif input == "contract":
        inputs = tuple(c for c in CONTRACT_COLUMNS if c in df.columns)
        if "encounter_id" not in inputs:
            raise ValueError("input='contract' needs an encounter_id column")
        prepared = df.select(*[F.col(f"`{k}`") for k in keep], *inputs)
    else:
        if "encounter_id" not in df.columns:
            raise ValueError("input='lines' needs an encounter_id column")
        prepared = _line_rows(df, keep)
        inputs = ("encounter_id", _ROWS)
    if partitions is not None:
        prepared = prepared.repartition(partitions)
    options = Options(mode=input, inputs=inputs, keep=keep, store=store, shipped=shipped,
                      as_of_quarter=as_of_quarter, result_json=result_json, recycle=recycle)
    schema = StructType([StructField(k, prepared.schema[k].dataType, True) for k in keep]
                        + list(result_schema(result_json).fields))
    with python_for_job(df.sparkSession):
        return prepared.mapInArrow(partial(map_batches, options=options), schema)
