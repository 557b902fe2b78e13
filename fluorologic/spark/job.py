"""The job entry point: ``python -m fluorologic.spark INPUT OUTPUT`` (spark-submit, a Databricks job, or a laptop).

Reads JSON Lines (one encounter per line), a claim-line CSV (the columns of docs/batch.md, grouped by
``encounter_id``) or Parquet (contract columns, claim lines, or one JSON text column), solves every encounter
with :func:`fluorologic.spark.solve`, writes the rows as Parquet (Delta with ``--format delta``, or by default
when the session has Delta), then prints the summary ``fluorologic solve`` prints, from the written rows.
Exit codes as the CLI's: 0 all solved, 1 some input errors (their error rows are written), 2 usage error or a
failed run.

Examples
--------
>>> args = parser().parse_args(["in.jsonl", "out"])
>>> args.format, args.input, input_format(args.source)
('auto', None, 'jsonl')

"""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F  # noqa: N812 (Spark's own idiom)

from fluorologic.contract.errors import DataError
from fluorologic.run.parallel import Summary
from fluorologic.spark.frame import solve
from fluorologic.spark.inputs import MODES
from fluorologic.spark.session import local_session

__all__ = ["delta_available", "input_format", "main", "parser", "summary_of"]

_DELTA_CLASSES = ("org.apache.spark.sql.delta.sources.DeltaDataSource",
                  "com.databricks.sql.transaction.tahoe.sources.DeltaDataSource")


def parser() -> argparse.ArgumentParser:
    """The command line of the job."""
    p = argparse.ArgumentParser(prog="python -m fluorologic.spark", description=__doc__.splitlines()[0])
    p.add_argument("source", metavar="INPUT", help="a file or folder: .jsonl/.json, .csv or .parquet")
    p.add_argument("output", metavar="OUTPUT", help="the folder to write (Parquet or Delta)")
    p.add_argument("--input-format", choices=("auto", "jsonl", "csv", "parquet"), default="auto",
                   help="how INPUT is stored (auto: by its name)")
    p.add_argument("--input", choices=MODES, default=None,
                   help="how rows hold encounters (default: by the columns: lines -> contract, code -> lines)")
    p.add_argument("--format", choices=("auto", "parquet", "delta"), default="auto",
                   help="output format (auto: Delta when the session has it, else Parquet)")
    p.add_argument("--mode", choices=("error", "overwrite"), default="error", help="when OUTPUT exists")
    p.add_argument("--store", help="rule store file (fluorologic data import); shipped to the executors")
    p.add_argument("--as-of-quarter", help="a quarter loaded in --store, e.g. 2024Q3")
    p.add_argument("--json", action="store_true", help="add the result_json column")
    p.add_argument("--partitions", type=int, help="solve in this many tasks (default: 4 per core of the cluster)")
    p.add_argument("--master", help="Spark master when not run by spark-submit (default local[*])")
    return p


def input_format(path: str) -> str:
    """``jsonl``, ``csv`` or ``parquet``, from the name of ``path``."""
    low = path.lower().rstrip("/")
    if low.endswith(".csv") or low.endswith(".csv.gz"):
        return "csv"
    if low.endswith(".parquet") or (os.path.isdir(path) and any(n.endswith(".parquet") for n in os.listdir(path))):
        return "parquet"
    return "jsonl"


def delta_available(spark: SparkSession) -> bool:
    """Whether the session can write Delta tables (its JVM has a Delta data source)."""
    try:
        jvm = spark.sparkContext._jvm
        loader = jvm.java.lang.Thread.currentThread().getContextClassLoader()
    except Exception:  # noqa: BLE001 (Spark Connect: no JVM to ask)
        return False
    for name in _DELTA_CLASSES:
        try:
            jvm.java.lang.Class.forName(name, False, loader)
            return True
        except Exception:  # noqa: BLE001, S112 (py4j raises for a class that is not there)
            continue
    return False


def _read(spark: SparkSession, path: str, fmt: str) -> tuple[DataFrame, str]:
    if fmt == "jsonl":
        df = spark.read.text(path)
        return df.where(F.trim(F.col("value")) != ""), "json"  # blank lines are no encounters, as in the CLI
    if fmt == "csv":
        return spark.read.option("header", True).csv(path), "lines"
    df = spark.read.parquet(path)
    mode = "contract" if "lines" in df.columns else "lines" if "code" in df.columns else "json"
    return df, mode


def summary_of(rows: DataFrame) -> Summary:
    """The CLI's summary of written rows: counts, exclusion reasons, totals in cents (as ``Summary.add`` rounds)."""
    head = rows.agg(F.count(F.lit(1)).alias("n"),
                    F.count("error").alias("errors"),
                    F.sum(F.bround(F.col("totals.billed") * 100)).alias("billed"),
                    F.sum(F.bround(F.col("totals.expected") * 100)).alias("expected")).first()
    reasons = rows.select(F.explode("excluded.reason").alias("reason")).groupBy("reason").count().collect()
    summary = Summary()
    summary.encounters = int(head["n"])
    summary.errors = int(head["errors"])
    summary.billed_cents = int(head["billed"] or 0)
    summary.expected_cents = int(head["expected"] or 0)
    summary.excluded = Counter({r["reason"]: int(r["count"]) for r in reasons})
    return summary


def _session(master: str | None) -> SparkSession:
    if master is None and ("PYSPARK_GATEWAY_PORT" in os.environ or SparkSession.getActiveSession() is not None):
        return SparkSession.builder.getOrCreate()  # spark-submit, Databricks: the platform's session
    return local_session(master or "local[*]")


def main(argv: list[str] | None = None) -> int:
    """Run the job; return the exit code."""
    args = parser().parse_args(argv)
    fmt = input_format(args.source) if args.input_format == "auto" else args.input_format
    if fmt != "parquet" and not os.path.exists(args.source) and "://" not in args.source:
        sys.stderr.write(f"fluorologic: cannot read {args.source}: no such file or folder\n")
        return 2
    spark = _session(args.master)
    out_fmt = args.format if args.format != "auto" else ("delta" if delta_available(spark) else "parquet")
    if out_fmt == "delta" and not delta_available(spark):
        sys.stderr.write("fluorologic: --format delta: this Spark session has no Delta Lake (delta-spark)\n")
        return 2
    df, mode = _read(spark, args.source, fmt)
    partitions = args.partitions or 4 * spark.sparkContext.defaultParallelism
    try:
        solved = solve(df, input=args.input or mode, store=args.store, as_of_quarter=args.as_of_quarter,
                       result_json=args.json, partitions=partitions)
    except (ValueError, DataError) as exc:
        sys.stderr.write(f"fluorologic: {exc}\n")
        return 2
    try:
        solved.write.format(out_fmt).mode(args.mode).save(args.output)
    except Exception as exc:  # noqa: BLE001 (an AnalysisException for an existing OUTPUT, a failed task ...)
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        sys.stderr.write(f"fluorologic: the job failed before every record was written: {first}\n")
        return 2
    summary = summary_of(spark.read.format(out_fmt).load(args.output))
    sys.stderr.write(summary.text() + "\n")
    return 1 if summary.errors else 0
