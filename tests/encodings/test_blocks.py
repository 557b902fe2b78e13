"""blocks.lp: exclusions caused by facts of the encounter."""

SHOW = "#show block/4."


def test_tc_blocked_when_owner_is_facility(run):
    atoms = run('owner_given(facility). line(1,"20610",1). line(2,"77002",1). modifier(2,"TC").', SHOW)
    assert 'block(l(2),component_billed_by_facility,"modifier.tc_facility",owner(facility))' in atoms


def test_add_on_without_primary(run):
    atoms = run('line(1,"77002",1).', SHOW)
    assert 'block(l(1),add_on_without_primary,"addon.no_primary",none)' in atoms


def test_add_on_with_primary_is_not_blocked(run):
    assert not any(a.startswith("block(") for a in run('line(1,"20610",1). line(2,"77002",1).', SHOW))


def test_negated_note(run):
    atoms = run('line(1,"20610",1). line(2,"77002",1). note(fluoroscopy_negated).', SHOW)
    assert 'block(l(2),not_documented,"note.negated",note(fluoroscopy_negated))' in atoms


def test_not_effective(run):
    atoms = run('line(1,"27370",1). code_deleted("27370",20181231).', SHOW)
    assert 'block(l(1),not_effective,"validity.code",out_of_force(after,20181231))' in atoms


def test_primary_trimmed_to_zero_units_is_no_primary(run):
    # Two 20610 lines against an MUE of 1: the second keeps 0 units, so it cannot carry the add-on.
    atoms = run('line(1,"20610",1). line(2,"20610",1). line(3,"77002",1). mue("20610",1,2,20240701,r(1)). '
                'aoc("20610","77002",1,r(2)).', SHOW)
    assert not any(a.startswith("block(l(3)") for a in atoms)
    alone = run('line(1,"20610",1). line(2,"77002",1). mue("20610",0,2,20240701,r(1)).', SHOW)
    assert 'block(l(2),add_on_without_primary,"addon.no_primary",none)' in alone
