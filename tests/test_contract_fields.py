"""contract.md's fields of this wave: line ids and the claim object echoed, the input limits, no lone surrogate."""

from __future__ import annotations

import pytest

from fluorologic.contract.encounter import parse_encounter
from fluorologic.contract.errors import InputError

BASE = {"encounter_id": "c1", "date_of_service": "2024-08-14", "place_of_service": "22"}


def test_line_ids_and_claim_are_echoed_and_decide_nothing(engine):
    lines = [{"code": "64483", "site": "L5-S1", "line_id": "1"}, {"code": "77003", "line_id": "2"}]
    claim = {"claim_id": "CLM-9", "payer": "Medicare", "diagnoses": ["M5416"], "source": "x12-837p", "extra": [1]}
    res = engine.solve({**BASE, "lines": lines, "claim": claim})
    plain = engine.solve({**BASE, "lines": [{k: v for k, v in x.items() if k != "line_id"} for x in lines]})
    assert res["claim"] == claim
    assert [(b["code"], b["line_ids"]) for b in res["billable"]] == [("64483", ["1"])]
    assert [(e["code"], e["line_id"]) for e in res["excluded"]] == [("77003", "2")]
    # the decisions are those of the same encounter without ids
    strip = [{k: v for k, v in b.items() if k != "line_ids"} for b in res["billable"]]
    assert strip == plain["billable"]
    assert "claim" not in plain and all("line_ids" not in b for b in plain["billable"])


def test_replacement_stands_for_the_line_it_replaces(engine):
    res = engine.solve({**BASE, "place_of_service": "11",
                        "lines": [{"code": "62322", "line_id": "A"}, {"code": "77003", "line_id": "B"}]})
    added = {a["code"]: a["replaces"] for a in res["added"]}
    for b in res["billable"]:
        if b["code"] in added:
            replaced = added[b["code"]]
            assert b["line_ids"] == sorted(x for x, c in (("A", "62322"), ("B", "77003")) if c == replaced)


@pytest.mark.parametrize(("raw", "field"), [
    ({**BASE, "lines": []}, "lines"),
    ({**BASE, "lines": [{"code": "20610"}] * 51}, "lines"),
    ({**BASE, "lines": [{"code": "20610"}], "note": "x" * 200_001}, "note"),
    ({**BASE, "lines": [{"code": "20610", "site": "L5\ud800S1"}]}, "lines[0].site"),
    ({**BASE, "encounter_id": "e\udfff"}, "encounter_id"),
    ({**BASE, "lines": [{"code": "20610", "line_id": ""}]}, "lines[0].line_id"),
    ({**BASE, "lines": [{"code": "20610", "line_id": 7}]}, "lines[0].line_id"),
    ({**BASE, "lines": [{"code": "20610"}], "claim": "CLM-1"}, "claim"),
    ({**BASE, "lines": [{"code": "20610"}], "claim": {"diagnoses": "M54"}}, "claim.diagnoses"),
    ({**BASE, "lines": [{"code": "20610"}], "documentation": {"indication": "pain\ud83d"}}, "documentation.indication"),
])
def test_limits_and_text_are_enforced_naming_the_field(engine, raw, field):
    with pytest.raises(InputError) as err:
        parse_encounter(raw)
    assert err.value.field == field
    assert engine.solve_record(raw)["error"]["field"] == field


def test_empty_lines_with_a_note_is_an_encounter():
    enc = parse_encounter({**BASE, "lines": [], "note": "Fluoroscopy was used for an L5-S1 epidural."})
    assert enc.lines == ()


def test_published_schema_is_the_one_validation_uses():
    import json
    from pathlib import Path

    from click.testing import CliRunner

    from fluorologic.cli.main import main
    from fluorologic.contract.schema import contract_schema

    printed = CliRunner().invoke(main, ["schema"]).output
    published = Path(__file__).resolve().parent.parent / "docs" / "schema" / "fluorologic.schema.json"
    assert json.loads(printed) == contract_schema() == json.loads(published.read_text(encoding="utf-8"))
    enc = contract_schema()["$defs"]["EncounterIn"]
    # every assigned code of the CMS place-of-service list (fluorologic/data/place_of_service.csv)
    assert enc["properties"]["place_of_service"]["enum"] == [
        "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12", "13", "14", "15", "16", "17", "18",
        "19", "20", "21", "22", "23", "24", "25", "26", "27", "31", "32", "33", "34", "41", "42", "49", "50", "51",
        "52", "53", "54", "55", "56", "57", "58", "60", "61", "62", "65", "66", "71", "72", "81", "99"]
    assert enc["properties"]["date_of_service"]["format"] == "date"
