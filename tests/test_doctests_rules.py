"""Run the docstring examples of the rule-consistency modules (testpaths only collects tests/)."""

import doctest

import pytest

from fluorologic.cli import rules as rules_cli
from fluorologic.quality import crosscheck, rulecheck, strategies


@pytest.mark.parametrize("module", [strategies, crosscheck, rulecheck, rules_cli], ids=lambda m: m.__name__)
def test_docstring_examples(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
