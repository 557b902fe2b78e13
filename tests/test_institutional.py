"""The hospital's claim (``claim_type`` institutional): OPPS status indicators, APCs and the I/OCE edits by quarter.

Each case of ``tests/institutional/golden.json`` cites the embedded I/OCE rows (file and row text, with the
OCE version range) that every expectation rests on; the test checks that each cited row is in the data.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from importlib import resources
from pathlib import Path

import pytest

from fluorologic.engine.encodings import rule_ids
from fluorologic.engine.solver import Engine
from fluorologic.run import parallel
from fluorologic.run.batchrun import run_solve

CASES = json.loads((Path(__file__).parent / "institutional" / "golden.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(strict=True)


def _data_lines(name: str) -> list[str]:
    raw = resources.files("fluorologic.data").joinpath(name).read_bytes()
    return (gzip.decompress(raw) if name.endswith(".gz") else raw).decode("utf-8").splitlines()


def _outcome(res: dict) -> dict:
    return {
        "billable": [[b["code"], b["units"], b["modifiers"], b["amount"],
                      b["pricing"] and b["pricing"]["status_indicator"], b["pricing"] and b["pricing"]["apc"],
                      [a["rule"] for a in b["pricing"]["adjustments"]] if b["pricing"] else None]
                     for b in res["billable"]],
        "release": sorted({b["pricing"]["release"] for b in res["billable"] if b["pricing"]}),
        "excluded": [[x["code"], x["units"], x["reason"], x["by"], x["rule"]] for x in res["excluded"]],
        "added": [[a["code"], a["units"], a["reason"], a["replaces"]] for a in res["added"]],
        "alerts": [[a["kind"], a["code"]] for a in res["alerts"]],
        "totals": res["totals"],
    }


@pytest.mark.parametrize("case", CASES, ids=[c["encounter"]["encounter_id"] for c in CASES])
def test_institutional_golden(engine: Engine, case: dict) -> None:
    res = engine.solve(case["encounter"])
    assert _outcome(res) == case["expected"], case["description"]
    for entry in res["excluded"] + res["alerts"]:
        assert entry["rule"] in rule_ids()
        assert entry["detail"].endswith(".")


@pytest.mark.parametrize("case", CASES, ids=[c["encounter"]["encounter_id"] for c in CASES])
def test_every_expectation_cites_an_embedded_oce_row(case: dict) -> None:
    assert case["cites"]
    for cite in case["cites"]:
        name, row = cite.split(": ", 1)
        assert any(line.startswith(row) for line in _data_lines(name)), cite


def test_batch_path_equals_single_path(engine: Engine) -> None:
    """The keyed batch (memo keys with the claim type and the OCE dates) answers as one encounter at a time."""
    raws = [c["encounter"] for c in CASES]
    # the same claims on other days: each OCE quarter boundary is a rule date of the memo key
    for day in ("2019-07-01", "2019-12-31", "2020-01-01", "2022-12-31", "2023-01-01", "2025-12-31", "2026-01-01",
                "2026-06-30", "2027-07-01", "2018-03-01"):
        raws += [{**c["encounter"], "encounter_id": f"{c['encounter']['encounter_id']}-{day}",
                  "date_of_service": day} for c in CASES]
    fresh = Engine()
    assert fresh.solve_many(raws) == [engine.solve(r) for r in raws]


def test_professional_claim_is_unchanged_by_the_hospital_rules(engine: Engine) -> None:
    """The same lines as a professional claim: practitioner tables, MPFS fees, 26 appended, no pricing.apc."""
    enc = dict(CASES[0]["encounter"])
    enc.pop("claim_type")
    prof = engine.solve(enc)
    assert prof == engine.solve({**enc, "claim_type": "professional"})
    assert [(b["code"], b["modifiers"]) for b in prof["billable"]] == [("64483", [])]
    assert all("pricing" not in b or b["pricing"] is None or b["pricing"].get("apc") is None
               for b in prof["billable"])
    hosp = engine.solve(CASES[0]["encounter"])
    assert hosp["billable"][0]["pricing"]["apc"] == "5443"


def test_no_26_on_the_hospitals_claim(engine: Engine) -> None:
    enc = {"encounter_id": "h26", "date_of_service": "2024-08-14", "place_of_service": "22",
           "lines": [{"code": "20610", "site": "left knee"}, {"code": "77002", "site": "left knee"}]}
    prof = engine.solve(enc)
    hosp = engine.solve({**enc, "claim_type": "institutional"})
    assert [b["modifiers"] for b in prof["billable"] if b["code"] == "77002"] == [["26"]]
    assert [b["modifiers"] for b in hosp["billable"] if b["code"] == "77002"] == [[]]


def test_audit_cites_the_oce_rows(engine: Engine) -> None:
    res = engine.solve(CASES[0]["encounter"])
    tables = {a["source"]["table"] for a in res["audit"] if a["source"]}
    assert "NCCI PTP outpatient hospital (I/OCE map_ncci)" in tables
    assert "I/OCE APC payment (data_apc)" in tables
    assert not any(a["rule"] == "fee.pfs" for a in res["audit"])


def test_every_family_code_has_a_status_row_per_quarter() -> None:
    """The embedded status table covers 2019Q3-2026Q2 without overlaps for each code (one SI per day)."""
    rows = list(csv.DictReader(io.StringIO("\n".join(_data_lines("opps_status.csv")))))
    by_code: dict[str, list[tuple[str, str]]] = {}
    for r in rows:
        by_code.setdefault(r["code"], []).append((r["effective_date"] or "0000", r["deletion_date"] or "9999"))
    for code, spans in by_code.items():
        spans.sort()
        for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
            assert end < start, code


def test_the_hospital_table_not_the_practitioners(engine: Engine) -> None:
    """62273/64483: indicator 0 in the practitioner table (64483 never billed), 1 in the outpatient-hospital one."""
    case = next(c for c in CASES if c["encounter"]["encounter_id"] == "i15")
    prof = {k: v for k, v in case["encounter"].items() if k != "claim_type"}
    res = engine.solve(prof)
    assert [(x["code"], x["reason"], x["by"]) for x in res["excluded"]] == [("64483", "ptp_bundled", "62273")]
    assert "modifier indicator 0" in res["excluded"][0]["detail"]


def _run(text: str, workers: int) -> str:
    parallel._WORKER_ENGINE = None  # a cold start, as the command has
    out, err = io.StringIO(), io.StringIO()
    run_solve(io.StringIO(text), "jsonl", out=out, workers=workers, chunk_size=32, summary=False, err=err)
    return out.getvalue()


def test_memos_and_workers_give_the_single_path_answers(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """Hospital and professional claims of the same lines on days across the OCE years, through the command's
    path: memos on or off, one worker or two, equal to the one-encounter path."""
    raws = []
    for day in ("2019-08-01", "2021-05-05", "2022-03-09", "2024-08-14", "2026-01-02"):
        for c in CASES:
            enc = {**c["encounter"], "encounter_id": f"{c['encounter']['encounter_id']}-{day}", "date_of_service": day}
            raws.append(enc)
            prof = {k: v for k, v in enc.items() if k != "claim_type"}
            raws.append(prof | {"encounter_id": enc["encounter_id"] + "p"})
    text = "".join(json.dumps(r) + "\n" for r in raws)
    monkeypatch.setenv("FLUOROLOGIC_MEMO_SIZE", "0")
    off = _run(text, 1)
    monkeypatch.setenv("FLUOROLOGIC_MEMO_SIZE", "10000")
    assert off == _run(text, 1) == _run(text, 2)
    assert [json.loads(line) for line in off.splitlines()] == [engine.solve(r) for r in raws]


def test_26_on_the_hospitals_claim_is_reviewed(engine: Engine) -> None:
    lines = [{"code": "62273"}, {"code": "77003", "modifiers": ["26"]}]
    res = engine.solve({"encounter_id": "r26", "date_of_service": "2024-08-14", "place_of_service": "22",
                        "claim_type": "institutional", "lines": lines})
    assert [(a["kind"], a["code"], a["rule"]) for a in res["alerts"] if a["kind"] == "modifier_review"] == [
        ("modifier_review", "77003", "modifier.review_26_hospital")]
