"""Encounters for the explanation tests: every example file plus small encounters for each kind of decision.

Tests that take an ``ex`` argument run once per explained encounter; ``raw_cases`` maps ids to raw encounters.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from fluorologic.contract.errors import InputError
from fluorologic.engine.solver import Engine
from fluorologic.explanation.explain import Explanation, explain

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"

EXTRA: list[dict[str, Any]] = [
    # wrong guidance code on a spinal target; the right code considered but suppressed; MUE trim
    {"encounter_id": "x-wrong", "date_of_service": "2024-08-14", "place_of_service": "11",
     "lines": [{"code": "62321", "site": "L4-L5"}, {"code": "77002", "site": "L4-L5"}, {"code": "64490", "units": 3}]},
    # imaging-inclusive pair replaced by the single "with imaging" code
    {"encounter_id": "x-incl", "date_of_service": "2024-08-14", "place_of_service": "11",
     "lines": [{"code": "62322", "site": "L4-L5"}, {"code": "77003", "units": 2}]},
    # distinct services bypass edits; TC with a facility-owned unit; wrong guidance on a non-spinal procedure
    {"encounter_id": "x-bypass", "date_of_service": "2024-08-14", "place_of_service": "22",
     "lines": [{"code": "27093", "site": "left hip"}, {"code": "77002", "site": "right knee", "distinct": True},
               {"code": "76000", "distinct": True}, {"code": "77003", "modifiers": ["TC"]}]},
    # deleted codes and an add-on with no primary
    {"encounter_id": "x-old", "date_of_service": "2026-01-20", "place_of_service": "11",
     "lines": [{"code": "27370", "site": "knee"}, {"code": "77002"}, {"code": "76001"}]},
    # general fluoroscopy with an indicator-0-free PTP edit
    {"encounter_id": "x-76000", "date_of_service": "2024-08-14", "place_of_service": "11",
     "lines": [{"code": "62270", "site": "L3-L4"}, {"code": "76000"}]},
    # a "without imaging" code and a guidance code replaced by the "with imaging" code
    {"encounter_id": "x-with", "date_of_service": "2024-08-14", "place_of_service": "11",
     "lines": [{"code": "62270", "site": "L3-L4"}, {"code": "77002", "site": "L3-L4"}]},
    # the spinal guidance code billed for a knee: the non-spinal code is added in its place
    {"encounter_id": "x-added", "date_of_service": "2024-08-14", "place_of_service": "11",
     "lines": [{"code": "20610", "site": "right knee"}, {"code": "77003"}]},
]


def example_encounters() -> list[dict[str, Any]]:
    """Every valid encounter in examples/ (a batch contributes each object)."""
    out: list[dict[str, Any]] = []
    for path in sorted(EXAMPLES.glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        out.extend(doc if isinstance(doc, list) else [doc])
    return out


def all_encounters() -> list[dict[str, Any]]:
    """The examples and the extra encounters."""
    return example_encounters() + EXTRA


ENGINE = Engine()


def _explained() -> list[Explanation]:
    out = []
    for raw in all_encounters():
        try:
            out.append(explain(raw, ENGINE))
        except InputError:
            continue  # the batch example holds one invalid encounter on purpose
    return out


EXPLAINED = _explained()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "ex" in metafunc.fixturenames:
        metafunc.parametrize("ex", EXPLAINED, ids=[e.encounter.encounter_id for e in EXPLAINED])


@pytest.fixture(scope="session")
def engine() -> Engine:
    return ENGINE


@pytest.fixture(scope="session")
def explained() -> dict[str, Explanation]:
    return {e.encounter.encounter_id: e for e in EXPLAINED}


@pytest.fixture(scope="session")
def raw_cases() -> dict[str, dict[str, Any]]:
    return {r["encounter_id"]: r for r in all_encounters() if isinstance(r.get("encounter_id"), str)}
