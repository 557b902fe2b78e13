"""The explanation of an E/M beside a procedure says 25 (or 57), never 59; a TC line in a facility place points at the
place of service (docs/em_and_places.md)."""

from __future__ import annotations

from fluorologic.explanation.conflict_graph import build_graph
from fluorologic.explanation.explain import explain
from fluorologic.explanation.why_text import why_text

DAY = "2024-08-14"


def test_em_without_25_says_25_in_why_and_what_if():
    ans = explain({"encounter_id": "e1", "date_of_service": DAY, "place_of_service": "11",
                   "lines": [{"code": "20610", "site": "left knee"}, {"code": "99214", "modifiers": ["59"]}]}
                  ).explain("99214")
    assert ans["status"] == "excluded"
    text = why_text(ans)
    assert "modifier 25" in text and "59 or XS" not in text
    changes = [o["change"] for o in ans["what_would_change"]["options"]]
    assert changes == ["the record documents a significant, separately identifiable E/M service: bill 99214 with "
                       "modifier 25"]


def test_em_with_57_beside_a_major_procedure_names_the_decision_for_surgery():
    ex = explain({"encounter_id": "e2", "date_of_service": DAY, "place_of_service": "21",
                  "lines": [{"code": "27506"}, {"code": "99223", "modifiers": ["57"]}]})
    g = build_graph(ex.solution)
    edges = [(u, d) for u, v, d in g.edges(data=True) if v == "L2" and d["kind"] == "bypasses"]
    assert {u for u, _ in edges} == {"F:em57:L2", "L1"}
    assert all(d["rule"] == "em.modifier_57" for _, d in edges)
    assert "decision for surgery" in dict(edges)["F:em57:L2"]["detail"]


def test_appended_25_is_explained_as_a_significant_em():
    ex = explain({"encounter_id": "e3", "date_of_service": DAY, "place_of_service": "11",
                  "lines": [{"code": "20610", "site": "left knee"}, {"code": "99214", "distinct": True}]})
    node = ex.explain("99214")["nodes"][0]
    assert node["modifiers"] == ["25"]
    assert [m["rule"] for m in node["modifier_reasons"]] == ["modifier.em_significant"]


def test_tc_line_in_a_facility_place_is_blocked_by_the_place_of_service():
    ex = explain({"encounter_id": "f1", "date_of_service": DAY, "place_of_service": "24",
                  "equipment_owner": "physician",
                  "lines": [{"code": "20610", "site": "left knee"}, {"code": "77002", "modifiers": ["26"]},
                            {"code": "77002", "modifiers": ["TC"]}]})
    g = build_graph(ex.solution)
    tc = next(n for n, d in g.nodes(data=True) if d.get("claimed_modifiers") == ["TC"])
    assert g.nodes[tc]["status"] == "excluded"
    assert [(u, d["rule"]) for u, _, d in g.in_edges(tc, data=True)] == [("F:pos", "facility.technical_component")]
