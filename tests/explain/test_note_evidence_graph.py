"""Note evidence spans reach the conflict graph's note fact nodes."""

from __future__ import annotations

from fluorologic import explain
from fluorologic.engine.solver import Engine


def test_negated_note_node_carries_its_evidence_span():
    note = "Right knee injection performed. No fluoroscopy was used for this procedure."
    exp = explain({"encounter_id": "n1", "date_of_service": "2024-08-14", "place_of_service": "11",
                   "lines": [{"code": "20610", "site": "right knee"}, {"code": "77002"}], "note": note}, Engine())
    graph = exp.graph()
    nodes = [d for _, d in graph.nodes(data=True) if d.get("category") == "note"]
    assert nodes, "the negated note is a fact node of the graph"
    spans = [e for d in nodes for e in d["evidence"]]
    assert spans and all(note[e["start"]:e["end"]] == e["text"] for e in spans)
    assert any("fluoroscopy" in e["text"].lower() for e in spans)
