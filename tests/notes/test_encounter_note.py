"""The encounter ``note`` field: findings fill documentation, drive the rules, and show in the audit."""

from __future__ import annotations

import json

import pytest

from fluorologic.contract.encounter import parse_encounter
from fluorologic.contract.errors import InputError
from fluorologic.engine.facts import build_facts
from fluorologic.rules.ruledata import RuleData

KNEE_FLUORO = ("PROCEDURE: Right knee joint injection. Under fluoroscopic guidance, to confirm needle position, "
               "a 22-gauge needle was placed into the knee joint. Fluoroscopy time: 0:45.")
NO_FLUORO = ("PROCEDURE: Right knee joint injection. The needle was placed by landmarks; fluoroscopy was not "
             "used.")


def _enc(lines, note, **extra):
    return {"encounter_id": "n1", "date_of_service": "2024-08-01", "place_of_service": "11", "lines": lines,
            "note": note, **extra}


def test_note_atoms_are_symbols_from_the_findings():
    enc = parse_encounter(_enc([{"code": "20610"}], KNEE_FLUORO))
    facts = build_facts(enc, RuleData.embedded())
    shown = {str(a) for a in facts.atoms if a.name in ("note", "note_target", "note_kind", "documented")}
    assert shown == {"note(fluoroscopy_used)", "note_target(nonspinal)", "note_kind(joint_injection)",
                     "documented(fluoro_time)", "documented(indication)", "documented(body_area)"}


def test_documented_fluoroscopy_adds_missed_77002(engine):
    res = engine.solve(_enc([{"code": "20610"}], KNEE_FLUORO))
    assert [(a["code"], a["reason"]) for a in res["added"]] == [("77002", "missed_billable")]
    assert {b["code"] for b in res["billable"]} == {"20610", "77002"}
    ev = res["added"][0]["evidence"]
    assert {e["fact"] for e in ev} >= {"fluoroscopy_used"}
    # the note documents time, indication and body area: no documentation alerts
    assert not [a for a in res["alerts"] if a["kind"].startswith("missing_")]


def test_negated_note_excludes_billed_77002(engine):
    res = engine.solve(_enc([{"code": "20610"}, {"code": "77002"}], NO_FLUORO))
    assert [(e["code"], e["reason"], e["by"]) for e in res["excluded"]] == [("77002", "not_documented", "note")]
    assert "note_fluoro_negated" in {a["kind"] for a in res["alerts"]}
    assert res["excluded"][0]["evidence"][0]["fact"] == "fluoroscopy_negated"
    assert res["added"] == []


def test_explicit_documentation_wins_over_the_note(engine):
    raw = _enc([{"code": "20610"}, {"code": "77002"}], KNEE_FLUORO,
               documentation={"fluoroscopy_time_seconds": 30, "indication": "explicit reason"})
    res = engine.solve(raw)
    summary = next(a for a in res["audit"] if a["rule"] == "note.findings")
    assert summary["facts"]["fluoroscopy_time_seconds"] == 45  # what the note says, in the audit
    assert not [a for a in res["alerts"] if a["kind"].startswith("missing_")]


def test_note_target_picks_the_guidance_code(engine):
    note = "PROCEDURE: Epidural blood patch. The Tuohy needle was placed at L3-4 under fluoroscopy."
    res = engine.solve(_enc([{"code": "62273"}, {"code": "77002"}], note))
    assert [(a["code"], a["replaces"]) for a in res["added"]] == [("77003", "77002")]


def test_note_only_encounter_with_no_lines(engine):
    res = engine.solve(_enc([], KNEE_FLUORO))
    assert res["billable"] == [] and res["excluded"] == []
    assert res["audit"][0]["rule"] == "note.findings"


def test_every_evidence_span_is_in_the_audit_and_nothing_more_of_the_note(engine):
    res = engine.solve(_enc([{"code": "20610"}], KNEE_FLUORO))
    spans = [a for a in res["audit"] if a["rule"] == "note.evidence"]
    assert spans and all(KNEE_FLUORO[a["facts"]["start"]:a["facts"]["end"]] == a["facts"]["text"] for a in spans)
    assert [a["step"] for a in res["audit"]] == list(range(1, len(res["audit"]) + 1))
    # the note is never echoed whole
    assert KNEE_FLUORO not in json.dumps(res)


