"""Invariants of every hospital's claim (``claim_type`` institutional), as hypothesis properties over the I/OCE data."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fluorologic import testing as ft
from fluorologic.engine.solver import Engine
from fluorologic.rules.opps import OppsData
from fluorologic.rules.ruledata import RuleData

DATA = RuleData.embedded()
OPPS = OppsData.embedded()
POOL = ["20610", "20611", "27093", "27096", "62273", "62323", "64483", "64484", "64493", "64635", "64636", "22514",
        "22515", "0202T", "76000", "77002", "77003", "G0260", "72295", "27216"]
DAYS = st.sampled_from(["2019-08-01", "2020-06-15", "2021-07-01", "2022-03-09", "2023-12-31", "2024-08-14",
                        "2025-10-01", "2026-01-02", "2026-06-30"])


def hospital_claims() -> st.SearchStrategy[dict]:
    return st.tuples(ft.encounters(DATA, codes=POOL, max_lines=5), DAYS).map(
        lambda t: {**t[0], "date_of_service": t[1], "claim_type": "institutional"})


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine()


def _si(code: str, day: str) -> str | None:
    dos = int(day.replace("-", ""))
    return next((r.status_indicator for r in OPPS.status.get(code, ()) if r.effective <= dos <= r.deletion), None)


@given(raw=hospital_claims())
def test_hospital_claim_invariants(engine: Engine, raw: dict) -> None:
    res = engine.solve(raw)
    ft.assert_units_partition(raw, res)
    day = raw["date_of_service"]
    billable = res["billable"]
    for b in billable:
        si = _si(b["code"], day)
        assert "26" not in b["modifiers"] or any(ln.get("modifiers") and "26" in ln["modifiers"]
                                                for ln in raw["lines"]), "26 appended on the hospital's claim"
        if b["pricing"] is not None:
            assert b["pricing"]["status_indicator"] in (si, None)
            assert b["pricing"]["release"].startswith("OPPS ")
        rules = [a["rule"] for a in (b["pricing"] or {}).get("adjustments", ())]
        if "packaged" in rules:
            assert b["amount"] == 0
        if si == "N" and b["pricing"] is not None:
            assert b["amount"] == 0 and rules == ["packaged"]
        if si in ("B", "C", "E1"):
            kinds = {a["kind"] for a in res["alerts"] if a["code"] == b["code"]}
            assert kinds & {"inpatient_only", "opps_not_payable"} and b["amount"] == 0
    j1 = [b for b in billable if b["pricing"] and b["pricing"]["status_indicator"] == "J1" and b["amount"]]
    assert len(j1) <= 1, "one comprehensive payment per claim"
    if j1:
        assert all(b["amount"] in (0, None) for b in billable if b is not j1[0])
    full_t = [b for b in billable if b["pricing"] and b["pricing"]["status_indicator"] == "T" and b["amount"]
              and not any(a["rule"] == "multiple_procedure" and "not the highest" in a["detail"]
                          for a in b["pricing"]["adjustments"])]
    assert len(full_t) <= 1, "one T procedure at 100%"
    assert not any(b["code"] == "27096" for b in billable), "27096 is never billed on the hospital's claim"
