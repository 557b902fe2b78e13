"""Issue 14: know the whole practice, by date. One golden test (or more) per point, each on real rows.

Every test names the row it rests on: a line of the embedded tables (built from the shared reference by
``tools/build_embedded_data.py``), which cite the 2024Q3 NCCI files or the PPRRVU history files in
``shared/reference/cms/history``.
"""

from __future__ import annotations

from typing import Any

import pytest

from fluorologic.engine.solver import Engine
from fluorologic.rules.ruledata import RuleData
from fluorologic.rules.source import rule_source


@pytest.fixture(scope="module")
def data() -> RuleData:
    return RuleData.embedded()


def _solve(engine: Engine, dos: str, lines: list[dict[str, Any]], pos: str = "11", **extra: Any) -> dict[str, Any]:
    return engine.solve({"encounter_id": "i14", "date_of_service": dos, "place_of_service": pos, "lines": lines,
                         "documentation": {"fluoroscopy_time_seconds": 30, "indication": "needle position",
                                           "body_area": "documented"}, **extra})


def _billable(res: dict[str, Any]) -> list[tuple[str, int, list[str]]]:
    return [(b["code"], b["units"], b["modifiers"]) for b in res["billable"]]


def _excluded(res: dict[str, Any]) -> list[tuple[str, str, str | None]]:
    return [(x["code"], x["reason"], x["by"]) for x in res["excluded"]]


def _alerts(res: dict[str, Any]) -> set[tuple[str, str | None]]:
    return {(a["kind"], a["code"]) for a in res["alerts"]}


# -- 1. code coverage ---------------------------------------------------------------------------------------------

#: Codes issue 14 names, family by family.
_NAMED = """
20552 20553 20220 20225 20251 20670 20680 20690 20692 20696 20697 38220 38221 38222 25606 26608
27236 27245 27814 22510 22515 27096 27279 62263 62270 62272 62290 62291 62302 62305 62310 62311
62318 62319 62320 62327 62328 62329 64400 64450 64510 64520 64530 64479 64484 64486 64489 64490
64495 64633 64636 23350 24220 25246 27093 27095 27369 27370 27648 73040 73085 73115 73525 73580
73615 72240 72255 72265 72270 72275 72285 72295 76000 76080 76942 77001 77002 77003 77011 77012
77013 77014 77021
"""
NAMED = frozenset(_NAMED.split())


def test_every_named_family_is_in_the_code_table_with_sourced_attributes(data):
    assert not [c for c in NAMED if c not in data.codes]
    assert len(data.codes) == 482  # 467 of the families and fracture care, and 15 E/M codes (issue 23)
    assert all(r.source.strip() for r in data.codes.values())
    # kind, target and PC/TC indicator, each from a cited source (codes.csv source column)
    assert (data.codes["72240"].kind, data.codes["72240"].target, data.codes["72240"].pctc) == ("supervision",
                                                                                                "spinal", 1)
    assert "RVU23D" in data.codes["72240"].source
    # 64449 is an eligible primary of 77003 only (NCCI AOC 2024Q3): a spinal target
    assert data.codes["64449"].target == "spinal" and "77003 only" in data.codes["64449"].source
    assert data.codes["38222"].target == "nonspinal" and data.codes["38222"].pctc == 0
    assert {a.attribute for a in data.attrs["27279"]} == {"includes_guidance"}


def test_marrow_biopsy_with_nonspinal_guidance_is_known_and_billable(engine):
    """38222 + 77002: AOC 2024Q3 row 38222/77002 type 1 (aoc.csv); no PTP row pairs them."""
    res = _solve(engine, "2024-08-01", [{"code": "38222", "site": "posterior iliac crest"}, {"code": "77002"}])
    assert _billable(res) == [("38222", 1, []), ("77002", 1, [])]
    assert not any(kind == "not_in_rule_base" for kind, _ in _alerts(res))


def test_si_fusion_includes_its_guidance(engine):
    """27279 'with image guidance' (CPT descriptor); PTP 2024Q3 27279/77003 active, indicator 1."""
    res = _solve(engine, "2024-08-01", [{"code": "27279"}, {"code": "77003"}], pos="22")
    assert _billable(res) == [("27279", 1, [])]
    assert _excluded(res) == [("77003", "guidance_included", "27279")]


# -- 2. the PTP subset follows the codes --------------------------------------------------------------------------

def test_every_ptp_row_naming_an_embedded_code_is_embedded_with_its_history(data):
    """The full 2024Q3 practitioner table filtered to rows where either code is embedded: 504,506 rows, and the 156
    rows between two E/M codes (an E/M's rows with codes outside the table are left out: data/README.md)."""
    assert data.describe()["ptp_rows"] == 504_662
    rows = [p for c in data.ptp_by_col1 for p in data.ptp_by_col1[c]]
    assert len(rows) == 504_662
    assert all(p.column_1 in data.codes or p.column_2 in data.codes for p in rows)
    # history rows: 62273/76000 deleted 1998-12-31 and active; 20610/99213 deleted 2019-12-31 and active
    assert sorted(p.deletion for p in data.ptp_by_col1["62273"] if p.column_2 == "76000") == [19981231, 99991231]
    assert sorted(p.deletion for p in data.ptp_by_col1["20610"] if p.column_2 == "99213") == [20191231, 99991231]
    # a row whose column 1 is outside the code table: 01922 (anesthesia) / 76000
    assert "01922" not in data.codes and any(p.column_2 == "76000" for p in data.ptp_by_col1["01922"])


