"""stable.lp and optimize.lp: the billable set is a stable set; ties break deterministically."""


def test_chain_a_b_c(run):
    # A -> B -> C: B falls to A, C stands because B is not billed.
    atoms = run('line(1,"10001",1). line(2,"10002",1). line(3,"10003",1). '
                'ptp("10001","10002",1,99991231,r(1)). ptp("10002","10003",1,99991231,r(2)).')
    assert {"billed(l(1))", "billed(l(3))"} <= atoms
    assert "billed(l(2))" not in atoms


def test_odd_cycle_is_least_violating_not_empty(run):
    atoms = run('line(1,"10001",1). line(2,"10002",1). line(3,"10003",1). '
                'ptp("10001","10002",1,99991231,r(1)). ptp("10002","10003",1,99991231,r(2)). '
                'ptp("10003","10001",1,99991231,r(3)).')
    assert 'alert(rule_conflict,none,"stable.conflict",none)' in atoms
    assert {'cycle_code("10001")', 'cycle_code("10002")', 'cycle_code("10003")'} <= atoms
    assert any(a.startswith("billed(") for a in atoms)


def test_even_cycle_prefers_the_higher_amount(run):
    facts = ('line(1,"10001",1). line(2,"10002",1). ptp("10001","10002",1,99991231,r(1)). '
             'ptp("10002","10001",1,99991231,r(2)). fee("10001",global,nonfacility,{a},r(3)). '
             'fee("10002",global,nonfacility,{b},r(4)).')
    assert "billed(l(2))" in run(facts.format(a=1000, b=5000))
    assert "billed(l(1))" in run(facts.format(a=5000, b=1000))


def test_even_cycle_tie_breaks_by_canonical_order(run):
    atoms = run('line(1,"10001",1). line(2,"10002",1). ptp("10001","10002",1,99991231,r(1)). '
                'ptp("10002","10001",1,99991231,r(2)).')
    assert "billed(l(1))" in atoms
    assert "billed(l(2))" not in atoms
