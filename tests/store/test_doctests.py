"""The docstring examples of the rule-store modules run as tests."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["fluorologic.cms", "fluorologic.cms.tables", "fluorologic.cms.quarter", "fluorologic.cms.ptp",
           "fluorologic.cms.mue", "fluorologic.cms.aoc", "fluorologic.cms.pfs", "fluorologic.store",
           "fluorologic.storedata", "fluorologic.storediff", "fluorologic.datacli"]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
