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


def test_distinct_prefilter_words_cover_the_pattern():
    import json
    from importlib import resources

    from fluorologic.notes.findings import _DISTINCT_WORDS
    raw = json.loads(resources.files("fluorologic.data").joinpath("note_vocabulary.json").read_text("utf-8"))
    for alt in raw["patterns"]["distinct_service"]:
        assert any(w in alt.lower() for w in _DISTINCT_WORDS), alt


def test_vocabulary_patterns_compile_and_name_errors():
    from fluorologic.notes.lexicon import pattern, section_words
    for name in ("modality", "weak_modality", "views", "generic", "films", "view_live_context", "spine_words",
                 "limb_words", "not_fluoro_time", "narrative_start", "distinct_service"):
        assert pattern(name).pattern
    assert dict(section_words())["history"]
    with pytest.raises(DataError, match="no_such"):
        pattern("no_such")
