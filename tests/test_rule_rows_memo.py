"""The rule rows remembered per fee period and per row equal the rows looked up afresh.

``RuleData`` remembers the fee rows in force, the PC/TC indicator, the fee day and the indicator row per
fee period (the days between two bounds of :meth:`RuleData.fee_bounds`), and the add-on edits of an add-on
code by primary; :mod:`fluorologic.engine.facts` makes the atoms of a row once. Each is checked here
against the plain scan of the rows, on every day either side of every fee bound.
"""

from __future__ import annotations

import random

import pytest

from fluorologic.engine.facts import rule_facts
from fluorologic.rules.ruledata import RuleData

DATA = RuleData.embedded()
#: Every bound, the day before it, and days before and after all of them.
DAYS = sorted({d for b in DATA.fee_bounds() for d in (b - 1, b)} | {20000101, 20991231})
CODES = ["77002", "77003", "76000", "64483", "27096", "20610", "22840", "99213", "62321", "72100", "10021", "0001U"]


def _scan_pctc(code: str, dos: int) -> int | None:
    rows = [f for f in DATA.fees.get(code, ()) if f.mod == ""]
    in_force = [f for f in rows if f.start <= dos <= f.end] or sorted(rows, key=lambda f: f.start)[-1:]
    if in_force:
        return in_force[0].pctc
    row = DATA.codes.get(code)
    return row.pctc if row is not None else None


def _scan_fee_day(dos: int) -> tuple[int, tuple[str, str] | None]:
    missing = next((r for r in DATA.releases if r.start <= dos <= r.end and not r.loaded), None)
    if missing is None:
        return dos, None
    earlier = [r for r in DATA.releases if r.loaded and r.start < missing.start and r.start // 10000 == dos // 10000]
    return (earlier[-1].end, (missing.name, earlier[-1].name)) if earlier else (0, None)


@pytest.mark.parametrize("code", CODES)
def test_period_memos_equal_the_scan(code):
    for dos in DAYS:
        day, prior = _scan_fee_day(dos)
        assert DATA.fee_day(dos) == (day, prior), dos
        assert DATA.pctc(code, dos) == _scan_pctc(code, dos), dos
        assert list(DATA.select({code}, dos).fees) == [f for c in sorted(DATA.candidate_codes({code}))
                                                       for f in DATA.fees.get(c, ()) if f.start <= day <= f.end]


def test_addon_edits_by_primary_keep_the_table_order():
    rnd = random.Random(7)
    primaries = sorted({a.primary for rows in DATA.aoc_by_addon.values() for a in rows})
    for add_on, rows in DATA.aoc_by_addon.items():
        for _ in range(20):
            wanted = set(rnd.sample(primaries, rnd.randint(0, 8))) | {add_on}
            if rnd.random() < 0.2:
                wanted.add("CCCCC")
            assert DATA._aoc_with(add_on, wanted) == [a for a in rows if a.primary in wanted or a.primary == "CCCCC"]


def test_rule_facts_do_not_depend_on_what_was_asked_before():
    """The same codes and day give the same atoms and rows first, after other codes, and in another locality."""
    first = rule_facts(DATA, {"64483", "77003"}, 20240815, setting="facility")
    for codes in ({"64483"}, {"77003", "20610"}, {"64483", "77003", "22840"}):
        rule_facts(DATA, codes, 20240815, "10112:00", setting="facility")
        rule_facts(DATA, codes, 20240815, setting="nonfacility")
    again = rule_facts(DATA, {"64483", "77003"}, 20240815, setting="facility")
    assert again.terms == first.terms and again.rows == first.rows
    local = rule_facts(DATA, {"64483", "77003"}, 20240815, "10112:00", setting="facility")
    assert [t for t in local.terms if t[0] == "fee"] != [t for t in first.terms if t[0] == "fee"]
