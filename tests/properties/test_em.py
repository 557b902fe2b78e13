"""An E/M never carries 59 or X{EPSU}; 25 (or 57) is its bypass (NCCI Policy Manual ch. I §E; encodings/em.lp).

Encounters are drawn over the embedded data: E/M codes beside procedures that have real indicator-1 edits against
them (2024Q3 practitioner PTP: 20610, 64483, 62323 and 27506 each bundle 99202-99215 and 99221-99233), with any
mix of E/M and bypass modifiers, the distinct flag, and every place of service.
"""

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from fluorologic.contract.places import default_places
from fluorologic.engine.solver import Engine
from fluorologic.rules.ruledata import RuleData

DATA = RuleData.embedded()
EM_CODES = sorted(c for c, row in DATA.codes.items() if row.kind == "evaluation_management")
PROCEDURES = ["20610", "64483", "62323", "27506", "22514"]
BYPASS = {"59", "XE", "XS", "XP", "XU"}


@pytest.fixture(scope="session")
def engine():
    return Engine()


def _line(codes):
    return st.fixed_dictionaries({"code": st.sampled_from(codes)}, optional={
        "modifiers": st.lists(st.sampled_from(["25", "57", "59", "XE", "XS", "XP", "XU", "RT"]), max_size=3,
                              unique=True),
        "distinct": st.booleans()})


@st.composite
def em_encounters(draw):
    lines = draw(st.lists(_line(EM_CODES), min_size=1, max_size=2)) + draw(
        st.lists(_line(PROCEDURES), min_size=1, max_size=3))
    return {"encounter_id": "em-p", "date_of_service": draw(st.sampled_from(["2024-08-14", "2025-11-03"])),
            "place_of_service": draw(st.sampled_from(sorted(default_places()))),
            "lines": draw(st.permutations(lines))}


def test_the_em_code_set_is_loaded():
    assert {"99202", "99214", "99215", "99223", "99233"} <= set(EM_CODES)


@given(raw=em_encounters())
def test_an_em_never_carries_59_or_x_epsu(engine, raw):
    res = engine.solve(raw)
    for b in res["billable"] + res["added"]:
        if b["code"] in EM_CODES:
            event("E/M billed")
            assert not BYPASS & set(b["modifiers"]), b


@given(raw=em_encounters())
def test_an_em_billed_beside_its_column_1_procedure_carries_25_or_57(engine, raw):
    res = engine.solve(raw)
    billed = {b["code"]: b for b in res["billable"]}
    day = int(raw["date_of_service"].replace("-", ""))
    sel = DATA.select(set(billed), day)
    for p in sel.ptp:
        if p.column_1 in billed and p.column_2 in billed and p.column_2 in EM_CODES and p.column_1 not in EM_CODES \
                and p.indicator == 1 and day <= p.deletion:
            event("E/M beside its column-1 code")
            assert {"25", "57"} & set(billed[p.column_2]["modifiers"]), (p, res["billable"])


@given(raw=em_encounters())
def test_an_em_the_edit_denies_is_told_about_25(engine, raw):
    """An excluded E/M whose only edits from billed codes are indicator-1 edits of procedures gets em_modifier_25."""
    res = engine.solve(raw)
    billed = {b["code"] for b in res["billable"]}
    day = int(raw["date_of_service"].replace("-", ""))
    sel = DATA.select(billed | {x["code"] for x in res["excluded"]}, day)
    alerted = {a["code"] for a in res["alerts"] if a["kind"] == "em_modifier_25"}
    for x in res["excluded"]:
        if x["code"] not in EM_CODES or x["reason"] != "ptp_bundled":
            continue
        edits = {(p.column_1, p.indicator) for p in sel.ptp if p.column_2 == x["code"] and p.column_1 in billed
                 and p.indicator != 9 and day <= p.deletion}
        if edits and all(i == 1 and c not in EM_CODES for c, i in edits):
            event("E/M denied by procedures only")
            assert x["code"] in alerted, res
