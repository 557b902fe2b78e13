"""Shared fixtures: one strict engine per session (any grounder message fails the test)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fluorologic.solver import Engine

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def engine() -> Engine:
    return Engine(strict=True)


def load_json(path: Path) -> object:
    return json.loads(path.read_text(encoding="utf-8"))
