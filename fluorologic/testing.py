"""Hypothesis strategies for encounters and rule data, kept at their public path.

They live in :mod:`fluorologic.quality.strategies`; this module re-exports them so that property-based
suites written against ``fluorologic.testing`` keep working.

Examples
--------
>>> from fluorologic.testing import encounters
>>> callable(encounters)
True

"""

from fluorologic.quality.strategies import *  # noqa: F403 (the public strategies, by their __all__)
from fluorologic.quality.strategies import __all__  # noqa: F401
