"""The note reader's rule tables are data: they load, validate, and round-trip."""

from __future__ import annotations

import pytest

from fluorologic.contract.errors import DataError
from fluorologic.notes.context import ContextRule, ContextRules


def test_context_rules_round_trip():
    rules = ContextRules.embedded().rules
    assert rules
    for i, rule in enumerate(rules):
        assert ContextRule.from_dict(rule.to_dict(), f"rule {i}") == rule


@pytest.mark.parametrize(("raw", "message"), [
    ({"pattern": "no", "category": "MAYBE"}, "category"),
    ({"pattern": "no", "category": "NEGATED", "direction": "sideways"}, "direction"),
    ({"pattern": "no", "category": "NEGATED", "max_tokens": 0}, "max_tokens"),
    ({"pattern": "(", "category": "NEGATED"}, "does not compile"),
    ({"category": "NEGATED"}, "pattern"),
])
def test_bad_context_rule_names_the_problem(raw, message):
    with pytest.raises(DataError, match=message):
        ContextRule.from_dict(raw, "rule 7")
