"""The conflict graph: every exclusion and addition has a reason edge citing a rule that exists in encodings/."""

from __future__ import annotations

import json

import networkx as nx

from fluorologic.engine.encodings import rule_ids
from fluorologic.explanation.conflict_graph import EDGE_KINDS, STATUSES
from fluorologic.explanation.explain import explain

CAUSES = {"suppresses", "blocks", "replaces", "trims", "requires"}
REASONS = {"ptp_bundled", "guidance_included", "integral_to_surgery", "more_specific_guidance", "wrong_guidance_code",
           "unit_limit", "add_on_without_primary", "not_effective", "component_billed_by_facility",
           "imaging_inclusive_code", "not_documented", "missed_billable"}


def test_every_excluded_code_has_an_incoming_reason_edge(ex):
    g = ex.graph()
    for e in ex.result["excluded"]:
        nodes = [n for n, d in g.nodes(data=True) if d["code"] == e["code"] and d["kind"] == "line"]
        rels = [r for n in nodes for _s, _t, d in g.in_edges(n, data=True) for r in d["relations"]
                if r["kind"] in CAUSES and r["reason"] == e["reason"]]
        assert rels, f"{e['code']} excluded ({e['reason']}) has no incoming reason edge"
        assert any(r["rule"] == e["rule"] for r in rels)


def test_every_added_code_has_an_incoming_edge_and_replaces_its_line(ex):
    g = ex.graph()
    for a in ex.result["added"]:
        node = f"A{a['code']}"
        assert g.nodes[node]["status"] == "added"
        assert g.in_degree(node) >= 1, f"added {a['code']} has no incoming edge"
        if a["replaces"]:
            replaced = [t for _s, t, d in g.out_edges(node, data=True)
                        if any(r["kind"] in ("replaces", "suppresses") for r in d["relations"])]
            assert any(g.nodes[t]["code"] == a["replaces"] for t in replaced)


def test_every_edge_cites_an_existing_rule_and_contract_reason(ex):
    known = rule_ids()
    for _s, _t, d in ex.graph().edges(data=True):
        assert d["kind"] in EDGE_KINDS
        for r in d["relations"]:
            assert r["rule"] in known, f"rule {r['rule']} is not in encodings/"
            assert r["reason"] is None or r["reason"] in REASONS
            assert r["detail"]


def test_node_statuses_agree_with_the_result(ex):
    g = ex.graph()
    assert {d["status"] for _n, d in g.nodes(data=True)} <= set(STATUSES)
    billed = sorted(d["code"] for _n, d in g.nodes(data=True) if d["status"] in ("billed", "added"))
    assert billed == sorted(b["code"] for b in ex.result["billable"])


def test_ptp_edge_cites_the_row_and_quarter(explained):
    ex = explained["hip-arthro-2009"]
    d = ex.graph().edges["L1", "L2"]
    assert d["rule"] == "ptp.bundled" and d["reason"] == "ptp_bundled"
    assert d["row"].startswith("NCCI PTP 27093/77002, modifier indicator 1") and d["row"].endswith("2024Q3")


def test_facts_that_mattered_are_nodes(explained):
    ex = explained["knee-hopd-1"]
    g = ex.graph()
    assert g.nodes["F:owner"]["value"] == "facility"
    assert g.edges["F:pos", "F:owner"]["rule"] == "owner.default"
    assert g.edges["F:owner", "L3"]["reason"] == "component_billed_by_facility"
    assert g.edges["F:owner", "L2"]["relations"][0]["modifier"] == "26"
    dist = explained["x-bypass"].graph()
    # lines are named in the claim's order: 27093, 77002, 76000, 77003 (the engine sorts 76000 before 77002)
    assert [dist.nodes[f"L{k}"]["code"] for k in (1, 2, 3, 4)] == ["27093", "77002", "76000", "77003"]
    assert dist.nodes["F:distinct:L3"]["category"] == "distinct_service"
    assert dist.edges["L1", "L3"]["kind"] == "bypasses"


def test_unit_limit_edge(explained):
    ex = explained["x-wrong"]
    d = ex.graph().edges["F:limit:64490", "L3"]  # 64490 is the claim's third line
    assert d["kind"] == "trims" and d["rule"] == "units.mue" and d["relations"][0]["units"] == 2


def test_node_link_json_is_sorted_deterministic_and_round_trips(raw_cases, engine):
    raw = raw_cases["x-bypass"]
    a = json.dumps(explain(raw, engine).graph_json(), sort_keys=False)
    b = json.dumps(explain(raw, engine).graph_json(), sort_keys=False)
    assert a == b
    data = json.loads(a)
    assert [n["id"] for n in data["nodes"]] == sorted(n["id"] for n in data["nodes"])
    g = nx.node_link_graph(data, edges="edges")
    assert isinstance(g, nx.DiGraph) and g.number_of_edges() == len(data["edges"])


def _shape(g):
    """The graph without its line numbers: nodes by code and status, edges by the codes or facts they join."""
    def who(n):
        d = g.nodes[n]
        return (d["code"], d["status"]) if d["kind"] != "fact" else (d["category"], str(d.get("value")))
    nodes = sorted((who(n), d.get("final_units"), tuple(d.get("modifiers") or ())) for n, d in g.nodes(data=True))
    edges = sorted((who(a), who(b), d["kind"], d["rule"], d["reason"] or "") for a, b, d in g.edges(data=True))
    return nodes, edges


def test_line_order_changes_only_the_line_numbers(raw_cases, engine):
    raw = raw_cases["x-bypass"]
    flipped = {**raw, "lines": list(reversed(raw["lines"]))}
    g, h = explain(raw, engine).graph(), explain(flipped, engine).graph()
    assert _shape(g) == _shape(h)
    for graph, lines in ((g, raw["lines"]), (h, flipped["lines"])):  # each names lines in its own claim order
        assert [graph.nodes[f"L{k}"]["code"] for k in range(1, len(lines) + 1)] == [ln["code"] for ln in lines]
