"""multiple_procedure.lp: §40.6, ranked by fee after the bilateral adjustment."""

FEES = ('fee("20610",global,nonfacility,6524,r(1)). fee("20605",global,nonfacility,5526,r(2)). '
        'fee("20600",global,nonfacility,5394,r(3)). mult_proc_ind(C,2) :- C = ("20610";"20605";"20600"). '
        'bilateral_ind(C,1) :- C = ("20610";"20605";"20600"). ')


def test_highest_fee_at_100_the_others_at_50(run):
    atoms = run(FEES + 'line(1,"20600",1). line(2,"20605",1). line(3,"20610",1).')
    assert {"amount(l(3),6524,r(1))", "amount(l(2),2763,r(2))", "amount(l(1),2697,r(3))"} <= atoms
    assert {"adjusted(l(2),2,multiple_procedure,1,2,2)", "adjusted(l(1),2,multiple_procedure,1,2,3)"} <= atoms
    assert not any(a.startswith("adjusted(l(3),") for a in atoms)
    # the claim as billed is priced by the same rules
    assert {"given_amount(3,6524)", "given_amount(2,2763)", "given_amount(1,2697)"} <= atoms


def test_the_bilateral_adjustment_comes_first(run):
    # 20600-50 (5394 x 1.5 = 8091) outranks 20610 (6524): 20610 is paid at 50%
    atoms = run(FEES + 'line(1,"20600",1). modifier(1,"50"). line(2,"20610",1).')
    assert {"amount(l(1),8091,r(3))", "amount(l(2),3262,r(1))"} <= atoms


def test_add_ons_and_indicator_0_are_not_reduced(run):
    facts = ('fee("64493",global,nonfacility,20000,r(1)). fee("64494",global,nonfacility,9000,r(2)). '
             'fee("77003",global,nonfacility,10000,r(3)). fee("64483",global,nonfacility,24633,r(4)). '
             'mult_proc_ind("64493",2). mult_proc_ind("64483",2). mult_proc_ind("64494",0). '
             'mult_proc_ind("77003",0). addon("64494"). aoc("64493","64494",1,a(1)). code_kind("64494",procedure). '
             'line(1,"64493",1). line(2,"64494",1). line(3,"64483",1).')
    atoms = run(facts)
    assert {"amount(l(3),24633,r(4))", "amount(l(1),10000,r(1))", "amount(l(2),9000,r(2))"} <= atoms


def test_units_after_the_first_are_further_procedures(run):
    atoms = run(FEES + 'line(1,"20600",3).')
    # 5394 x (100% + 50% + 50%) = 10788
    assert "amount(l(1),10788,r(3))" in atoms


def test_a_tie_is_ranked_by_code_and_said(run):
    facts = ('fee("20605",global,nonfacility,5000,r(1)). fee("20600",global,nonfacility,5000,r(2)). '
             'mult_proc_ind("20605",2). mult_proc_ind("20600",2). line(1,"20605",1). line(2,"20600",1).')
    atoms = run(facts)
    assert {"amount(l(2),5000,r(2))", "amount(l(1),2500,r(1))", "mp_tie(final,l(1),l(2))"} <= atoms


def test_half_cents_round_up_once(run):
    atoms = run('fee("20600",global,nonfacility,5395,r(1)). fee("20610",global,nonfacility,6524,r(2)). '
                'mult_proc_ind("20600",2). mult_proc_ind("20610",2). line(1,"20600",1). line(2,"20610",1).')
    assert "amount(l(1),2698,r(1))" in atoms  # 26.975 -> 26.98
