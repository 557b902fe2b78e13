"""suppression.lp: the arrows of the stable-set graph."""

SHOW = "#show attack/5. #show bypassed/4."


def test_ptp_arrow(run):
    atoms = run('line(1,"20610",1). line(2,"76000",1). ptp("20610","76000",1,99991231,r(7)).', SHOW)
    assert 'attack(l(1),l(2),ptp_bundled,"ptp.bundled",r(7))' in atoms


def test_distinct_service_bypasses_indicator_1(run):
    atoms = run('line(1,"20610",1). line(2,"76000",1). distinct(2). ptp("20610","76000",1,99991231,r(7)).', SHOW)
    assert 'bypassed(l(2),l(1),r(7),1)' in atoms
    assert not any(a.startswith("attack(l(1),l(2),ptp_bundled") for a in atoms)


def test_indicator_0_is_never_bypassed(run):
    atoms = run('line(1,"20610",1). line(2,"76000",1). distinct(2). ptp("20610","76000",0,99991231,r(7)).', SHOW)
    assert 'attack(l(1),l(2),ptp_bundled,"ptp.bundled",r(7))' in atoms


def test_policy_arrows(run):
    atoms = run('line(1,"64483",1). line(2,"77003",1). line(3,"27506",1). line(4,"76000",1).', SHOW)
    assert 'attack(l(1),l(2),guidance_included,"guidance.included",none)' in atoms
    assert 'attack(l(3),l(4),integral_to_surgery,"guidance.integral",none)' in atoms
    assert 'attack(l(2),l(4),more_specific_guidance,"guidance.more_specific",none)' in atoms


def test_indicator_0_locks_policy_arrows_too(run):
    atoms = run('line(1,"64483",1). line(2,"77003",1). distinct(2). ptp("64483","77003",0,99991231,r(1)).', SHOW)
    assert 'attack(l(1),l(2),guidance_included,"guidance.included",none)' in atoms


def test_76000_beside_specific_guidance_is_never_bypassed(run):
    atoms = run('line(1,"20610",1). line(2,"77002",1). line(3,"76000",1). distinct(3).', SHOW)
    assert 'attack(l(2),l(3),more_specific_guidance,"guidance.more_specific",none)' in atoms


def test_guidance_follows_its_own_site(run):
    """64483 at L5-S1 includes its own guidance; 77002 at the knee guides 20610 there (issue 26, point 1)."""
    facts = ('line(1,"64483",1). site(1,"l5-s1"). line(2,"20610",1). site(2,"left knee"). '
             'line(3,"77002",1). site(3,"left knee"). ptp("64483","77002",1,99991231,r(5)).')
    atoms = run(facts, SHOW)
    assert not any(a.startswith("attack(l(1),l(3),") for a in atoms)
    assert 'bypassed(l(3),l(1),r(5),1)' in atoms


def test_guidance_without_a_site_keeps_the_encounter_wide_rule(run):
    facts = 'line(1,"64483",1). site(1,"l5-s1"). line(2,"20610",1). site(2,"left knee"). line(3,"77002",1).'
    assert 'attack(l(1),l(3),guidance_included,"guidance.included",none)' in run(facts, SHOW)


def test_guidance_at_the_site_of_the_inclusive_procedure_is_included(run):
    facts = ('line(1,"64483",1). site(1,"l5-s1"). line(2,"20610",1). site(2,"left knee"). '
             'line(3,"77003",1). site(3,"l5-s1").')
    assert 'attack(l(1),l(3),guidance_included,"guidance.included",none)' in run(facts, SHOW)


def test_a_site_no_procedure_shares_keeps_the_encounter_wide_rule(run):
    facts = 'line(1,"64483",1). site(1,"l5-s1"). line(2,"77003",1). site(2,"l5").'
    assert 'attack(l(1),l(2),guidance_included,"guidance.included",none)' in run(facts, SHOW)
