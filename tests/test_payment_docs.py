"""docs/payment.md: every worked example is recomputed from the embedded PPRRVU rows and matches the engine."""

from __future__ import annotations

import csv
import json
import re
from decimal import ROUND_HALF_UP, Decimal
from importlib import resources
from pathlib import Path

import pytest

from fluorologic.contract.places import default_places
from fluorologic.engine.solver import Engine
from fluorologic.rules.ruledata import RuleData

DOC = Path(__file__).resolve().parent.parent / "docs" / "payment.md"
CENT = Decimal("0.01")


def _examples() -> list[tuple[str, dict, list[dict[str, str]]]]:
    out = []
    for section in DOC.read_text(encoding="utf-8").split("\n### ")[1:]:
        title = section.splitlines()[0]
        encounter = json.loads(re.search(r"```json\n(.*?)```", section, re.S).group(1))
        table = [ln for ln in section.splitlines() if ln.startswith("|")]
        head = [c.strip() for c in table[0].strip("|").split("|")]
        rows = [dict(zip(head, (c.strip() for c in ln.strip("|").split("|")), strict=True)) for ln in table[2:]]
        out.append((title, encounter, rows))
    return out


EXAMPLES = _examples()


def _gpci(year: int, locality: str) -> tuple[Decimal, Decimal, Decimal]:
    with resources.files("fluorologic.data").joinpath("pfs_gpci.csv").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if int(r["year"]) == year and f"{r['mac']}:{r['locality']}" == locality:
                return Decimal(r["pw_gpci"]), Decimal(r["pe_gpci"]), Decimal(r["mp_gpci"])
    raise KeyError(locality)


def _fee(encounter: dict, row: dict[str, str]) -> Decimal:
    """The fee of one unit, by hand: total RVUs x CF, or the GPCI formula in a locality, to the cent."""
    mods = row["modifiers"].split(",")
    mod = "26" if "26" in mods else "TC" if "TC" in mods else ""
    day = int(encounter["date_of_service"].replace("-", ""))
    fee = next(f for f in RuleData.embedded().select({row["code"]}, day).fees if f.code == row["code"]
               and f.mod == mod)
    assert fee.release == row["release"]
    facility = default_places()[encounter["place_of_service"]][0] == "facility"
    locality = (encounter.get("claim") or {}).get("locality")
    if locality:
        w, pe, mp = _gpci(day // 10000, locality)
        rvus = fee.work * w + (fee.pe_facility if facility else fee.pe_nonfacility) * pe + fee.mp * mp
    else:
        rvus = fee.facility_total if facility else fee.nonfacility_total
    return (rvus * fee.conv_factor).quantize(CENT, rounding=ROUND_HALF_UP)


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine()


def test_the_page_has_its_examples() -> None:
    assert len(EXAMPLES) == 6


@pytest.mark.parametrize(("title", "encounter", "rows"), EXAMPLES, ids=[e[0] for e in EXAMPLES])
def test_worked_example(engine: Engine, title: str, encounter: dict, rows: list[dict[str, str]]) -> None:
    res = engine.solve(encounter)
    got = [(b["code"], ",".join(b["modifiers"]), b["units"], b["amount"]) for b in res["billable"]]
    want = []
    for row in rows:
        amount = None
        if row["amount"] != "-":
            fee = _fee(encounter, row)
            assert fee == Decimal(row["fee"]), f"{title}: {row['code']} fee"
            amount = (fee * Decimal(row["factor"])).quantize(CENT, rounding=ROUND_HALF_UP)
            assert amount == Decimal(row["amount"]), f"{title}: {row['code']} amount"
            amount = float(amount)
        want.append((row["code"], row["modifiers"], int(row["units"]), amount))
    assert got == want
    for b, row in zip(res["billable"], rows, strict=True):
        if b["pricing"] is not None:
            factor = Decimal(1)
            for a in b["pricing"]["adjustments"]:
                factor *= Decimal(str(a["factor"]))
            assert factor == Decimal(row["factor"]) and b["pricing"]["release"] == row["release"]
    assert res["totals"]["expected"] == round(sum(w[3] or 0 for w in want), 2)
