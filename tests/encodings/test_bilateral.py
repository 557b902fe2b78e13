"""bilateral.lp: the MPFS bilateral indicator (Claims Processing Manual ch. 12 §40.7)."""

import pytest

FEE = 'fee("64483",global,nonfacility,24633,r(1)). mult_proc_ind("64483",2). '


@pytest.mark.parametrize("lines", [
    'line(1,"64483",1). modifier(1,"RT"). line(2,"64483",1). modifier(2,"LT").',
    'line(1,"64483",2). mue("64483",1,2,20240701,r(2)).',  # its MUE is 1: 2 units can only be both sides
])
def test_indicator_1_both_sides_become_one_line_with_50_at_150(run, lines):
    atoms = run(FEE + 'bilateral_ind("64483",1). ' + lines)
    assert {"billed(b(\"64483\"))", "final_mod(b(\"64483\"),\"50\")", "final_units(b(\"64483\"),1)",
            "added(\"64483\",bilateral_one_line,\"64483\")", "amount(b(\"64483\"),36950,r(1))",
            "adjusted(b(\"64483\"),1,bilateral,3,2,1)"} <= atoms
    assert not any(a.startswith("billed(l(") for a in atoms)
    assert any(a.startswith("excluded(1,bilateral_one_line,") for a in atoms)


def test_indicator_1_with_50_is_paid_at_150(run):
    atoms = run(FEE + 'bilateral_ind("64483",1). line(1,"64483",1). modifier(1,"50").')
    assert "amount(l(1),36950,r(1))" in atoms and "given_amount(1,36950)" in atoms


@pytest.mark.parametrize("facts", [
    'mue("64484",4,3,20240701,r(2)). addon("64484").',  # an add-on of levels: 2 units are 2 levels
    'mue("64484",2,3,20240701,r(2)).',  # a code whose MUE allows 2 units: they need not be the two sides
])
def test_two_units_are_not_both_sides_where_a_side_may_have_more(run, facts):
    atoms = run('fee("64484",global,nonfacility,11118,r(1)). mult_proc_ind("64484",0). bilateral_ind("64484",1). '
                'line(1,"64484",2). ' + facts)
    assert not any(a.startswith("billed(b(") or "bilateral_one_line" in a for a in atoms)
    assert "billed(l(1))" in atoms or "excluded(1,add_on_without_primary,\"addon.no_primary\",none,none)" in atoms


def test_indicator_2_drops_50_and_pays_100(run):
    atoms = run(FEE + 'bilateral_ind("64483",2). line(1,"64483",1). modifier(1,"50").')
    assert "amount(l(1),24633,r(1))" in atoms
    assert not any(a.startswith("final_mod(l(1),\"50\")") for a in atoms)
    assert 'alert(modifier_review,"64483","bilateral.already_bilateral","50")' in atoms


@pytest.mark.parametrize("indicator", [0, 9])
def test_indicator_0_flags_50_and_pays_100(run, indicator):
    atoms = run(FEE + f'bilateral_ind("64483",{indicator}). line(1,"64483",1). modifier(1,"50").')
    assert "amount(l(1),24633,r(1))" in atoms
    assert 'alert(modifier_review,"64483","bilateral.not_payable","50")' in atoms


def test_indicator_3_keeps_each_side_at_100(run):
    facts = ('fee("73525",global,nonfacility,5000,r(1)). bilateral_ind("73525",3). mult_proc_ind("73525",0). '
             'line(1,"73525",1). modifier(1,"RT"). line(2,"73525",1). modifier(2,"LT").')
    atoms = run(facts)
    assert {"amount(l(1),5000,r(1))", "amount(l(2),5000,r(1))"} <= atoms
    assert not any(a.startswith("node(b(") or a.startswith("added(") for a in atoms)


def test_indicator_3_with_50_pays_both_sides(run):
    atoms = run('fee("73525",global,nonfacility,5001,r(1)). bilateral_ind("73525",3). line(1,"73525",1). '
                'modifier(1,"50").')
    assert "amount(l(1),10002,r(1))" in atoms


def test_the_bilateral_line_honours_the_mue(run):
    facts = (FEE + 'bilateral_ind("64483",1). mue("64483",1,2,20240701,m(1)). '
             'line(1,"64483",1). modifier(1,"RT"). line(2,"64483",1). modifier(2,"LT").')
    atoms = run(facts)
    assert "final_units(b(\"64483\"),1)" in atoms
    assert not any(a.startswith("trimmed(") for a in atoms)
