"""in_force.lp: codes and rule rows in force on the date of service."""

SHOW = "#show ptp_in_force/4. #show ptp_lapsed/4. #show mue_in_force/4. #show code_out_of_force/3."


def test_edit_in_force_through_its_deletion_date(run):
    atoms = run('line(1,"20610",1). ptp("20610","76000",1,20240814,r(9)). dos(20240814).', SHOW)
    assert 'ptp_in_force("20610","76000",1,r(9))' in atoms


def test_edit_lapsed_after_its_deletion_date(run):
    atoms = run('line(1,"20610",1). ptp("20610","76000",1,20100331,r(9)).', SHOW)
    assert 'ptp_lapsed("20610","76000",20100331,r(9))' in atoms
    assert not any(a.startswith("ptp_in_force") for a in atoms)


def test_indicator_9_never_in_force(run):
    atoms = run('line(1,"20610",1). ptp("20610","76000",9,99991231,r(9)).', SHOW)
    assert not any(a.startswith("ptp_in_force") for a in atoms)


def test_mue_in_force_from_its_quarter(run):
    atoms = run('line(1,"76000",1). mue("76000",3,3,20240701,r(4)).', SHOW)
    assert 'mue_in_force("76000",3,3,r(4))' in atoms
    early = run('line(1,"76000",1). mue("76000",3,3,20250101,r(4)).', SHOW)
    assert not any(a.startswith("mue_in_force") for a in early)


def test_deleted_code_out_of_force(run):
    atoms = run('line(1,"27370",1). code_deleted("27370",20181231).', SHOW)
    assert 'code_out_of_force("27370",after,20181231)' in atoms


def test_a_code_not_yet_shown_in_use_raises_rules_not_in_force(run):
    """Issue 26, point 3: existence unknown before the first day a CMS row shows the code in use."""
    facts = 'line(1,"20610",1). code_known_from("20610",20250101).'  # the date of service is 2024-08-14
    assert "rules_not_in_force(unseen,20250101)" in run(facts, "#show rules_not_in_force/2.")
    atoms = run('line(1,"20610",1). code_known_from("20610",20131001).', "#show rules_not_in_force/2.")
    assert not any(a.startswith("rules_not_in_force(unseen") for a in atoms)


def test_a_dated_add_on_edit_holds_between_its_days(run):
    shown = "#show aoc/4."
    assert 'aoc("62270","77003",1,r(9))' in run('aoc_dated("62270","77003",1,0,20241231,r(9)).', shown)
    assert 'aoc("62270","77003",1,r(9))' not in run('aoc_dated("62270","77003",1,0,20191231,r(9)).', shown)
