"""Note findings in the graph: a negated note blocks fluoroscopy lines; a documented one adds the missed code.

The note reader feeds ``note/1`` and ``note_target/1`` atoms; here they are added to the facts directly so the
explanation of note-based decisions is tested whatever reads the note.
"""

from __future__ import annotations

import pytest

import fluorologic.engine.solver as solver_mod
from fluorologic.engine.encodings import rule_ids
from fluorologic.engine.facts import build_facts
from fluorologic.engine.terms import const
from fluorologic.explanation.explain import explain


@pytest.fixture
def with_note(monkeypatch):
    def install(*findings: str):
        def patched(enc, data, places=None):
            facts = build_facts(enc, data, places)
            for f in findings:
                facts.add("note", const(f))
            return facts

        monkeypatch.setattr(solver_mod, "build_facts", patched)

    return install


def test_negated_note_blocks_the_fluoroscopy_line(with_note, engine):
    with_note("fluoroscopy_negated")
    ex = explain({"encounter_id": "neg", "date_of_service": "2024-08-14", "place_of_service": "11",
                  "lines": [{"code": "20610", "site": "left knee"}, {"code": "77002"}]}, engine)
    assert [(e["code"], e["reason"]) for e in ex.result["excluded"]] == [("77002", "not_documented")]
    edge = ex.graph().edges["F:note:fluoroscopy_negated", "L2"]
    assert edge["kind"] == "blocks" and edge["rule"] == "note.negated" and edge["rule"] in rule_ids()
    ans = ex.explain("77002")
    assert ans["what_would_change"]["fixed"] == {
        "not_documented": "the note says fluoroscopy was not used (or only planned)"}


def test_documented_fluoroscopy_adds_the_missed_guidance_code(with_note, engine):
    with_note("fluoroscopy_used")
    ex = explain({"encounter_id": "missed", "date_of_service": "2024-08-14", "place_of_service": "11",
                  "lines": [{"code": "20610", "site": "left knee"}]}, engine)
    added = [(a["code"], a["reason"]) for a in ex.result["added"]]
    assert added == [("77002", "missed_billable")]
    g = ex.graph()
    assert g.nodes["A77002"]["status"] == "added"
    assert g.edges["F:note:fluoroscopy_used", "A77002"]["kind"] == "indicates"
    assert g.edges["L1", "A77002"]["kind"] == "supports"
    assert ex.explain("77002", what_if=False)["status"] == "added"
