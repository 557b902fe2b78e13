"""`why` answers: what happened to a code, the chain back to the facts, and what would change it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from fluorologic.cli.main import main
from fluorologic.contract.errors import InputError
from fluorologic.explanation.explain import explain

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_billed_code_with_modifier_explains_the_modifier_and_its_primary(explained):
    ans = explained["blood-patch-1"].explain("77003")
    assert ans["status"] == "billed" and "what_would_change" not in ans
    node = ans["nodes"][0]
    assert node["modifier_origin"] == {"26": "as billed"}
    assert [(m["rule"], m["by"]) for m in node["modifier_reasons"]] == [("modifier.pc_facility", "F:owner")]
    assert any(s["rule"] == "addon.primary" and s["by"] == "L1" for s in node["support"])
    assert any("place of service 22" in step for step in node["chain"])


def test_indicator_1_edit_is_lifted_by_a_documented_distinct_service(explained):
    ans = explained["hip-arthro-2009"].explain("77002")
    assert ans["status"] == "excluded"
    assert ans["nodes"][0]["reasons"][0]["rule"] == "ptp.bundled"
    assert [o["kinds"] for o in ans["what_would_change"]["options"]] == [["distinct"]]


def test_2026_hip_arthrography_is_billed_because_the_edit_lapsed(explained):
    ans = explained["hip-arthro-2026"].explain("77002")
    assert ans["status"] == "billed"
    lapsed = [s for s in ans["nodes"][0]["support"] if s["kind"] == "lapsed"]
    assert lapsed and all(s["rule"] == "ptp.lapsed" and "2010-03-31" in s["detail"] for s in lapsed)


def test_guidance_included_says_plainly_that_nothing_would_change_it(explained):
    ans = explained["tfesi-1"].explain("77003")
    assert ans["status"] == "excluded"
    assert ans["nodes"][0]["reasons"][0]["reason"] == "guidance_included"
    w = ans["what_would_change"]
    assert w["options"] == [] and w["nothing"].startswith("Nothing documented would make 77003 billable")
    assert "includes imaging guidance" in w["nothing"] and w["tried"]


def test_indicator_0_edit_cannot_be_bypassed(explained):
    ans = explained["x-incl"].explain("62322")
    rows = [r["row"] for r in ans["nodes"][0]["reasons"] if r["reason"] == "ptp_bundled"]
    assert rows and "modifier indicator 0" in rows[0]
    assert ans["what_would_change"]["options"] == []
    assert "modifier indicator 0" in ans["what_would_change"]["nothing"]


def test_wrong_guidance_code_points_at_the_target_fact_and_the_added_code(explained):
    ans = explained["x-added"].explain("77003")
    reasons = ans["nodes"][0]["reasons"]
    assert any(r["by"] == "F:target:L2" and r["rule"] == "guidance.wrong_code" for r in reasons)
    assert any(r["by"] == "A77002" and r["kind"] == "replaces" for r in reasons)
    added = explained["x-added"].explain("77002", what_if=False)
    assert added["status"] == "added"


def test_code_never_on_the_claim_is_answered_by_a_hypothetical_solve(explained):
    ans = explained["blood-patch-1"].explain("76000")
    assert ans["status"] == "not_considered"
    hyp = ans["hypothetical"]
    assert hyp["status"] == "excluded"
    assert hyp["nodes"][0]["reasons"][0]["reason"] == "more_specific_guidance"
    ans = explained["hip-arthro-2026"].explain("77003", what_if=False)
    assert ans["hypothetical"]["nodes"][0]["reasons"][0]["reason"] == "wrong_guidance_code"


def test_considered_candidate_not_added(explained):
    ans = explained["x-wrong"].explain("77003", what_if=False)
    assert ans["status"] == "considered"
    assert {r["reason"] for r in ans["nodes"][0]["reasons"]} >= {"guidance_included", "add_on_without_primary"}


def test_bad_code_is_an_input_error(explained):
    with pytest.raises(InputError):
        explained["tfesi-1"].explain('77003"). billed("1')


def test_explanation_keeps_the_plain_result(engine, raw_cases):
    raw = raw_cases["tfesi-1"]
    assert explain(raw, engine).result == engine.solve(raw)
    ex = explain(raw, engine)
    assert ex.result == engine.solve(raw) and ex.graph().number_of_nodes() == 4


# -- command line -------------------------------------------------------------------------------------------------

def test_why_text_and_json():
    runner = CliRunner()
    res = runner.invoke(main, ["why", str(EXAMPLES / "femoral_nailing.json"), "76000"])
    assert res.exit_code == 0, res.output
    assert res.output.startswith("76000 in encounter femur-im-nail-1: EXCLUDED")
    assert "integral_to_surgery" in res.output and "guidance.integral" in res.output
    res = runner.invoke(main, ["why", str(EXAMPLES / "femoral_nailing.json"), "76000", "--format", "json"])
    data = json.loads(res.output)
    assert data["status"] == "excluded" and data["nodes"][0]["reasons"][0]["rule"] == "guidance.integral"


@pytest.mark.parametrize(("args", "code"), [
    (["why", "examples/batch.json", "77002"], 2),
    (["why", "no/such/file.json", "77002"], 2),
    (["why", "examples/blood_patch.json", "7700"], 2),
    (["graph", "examples/blood_patch.json", "-o", "out.png"], 2),
])
def test_cli_errors_are_messages_not_tracebacks(args, code, monkeypatch):
    monkeypatch.chdir(EXAMPLES.parent)
    res = CliRunner().invoke(main, args)
    assert res.exit_code == code
    assert "Traceback" not in res.output and res.exception is None or isinstance(res.exception, SystemExit)


def test_invalid_encounter_names_the_field(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"encounter_id": "x", "date_of_service": "2024-13-40", "place_of_service": "11",
                               "lines": []}))
    res = CliRunner().invoke(main, ["why", str(bad), "77002"])
    assert res.exit_code == 1 and "date_of_service" in res.output


@pytest.mark.parametrize("suffix", [".dot", ".svg", ".json", ".html"])
def test_graph_writes_every_format(tmp_path, suffix):
    out = tmp_path / f"g{suffix}"
    res = CliRunner().invoke(main, ["graph", str(EXAMPLES / "transforaminal.json"), "-o", str(out)])
    assert res.exit_code == 0, res.output
    text = out.read_text(encoding="utf-8")
    if suffix == ".json":
        assert {n["id"] for n in json.loads(text)["nodes"]} >= {"L1", "L2", "L3"}
    elif suffix == ".dot":
        assert text.startswith("digraph conflict {") and '"L1" -> "L3"' in text
    else:
        assert "<svg" in text and "77003" in text


def test_svg_without_graphviz_falls_back_to_the_builtin_layout(tmp_path, monkeypatch):
    import fluorologic.explanation.graph_render as gr

    monkeypatch.setattr(gr.shutil, "which", lambda _name: None)
    out = tmp_path / "g.svg"
    res = CliRunner().invoke(main, ["graph", str(EXAMPLES / "kyphoplasty.json"), "-o", str(out)])
    assert res.exit_code == 0
    assert out.read_text().startswith("<svg") and "guidance_included" in out.read_text()
    res = CliRunner().invoke(main, ["graph", str(EXAMPLES / "kyphoplasty.json"), "-o", str(out),
                                    "--svg-engine", "graphviz"])
    assert res.exit_code == 2 and "apt-get install graphviz" in res.output


def test_billed_modifiers_that_look_wrong_are_flagged_for_review(engine):
    ex = explain({"encounter_id": "rv", "date_of_service": "2024-08-14", "place_of_service": "11",
                  "lines": [{"code": "20610", "site": "knee"}, {"code": "77002", "modifiers": ["26", "59"]}]}, engine)
    node = ex.explain("77002", what_if=False)["nodes"][0]
    assert [(r["modifier"], r["rule"]) for r in node["modifier_reviews"]] == [
        ("26", "modifier.review_26_owner"), ("59", "modifier.review_undocumented")]
