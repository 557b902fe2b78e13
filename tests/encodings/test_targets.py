"""targets.lp: spinal or non-spinal target of a guidance line."""

SHOW = "#show guidance_target/2."


def test_site_on_the_line_wins(run):
    atoms = run('line(1,"62273",1). line(2,"77002",1). site_class(2,nonspinal).', SHOW)
    assert atoms >= {"guidance_target(2,nonspinal)"}
    assert "guidance_target(2,spinal)" not in atoms


def test_procedures_decide_without_a_site(run):
    assert "guidance_target(2,spinal)" in run('line(1,"62273",1). line(2,"77002",1).', SHOW)


def test_mixed_procedures_leave_the_target_open(run):
    atoms = run('line(1,"62273",1). line(2,"20610",1). line(3,"77002",1).', SHOW)
    assert not any(a.startswith("guidance_target(3") for a in atoms)


def test_note_target_used_without_site(run):
    atoms = run('line(1,"62273",1). line(2,"20610",1). line(3,"77002",1). note_target(nonspinal).', SHOW)
    assert "guidance_target(3,nonspinal)" in atoms
