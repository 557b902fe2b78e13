"""facility.lp: in a facility place of service only the 26 line of a PC/TC code is billed, whoever owns the unit
(42 CFR 410.42, 411.15(m)); the global and TC rows of 77002/77003 carry the facility NA indicator (RVU24C)."""

import pytest

NA = 'pfs_listed("77002"). pfs_listed("77003"). facility_na("77002",global). facility_na("77003",global). '

CASES = [
    # (what, place, facts, atoms that must hold, atoms that must not)
    ("physician-owned unit in an outpatient hospital: 26 appended and the owner reviewed", "22",
     NA + 'owner_given(physician). line(1,"62273",1). line(2,"77003",1).',
     {'final_mod(l(2),"26")', 'alert(modifier_added,"77003","facility.professional_only","26")',
      'alert(component_owner_review,"77003","facility.owner_review","22")'}, set()),
    ("facility-owned unit: the seed's rule, no review", "22",
     NA + 'line(1,"62273",1). line(2,"77003",1).',
     {'final_mod(l(2),"26")', 'alert(modifier_added,"77003","modifier.pc_facility","26")'},
     {'alert(component_owner_review,"77003","facility.owner_review","22")'}),
    ("physician-owned TC line: blocked, the 26 line billed, no global pair", "22",
     NA + 'owner_given(physician). line(1,"62273",1). line(2,"77003",1). modifier(2,"26"). '
     'line(3,"77003",1). modifier(3,"TC").',
     {"billed(l(2))", 'final_mod(l(2),"26")',
      'excluded(3,component_billed_by_facility,"facility.technical_component",pos("22"),none)'},
     {'alert(modifier_review,"77003","modifier.global_once","26")'}),
    ("no PFS row in force: the policy holds for the PC/TC code alike", "22",
     'owner_given(physician). line(1,"20610",1). line(2,"77002",1).',
     {'final_mod(l(2),"26")'}, set()),
    ("an office keeps the global service", "11",
     NA + 'owner_given(physician). line(1,"20610",1). line(2,"77002",1).',
     set(), {'final_mod(l(2),"26")', 'alert(component_owner_review,"77002","facility.owner_review","11")'}),
]


@pytest.mark.parametrize(("what", "pos", "facts", "present", "absent"), CASES, ids=[c[0] for c in CASES])
def test_facility_professional_component(run, what, pos, facts, present, absent):  # noqa: ARG001
    atoms = run(facts, "#show excluded/5.", pos=pos)
    assert present <= atoms
    assert not (absent & atoms)
