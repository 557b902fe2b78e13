"""candidates.lp: claimed lines and the codes fluorologic may add."""

SHOW = "#show node/1. #show replaces/3. #show wrong_guidance/2."


def test_wrong_guidance_adds_the_right_code(run):
    atoms = run('line(1,"20610",1). line(2,"77003",1).', SHOW)
    assert {'wrong_guidance(2,"77002")', 'node(a("77002"))', 'replaces(a("77002"),2,wrong_guidance_code)'} <= atoms


def test_right_code_already_claimed_is_not_added(run):
    atoms = run('line(1,"62273",1). line(2,"77002",1). line(3,"77003",1).', SHOW)
    assert 'wrong_guidance(2,"77003")' in atoms
    assert 'node(a("77003"))' not in atoms


def test_general_fluoroscopy_for_needle_guidance(run):
    atoms = run('line(1,"20610",1). line(2,"76000",1).', SHOW)
    assert 'replaces(a("77002"),2,wrong_guidance_code)' in atoms


def test_imaging_inclusive_pair(run):
    atoms = run('line(1,"62322",1). line(2,"77003",1). inclusive("62322","77003","62323",r(5)).', SHOW)
    assert 'replaces(a("62323"),1,imaging_inclusive_code)' in atoms


def test_note_documents_missed_guidance(run):
    atoms = run('line(1,"20610",1). note(fluoroscopy_used).', SHOW)
    assert 'node(a("77002"))' in atoms
    assert not any(a.startswith("replaces") for a in atoms)
