"""The real reference CMS files beside the repository (``../shared/reference/cms``) import, and the engine
decides every example the same way from them as from the embedded data. Skipped where the folder is absent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fluorologic.engine.solver import Engine
from fluorologic.rules.store import RuleStore
from fluorologic.rules.storedata import StoreRuleData

REPO = Path(__file__).resolve().parents[2]
REF = REPO / ".." / "shared" / "reference" / "cms"
pytestmark = pytest.mark.skipif(not (REF / "ncci_ptp_practitioner_2024q3.csv").is_file(),
                                reason="../shared/reference/cms not present")


@pytest.fixture(scope="module")
def ref_store(tmp_path_factory):
    store = RuleStore(tmp_path_factory.mktemp("ref") / "rules.sqlite")
    store.import_files("ptp", [REF / "ncci_ptp_practitioner_2024q3.csv"])
    store.import_files("ptp", [REF / "ncci_ptp_outpatient_hospital_2024q3.csv"])
    store.import_files("mue", [REF / "ncci_mue_2024q3.csv"], setting="practitioner")
    store.import_files("aoc", [REF / "ncci_aoc_2024q3.csv"], quarter="2024Q3")
    store.import_files("pfs", [REF / "pfs_pprrvu.csv"], quarter="2024Q3")
    store.import_files("pfs", [REF / "pfs_pprrvu.csv"], quarter="2025Q4")
    return RuleStore(store.path, readonly=True)


def test_reference_imports(ref_store):
    got = {(i.kind, i.setting, i.quarter): i.rows for i in ref_store.imports()}
    assert got == {("ptp", "practitioner", "2024Q3"): 142_655, ("ptp", "outpatient_hospital", "2024Q3"): 138_025,
                   ("mue", "practitioner", "2024Q3"): 70, ("aoc", "all", "2024Q3"): 372,
                   ("pfs", "all", "2024Q3"): 84, ("pfs", "all", "2025Q4"): 84}


def test_examples_decided_the_same_from_the_real_files(ref_store):
    emb, st = Engine(), Engine(data=StoreRuleData(ref_store))
    encs = []
    for f in sorted((REPO / "examples").glob("*.json")):
        d = json.loads(f.read_text())
        encs += d if isinstance(d, list) else [d]
    for enc in encs:
        a, b = emb.solve_record(enc), st.solve_record(enc)
        assert {k: v for k, v in a.items() if k != "audit"} == {k: v for k, v in b.items() if k != "audit"}


def test_fees_are_not_carried_back_before_the_first_loaded_release(ref_store):
    st = Engine(data=StoreRuleData(ref_store))
    enc = {"encounter_id": "f", "place_of_service": "11", "lines": [{"code": "20610", "site": "left knee"}]}
    assert st.solve(dict(enc, date_of_service="2024-08-01"))["billable"][0]["amount"] is not None
    assert st.solve(dict(enc, date_of_service="2024-03-01"))["billable"][0]["amount"] is None


def test_store_fees_go_forward_as_the_embedded_ones_do(ref_store):
    """contract.md's fee_from_prior_release: a quarter is priced from the latest earlier release of the same year."""
    data = StoreRuleData(ref_store)
    assert {20240701, 20251001} <= set(data.fee_bounds())  # every import's first day starts a fee period
    st = Engine(data=data)
    enc = {"encounter_id": "f", "place_of_service": "11", "lines": [{"code": "20610", "site": "left knee"}]}

    def priced(day: str) -> tuple:
        res = st.solve(dict(enc, date_of_service=day))
        line = res["billable"][0]
        return (line["pricing"] and line["pricing"]["release"], [a["kind"] for a in res["alerts"]])

    assert priced("2024-08-01") == ("RVU24C", [])  # the store's 2024Q3 import, named by its MPFS release
    assert priced("2024-11-01") == ("RVU24C", ["fee_from_prior_release"])  # RVU24D is in no file here
    assert priced("2025-11-15") == ("RVU25D", [])
    assert priced("2026-02-01") == (None, ["fee_unknown"])  # RVU26A: nothing of 2026 before it
