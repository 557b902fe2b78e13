"""Shared test setup: the hypothesis profiles and one strict engine per session.

``ci`` (the default) is derandomized with a fixed number of examples, so every CI run checks the same
cases and the property suite stays well under five minutes. ``thorough`` (``HYPOTHESIS_PROFILE=thorough``)
draws 1,400 examples per property (over 20,000 in total across the properties) for a long local run.
The ``engine`` fixture fails a test on any grounder message.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from fluorologic.engine.solver import Engine

_COMMON = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large,
                                                       HealthCheck.filter_too_much]}
settings.register_profile("ci", max_examples=60, derandomize=True, database=None, print_blob=True, **_COMMON)
settings.register_profile("thorough", max_examples=1400, derandomize=False, database=None, print_blob=True,
                          **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session")
def engine() -> Engine:
    return Engine(strict=True)


#: Debian's headless Chromium, driven by Playwright (never a browser Playwright downloads).
CHROMIUM = os.environ.get("FLUOROLOGIC_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).is_file():
        pytest.skip(f"Chromium not found at {CHROMIUM}: install it with 'apt-get install chromium' (CI does)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()
