"""Generated claims and remittances: every claim line yields exactly one row, and every remittance line is
matched to one claim line or reported in its own ``unmatched`` row (never both, never twice)."""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from fluorologic.reconcile.match import ClaimKey, RemitKey, match_lines
from fluorologic.reconcile.reconcile import reconcile
from fluorologic.reconcile.remit import read_835

CODES = ["20610", "77002", "77003", "76000", "64483", "27093", "27506", "62273"]
MODS = ["", "LT", "RT", "26", "59"]


@st.composite
def claims_and_remit(draw):
    """Encounters (claim id = encounter id, line ids 1..n) and an 835 answering some of their lines, in any
    order, some by REF*6R, some with SVC06, plus lines of no claim."""
    encounters = []
    for k in range(draw(st.integers(1, 3))):
        lines = [{"code": draw(st.sampled_from(CODES)), "line_id": str(i + 1),
                  "modifiers": [m] if (m := draw(st.sampled_from(MODS))) else []}
                 for i in range(draw(st.integers(1, 4)))]
        encounters.append({"encounter_id": f"CL{k}", "date_of_service": "2024-08-20", "place_of_service": "11",
                           "claim": {"claim_id": f"CL{k}"}, "lines": lines})
    svcs = []
    for enc in encounters:
        for ln in enc["lines"]:
            if draw(st.booleans()):
                code = "HC:" + ":".join([ln["code"], *ln["modifiers"]])
                paid = draw(st.sampled_from(["0", "25.5"]))
                changed = draw(st.booleans())
                seg = [f"SVC*{'HC:77003' if changed else code}*100*{paid}**1" + (f"*{code}" if changed else ""),
                       "DTM*472*20240820", f"CAS*CO*{draw(st.sampled_from(['97', '45', '151', '50', 'B15']))}*74.5"]
                if draw(st.booleans()):
                    seg.append(f"REF*6R*{ln['line_id']}")
                if draw(st.booleans()):
                    seg.append(f"LQ*HE*{draw(st.sampled_from(['M80', 'N362', 'N122', 'N20']))}")
                svcs.append((enc["encounter_id"], seg))
    for _ in range(draw(st.integers(0, 2))):
        svcs.append((draw(st.sampled_from(["CL0", "ZZ9"])), [f"SVC*HC:{draw(st.sampled_from(CODES))}*50*0**1",
                                                            "CAS*CO*16*50"]))
    order = draw(st.permutations(range(len(svcs))))
    body = ["BPR*I*0*C*NON************20240901", "TRN*1*1*1", "N1*PR*MEDICARE", "N1*PE*CLINIC*XX*1", "LX*1"]
    for i in order:
        cid, seg = svcs[i]
        body += [f"CLP*{cid}*1*100*0**MB*P{i}", *seg]
    text = "ST*835*0001~" + "~".join(body) + f"~SE*{len(body) + 2}*0001~"
    return encounters, text


@settings(max_examples=15)
@given(claims_and_remit())
def test_one_row_per_claim_line_and_every_remit_line_accounted_for(engine, pair):
    encounters, text = pair
    remit = read_835(text)
    rec = reconcile(encounters, remit, engine)
    claim_rows = Counter((r["claim_id"], r["line_id"]) for r in rec.rows if r["encounter_id"] is not None)
    assert claim_rows == Counter((e["claim"]["claim_id"], ln["line_id"]) for e in encounters for ln in e["lines"])
    segments = Counter(r["remit_segment"] for r in rec.rows if r["remit_segment"] is not None)
    assert segments == Counter(ln.segment for _, ln in remit.lines)  # each remittance line in exactly one row
    for r in rec.rows:
        assert (r["encounter_id"] is None) == (r["decision"] is None)
        assert r["verdict"] != "unmatched" or r["next_step"] == "review"
        if r["encounter_id"] is None:
            assert r["verdict"] == "unmatched"
        if r["payer_outcome"] == "not_in_remit":
            assert r["verdict"] == "unmatched" and r["remit_segment"] is None


@st.composite
def keys(draw):
    claim = [ClaimKey(draw(st.sampled_from("AB")), str(i), draw(st.sampled_from(CODES[:3])),
                      tuple(draw(st.lists(st.sampled_from(MODS[1:]), max_size=1))), "2024-08-20")
             for i in range(draw(st.integers(0, 6)))]
    remit = [RemitKey(draw(st.sampled_from("ABC")), draw(st.sampled_from([None, "0", "1", "2"])),
                      draw(st.sampled_from(CODES[:3])), tuple(draw(st.lists(st.sampled_from(MODS[1:]), max_size=1))),
                      None) for _ in range(draw(st.integers(0, 6)))]
    return claim, remit


@settings(max_examples=300)
@given(keys())
def test_matching_is_one_to_one_within_a_claim(pair):
    claim, remit = pair
    matched = match_lines(claim, remit)
    hits = [i for i in matched if i is not None]
    assert len(hits) == len(set(hits))
    for j, i in enumerate(matched):
        if i is not None:
            assert claim[i].claim_id == remit[j].claim_id
            assert remit[j].ref6r == claim[i].line_id or claim[i].code == remit[j].code
