"""units.lp: MUE and once-per-session limits."""


def test_mue_date_of_service_limit_across_lines(run):
    atoms = run('line(1,"76000",2). line(2,"76000",2). mue("76000",3,3,20240701,r(1)).')
    assert {"final_units(l(1),2)", "final_units(l(2),1)", 'trimmed(l(2),1,"units.mue",r(1))'} <= atoms


def test_mue_line_edit_is_per_line(run):
    atoms = run('line(1,"76000",2). line(2,"76000",2). mue("76000",3,1,20240701,r(1)).')
    assert {"final_units(l(1),2)", "final_units(l(2),2)"} <= atoms


def test_once_per_session(run):
    atoms = run('line(1,"62273",1). line(2,"77003",3).')
    assert {"final_units(l(2),1)", 'trimmed(l(2),2,"units.once_per_session",none)'} <= atoms


def test_no_limit_keeps_units(run):
    assert "final_units(l(1),7)" in run('line(1,"20610",7).')
