"""``fluorologic rules check`` on the embedded data (real findings) and on small synthetic rule bases."""

import json
from decimal import Decimal

from click.testing import CliRunner

from fluorologic.cli.main import main
from fluorologic.engine.solver import Engine
from fluorologic.quality.rulecheck import check_rules
from fluorologic.rules.ruledata import OPEN_END, AocRow, AttrRow, CodeRow, FeeRow, PtpRow, RuleData


def base(ptp=(), codes=("10001", "10002", "10003"), attrs=(), aoc=(), fees=(), code_rows=None):
    rows = code_rows or [CodeRow(c, "procedure", "nonspinal", "synthetic", None, None, "t") for c in codes]
    return RuleData(codes=rows, attrs=list(attrs), ptp=[PtpRow(a, b, eff, dele, ind, "r", "SYN", "t")
                                                      for a, b, ind, eff, dele in ptp],
                    mue=[], aoc=list(aoc), inclusive=[], fees=list(fees), label="synthetic")


def kinds(report):
    return {f.kind for f in report.findings}


def test_the_embedded_data_has_real_findings_and_the_command_exits_1():
    result = CliRunner().invoke(main, ["rules", "check", "--format", "json"])
    assert result.exit_code == 1
    out = json.loads(result.output)
    assert out["ok"] is False and out["store"] == "embedded"
    cycles = {frozenset(f["codes"]): f for f in out["findings"] if f["kind"] == "odd_cycle"}
    # 2024Q3 NCCI: 27244/27506, 27506/27245 and 27245/27244 are all "mutually exclusive procedures", indicator 1
    ring = cycles[frozenset({"27244", "27245", "27506"})]
    assert {(r["column_1"], r["column_2"]) for r in ring["rows"] if r["table"] == "ptp"} == {
        ("27244", "27506"), ("27506", "27245"), ("27245", "27244")}
    assert [r["rule_conflict"] for r in ring["rows"] if r["table"] == "encounter"] == [True]
    # issue 14: with every PTP row naming an embedded code, real data has many more odd cycles (100 listed)
    assert len(cycles) == 100 and "distinct odd cycles found" in " ".join(out["notes"])
    mutual = {frozenset(f["codes"]) for f in out["findings"] if f["kind"] == "mutual_edit"}
    assert {frozenset({"20610", "27370"}), frozenset({"23350", "62323"}), frozenset({"76000", "77002"})} <= mutual
    mismatch = {tuple(f["codes"]): f for f in out["findings"] if f["kind"] == "indicator_mismatch"}
    assert {r["modifier_indicator"] for r in mismatch[("23350", "62323")]["rows"]} == {0, 1}
    # the PTP subset follows the codes: rows name codes outside the code table (anesthesia, E/M, ...)
    assert out["counts"]["unknown_code"] == 1 and "date_inversion" not in out["counts"]
    # fracture care with fixation is integral whether or not a PTP row exists (issue 14 point 5): 27814 has none
    contradictions = {f["codes"][0] for f in out["findings"] if f["kind"] == "attribute_contradiction"}
    assert {"27814", "27236"} <= contradictions
    assert out["counts"]["odd_cycle"] == len(cycles)  # listed; the notes give the distinct count


def test_a_confirmed_cycle_really_has_no_stable_set():
    res = Engine().solve({"encounter_id": "c", "date_of_service": "2024-08-01", "place_of_service": "22",
                          "lines": [{"code": "27244"}, {"code": "27245"}, {"code": "27506"}]})
    conflict = [a for a in res["alerts"] if a["kind"] == "rule_conflict"]
    assert conflict and "27244, 27245, 27506" in conflict[0]["detail"]


def test_text_output_names_the_rows():
    result = CliRunner().invoke(main, ["rules", "check", "--limit", "1"])
    assert result.exit_code == 1
    assert "ODD_CYCLE" in result.output and "column_1=" in result.output and "more odd_cycle" in result.output


def test_a_consistent_rule_base_passes():
    data = base(ptp=[("10001", "10002", 1, None, OPEN_END), ("10002", "10003", 0, None, OPEN_END),
                     ("10001", "10003", 1, None, OPEN_END)])
    report = check_rules(data)
    assert report.findings == [] and report.to_dict()["ok"] is True


def test_odd_cycle_mutual_edit_and_indicator_mismatch():
    ring = [("10001", "10002", 1, None, OPEN_END), ("10002", "10003", 1, None, OPEN_END),
            ("10003", "10001", 0, None, OPEN_END)]
    report = check_rules(base(ptp=ring))
    assert kinds(report) == {"odd_cycle"}
    cycle = report.findings[0]
    assert sorted(cycle.codes) == ["10001", "10002", "10003"] and cycle.rows[-1]["rule_conflict"] is True
    report = check_rules(base(ptp=[("10001", "10002", 1, None, OPEN_END), ("10002", "10001", 0, None, OPEN_END)]))
    assert kinds(report) == {"mutual_edit", "indicator_mismatch"}


def test_edits_that_never_meet_in_time_are_not_mutual_and_a_cycle_needs_a_common_day():
    report = check_rules(base(ptp=[("10001", "10002", 1, None, 20100101), ("10002", "10001", 0, 20120101, OPEN_END)]))
    assert report.findings == []
    ring = [("10001", "10002", 1, None, 20100101), ("10002", "10003", 1, None, OPEN_END),
            ("10003", "10001", 1, 20150101, OPEN_END)]
    assert check_rules(base(ptp=ring)).findings == []


def test_date_inversion_unknown_code_and_addon_without_primary():
    rows = [CodeRow("10001", "procedure", "nonspinal", "x", 20200101, 20190101, "t"),
            CodeRow("10002", "procedure", "nonspinal", "each additional level (list separately)", None, None, "t"),
            CodeRow("10003", "procedure", "nonspinal", "x", None, None, "t")]
    fee = FeeRow("10003", "", "A", Decimal(1), Decimal(1), 0, "000", Decimal(1), "R", 20240101, 20230101, "t")
    data = base(code_rows=rows, ptp=[("10003", "99999", 1, 20240101, 20230101), ("10003", "10004", 0, None, OPEN_END)],
                aoc=[AocRow("10003", "10004", 1, "SYN", "t")], fees=[fee])
    report = check_rules(data)
    assert report.counts == {"addon_without_primary": 2, "date_inversion": 3, "unknown_code": 1}
    unknown = next(f for f in report.findings if f.kind == "unknown_code")
    assert unknown.codes == ["10004", "99999"]


def test_attribute_contradictions():
    rows = [CodeRow("10001", "procedure", "spinal", "x", None, None, "t"),
            CodeRow("77777", "guidance", "", "g", None, None, "t")]
    attrs = [AttrRow("10001", "includes_guidance", "yes", "t")]
    report = check_rules(base(code_rows=rows, attrs=attrs))
    assert [f.kind for f in report.findings] == ["attribute_contradiction"]
    report = check_rules(base(code_rows=rows, attrs=attrs, ptp=[("10001", "77777", 1, None, OPEN_END),
                                                                ("77777", "10001", 1, None, OPEN_END)]))
    # the reverse edit fights the policy (and the pair suppresses each other)
    assert kinds(report) == {"attribute_contradiction", "mutual_edit"}
