"""The same input, in any line order, gives byte-identical JSON."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from fluorologic.contract.render import to_json

EXAMPLES = sorted(Path(__file__).resolve().parent.parent.glob("examples/*.json"))


def _encounters():
    for path in EXAMPLES:
        doc = json.loads(path.read_text(encoding="utf-8"))
        yield from (doc if isinstance(doc, list) else [doc])


@pytest.mark.parametrize("enc", list(_encounters()), ids=lambda e: e.get("encounter_id"))
def test_line_order_does_not_matter(engine, enc):
    outputs = set()
    for perm in itertools.islice(itertools.permutations(enc["lines"]), 24):
        outputs.add(to_json(engine.solve_record({**enc, "lines": list(perm)})))
    assert len(outputs) == 1


def test_repeated_solves_are_identical(engine):
    enc = json.loads((Path(__file__).resolve().parent.parent / "examples" / "knee_injection_hospital.json")
                     .read_text(encoding="utf-8"))
    assert len({to_json(engine.solve(enc)) for _ in range(5)}) == 1
