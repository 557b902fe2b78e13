"""``fix`` keeps a 99214-25 line beside 64483 (25 bypasses NCCI PTP 64483/99214, indicator 1) and, for a 99214
billed without 25, says 25 (never 59) where it removes the line."""

from __future__ import annotations

from pathlib import Path

from fluorologic.claims.fix import fix_interchange
from fluorologic.claims.x12 import read_interchange
from fluorologic.run.batchrun import solve_items

CLAIMS = Path(__file__).resolve().parents[2] / "examples" / "claims"
GUIDANCE = "LX*2~\nSV1*HC:77003*200*UN*1***1~\nDTP*472*D8*20240814~\n"


def _with_em(modifiers: str) -> str:
    """The example interchange with an E/M line added to its first claim (64483 + 77003), SE01 recounted."""
    text = (CLAIMS / "fluoro_claims.837").read_text()
    assert GUIDANCE in text
    em = f"LX*3~\nSV1*HC:99214{modifiers}*150*UN*1***1~\nDTP*472*D8*20240814~\n"
    text = text.replace(GUIDANCE, GUIDANCE + em, 1)
    head, se, tail = text.partition("\nSE*")
    count, rest = tail.split("*", 1)
    return head + se + str(int(count) + 3) + "*" + rest


def _fix(text: str):
    ic = read_interchange(text)
    items = list(ic.items())
    return fix_interchange(ic, list(zip(items, solve_items(items, workers=1), strict=True)))


def test_fix_keeps_the_em_billed_with_25():
    result = _fix(_with_em(":25"))
    row = next(r for r in result.rows if r["code"] == "99214")
    assert row["disposition"] == "billed_as_is"
    assert "SV1*HC:99214:25*150" in result.text
    assert ":59" not in result.text and ":XS" not in result.text


def test_fix_says_25_where_it_removes_an_em_billed_without_it():
    result = _fix(_with_em(""))
    row = next(r for r in result.rows if r["code"] == "99214")
    assert row["disposition"] == "excluded" and row["reason"] == "ptp_bundled"
    assert "modifier 25" in row["sentence"] and "59 or XS" not in row["sentence"]
    assert "SV1*HC:99214*150" not in result.text
    note = next(n for n in result.notes if "99214" in n)
    assert "modifier 25" in note and "never 59" in note
