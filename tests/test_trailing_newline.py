"""Regression: ``re.match`` with ``$`` accepts a trailing newline, so "77003\\n" passed as a code."""

from fluorologic.engine.solver import Engine


def test_a_code_or_modifier_with_a_trailing_newline_is_an_input_error():
    engine = Engine()
    base = {"encounter_id": "nl", "date_of_service": "2024-08-01", "place_of_service": "11"}
    rec = engine.solve_record({**base, "lines": [{"code": "62273"}, {"code": "77003"}, {"code": "77003\n"}]})
    assert rec["error"]["field"] == "lines[2].code"
    rec = engine.solve_record({**base, "lines": [{"code": "62273", "modifiers": ["26\n"]}]})
    assert rec["error"]["field"] == "lines[0].modifiers[0]"
