"""fluorologic.spark on a real local[2] Spark: the same Results as ``fluorologic solve``, one row per input.

One Spark session serves every test of this module (the JVM takes tens of seconds to start here). Skipped,
with the reason, only when pyspark is not installed or no Java can be found.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

pyspark = pytest.importorskip("pyspark", reason="pyspark is not installed (pip install 'fluorologic[spark]')")

from fluorologic.spark.session import java_missing  # noqa: E402

if java_missing():
    pytest.skip(f"Spark needs Java: {java_missing()}", allow_module_level=True)

from bench.generate import generate, lines  # noqa: E402
from fluorologic.engine.solver import Engine  # noqa: E402
from fluorologic.rules.source import rule_source  # noqa: E402
from fluorologic.rules.store import RuleStore  # noqa: E402
from fluorologic.spark import local_session, result_schema, solve  # noqa: E402
from fluorologic.spark.job import main as job_main  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
REF = REPO / ".." / "shared" / "reference" / "cms"
FLUOROLOGIC = Path(sys.executable).with_name("fluorologic")


@pytest.fixture(scope="module")
def spark():
    session = local_session("local[2]")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """2,000 generated encounters, 1% malformed, as a JSON Lines file."""
    path = tmp_path_factory.mktemp("spark") / "g2000.jsonl"
    path.write_text("".join(t + "\n" for t in lines(generate(2000, seed=11, malformed=0.01))))
    return path


def _cli(path: Path, *args: str) -> tuple[list[dict], str]:
    """``fluorologic solve PATH --format jsonl`` on the embedded rule data: records and standard error."""
    env = dict(os.environ, FLUOROLOGIC_STORE=str(path.with_name("no-store.sqlite")))
    proc = subprocess.run([str(FLUOROLOGIC), "solve", str(path), "--format", "jsonl", *args],
                          capture_output=True, text=True, env=env, check=False)
    assert proc.returncode in (0, 1), proc.stderr
    return [json.loads(x) for x in proc.stdout.splitlines()], proc.stderr


def test_same_results_as_the_cli_one_row_per_input(spark, batch):
    cli, _ = _cli(batch, "--workers", "2")
    df = spark.read.text(str(batch))
    rows = solve(df, result_json=True, partitions=4).collect()
    assert len(rows) == len(cli) == 2000  # one row per input line, errors included
    spark_records = [json.loads(r.result_json) for r in rows]
    ok = {r["encounter_id"]: r for r in cli if "error" not in r}
    got = {r["encounter_id"]: r for r in spark_records if "error" not in r}
    assert len(ok) > 1900
    assert got == ok  # every Result, audit trail included, compared by encounter id
    errors = [r for r in cli if "error" in r]
    assert 10 <= len(errors) < 60
    # error rows: the same encounters and fields (the CLI's message for a malformed line names its line number,
    # which a Spark row does not know)
    assert (Counter((r["encounter_id"], r["error"]["field"]) for r in spark_records if "error" in r)
            == Counter((r["encounter_id"], r["error"]["field"]) for r in errors))
    def named(records: list) -> set:  # malformed lines are named by both, their messages differ by the line number
        return {(r["encounter_id"], r["error"]["message"]) for r in records
                if "error" in r and r["encounter_id"] and "not valid JSON" not in r["error"]["message"]}

    assert named(errors) == named(spark_records)
    assert all("not valid JSON" in r["error"]["message"] for r in spark_records
               if "error" in r and r["encounter_id"] == "broken")
    # the typed columns say what the JSON says
    for row, rec in zip(rows, spark_records, strict=True):
        if "error" in rec:
            assert row.error.field == rec["error"]["field"] and row.billable is None and row.totals is None
            continue
        assert row.error is None and row.encounter_id == rec["encounter_id"]
        assert [(b.code, b.units, list(b.modifiers), b.amount) for b in row.billable] == \
            [(b["code"], b["units"], b["modifiers"], b["amount"]) for b in rec["billable"]]
        assert [(e.code, e.reason, e.by, e.rule) for e in row.excluded] == \
            [(e["code"], e["reason"], e["by"], e["rule"]) for e in rec["excluded"]]
        assert [(a.code, a.replaces) for a in row.added] == [(a["code"], a["replaces"]) for a in rec["added"]]
        assert [(a.kind, a.code) for a in row.alerts] == [(a["kind"], a["code"]) for a in rec["alerts"]]
        assert (row.totals.billed, row.totals.expected) == (rec["totals"]["billed"], rec["totals"]["expected"])
        assert json.loads(row.audit) == rec["audit"]


def test_schema_is_published_with_contract_fields(spark):
    schema = result_schema()
    names = schema.names
    assert names[:2] == ["encounter_id", "schema_version"] and "result_json" not in names
    assert schema["billable"].dataType.elementType["line_ids"].dataType.simpleString() == "array<string>"
    assert schema["excluded"].dataType.elementType["line_id"].dataType.simpleString() == "string"
    assert schema["claim"].dataType.simpleString().startswith("struct<claim_id:string")
    df = spark.createDataFrame([(1, "{}")], "row long, value string")
    out = solve(df, keep=["row"])
    assert out.schema.names == ["row", *names]
    [row] = out.collect()
    assert row.row == 1 and row.error.field == "encounter_id"


@pytest.fixture(scope="module")
def sample():
    return [e for e in generate(60, seed=5) if isinstance(e, dict)]


def test_contract_columns_and_claim_lines_give_the_same_results(spark, sample):
    expected = {r["encounter_id"]: r for r in Engine().solve_many(sample)}
    contract = spark.read.json(spark.sparkContext.parallelize([json.dumps(e) for e in sample]))
    got = {r.encounter_id: json.loads(r.result_json)
           for r in solve(contract, input="contract", result_json=True).collect()}
    assert got == expected
    rows = []
    for e in sample:
        doc = e.get("documentation") or {}
        for ln in e["lines"]:
            rows.append({"encounter_id": e["encounter_id"], "date_of_service": e["date_of_service"],
                         "place_of_service": e["place_of_service"], "equipment_owner": e.get("equipment_owner"),
                         "code": ln["code"], "units": ln.get("units", 1), "modifiers": ln.get("modifiers", []),
                         "site": ln.get("site"), "distinct": ln.get("distinct", False),
                         "fluoroscopy_time_seconds": doc.get("fluoroscopy_time_seconds"),
                         "indication": doc.get("indication"), "body_area": doc.get("body_area")})
    rows.append(dict(rows[0], encounter_id="split", date_of_service="2024-08-01"))
    rows.append(dict(rows[0], encounter_id="split", date_of_service="2024-08-02"))
    schema = ("encounter_id string, date_of_service string, place_of_service string, equipment_owner string, "
              "code string, units int, modifiers array<string>, site string, distinct boolean, "
              "fluoroscopy_time_seconds double, indication string, body_area string")
    claim_lines = spark.createDataFrame([tuple(r.values()) for r in rows], schema)
    out = {r.encounter_id: r for r in solve(claim_lines, input="lines", result_json=True).collect()}
    assert len(out) == len(sample) + 1  # one row per encounter, not per line
    assert out.pop("split").error.field == "date_of_service"  # rows that disagree: an error row, named
    assert {k: json.loads(r.result_json) for k, r in out.items()} == expected


@pytest.mark.skipif(not (REF / "ncci_mue_2024q3.csv").is_file(), reason="../shared/reference/cms not present")
def test_a_rule_store_is_shipped_to_the_executors(spark, sample, tmp_path):
    store = RuleStore(tmp_path / "rules.sqlite")
    store.import_files("mue", [REF / "ncci_mue_2024q3.csv"], setting="practitioner")
    store.close()
    path = str(tmp_path / "rules.sqlite")
    expected = {r["encounter_id"]: r for r in Engine(data=rule_source(path, "2024Q3")).solve_many(sample)}
    assert expected != {r["encounter_id"]: r for r in Engine().solve_many(sample)}  # the store changes answers
    df = spark.createDataFrame([(json.dumps(e),) for e in sample], "value string")
    got = {r.encounter_id: json.loads(r.result_json)
           for r in solve(df, store=path, as_of_quarter="2024Q3", result_json=True).collect()}
    assert got == expected


def test_bad_options_are_refused_on_the_driver(spark):
    df = spark.createDataFrame([("{}",)], "value string")
    with pytest.raises(ValueError, match="input must be one of"):
        solve(df, input="xml")
    with pytest.raises(ValueError, match="keep"):
        solve(df, keep=["nope"])
    from fluorologic.contract.errors import DataError

    with pytest.raises(DataError, match="needs a store"):
        solve(df, as_of_quarter="2024Q3")
    with pytest.raises(DataError, match="no such rule store"):
        solve(df, store="/nonexistent/rules.sqlite")


def test_job_writes_parquet_and_prints_the_cli_summary(spark, tmp_path, capsys):
    src = tmp_path / "small.jsonl"
    src.write_text("".join(t + "\n" for t in lines(generate(150, seed=3, malformed=0.03))) + "\n")
    _, cli_err = _cli(src)
    out = tmp_path / "out"
    code = job_main([str(src), str(out)])
    err = capsys.readouterr().err
    assert code == 1  # some input errors, as the CLI's exit code says
    summary = cli_err[cli_err.index("fluorologic: 150 encounters"):]
    assert summary in err
    written = spark.read.parquet(str(out))
    assert written.count() == 150 and set(result_schema().names) <= set(written.columns)
    assert job_main([str(src), str(out)]) == 2  # OUTPUT exists: refused without --mode overwrite
    assert "failed before every record was written" in capsys.readouterr().err


def test_job_reads_a_claim_line_csv(spark, tmp_path, capsys):
    src = tmp_path / "lines.csv"
    src.write_text("encounter_id,date_of_service,place_of_service,code,units,modifiers\n"
                   "e1,2024-08-01,11,20610,1,\ne1,2024-08-01,11,77002,1,\ne2,2024-08-01,22,62273,1,\n"
                   "e2,2024-08-01,22,77003,1,26\n")
    out = tmp_path / "out"
    assert job_main([str(src), str(out)]) == 0
    assert "fluorologic: 2 encounters, 0 errors" in capsys.readouterr().err
    got = {r.encounter_id: [b.code for b in r.billable] for r in spark.read.parquet(str(out)).collect()}
    assert got == {"e1": ["20610", "77002"], "e2": ["62273", "77003"]}
