"""audit.lp: decisions carry their rule and data row; explanation edges come from billed suppressors."""


def test_lapsed_edit_is_audited(run):
    atoms = run('dos(20260101). line(1,"20610",1). line(2,"77002",1). ptp("20610","77002",1,20100331,r(1)).'
                .replace("dos(20260101). ", ""))
    assert 'audit(2,"ptp.lapsed",("20610","77002"),r(1))' in atoms


def test_conflict_edges_only_from_billed(run):
    atoms = run('line(1,"10001",1). line(2,"10002",1). line(3,"10003",1). '
                'ptp("10001","10002",1,99991231,r(1)). ptp("10002","10003",1,99991231,r(2)).')
    assert 'conflict(l(1),l(2),"ptp.bundled")' in atoms
    assert not any(a.startswith("conflict(l(2)") for a in atoms)
