"""imaging_family.lp: multiple procedure indicator 4, TC at 50% and PC at 95% after the first."""

FEES = ('fee("72240",global,nonfacility,20000,r(1)). fee("72240","TC",nonfacility,15000,r(2)). '
        'fee("72240","26",nonfacility,5000,r(3)). fee("72265",global,nonfacility,18000,r(4)). '
        'fee("72265","TC",nonfacility,13000,r(5)). fee("72265","26",nonfacility,5000,r(6)). '
        'mult_proc_ind(C,4) :- C = ("72240";"72265"). imaging_family(C,88) :- C = ("72240";"72265"). '
        'code_kind(C,supervision) :- C = ("72240";"72265"). attr(C,pctc,1) :- C = ("72240";"72265"). ')


def test_global_lines_second_pays_half_its_tc_and_95_percent_of_its_pc(run):
    atoms = run(FEES + 'owner_given(physician). line(1,"72265",1). line(2,"72240",1).')
    # 72265: 18000 - 13000 x 50% - 5000 x 5% = 11250
    assert {"amount(l(2),20000,r(1))", "amount(l(1),11250,r(4))"} <= atoms
    assert "adjusted(l(1),2,imaging_family,1125000,1800000,2)" in atoms


def test_professional_components_second_at_95_percent(run):
    atoms = run(FEES + 'owner_given(facility). line(1,"72265",1). modifier(1,"26"). line(2,"72240",1). '
                'modifier(2,"26").')
    assert {"amount(l(1),4750,r(6))", "amount(l(2),5000,r(3))"} <= atoms


def test_a_single_imaging_line_is_not_reduced(run):
    atoms = run(FEES + 'owner_given(physician). line(1,"72265",1).')
    assert "amount(l(1),18000,r(4))" in atoms
