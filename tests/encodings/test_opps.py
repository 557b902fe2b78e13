"""opps_in_force.lp, opps_status.lp, opps_payment.lp: the hospital's claim on tiny fact sets (a table of cases).

Rates and status indicators are made-up numbers in the shape of the I/OCE rows; they test the rules, not the data.
"""

from __future__ import annotations

import re
import sys

import pytest

HOSPITAL = ('claim_type(institutional). pos("22"). '
            'opps_si("20610","T","5441",0,99991231,s(1)). opps_si("62273","T","5442",0,99991231,s(2)). '
            'opps_si("64483","T","5443",0,99991231,s(3)). opps_si("77002","N",none,0,99991231,s(4)). '
            'opps_si("77003","N",none,0,99991231,s(5)). opps_si("76000","S","5523",0,99991231,s(6)). '
            'opps_si("64635","J1","5431",0,99991231,s(7)). opps_si("27096","B",none,0,99991231,s(8)). '
            'opps_si("G0260","T","5442",0,99991231,s(9)). opps_si("0202T","C",none,0,20251231,s(10)). '
            'opps_si("0202T","J1","5115",20260101,99991231,s(11)). '
            'apc_pay("5441",28000,0,99991231,a(1)). apc_pay("5442",66000,0,20231231,a(2)). '
            'apc_pay("5442",70000,20240101,99991231,a(3)). apc_pay("5443",87000,0,99991231,a(4)). '
            'apc_pay("5523",23000,0,99991231,a(5)). apc_pay("5431",184000,0,99991231,a(6)). '
            'apc_pay("5115",1300000,0,99991231,a(7)). '
            'code_kind("64635",procedure). target("64635",spinal). code_kind("G0260",procedure). '
            'code_kind("27096",procedure). code_kind("0202T",procedure). '
            'oce_version("25.2","2024Q3",20240701,20240930). ')

CASES = [
    # (claim lines and extra facts, atoms that must hold, atoms that must not)
    ('line(1,"62273",1). line(2,"77003",1).',
     {"amount(l(1),70000,a(3))", "amount(l(2),0,s(5))", 'opps_adj(l(2),packaged,si("N"))',
      'opps_release("25.2","2024Q3")'},
     {'final_mod(l(2),"26")'}),
    ('line(1,"62273",1). line(2,"20610",2). line(3,"64483",1).',
     {"amount(l(3),87000,a(4))", "amount(l(1),35000,a(3))", "amount(l(2),28000,a(1))",
      "opps_adj(l(1),multiple_procedure,every_unit)", "opps_adj(l(2),multiple_procedure,every_unit)"},
     {"opps_adj(l(3),multiple_procedure,every_unit)"}),
    ('line(1,"20610",3).',
     {"amount(l(1),56000,a(1))", "opps_adj(l(1),multiple_procedure,later_units)"}, set()),
    ('line(1,"64635",1). line(2,"20610",1). line(3,"76000",1).',
     {"amount(l(1),184000,a(6))", "amount(l(2),0,s(1))", "amount(l(3),0,s(6))",
      'opps_adj(l(2),packaged,j1("64635"))'}, set()),
    ('line(1,"27096",1). line(2,"77003",1). opps_alt("27096","G0260",x(1)).',
     {'added("G0260",opps_alternative_code,"27096")',
      'excluded(1,opps_alternative_code,"opps.alternative_code",code("G0260"),none)',
      "amount(a(\"G0260\"),70000,a(3))"}, set()),
    ('line(1,"0202T",1).', {'alert(inpatient_only,"0202T","opps.inpatient_only",none)', "amount(l(1),0,s(10))"},
     set()),
    ('line(1,"0202T",1). dos(20260105).', {"amount(l(1),1300000,a(7))"}, {"alert(inpatient_only,\"0202T\","
                                                                         "\"opps.inpatient_only\",none)"}),
    ('line(1,"62273",1). dos(20230601).', {"amount(l(1),66000,a(2))"}, set()),
    # modifier 50 on a conditionally bilateral T code: two units for the discount, 150% as the highest T ...
    ('line(1,"64483",1). modifier(1,"50"). opps_bilateral("64483").',
     {"amount(l(1),130500,a(4))", "opps_adj(l(1),bilateral,conditional)",
      "opps_adj(l(1),multiple_procedure,later_units)"}, set()),
    # ... and 2 x 50% beside a higher-paid T; without the flag, 50 changes nothing
    ('line(1,"64483",1). line(2,"20610",1). modifier(2,"50"). opps_bilateral("20610").',
     {"amount(l(1),87000,a(4))", "amount(l(2),28000,a(1))", "opps_adj(l(2),bilateral,conditional)"}, set()),
    ('line(1,"64483",1). modifier(1,"50").', {"amount(l(1),87000,a(4))"}, {"opps_adj(l(1),bilateral,conditional)"}),
    # an add-on of the I/OCE maps with no eligible primary on the claim
    ('line(1,"20610",1). line(2,"77003",1). site_class(2,spinal). addon_opps("77003",0,99991231).',
     {'excluded(2,add_on_without_primary,"addon.no_primary",none,none)'}, set()),
]


@pytest.mark.parametrize(("facts", "present", "absent"), CASES)
def test_hospital_rules(run, monkeypatch, facts, present, absent):
    day = re.search(r"dos\((\d+)\)\.", facts)
    if day:  # another day than the shared base's
        base = sys.modules[run.__module__]
        monkeypatch.setattr(base, "BASE", base.BASE.replace("dos(20240814).", ""))
    atoms = run(HOSPITAL + facts)
    assert present <= atoms, present - atoms
    assert not absent & atoms


def test_professional_claim_ignores_the_hospital_rows(run):
    atoms = run(HOSPITAL.replace("claim_type(institutional). ", "") + 'line(1,"62273",1). line(2,"77003",1).')
    assert not {a for a in atoms if a.startswith(("opps_", "amount("))}
