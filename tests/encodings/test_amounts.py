"""amounts.lp: allowed amounts by component and setting."""


def test_component_and_setting_select_the_fee(run):
    facts = ('owner_given(facility). line(1,"20610",1). line(2,"77002",1). '
             'fee("77002","26",nonfacility,2630,r(1)). fee("77002",global,nonfacility,11584,r(2)). '
             'fee("20610",global,nonfacility,6524,r(3)).')
    atoms = run(facts)
    assert {"amount(l(2),2630,r(1))", "amount(l(1),6524,r(3))", "given_amount(2,11584)"} <= atoms


def test_amount_times_units(run):
    atoms = run('line(1,"76000",2). fee("76000",global,nonfacility,4261,r(1)).')
    assert "amount(l(1),8522,r(1))" in atoms
