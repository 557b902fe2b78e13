"""The 835 reader: the three real public samples (one without an ISA envelope) read without a traceback, every
line's adjustments, remarks, REF*6R and dates recovered; malformed segments named while the rest is read."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fluorologic.reconcile.remit import read_835

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT.parent / "shared" / "reference" / "claims" / "835"
needs_samples = pytest.mark.skipif(not SAMPLES.is_dir(), reason="../shared/reference/claims/835 not present")


def _adj(line):
    return [(a.group, a.reason, a.amount) for a in line.adjustments]


@needs_samples
def test_lfh_managed_care_claim_and_line_adjustments():
    remit = read_835((SAMPLES / "lfh_managed-care.835").read_text())
    assert remit.errors == [] and remit.notes == []
    assert [(c.claim_id, c.status, c.billed, c.paid, c.patient_responsibility) for c in remit.claims] == [
        ("5554555444", "1", 800.0, 450.0, 300.0), ("8765432112", "1", 1200.0, 495.0, 600.0)]
    assert [[(a.group, a.reason, a.amount) for a in c.adjustments] for c in remit.claims] == [
        [("CO", "A2", 50.0)], [("CO", "A2", 55.0)]]
    first, second = (c.lines[0] for c in remit.claims)
    assert (first.code, first.billed, first.paid, _adj(first)) == ("99211", 800.0, 500.0, [("PR", "1", 300.0)])
    assert (second.code, _adj(second)) == ("93555", [("PR", "1", 600.0), ("CO", "45", 50.0)])
    assert first.date.isoformat() == "2002-03-01"  # DTM*150, the service period's start
    assert {w.field.split()[-1] for w in remit.warnings} == {"BPR16", "N1"}  # pyx12's findings, not errors


@needs_samples
def test_blue_cross_without_envelope_is_read_inside_a_synthetic_one():
    remit = read_835((SAMPLES / "edi835parser_blue_cross_nc_sample.txt").read_text())
    assert remit.notes == ["no ISA/GS envelope: the transaction sets were read inside a synthetic 005010X221A1 "
                           "envelope"]
    (claim,) = remit.claims
    assert (claim.claim_id, claim.billed, claim.paid, claim.patient_responsibility) == ("200200964A52", 2100.0,
                                                                                       1922.86, 142.54)
    one, two, three = claim.lines
    # SVC06: the payer changed the code; the code as submitted is 59410
    assert (one.code, one.submitted_code, one.billed_code, one.paid, one.ref6r) == ("59430", "59410", "59410",
                                                                                     1057.86, "0001")
    assert _adj(one) == [("CO", "42", 34.6), ("PR", "2", 117.54)] and one.allowed == 1175.4
    assert (two.code, two.submitted_code, two.ref6r, _adj(two)) == ("59440", "59410", "0002", [("PR", "3", 25.0)])
    assert one.date.isoformat() == two.date.isoformat() == "2010-12-31"
    # the third SVC has its amounts shifted past SVC07: named, and the line's other segments still read
    assert three.error is not None and three.ref6r == "0003"
    assert [e.field for e in remit.errors] == ["segment 28 SVC02"]
    assert "segment 28 SVC" in {w.field for w in remit.warnings}  # pyx12: too many elements
    assert "segment 32 SE" in {w.field for w in remit.warnings}  # its SE01 count is wrong (33 for 32)


@needs_samples
def test_emedny_remarks_and_denials():
    remit = read_835((SAMPLES / "edi835parser_emedny_sample.txt").read_text())
    assert remit.errors == [] and len(remit.claims) == 3
    assert [len(c.lines) for c in remit.claims] == [4, 2, 4]
    denied = remit.claims[1]
    assert [(ln.code, ln.paid, ln.units, _adj(ln)) for ln in denied.lines] == [
        ("V2020", 0.0, 0.0, [("CO", "29", 12.0)]), ("V2103", 0.0, 0.0, [("CO", "29", 22.0)])]
    last = remit.claims[2].lines
    assert [(ln.code, ln.modifiers, _adj(ln), ln.remarks) for ln in last[2:]] == [
        ("V2700", ["RB"], [("CO", "251", 2.75)], ["N206"]), ("S0580", [], [("CO", "251", 20.0)], ["N206"])]
    assert last[1].date.isoformat() == "2013-09-17"


def test_several_interchanges_and_plb():
    isa = ("ISA*00*          *00*          *ZZ*PAYER          *ZZ*CLINIC         *240901*1200*^*00501*{n:09d}*0*P*:~"
           "GS*HP*PAYER*CLINIC*20240901*1200*{n}*X*005010X221A1~")
    tx = ("ST*835*{n:04d}~BPR*I*80*C*CHK************20240901~TRN*1*{n}*1~N1*PR*MEDICARE~N1*PE*CLINIC*XX*1~LX*1~"
          "CLP*C{n}*1*200*80**MB*P1~SVC*HC:20610:LT*200*80**1~DTM*472*20240814~CAS*CO*45*120~REF*6R*1~"
          "PLB*1234567890*20241231*L6:ICN1*-1.5*WO:ICN2*20~SE*13*{n:04d}~GE*1*{n}~IEA*1*{n:09d}~")
    text = "".join(isa.format(n=n) + tx.format(n=n) for n in (1, 2))
    remit = read_835(text)
    assert [c.claim_id for c in remit.claims] == ["C1", "C2"]
    assert [(p.reason, p.reference, p.amount) for p in remit.provider_adjustments] == [
        ("L6", "ICN1", -1.5), ("WO", "ICN2", 20.0)] * 2
    assert remit.claims[1].lines[0].segment == 27  # positions count the whole file (17 in the first interchange)


def test_bad_segments_are_named_and_the_rest_is_read():
    text = ("ST*835*1~BPR*I*80*C*CHK************20240901~TRN*1*1*1~N1*PR*MEDICARE~N1*PE*CLINIC*XX*1~LX*1~"
            "CLP*C1*1*200*80**MB*P1~SVC*HC:2061*200*80**1~CAS*XX*45*120~"
            "CLP*C2*4*100*0**MB*P2~SVC*HC:77002*100*0**1~CAS*CO*97*abc*1*B15*100~LQ*HE*M80~SE*14*1~")
    remit = read_835(text)
    assert [e.field for e in remit.errors] == ["segment 8 SVC01-2", "segment 9 CAS01", "segment 12 CAS03"]
    (line,) = remit.claims[1].lines
    assert (line.code, [(a.reason, a.amount) for a in line.adjustments], line.remarks) == ("77002", [("B15", 100.0)],
                                                                                           ["M80"])


@settings(max_examples=20)  # each read loads pyx12's 835 map (about 0.25 s)
@given(st.text(max_size=300))
def test_any_text_reads_without_a_traceback(text):
    remit = read_835(text)
    assert isinstance(remit.errors, list)


@settings(max_examples=20)
@given(st.text(alphabet="ST*835~CLPSVCASREF6LQHE0123456789:.-", max_size=200))
def test_segment_soup_reads_without_a_traceback(text):
    read_835("ST*835*1~" + text)