def test_an_em_code_beside_a_joint_injection_meets_its_real_edit(engine):
    """20610/99213, modifier indicator 1, active (ptp_practitioner.csv.gz); without 25 the edit applies (issue 23)."""
    res = _solve(engine, "2024-08-01", [{"code": "20610"}, {"code": "99213"}])
    assert _billable(res) == [("20610", 1, [])]
    assert _excluded(res) == [("99213", "ptp_bundled", "20610")]
    assert ("em_modifier_25", "99213") in _alerts(res)
    with_25 = _solve(engine, "2024-08-01", [{"code": "20610"}, {"code": "99213", "modifiers": ["25"]}])
    assert _billable(with_25) == [("20610", 1, []), ("99213", 1, ["25"])]


# -- 3. dates for codes and for facts ------------------------------------------------------------------------------

def test_new_epidural_codes_are_not_effective_before_their_first_release(engine):
    """62321: absent RVU16D (tools/pprrvu_slices_transcribed.csv), present RVU17D (key_codes_presence_2013_2017_
    transcribed.csv): first day 2017-01-01 (issue 26: one January between the two October releases)."""
    res = _solve(engine, "2016-06-02", [{"code": "62321"}])
    assert _excluded(res) == [("62321", "not_effective", "date_of_service")]
    assert "valid only from 2017-01-01" in res["excluded"][0]["detail"]
    assert _billable(_solve(engine, "2017-01-02", [{"code": "62321"}])) == [("62321", 1, [])]


def test_old_epidural_codes_end_and_their_deleted_edits_still_apply_before(engine):
    """62311: present RVU16D (tools/pprrvu_slices_transcribed.csv), absent RVU17D: last day 2016-12-31.

    PTP 62311/77003, indicator 1, deleted 2016-12-31 (ptp_practitioner.csv.gz)."""
    res = _solve(engine, "2018-03-01", [{"code": "62311"}])
    assert _excluded(res) == [("62311", "not_effective", "date_of_service")]
    res = _solve(engine, "2014-06-02", [{"code": "62311"}, {"code": "77003"}], pos="22")
    assert _excluded(res) == [("77003", "ptp_bundled", "62311")]


def test_a_with_imaging_code_replaces_the_pair_only_once_it_exists(engine):
    """62328: absent PPRRVU19_OCT, status A from RVU20A (code_presence_2019_2023.csv): first day 2020-01-01."""
    before = _solve(engine, "2019-06-03", [{"code": "62270"}, {"code": "77003"}], pos="22")
    assert before["added"] == []
    assert any(a["rule"] == "inclusive.not_in_force" for a in before["audit"])
    after = _solve(engine, "2024-08-01", [{"code": "62270"}, {"code": "77003"}], pos="22")
    assert [(a["code"], a["reason"]) for a in after["added"]] == [("62328", "imaging_inclusive_code")]
    # 62329 (therapeutic puncture with guidance) likewise, from RVU20A; PTP 62329/62272 active
    early = _solve(engine, "2019-06-03", [{"code": "62272"}, {"code": "77012"}], pos="22")
    assert early["added"] == []
    late = _solve(engine, "2024-08-01", [{"code": "62272"}, {"code": "77012"}], pos="22")
    assert [(a["code"], a["reason"], a["replaces"]) for a in late["added"]] == [("62329", "imaging_inclusive_code",
                                                                                 "62272")]


def test_nerve_block_guidance_is_included_from_the_release_that_says_so(engine):
    """64415: the PPRRVU short descriptor names imaging ('img') from RVU23A, not in RVU22D
    (pprrvu_2022/2023_families.csv.gz); PTP 64415/77002 was deleted 2019-12-31; AOC 64415/77002 type 1."""
    lines = [{"code": "64415", "site": "right interscalene"}, {"code": "77002"}]
    assert _billable(_solve(engine, "2022-06-01", lines)) == [("64415", 1, []), ("77002", 1, [])]
    res = _solve(engine, "2024-08-01", lines)
    assert _excluded(res) == [("77002", "guidance_included", "64415")]


def test_a_deleted_supervision_code_is_not_effective(engine):
    """72275: present RVU21D, absent RVU22A (code_presence_2019_2023.csv): last day 2021-12-31."""
    res = _solve(engine, "2022-02-01", [{"code": "62281"}, {"code": "72275"}], pos="22")
    assert ("72275", "not_effective", "date_of_service") in _excluded(res)


# -- 4. PC/TC -----------------------------------------------------------------------------------------------------

