"""modifiers.lp: 26 for facility-owned units, 59/XS for documented distinct services, review."""


def test_26_appended_with_facility_owner(run):
    atoms = run('owner_given(facility). line(1,"20610",1). line(2,"77002",1).')
    assert {'final_mod(l(2),"26")', 'alert(modifier_added,"77002","modifier.pc_facility","26")'} <= atoms
    assert 'final_mod(l(1),"26")' not in atoms


def test_no_26_with_physician_owner(run):
    atoms = run('line(1,"20610",1). line(2,"77002",1).')
    assert not any(a.startswith("final_mod") for a in atoms)


def test_bypass_appends_59_or_xs(run):
    base = 'line(1,"10001",1). line(2,"10002",1). distinct(2). ptp("10001","10002",1,99991231,r(1)). '
    assert 'final_mod(l(2),"59")' in run(base)
    sited = base + 'site(1,"left knee"). site(2,"right shoulder").'
    assert 'final_mod(l(2),"XS")' in run(sited)


def test_review_26_in_office(run):
    atoms = run('line(1,"20610",1). line(2,"77002",1). modifier(2,"26").')
    assert 'alert(modifier_review,"77002","modifier.review_26_owner","26")' in atoms


def test_review_26_on_code_without_split(run):
    atoms = run('line(1,"20610",1). modifier(1,"26").')
    assert 'alert(modifier_review,"20610","modifier.review_no_split","26")' in atoms


def test_review_undocumented_59(run):
    atoms = run('line(1,"20610",1). modifier(1,"59").')
    assert 'alert(modifier_review,"20610","modifier.review_undocumented","59")' in atoms
