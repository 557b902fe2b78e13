"""The example pair (examples/claims/reconcile_pair.837 and its 835): the verdict table docs/reconcile.md shows,
the command line and the service; the payer reason families of contract.md; the bilateral decision."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from fluorologic.claims.formats import read_claims
from fluorologic.cli.main import main
from fluorologic.reconcile.decide import decide_lines
from fluorologic.reconcile.families import TABLE, ReasonTable
from fluorologic.reconcile.reconcile import COLUMNS, reconcile
from fluorologic.reconcile.remit import Adjustment, read_835
from fluorologic.reconcile.verdict import Context, judge
from fluorologic.service.app import Settings, create_app
from fluorologic.service.reconcile_api import form

ROOT = Path(__file__).resolve().parents[2]
CLAIMS = ROOT / "examples" / "claims" / "reconcile_pair.837"
REMIT = ROOT / "examples" / "claims" / "reconcile_pair.835"

#: (claim, line id) -> (payer outcome, family, decision, verdict, next step, corrected lines)
EXPECTED = {
    ("HIPARTH-2408201", "HIPARTH1-1"): ("paid", "contractual", "billable", "agrees_paid", "none", ""),
    ("HIPARTH-2408201", "HIPARTH1-2"): ("denied", "bundling", "billable", "appeal_candidate", "appeal", ""),
    ("KNEEINJ-2408202", "KNEEINJ2-1"): ("paid", "contractual", "billable", "agrees_paid", "none", ""),
    ("KNEEINJ-2408202", "KNEEINJ2-2"): ("denied", "bundling", "billable", "appeal_candidate", "appeal", ""),
    ("FEMNAIL-2408203", "FEMNAIL3-1"): ("paid", "contractual", "billable", "agrees_paid", "none", ""),
    ("FEMNAIL-2408203", "FEMNAIL3-2"): ("paid", "contractual", "excluded", "overpayment_risk", "refund_review", ""),
    ("TFESI-2408204", "TFESI4-1"): ("paid", "contractual", "billable", "agrees_paid", "none", ""),
    ("TFESI-2408204", "TFESI4-2"): ("denied", "bundling", "excluded", "agrees_denied", "none", ""),
    ("BLDPATCH-2408205", "BLDPATCH5-1"): ("paid", "contractual", "billable", "agrees_paid", "none", ""),
    ("BLDPATCH-2408205", "BLDPATCH5-2"): ("denied", "add_on", "replaced", "agrees_denied", "correct_and_resubmit",
                                          "77003-26 x1"),
    ("KNEEUNITS-2408206", "1"): ("paid", "contractual", "billable", "agrees_paid", "none", ""),
    ("KNEEUNITS-2408206", "2"): ("denied", "units", "trimmed", "agrees_denied", "correct_and_resubmit", "77002 x1"),
    ("BILATTF-2408207", "BILATTF7-1"): ("paid", "contractual", "replaced", "agrees_paid", "correct_and_resubmit",
                                        "64483-50 x1"),
    ("BILATTF-2408207", "BILATTF7-2"): ("denied", "units", "replaced", "agrees_denied", "correct_and_resubmit",
                                        "64483-50 x1"),
    ("FACETNEC-2408208", "FACETNEC8-1"): ("denied", "coverage", "billable", "outside_rules", "review", ""),
    ("GUIDEFLU-2408209", "GUIDEFLU9-1"): ("paid", "contractual", "billable", "agrees_paid", "none", ""),
    ("GUIDEFLU-2408209", "GUIDEFLU9-2"): ("paid", "contractual", "billable", "agrees_paid", "none", ""),
    ("GUIDEFLU-2408209", "GUIDEFLU9-3"): ("denied", "bundling", "excluded", "agrees_denied", "none", ""),
    # 62328 (83.88, RVU24C) is expected to pay more than the 62270 the contractor allowed: resubmit
    ("LUMBPUNC-2408210", "LUMBPUNC10-1"): ("paid", "contractual", "replaced", "agrees_paid", "correct_and_resubmit",
                                           "62328 x1"),
    ("LUMBPUNC-2408210", "LUMBPUNC10-2"): ("denied", "bundling", "excluded", "agrees_denied", "none", ""),
    ("BLDPATCH-2408211", "BLDPATCH11-1"): ("paid", "contractual", "billable", "agrees_paid", "none", ""),
    ("BLDPATCH-2408211", "BLDPATCH11-2"): ("paid", "contractual", "replaced", "agrees_paid", "none", ""),
}
BILATERAL = {("BILATTF-2408207", "BILATTF7-1"), ("BILATTF-2408207", "BILATTF7-2")}


def _corrected(row):
    return "; ".join(f"{c['code']}{''.join('-' + m for m in c['modifiers'])} x{c['units']}"
                     for c in row["corrected_lines"])


@pytest.fixture(scope="module")
def rec(engine):
    return reconcile(read_claims(CLAIMS.read_text(), "x12"), read_835(REMIT.read_text()), engine)


def _table(rec):
    return {(r["claim_id"], r["line_id"]): (r["payer_outcome"], r["payer_reason_family"], r["decision"],
                                           r["verdict"], r["next_step"], _corrected(r)) for r in rec.rows}


def test_the_verdict_table(rec):
    assert len(rec.rows) == len(EXPECTED) and rec.errors == [] and rec.warnings == []
    got = _table(rec)
    assert {k: v for k, v in got.items() if k not in BILATERAL} == {k: v for k, v in EXPECTED.items()
                                                                     if k not in BILATERAL}


def test_the_bilateral_lines(rec):
    got = _table(rec)
    assert {k: got[k] for k in BILATERAL} == {k: EXPECTED[k] for k in BILATERAL}


def test_citations_name_the_rule_row_and_its_quarter(rec):
    by = {(r["claim_id"], r["line_id"]): r for r in rec.rows}
    hip = by[("HIPARTH-2408201", "HIPARTH1-2")]["citation"]
    assert "27093/77002" in hip and "deleted 2010-03-31" in hip and "2024Q3" in hip
    knee = by[("KNEEINJ-2408202", "KNEEINJ2-2")]["citation"]
    assert knee.startswith("no NCCI PTP edit pairs 77002 with 20610") and "2024Q3" in knee
    nail = by[("FEMNAIL-2408203", "FEMNAIL3-2")]["citation"]
    assert nail.startswith("guidance.integral") and "27506 fluoroscopy_integral" in nail
    units = by[("KNEEUNITS-2408206", "2")]["citation"]
    assert "NCCI MUE practitioner 2024Q3: 77002 MUE 1" in units


def test_summary_dollars(rec):
    s = rec.summary
    assert s["appealable_billed"] == sum(r["billed_amount"] for r in rec.rows if r["verdict"] == "appeal_candidate")
    assert s["paid_at_risk"] == round(sum(r["paid_amount"] for r in rec.rows if r["verdict"] == "overpayment_risk"), 2)
    assert s["provider_adjustments"] == -1.37 and rec.provider_adjustments[0]["reason"] == "L6"
    assert sum(v["rows"] for v in s["by_verdict"].values()) == s["rows"] == len(rec.rows)


def test_cli_formats_and_summary():
    runner = CliRunner()
    out = runner.invoke(main, ["reconcile", str(CLAIMS), str(REMIT), "--format", "jsonl"])
    assert out.exit_code == 0, out.output
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert [list(r) for r in rows[:1]] == [list(COLUMNS)] and len(rows) == len(EXPECTED)
    # HIPARTH and KNEEINJ's 77002; BILATTF's denied side is replaced by 64483-50 (bilateral_one_line), not appealed
    assert "appeal_candidate: 2 rows, billed 360.00" in out.stderr and "provider adjustment (PLB" in out.stderr
    again = runner.invoke(main, ["reconcile", str(CLAIMS), str(REMIT), "--format", "jsonl"])
    assert again.stdout == out.stdout  # the same input, byte-identical output
    table = runner.invoke(main, ["reconcile", str(CLAIMS), str(REMIT)])
    assert table.exit_code == 0 and "appeal_candidate" in table.stdout and "[1] ptp.lapsed" in table.stdout
    as_csv = runner.invoke(main, ["reconcile", str(CLAIMS), str(REMIT), "--format", "csv"])
    parsed = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert parsed[1]["adjustments"] == "CO-97 180.00" and parsed[1]["remarks"] == "M80"


def test_cli_json_encounters_and_errors(tmp_path):
    encs = tmp_path / "encs.json"
    encs.write_text(json.dumps([
        {"encounter_id": "KNEEINJ-2408202", "date_of_service": "2024-08-20", "place_of_service": "11",
         "claim": {"claim_id": "KNEEINJ-2408202"},
         "lines": [{"code": "20610", "modifiers": ["RT"], "line_id": "KNEEINJ2-1"},
                   {"code": "77002", "line_id": "KNEEINJ2-2"}]},
        {"encounter_id": "bad", "date_of_service": "2024-02-30", "place_of_service": "11", "lines": []}]))
    out = CliRunner().invoke(main, ["reconcile", str(encs), str(REMIT), "--format", "jsonl"])
    assert out.exit_code == 1  # the bad encounter is an error record; the rest is reconciled
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    mine = [r for r in rows if r["encounter_id"] == "KNEEINJ-2408202"]
    assert [r["verdict"] for r in mine] == ["agrees_paid", "appeal_candidate"]
    assert sum(r["verdict"] == "unmatched" for r in rows) == len(EXPECTED) - 2  # the other claims' remit lines
    assert "claim 'bad'" in out.stderr
    missing = CliRunner().invoke(main, ["reconcile", str(tmp_path / "none.837"), str(REMIT)])
    assert missing.exit_code == 2 and "cannot read" in missing.stderr
    junk = tmp_path / "junk.835"
    junk.write_text("hello")
    assert CliRunner().invoke(main, ["reconcile", str(CLAIMS), str(junk)]).exit_code == 2


def test_service_reconcile():
    with TestClient(create_app(Settings())) as client:
        body, ctype = form({"claims": CLAIMS.read_text(), "remittance": REMIT.read_text()})
        r = client.post("/v1/reconcile", content=body, headers={"content-type": ctype})
        assert r.status_code == 200
        got = {(x["claim_id"], x["line_id"]): x["verdict"] for x in r.json()["rows"]}
        assert got[("HIPARTH-2408201", "HIPARTH1-2")] == "appeal_candidate"
        assert r.json()["summary"]["appealable_billed"] == 360.0
        files = {"claims": ("c.837", CLAIMS.read_bytes()), "remittance": ("r.835", REMIT.read_bytes())}
        as_csv = client.post("/v1/reconcile?format=csv", files=files)
        assert as_csv.status_code == 200 and as_csv.text.startswith(",".join(COLUMNS))
        assert client.post("/v1/reconcile", json={"claims": "x"}).status_code == 400
        assert client.post("/v1/reconcile", files={"claims": ("c", b"[]")}).json()["error"]["field"] == "remittance"
        assert client.post("/v1/reconcile?format=xml", files=files).status_code == 400
        junk = client.post("/v1/reconcile", files={"claims": ("c", b"[1"), "remittance": ("r", b"nope")})
        assert junk.status_code == 200 and len(junk.json()["errors"]) == 2
        binary = client.post("/v1/reconcile", files={"claims": ("c", b"\x89PNG\xff"), "remittance": ("r", b"\xff")})
        assert binary.status_code == 200 and [e["error"]["field"] for e in binary.json()["errors"]][:2] == [
            "claims", "remittance"]
        assert "/v1/reconcile" in client.get("/openapi.json").json()["paths"]


@pytest.mark.parametrize(("adjustments", "remarks", "add_on", "family"), [
    ([("CO", "97")], ["M80"], False, "bundling"), ([("CO", "236")], [], False, "bundling"),
    ([("CO", "234")], ["M15"], False, "bundling"), ([("CO", "16")], ["N20"], False, "bundling"),
    ([("CO", "151")], [], False, "units"), ([("CO", "96")], ["N362"], False, "units"),
    ([("CO", "119")], ["N640"], False, "units"), ([("CO", "96")], [], False, "coverage"),
    ([("CO", "B15")], [], True, "add_on"), ([("CO", "B15")], [], False, "bundling"),
    ([("CO", "97")], ["N122"], False, "add_on"), ([("CO", "4")], [], False, "modifier"),
    ([("CO", "16")], ["N519"], False, "modifier"), ([("CO", "181")], [], False, "not_in_force"),
    ([("CO", "50")], ["N386"], False, "coverage"), ([("CO", "204")], [], False, "coverage"),
    ([("CO", "16")], ["MA130"], False, "administrative"), ([("CO", "B7")], [], False, "administrative"),
    ([("CO", "45"), ("PR", "2"), ("CO", "253")], [], False, "contractual"), ([("CO", "A2")], [], False, "contractual"),
    ([("OA", "23")], [], False, "contractual"), ([("CO", "P12")], [], False, "other"), ([], [], False, None),
])
def test_reason_families(adjustments, remarks, add_on, family):
    adj = [Adjustment(g, r, 10.0) for g, r in adjustments]
    assert TABLE.family(adj, remarks, add_on=add_on) == family


def test_reason_table_round_trips_and_words_every_family():
    assert ReasonTable.from_dict(TABLE.to_dict()) == TABLE
    assert set(TABLE.precedence) == set(TABLE.families)
    assert all(len(text) < 200 for text in TABLE.families.values())


def test_outcomes():
    assert TABLE.outcome(0.0, [Adjustment("PR", "1", 80.0)], "contractual") == "paid"  # all to the deductible
    assert TABLE.outcome(40.0, [Adjustment("CO", "59", 40.0)], "contractual") == "reduced"
    assert TABLE.outcome(40.0, [Adjustment("CO", "151", 40.0)], "units") == "reduced"
    assert TABLE.outcome(0.0, [Adjustment("CO", "50", 80.0)], "coverage") == "denied"


def test_bilateral_replacement_and_verdicts():
    """A Result shaped as contract.md says for bilateral_one_line: both sides replaced by one 64483-50."""
    result = {"billable": [{"code": "64483", "units": 1, "modifiers": ["50"], "amount": 165.77,
                            "line_ids": ["1", "2"]}],
              "excluded": [{"code": "64483", "units": 1, "reason": "bilateral_one_line", "by": None,
                            "rule": "bilateral.one_line", "detail": "one line with 50", "line_id": lid}
                           for lid in ("1", "2")],
              "added": [{"code": "64483", "units": 1, "modifiers": ["50"], "reason": "bilateral_one_line",
                         "replaces": "64483", "detail": "one line with 50"}], "audit": []}
    lines = [{"code": "64483", "modifiers": ["RT"], "line_id": "1"}, {"code": "64483", "modifiers": ["LT"],
                                                                      "line_id": "2"}]
    right, left = decide_lines(result, lines)
    assert (right.decision, right.expected_amount, left.decision, left.expected_amount) == ("replaced", 165.77,
                                                                                           "replaced", 0.0)
    assert right.replaced_by == [{"code": "64483", "units": 1, "modifiers": ["50"]}]
    ctx = Context("64483", 1, "2024-08-20", ["LT"], result, None, ("64483",))
    denied = judge(left, "denied", "units", ctx)
    assert (denied.verdict, denied.next_step, denied.corrected_lines) == (
        "agrees_denied", "correct_and_resubmit", [{"code": "64483", "units": 1, "modifiers": ["50"]}])
    assert judge(right, "paid", "contractual", ctx).verdict == "agrees_paid"


def test_the_readers_fill_claim_charges_and_ref6r():
    (hip, *_rest) = read_claims(CLAIMS.read_text(), "x12")
    assert hip["claim"]["charges"] == {"HIPARTH1-1": 520, "HIPARTH1-2": 180}
    assert [ln["ref6r"] for ln in hip["claim"]["lines"]] == ["HIPARTH1-1", "HIPARTH1-2"]
    fhir = read_claims((ROOT / "examples" / "claims" / "fluoro_claims.fhir.json").read_text(), "fhir")
    assert fhir[0]["claim"]["charges"] == {"1": 1450, "2": 200}


def test_a_reversal_is_matched_after_its_correction(engine):
    enc = {"encounter_id": "R1", "date_of_service": "2024-08-20", "place_of_service": "11",
           "claim": {"claim_id": "R1"}, "lines": [{"code": "20610", "modifiers": ["LT"], "line_id": "1"}]}
    text = ("ST*835*1~BPR*I*40*C*CHK************20240901~TRN*1*1*1~N1*PR*MEDICARE~N1*PE*CLINIC*XX*1~LX*1~"
            "CLP*R1*22*-240*-51.15**MB*P1~SVC*HC:20610:LT*-240*-51.15**-1~CAS*CO*45*-174.76~REF*6R*1~"
            "CLP*R1*1*240*51.15**MB*P2~SVC*HC:20610:LT*240*51.15**1~CAS*CO*45*174.76~REF*6R*1~SE*13*1~")
    rec = reconcile([enc], read_835(text), engine)
    assert [(r["encounter_id"], r["paid_amount"], r["verdict"]) for r in rec.rows] == [
        ("R1", 51.15, "agrees_paid"), (None, -51.15, "unmatched")]


def test_a_bypass_modifier_the_payer_accepted_is_reviewed_not_refunded():
    """20610-XS paid beside 64483 (PTP 64483/20610, modifier indicator 1): fluorologic cannot see the record's
    distinct service on an 837P, so the paid line is reviewed, not flagged for a refund (second labeller)."""
    from fluorologic.reconcile.decide import LineDecision
    from fluorologic.reconcile.verdict import Context, judge
    from fluorologic.rules.ruledata import RuleData

    data = RuleData.embedded()
    dec = LineDecision("excluded", reason="ptp_bundled", rule="ptp.bundled", by="64483")
    ctx = Context("20610", 1, "2024-08-01", ["RT", "XS"], {"audit": []}, data, ("64483",))
    paid = judge(dec, "paid", "contractual", ctx)
    assert (paid.verdict, paid.next_step) == ("agrees_paid", "review") and "billed with XS" in paid.citation
    denied = judge(dec, "denied", "bundling", ctx)
    assert (denied.verdict, denied.next_step) == ("agrees_denied", "review")
    plain = Context("20610", 1, "2024-08-01", ["RT"], {"audit": []}, data, ("64483",))
    assert (judge(dec, "paid", "contractual", plain).verdict, judge(dec, "paid", "contractual", plain).next_step) == (
        "overpayment_risk", "refund_review")
