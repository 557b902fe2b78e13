"""reasons.lp: one shown reason per excluded line, by precedence."""


def test_guidance_included_outranks_ptp(run):
    atoms = run('line(1,"64483",1). line(2,"77003",1). ptp("64483","77003",1,99991231,r(1)).')
    assert 'excluded(2,guidance_included,"guidance.included",code("64483"),none)' in atoms
    assert 'why(l(2),ptp_bundled,"ptp.bundled",code("64483"),r(1))' in atoms


def test_more_specific_outranks_ptp(run):
    atoms = run('line(1,"20610",1). line(2,"77002",1). line(3,"76000",1). ptp("77002","76000",1,99991231,r(1)).')
    assert 'excluded(3,more_specific_guidance,"guidance.more_specific",code("77002"),none)' in atoms
