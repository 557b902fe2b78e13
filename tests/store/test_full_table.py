"""The full 2024Q3 practitioner PTP table (2.5 million edits) imports, and holds every embedded row unchanged.

The table lives beside the repository (``../shared/reference/cms``); the test is skipped where it is absent.
It takes about 40-60 s on a shared 2-core machine; set FLUOROLOGIC_SKIP_FULL=1 to leave it out.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest

from fluorologic.engine.solver import Engine
from fluorologic.rules.store import RuleStore
from fluorologic.rules.storedata import StoreRuleData

# the repository root is parents[2]; CI clones it beside shared/
FULL_PTP = Path(__file__).resolve().parents[2] / ".." / "shared" / "reference" / "cms" / \
    "ncci_ptp_practitioner_2024q3_full.csv.gz"

pytestmark = [
    pytest.mark.skipif(not FULL_PTP.is_file(), reason="../shared/reference/cms full PTP table not present"),
    pytest.mark.skipif(os.environ.get("FLUOROLOGIC_SKIP_FULL") == "1", reason="FLUOROLOGIC_SKIP_FULL=1"),
]


def test_full_practitioner_table_round_trip(cms, tmp_path):
    store = RuleStore(tmp_path / "rules.sqlite")
    entry = store.import_files("ptp", [FULL_PTP]).entry
    assert (entry.kind, entry.setting, entry.quarter, entry.effective) == ("ptp", "practitioner", "2024Q3", 20240701)
    assert entry.rows == 2_546_017
    assert store.import_files("ptp", [FULL_PTP]).status == "unchanged"
    active = store.conn.execute("SELECT count(*) FROM ptp WHERE deletion = 99991231").fetchone()[0]
    assert active == 1_669_820
    # every embedded row is in the full table with the same values (as a multiset)
    embedded = Counter((p.column_1, p.column_2, p.deletion, p.indicator, p.rationale, p.quarter)
                       for p in cms.ptp_rows())
    data = StoreRuleData(RuleStore(store.path, readonly=True))
    codes = sorted({c for key in embedded for c in key[:2]})
    found = Counter((p.column_1, p.column_2, p.deletion, p.indicator, p.rationale, p.quarter)
                    for p in data.select(codes, 20240801).ptp)
    missing = embedded - found
    assert not missing, f"{sum(missing.values())} embedded rows not found, e.g. {next(iter(missing))}"
    # and the engine decides the embedded examples the same way with the full table
    enc = {"encounter_id": "f", "date_of_service": "2024-08-01", "place_of_service": "11",
           "lines": [{"code": "64483", "site": "L5-S1"}, {"code": "20610"}, {"code": "77003"}]}
    full, emb = Engine(data=data).solve(enc), Engine().solve(enc)
    assert {k: v for k, v in full.items() if k != "audit"} == {k: v for k, v in emb.items() if k != "audit"}