def test_arthrography_supervision_gets_26_in_a_facility(engine):
    """73525 PCTC 1 (RVU23D, pprrvu_2023_families.csv.gz), facility-owned unit at POS 22."""
    res = _solve(engine, "2024-08-01", [{"code": "27093", "site": "left hip"}, {"code": "73525"}], pos="22")
    assert ("73525", 1, ["26"]) in _billable(res)
    assert ("modifier_added", "73525") in _alerts(res)


def test_26_and_tc_lines_of_the_equipment_owner_bill_the_global_code_once(engine):
    """73525-26 + 73525-TC by a physician who owns the unit (office): one global 73525, not two units."""
    res = _solve(engine, "2024-08-01", [{"code": "27093", "site": "left hip"}, {"code": "73525", "modifiers": ["26"]},
                                        {"code": "73525", "modifiers": ["TC"]}])
    assert _billable(res) == [("27093", 1, []), ("73525", 1, [])]
    assert _excluded(res) == [("73525", "components_combined", "73525")]
    assert ("modifier_review", "73525") in _alerts(res)
    assert not any(x["reason"] == "unit_limit" for x in res["excluded"])


def test_tc_of_a_supervision_code_in_a_facility_is_the_facilitys(engine):
    """72240 PCTC 1 (RVU23D): a TC line where the facility owns the unit."""
    res = _solve(engine, "2024-08-01", [{"code": "62284"}, {"code": "72240", "modifiers": ["TC"]}], pos="22")
    assert ("72240", "component_billed_by_facility", "equipment_owner") in _excluded(res)


# -- 5. fracture care with fixation ---------------------------------------------------------------------------------

def test_orif_makes_fluoroscopy_integral_without_any_ptp_row(engine, data):
    """27814 (ORIF, named in issue 14): no PTP row pairs 27814 with 76000 in 2024Q3."""
    assert not [p for p in data.ptp_by_col1.get("27814", ()) if p.column_2 == "76000"]
    res = _solve(engine, "2024-08-01", [{"code": "27814"}, {"code": "76000"}], pos="22")
    assert _excluded(res) == [("76000", "integral_to_surgery", "27814")]


def test_open_treatment_named_by_its_short_descriptor_is_integral(engine):
    """23515 'Optx clavicular fx w/int fix' (RVU23D short descriptor)."""
    res = _solve(engine, "2024-08-01", [{"code": "23515"}, {"code": "77002"}], pos="22")
    assert _excluded(res) == [("77002", "integral_to_surgery", "23515")]


def test_closed_treatment_and_hardware_removal_follow_their_real_rows(engine):
    """23500 'Cltx clavicular fx w/o mnpj': no fixation, no PTP row with 76000: 76000 stays billable.
    20670 (hardware removal): PTP 20670/76000, indicator 1, active."""
    res = _solve(engine, "2024-08-01", [{"code": "23500"}, {"code": "76000"}], pos="22")
    assert {c for c, _, _ in _billable(res)} == {"23500", "76000"}
    res = _solve(engine, "2024-08-01", [{"code": "20670"}, {"code": "76000"}], pos="22")
    assert _excluded(res) == [("76000", "ptp_bundled", "20670")]


# -- 6. say what is not known ---------------------------------------------------------------------------------------

def test_an_unknown_code_is_billable_and_named(engine):
    res = _solve(engine, "2024-08-01", [{"code": "11042"}])
    assert _billable(res) == [("11042", 1, [])]
    alert = next(a for a in res["alerts"] if a["kind"] == "not_in_rule_base")
    assert alert["code"] == "11042" and "not checked" in alert["detail"]


def test_dates_no_loaded_data_covers(engine):
    """The embedded data is dated from RVU13D (2013-10-01) and its newest release is RVU25D (2025 Q4)."""
    old = _solve(engine, "2009-11-03", [{"code": "20610"}])
    assert ("rules_not_in_force", None) in _alerts(old) and "2013-10-01" in old["alerts"][-1]["detail"]
    late = _solve(engine, "2027-01-04", [{"code": "20610"}])
    assert ("rules_not_in_force", None) in _alerts(late)
    assert _billable(late) == [("20610", 1, [])]
    assert ("rules_not_in_force", None) not in _alerts(_solve(engine, "2026-12-30", [{"code": "20610"}]))


# -- 7. quarters ----------------------------------------------------------------------------------------------------

def test_as_of_2024q3_works_on_the_embedded_data_and_keeps_the_mue(tmp_path):
    """MUE 77002 = 1 (mue_practitioner.csv, 2024Q3): forced to 2024Q3, it applies to a May 2024 date too."""
    forced = rule_source(str(tmp_path / "none.sqlite"), "2024Q3")
    assert forced is not None and forced.as_of == "2024Q3"
    lines = [{"code": "20610"}, {"code": "77002", "units": 2}]
    plain = _solve(Engine(), "2024-05-01", lines)
    assert ("77002", 2, []) in _billable(plain)
    res = _solve(Engine(data=forced), "2024-05-01", lines)
    assert ("77002", 1, []) in _billable(res)
    assert [(x["code"], x["units"], x["reason"]) for x in res["excluded"]] == [("77002", 1, "unit_limit")]
