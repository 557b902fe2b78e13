"""Payment properties (issue 23): reductions never pay more than the unreduced fees, a bilateral pair never more
than 150%, and the order of the lines never changes an amount."""

import copy
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from fluorologic.contract.render import to_json
from fluorologic.engine.solver import Engine
from fluorologic.rules.ruledata import RuleData

DATA = RuleData.embedded()
#: Codes with MPFS bilateral indicator 1 and multiple-procedure indicator 2, their add-ons, and guidance codes.
BILATERAL = ["64483", "64490", "64493", "20610", "20605", "20600", "27096", "64635", "64633"]
OTHERS = ["64484", "64494", "64491", "77003", "77002", "27506", "27245", "72240", "73525", "76000"]
DAYS = ["2020-02-11", "2021-08-02", "2022-11-30", "2023-05-05", "2024-03-20", "2024-08-14", "2024-11-15",
        "2025-05-02", "2025-10-20"]


@pytest.fixture(scope="module")
def engine():
    return Engine()


@st.composite
def claims(draw: st.DrawFn) -> dict:
    """Encounters of 1-6 lines over bilateral, multiple-procedure and imaging codes, sides and 50 included."""
    line = st.fixed_dictionaries({"code": st.sampled_from(BILATERAL + OTHERS)}, optional={
        "units": st.integers(1, 3),
        "modifiers": st.sampled_from([[], ["RT"], ["LT"], ["50"], ["26"], ["RT", "26"]]),
        "site": st.sampled_from(["L4-L5", "L5-S1", "left knee", "right knee"]),
    })
    lines = draw(st.lists(line, min_size=1, max_size=6))
    if draw(st.booleans()):  # both sides of one bilateral code on two lines
        code = draw(st.sampled_from(BILATERAL))
        lines += [{"code": code, "modifiers": ["RT"]}, {"code": code, "modifiers": ["LT"]}]
    return {"encounter_id": "p", "date_of_service": draw(st.sampled_from(DAYS)),
            "place_of_service": draw(st.sampled_from(["11", "22", "24"])), "lines": lines[:8],
            "claim": {"locality": draw(st.sampled_from(["10112:00", "01112:18", "99999:99"]))}}


def _fee(pricing: dict) -> Decimal:
    """The unreduced fee of one unit: RVUs x CF (x the GPCIs in a locality is the row's cents; nationally the same)."""
    return (Decimal(str(pricing["rvu"])) * Decimal(str(pricing["conversion_factor"]))).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP)


def _sides(b: dict) -> int:
    return 2 if any(a["rule"] == "bilateral" for a in (b["pricing"] or {}).get("adjustments", [])) else 1


@given(raw=claims())
def test_expected_never_exceeds_the_unreduced_fees(engine, raw):
    res = engine.solve(raw)
    for b in res["billable"]:
        if b["amount"] is None:
            continue
        p = b["pricing"]
        factor = Decimal(1)
        for a in p["adjustments"]:
            factor *= Decimal(str(a["factor"]))
        event(" then ".join(a["rule"] for a in p["adjustments"]) or "unadjusted")
        assert factor <= _sides(b)  # no adjustment pays a side more than once
        if p["locality"] == "national":
            assert Decimal(str(b["amount"])) <= _fee(p) * b["units"] * _sides(b)
    total = sum(Decimal(str(b["amount"])) for b in res["billable"] if b["amount"] is not None)
    assert total == Decimal(str(res["totals"]["expected"]))


@given(raw=claims())
def test_a_bilateral_pair_is_never_paid_above_150_percent(engine, raw):
    res = engine.solve(raw)
    for a in res["added"]:
        if a["reason"] != "bilateral_one_line":
            continue
        event("bilateral line")
        lines = [b for b in res["billable"] if b["code"] == a["code"] and "50" in b["modifiers"]]
        assert len(lines) == 1 and lines[0]["units"] == 1
        b = lines[0]
        if b["amount"] is not None and b["pricing"]["locality"] == "national":
            cap = (_fee(b["pricing"]) * Decimal("1.5")).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            assert Decimal(str(b["amount"])) <= cap


@given(raw=claims(), seed=st.randoms(use_true_random=False))
def test_permuting_lines_never_changes_amounts(engine, raw, seed):
    shuffled = copy.deepcopy(raw)
    seed.shuffle(shuffled["lines"])
    a, b = engine.solve(raw), engine.solve(shuffled)
    amounts = [(x["code"], x["modifiers"], x["amount"], x["pricing"]) for x in a["billable"]]
    assert amounts == [(x["code"], x["modifiers"], x["amount"], x["pricing"]) for x in b["billable"]]
    assert to_json(a["totals"]) == to_json(b["totals"])
