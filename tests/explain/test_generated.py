"""The graph invariants on generated encounters: every exclusion, trim and addition has its reason edge."""

from __future__ import annotations

import random

from fluorologic.engine.encodings import rule_ids
from fluorologic.explanation.explain import explain

PROCEDURES = ["20610", "20611", "22514", "27093", "27096", "27506", "62270", "62273", "62320", "62322", "64483",
              "64484", "64490", "27245", "23350", "27370"]
IMAGING = ["76000", "76001", "77002", "77003"]
SITES = ["L4-L5", "L5-S1", "left knee", "right hip", "C6-C7", "left femoral shaft", "unspecified"]
CAUSES = {"suppresses", "blocks", "replaces", "trims", "requires"}


def _encounters(n: int, seed: int) -> list[dict]:
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        lines = [{"code": rnd.choice(PROCEDURES), "site": rnd.choice(SITES)} for _ in range(rnd.randint(1, 3))]
        for _ in range(rnd.randint(0, 3)):
            line = {"code": rnd.choice(IMAGING), "units": rnd.choice([1, 1, 2, 3])}
            if rnd.random() < 0.3:
                line["modifiers"] = [rnd.choice(["26", "TC", "59", "XS"])]
            if rnd.random() < 0.3:
                line["site"] = rnd.choice(SITES)
            if rnd.random() < 0.25:
                line["distinct"] = True
            lines.append(line)
        out.append({"encounter_id": f"gen-{i}", "date_of_service": rnd.choice(["2009-11-03", "2024-08-14",
                                                                                "2026-03-10"]),
                    "place_of_service": rnd.choice(["11", "19", "21", "22", "24"]), "lines": lines})
    return out


def test_generated_encounters_keep_the_graph_invariants(engine):
    known = rule_ids()
    for raw in _encounters(120, 20261126):
        ex = explain(raw, engine)
        g = ex.graph()
        for e in ex.result["excluded"]:
            nodes = [n for n, d in g.nodes(data=True) if d["code"] == e["code"] and d["kind"] == "line"]
            rels = [r for n in nodes for _s, _t, d in g.in_edges(n, data=True) for r in d["relations"]
                    if r["kind"] in CAUSES and r["reason"] == e["reason"] and r["rule"] == e["rule"]]
            assert rels, (raw, e)
        for a in ex.result["added"]:
            assert g.in_degree(f"A{a['code']}") >= 1, (raw, a)
        for _s, _t, d in g.edges(data=True):
            assert all(r["rule"] in known for r in d["relations"]), (raw, d)
        for nid, d in g.nodes(data=True):
            if d["status"] in ("excluded", "considered"):
                assert any(r["kind"] in CAUSES for _s, _t, e in g.in_edges(nid, data=True) for r in e["relations"]), \
                    (raw, nid)
