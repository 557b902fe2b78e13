"""Issue 14 point 7: ``--as-of-quarter`` keeps every rule row whose dates cover the date of service.

Two imported MUE quarters, both with the real 2024Q3 row 77002 = 1 (mue_practitioner.csv): forcing the
later quarter used to drop its MUE rows for dates of service before that quarter's effective date, and
77002 x2 was billed in full.
"""

from __future__ import annotations

from fluorologic.engine.solver import Engine
from fluorologic.rules.store import RuleStore
from fluorologic.rules.storedata import StoreRuleData


def test_forcing_a_later_quarter_keeps_its_mue_for_an_earlier_date(cms, tmp_path):
    store = RuleStore(tmp_path / "rules.sqlite")
    for eff in ("07-01-2024", "10-01-2024"):
        store.import_files("mue", [cms.write_mue_csv(tmp_path / f"MCR_MUE_PractitionerServices_Eff_{eff}.csv")])
    enc = {"encounter_id": "q", "date_of_service": "2024-08-01", "place_of_service": "11",
           "lines": [{"code": "20610"}, {"code": "77002", "units": 2}]}
    for as_of in (None, "2024Q3", "2024Q4"):
        data = StoreRuleData(RuleStore(store.path, readonly=True), as_of=as_of)
        res = Engine(data=data).solve(enc)
        assert [(b["code"], b["units"]) for b in res["billable"]] == [("20610", 1), ("77002", 1)], as_of
        assert [(x["code"], x["units"], x["reason"]) for x in res["excluded"]] == [("77002", 1, "unit_limit")]
