"""Payment properties (issue 23): reductions never pay more than the unreduced fees, a bilateral pair never more
than 150%, and the order of the lines never changes an amount."""

import copy
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from fluorologic import testing as ft
from fluorologic.contract.render import to_json
from fluorologic.engine.solver import Engine
from fluorologic.rules.ruledata import RuleData

DATA = RuleData.embedded()
claims = ft.payment_claims


@pytest.fixture(scope="module")
def engine():
    return Engine()


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
