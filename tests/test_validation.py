"""Bad input gives an error record naming the field; the solver never sees unvalidated text."""

from __future__ import annotations

import pytest

from fluorologic.contract.encounter import parse_encounter
from fluorologic.contract.errors import InputError

GOOD = {"encounter_id": "v1", "date_of_service": "2024-08-14", "place_of_service": "11",
        "lines": [{"code": "20610"}, {"code": "77002"}]}


def with_(**changes):
    enc = {**GOOD, "lines": [dict(x) for x in GOOD["lines"]]}
    for key, value in changes.items():
        if key.startswith("line0_"):
            enc["lines"][0][key[6:]] = value
        elif value is None:
            enc.pop(key)
        else:
            enc[key] = value
    return enc


BAD = [
    ("malformed code", with_(line0_code="2061"), "lines[0].code"),
    ("ASP text in a code", with_(line0_code='77002"). billed(l(9)). x("'), "lines[0].code"),
    ("ASP text in a modifier", with_(line0_modifiers=['26"). x(']), "lines[0].modifiers[0]"),
    ("lowercase modifier", with_(line0_modifiers=["xs"]), "lines[0].modifiers[0]"),
    ("missing date", with_(date_of_service=None), "date_of_service"),
    ("impossible date", with_(date_of_service="2024-02-30"), "date_of_service"),
    ("badly written date", with_(date_of_service="08/14/2024"), "date_of_service"),
    ("units 0", with_(line0_units=0), "lines[0].units"),
    ("units as text", with_(line0_units="1"), "lines[0].units"),
    ("units as boolean", with_(line0_units=True), "lines[0].units"),
    ("huge units", with_(line0_units=10**12), "lines[0].units"),
    ("unknown place of service", with_(place_of_service="00"), "place_of_service"),
    ("unassigned place of service", with_(place_of_service="30"), "place_of_service"),
    ("place of service as number", with_(place_of_service=11), "place_of_service"),
    ("bad owner", with_(equipment_owner="hospital"), "equipment_owner"),
    ("missing id", with_(encounter_id=None), "encounter_id"),
    ("long id", with_(encounter_id="x" * 65), "encounter_id"),
    ("lines not a list", with_(lines="20610"), "lines"),
    ("missing lines without note", with_(lines=None), "lines"),
    ("white-space note without lines", with_(lines=[], note=" \n\t "), "note"),
    ("duplicate line_id", with_(lines=[{"code": "20610", "line_id": "1"}, {"code": "77002", "line_id": "1"}]),
     "lines[1].line_id"),
    ("distinct not boolean", with_(line0_distinct="yes"), "lines[0].distinct"),
    ("negative time", with_(documentation={"fluoroscopy_time_seconds": -1}), "documentation.fluoroscopy_time_seconds"),
]


@pytest.mark.parametrize(("label", "raw", "field"), BAD, ids=[b[0] for b in BAD])
def test_error_names_the_field(engine, label, raw, field):  # noqa: ARG001 (label names the case)
    with pytest.raises(InputError) as err:
        parse_encounter(raw)
    assert err.value.field == field
    record = engine.solve_record(raw)
    assert record["error"]["field"] == field
    assert record["error"]["message"]
    assert set(record) == {"encounter_id", "error"}


def test_non_object_encounter(engine):
    assert engine.solve_record(["not", "an", "object"])["error"]["field"] == "$"


def test_batch_with_one_bad_encounter_solves_the_others(engine):
    batch = [GOOD, with_(line0_code="BAD!!"), {**GOOD, "encounter_id": "v3"}]
    records = engine.solve_many(batch)
    assert [r["encounter_id"] for r in records] == ["v1", "v1", "v3"]
    assert "error" in records[1]
    assert [b["code"] for b in records[2]["billable"]] == ["20610", "77002"]


def test_unicode_id_is_echoed_not_interpreted(engine):
    res = engine.solve({**GOOD, "encounter_id": 'ü"). billed(l(1)). %'})
    assert res["encounter_id"] == 'ü"). billed(l(1)). %'
    assert [b["code"] for b in res["billable"]] == ["20610", "77002"]


def test_site_text_with_asp_syntax_stays_one_string(engine):
    raw = with_(line0_site='knee"). distinct(2). site(2,"x')
    res = engine.solve(raw)
    assert [b["code"] for b in res["billable"]] == ["20610", "77002"]
    assert all(not b["modifiers"] for b in res["billable"])


def test_unknown_code_passes_through(engine):
    # 97110 (therapeutic exercise) is in neither the code table nor the fee rows: billable, nothing checked, no fee
    res = engine.solve({**GOOD, "lines": [{"code": "97110"}]})
    assert [{k: b[k] for k in ("code", "units", "modifiers", "amount")} for b in res["billable"]] == [
        {"code": "97110", "units": 1, "modifiers": [], "amount": None}]
    assert [a["kind"] for a in res["alerts"]] == ["fee_unknown", "not_in_rule_base"]
    # 99213 is in the code table since the E/M rules (issue 23); its 2024 PPRRVU row prices it: 2.73 x 33.2875
    res = engine.solve({**GOOD, "lines": [{"code": "99213"}]})
    assert [{k: b[k] for k in ("code", "units", "modifiers", "amount")} for b in res["billable"]] == [
        {"code": "99213", "units": 1, "modifiers": [], "amount": 90.87}]
    assert res["alerts"] == []
    res = engine.solve({**GOOD, "date_of_service": "2023-08-14", "lines": [{"code": "99213"}]})
    assert res["billable"][0]["amount"] is None and res["billable"][0]["pricing"] is None  # no E/M row before 2024
    assert res["totals"]["lines_without_fee"] == 1
