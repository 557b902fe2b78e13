"""Issue 29 item 1: no 837 claim is lost to an empty segment (``~~``) or a long one. A file of 100 claims gives
100 records (one per claim and date), an error record naming the bad segment for the claim that holds it, the
others solved; the corrected interchange keeps every piece of the file in place."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from fluorologic.claims.errors import ClaimError
from fluorologic.claims.x12 import read_interchange, read_x12
from fluorologic.claims.x12_segments import MAX_SEGMENT
from fluorologic.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
FLUORO = ROOT / "examples" / "claims" / "fluoro_claims.837"
CLAIMS = 100


def hundred_claims() -> list[str]:
    """The segments (no terminators) of one transaction set of 100 claims: the example's first claim, renumbered."""
    segs = FLUORO.read_text(encoding="utf-8").removesuffix("~\n").split("~\n")
    first = next(i for i, s in enumerate(segs) if s.startswith("HL*2*"))
    second = next(i for i, s in enumerate(segs) if s.startswith("HL*3*"))
    st = next(i for i, s in enumerate(segs) if s.startswith("ST*"))
    se = next(i for i, s in enumerate(segs) if s.startswith("SE*"))
    out = segs[:first]
    for k in range(CLAIMS):
        for s in segs[first:second]:
            s = f"HL*{k + 2}*1*22*0" if s.startswith("HL*2*") else s
            out.append(s.replace("TFESI-24081401", f"C{k:03d}"))
    out.append(f"SE*{len(out) - st + 1}*0417")
    return out + segs[se + 1:]


def where(segs: list[str], prefix: str, nth: int) -> int:
    return [i for i, s in enumerate(segs) if s.startswith(prefix)][nth]


def solve(tmp_path: Path, text: str) -> tuple[int, list[dict], str]:
    path = tmp_path / "claims.837"
    path.write_text(text, encoding="utf-8")
    res = CliRunner().invoke(main, ["solve", str(path), "--format", "jsonl", "--workers", "1"])
    assert "Traceback" not in res.output
    return res.exit_code, [json.loads(x) for x in res.stdout.splitlines()], res.stderr


def claim_of(record: dict) -> str:
    return record["encounter_id"].split("@")[0]


@pytest.mark.parametrize("case", ["empty_in_claim", "empty_between_claims", "long_8k", "long_60k", "over_limit",
                                  "empty_and_blank"])
def test_every_claim_has_its_record(tmp_path, case):
    segs = hundred_claims()
    bad_claim = None
    if case == "empty_in_claim":  # "~~" after claim 30's HI segment
        segs.insert(where(segs, "HI*", 30) + 1, "")
        bad_claim = "C030"
    elif case == "empty_between_claims":  # between claim 61's HL and its subscriber: the next claim holds it
        segs.insert(where(segs, "HL*", 62) + 1, "")
        bad_claim = "C061"
    elif case == "long_8k":  # longer than pyx12's 8 KB read-ahead: read as any segment
        segs[where(segs, "N3*", 10)] = "N3*" + "A" * 9000
    elif case == "long_60k":
        segs[where(segs, "N3*", 99)] = "N3*" + "B" * 60_000
    elif case == "over_limit":  # past the reader's bound: its claim is an error record, the others are solved
        segs[where(segs, "N3*", 70)] = "N3*" + "C" * (MAX_SEGMENT + 10)  # the subscriber's address of claim 69
        bad_claim = "C069"
    else:  # "~ ~" and "~\r\n~" count as empty too
        segs.insert(where(segs, "CLM*", 5) + 1, " ")
        bad_claim = "C005"
    text = "~\n".join(segs) + "~\n"
    code, records, err = solve(tmp_path, text)
    assert len(records) == CLAIMS, err
    assert [claim_of(r) for r in records] == [f"C{k:03d}" for k in range(CLAIMS)]
    errors = [r for r in records if "error" in r]
    if bad_claim is None:
        assert code == 0 and errors == []
        return
    assert code == 1
    assert [claim_of(r) for r in errors] == [bad_claim]
    pos = int(errors[0]["error"]["field"].split()[1])
    assert text.split("~")[pos - 1].strip() == "" or len(text.split("~")[pos - 1]) > MAX_SEGMENT
    assert "segment" in errors[0]["error"]["message"]


def test_many_empty_segments_and_a_cut_file_never_lose_a_claim():
    segs = hundred_claims()
    for nth in range(0, CLAIMS, 7):  # an empty segment inside every 7th claim
        segs.insert(where(segs, "CLM*", nth) + 1, "")
    text = "~".join(segs) + "~IEA*1*00"  # and text after the last terminator
    items = list(read_x12(io.StringIO(text)))
    claims = [i for i in items if isinstance(i, dict) or i.encounter_id]
    assert len(claims) == CLAIMS
    bad = {i.encounter_id for i in items if isinstance(i, ClaimError) and i.encounter_id}
    assert bad == {f"C{k:03d}" for k in range(0, CLAIMS, 7)}
    stray = [i for i in items if isinstance(i, ClaimError) and not i.encounter_id]
    assert len(stray) == 1 and "after the last segment terminator" in stray[0].message


def test_the_corrected_interchange_keeps_an_empty_segment_in_place(tmp_path):
    segs = hundred_claims()
    segs.insert(where(segs, "HI*", 3) + 1, "")
    text = "~\n".join(segs) + "~\n"
    ic = read_interchange(text)
    assert "".join(prefix + body + ic.terms[0] for prefix, body in ic.segments) + ic.tail == text
    path, out = tmp_path / "in.837", tmp_path / "out.837"
    path.write_text(text, encoding="utf-8")
    res = CliRunner().invoke(main, ["fix", str(path), "-o", str(out), "--workers", "1"])
    assert res.exit_code == 1, res.output  # claim C003 is an error record, the others are decided
    fixed = out.read_text(encoding="utf-8").removesuffix("~\n").split("~\n")
    se = next(s for s in fixed if s.startswith("SE*"))
    assert int(se.split("*")[1]) == len(fixed[fixed.index(next(s for s in fixed if s.startswith("ST*"))):
                                               fixed.index(se) + 1]) - 1  # SE01 counts real segments only
    assert fixed.count("") == 1
