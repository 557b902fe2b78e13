"""em.lp: modifier 25 (and 57 for a 90-day-global procedure) is an E/M's bypass of an indicator-1 PTP edit; 59 and
X{EPSU} never go on an E/M (NCCI Policy Manual ch. I §D-E, ch. XI; Claims Processing Manual ch. 12 §30.6.6).

The edits are the real 2024Q3 practitioner rows: 64483/99214 and 20610/99214 (indicator 1, active), 27506/99223
(indicator 1, active); 27506 has a 090 global period in RVU24C, 64483 and 20610 000.
"""

import pytest

EM = ('code_kind("99214",evaluation_management). code_kind("99223",evaluation_management). '
      'global_days("64483",0). global_days("20610",0). global_days("27506",90). '
      'ptp("64483","99214",1,99991231,r(10)). ptp("20610","99214",1,99991231,r(11)). '
      'ptp("27506","99223",1,99991231,r(12)). ')

CASES = [
    # (what, facts, atoms that must hold, atoms that must not)
    ("25 billed: the E/M is billed with 25, no 59",
     'line(1,"64483",1). line(2,"99214",1). modifier(2,"25").',
     {"billed(l(2))", 'final_mod(l(2),"25")'}, {'final_mod(l(2),"59")', 'final_mod(l(2),"XS")'}),
    ("no 25: the edit applies and the alert asks for 25",
     'line(1,"64483",1). line(2,"99214",1).',
     {'excluded(2,ptp_bundled,"ptp.bundled",code("64483"),r(10))',
      'alert(em_modifier_25,"99214","em.modifier_25","64483")'}, {"billed(l(2))"}),
    ("distinct E/M line: 25 is appended, never 59",
     'line(1,"20610",1). line(2,"99214",1). distinct(2).',
     {"billed(l(2))", 'final_mod(l(2),"25")', 'alert(modifier_added,"99214","modifier.em_significant","25")'},
     {'final_mod(l(2),"59")', 'final_mod(l(2),"XS")'}),
    ("59 on an E/M bypasses nothing and is flagged",
     'line(1,"20610",1). line(2,"99214",1). modifier(2,"59").',
     {'alert(modifier_review,"99214","em.review_59","59")', 'alert(em_modifier_25,"99214","em.modifier_25","20610")'},
     {"billed(l(2))", 'alert(modifier_review,"99214","modifier.review_undocumented","59")'}),
    ("XS on a distinct E/M is dropped for 25",
     'line(1,"20610",1). line(2,"99214",1). modifier(2,"XS"). distinct(2).',
     {"billed(l(2))", 'final_mod(l(2),"25")'}, {'final_mod(l(2),"XS")'}),
    ("57 beside a 90-day-global procedure: the decision for surgery",
     'line(1,"27506",1). line(2,"99223",1). modifier(2,"57").',
     {"billed(l(2))", 'final_mod(l(2),"57")'}, {'final_mod(l(2),"25")'}),
    ("no modifier beside a 90-day-global procedure: the alert names 57",
     'line(1,"27506",1). line(2,"99223",1).',
     {'alert(em_modifier_25,"99223","em.modifier_57","27506")'}, {"billed(l(2))"}),
    ("57 beside a minor procedure does not bypass",
     'line(1,"64483",1). line(2,"99214",1). modifier(2,"57").',
     {'alert(modifier_review,"99214","em.review_57_minor","57")',
      'alert(em_modifier_25,"99214","em.modifier_25","64483")'},
     {"billed(l(2))"}),
    ("57 alone (the decision for surgery the day before a major procedure) is not flagged",
     'line(1,"99223",1). modifier(1,"57").',
     {"billed(l(1))", 'final_mod(l(1),"57")'}, {'alert(modifier_review,"99223","em.review_57_minor","57")'}),
    ("25 on a procedure is flagged",
     'code("20610"). line(1,"20610",1). modifier(1,"25").',
     {'alert(modifier_review,"20610","em.review_not_em","25")'}, set()),
    ("an indicator-0 edit is never bypassed by 25, and no 25 alert",
     'line(1,"10001",1). line(2,"99214",1). modifier(2,"25"). ptp("10001","99214",0,99991231,r(13)).',
     {'excluded(2,ptp_bundled,"ptp.bundled",code("10001"),r(13))'},
     {"billed(l(2))", 'alert(em_modifier_25,"99214","em.modifier_25","10001")'}),
]


@pytest.mark.parametrize(("what", "facts", "present", "absent"), CASES, ids=[c[0] for c in CASES])
def test_em_modifiers(run, what, facts, present, absent):  # noqa: ARG001 (what names the case)
    atoms = run(EM + facts, "#show excluded/5.")
    assert present <= atoms
    assert not (absent & atoms)