def test_result_without_note_is_unchanged(engine):
    res = engine.solve({"encounter_id": "x", "date_of_service": "2024-08-01", "place_of_service": "11",
                        "lines": [{"code": "20610"}, {"code": "77002"}]})
    assert not [a for a in res["audit"] if a["rule"].startswith("note.")]


def test_bad_note_names_the_field_and_does_not_quote_it():
    with pytest.raises(InputError) as err:
        parse_encounter(_enc([], 12345))
    assert err.value.field == "note"
    secret = "Patient John Q Example " * 10000
    with pytest.raises(InputError) as err:
        parse_encounter(_enc([], secret))
    assert err.value.field == "note" and "John" not in err.value.message


TWO_SITES = ("PROCEDURE: Lumbar interlaminar epidural steroid injection at L4-5 under fluoroscopy. "
             "The patient then had a right knee joint injection at a separate site, through a separate puncture.")
ONE_SITE = ("PROCEDURE: Lumbar interlaminar epidural steroid injection at L4-5 under fluoroscopy. "
            "A right knee joint injection was also done.")


def test_note_documents_a_distinct_service_for_the_procedure_lines(engine):
    # issue 14, point 8: 62323/20610 is an indicator-1 edit (ptp_practitioner.csv, 2024Q3, "Misuse of Column Two
    # code with Column One code"); the note's "separate site" documents the distinct service that bypasses it.
    enc = parse_encounter(_enc([{"code": "62323"}, {"code": "20610"}], TWO_SITES))
    facts = build_facts(enc, RuleData.embedded())
    assert {str(a) for a in facts.atoms if a.name == "distinct"} == {"distinct(1)", "distinct(2)"}
    res = engine.solve(_enc([{"code": "62323"}, {"code": "20610"}], TWO_SITES))
    assert {b["code"] for b in res["billable"]} == {"62323", "20610"}
    spans = [e for e in res["audit"] if e["rule"] == "note.evidence" and e["subject"] == "distinct"]
    assert spans and TWO_SITES[spans[0]["facts"]["start"]:spans[0]["facts"]["end"]] == spans[0]["facts"]["text"]


def test_without_a_separate_site_the_edit_stands(engine):
    res = engine.solve(_enc([{"code": "62323"}, {"code": "20610"}], ONE_SITE))
    assert [e["code"] for e in res["excluded"] if e["reason"] == "ptp_bundled"] == ["20610"]


def test_imaging_lines_are_never_marked_distinct():
    enc = parse_encounter(_enc([{"code": "62323"}, {"code": "20610"}, {"code": "77003"}], TWO_SITES))
    facts = build_facts(enc, RuleData.embedded())
    assert {str(a) for a in facts.atoms if a.name == "distinct"} == {"distinct(1)", "distinct(2)"}


def test_planned_fluoroscopy_is_not_performed(engine):
    """A note that documents the procedure and fluoroscopy only as planned contradicts 77002 (issue 26, point 2)."""
    enc = {"encounter_id": "p1", "date_of_service": "2024-08-14", "place_of_service": "11",
           "lines": [{"code": "20610"}, {"code": "77002"}],
           "note": "PROCEDURE: Left knee intra-articular injection. Fluoroscopic guidance was planned; however, the "
                   "injection was performed using anatomic landmarks. 40 mg triamcinolone were injected."}
    res = engine.solve(enc)
    assert [(x["code"], x["reason"], x["rule"]) for x in res["excluded"]] == [
        ("77002", "not_documented", "note.not_performed")]
    assert [e["fact"] for e in res["excluded"][0]["evidence"]] == ["fluoroscopy_planned"]


def test_a_note_silent_about_imaging_or_without_a_procedure_excludes_nothing(engine):
    base = {"encounter_id": "p2", "date_of_service": "2024-08-14", "place_of_service": "11",
            "lines": [{"code": "20610"}, {"code": "77002"}]}
    for note in ("PROCEDURE: Left knee intra-articular injection. 40 mg triamcinolone were injected.",
                 "Fluoroscopy planned.", "Knee."):
        res = engine.solve({**base, "note": note})
        assert [b["code"] for b in res["billable"]] == ["20610", "77002"], note
