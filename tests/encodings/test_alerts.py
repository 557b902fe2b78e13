"""alerts.lp: documentation and session alerts."""


def test_missing_documentation_once_per_field(run):
    atoms = run('line(1,"62273",1). line(2,"77003",1). line(3,"76000",1).')
    for kind, rule in (("missing_fluoro_time", "docs.missing_time"), ("missing_indication", "docs.missing_indication"),
                       ("missing_body_area", "docs.missing_body_area")):
        assert f'alert({kind},"76000","{rule}",none)' in atoms
    assert sum(a.startswith("alert(missing_fluoro_time") for a in atoms) == 1


def test_documented_fields_silence_alerts(run):
    atoms = run('line(1,"62273",1). line(2,"77003",1). documented(fluoro_time). documented(indication). '
                'documented(body_area).')
    assert not any(a.startswith("alert(missing") for a in atoms)
    assert 'alert(confirm_once_per_session,"77003","session.once",none)' in atoms


def test_negated_note_alert(run):
    assert 'alert(note_fluoro_negated,none,"note.negated",none)' in run('line(1,"20610",1). note(fluoroscopy_negated).')
