"""fluorologic: which fluoroscopy-related codes an orthopedic or spine encounter may bill, and why.

Examples
--------
>>> import fluorologic
>>> res = fluorologic.solve({"encounter_id": "e", "date_of_service": "2024-08-01", "place_of_service": "11",
...                          "lines": [{"code": "64483", "site": "L5-S1"}, {"code": "77003"}]})
>>> [(e["code"], e["reason"]) for e in res["excluded"]]
[('77003', 'guidance_included')]

"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fluorologic.contract.errors import DataError, EncodingError, FluorologicError, InputError
from fluorologic.engine.solver import Engine, solve
from fluorologic.rules.ruledata import RuleData

if TYPE_CHECKING:
    from fluorologic.explanation.explain import Explanation, explain

__all__ = ["DataError", "EncodingError", "Engine", "Explanation", "FluorologicError", "InputError", "RuleData",
           "explain", "solve"]


def __getattr__(name: str) -> Any:
    """``explain`` and ``Explanation``, imported on first use.

    The explanation layer brings networkx (about 0.15 s of start-up), which a solving process (a pool
    worker, a Spark worker, the service's solver) never needs.
    """
    if name in ("explain", "Explanation"):
        from fluorologic.explanation import explain as module  # lazy: start-up of solving processes

        return getattr(module, name)
    raise AttributeError(f"module 'fluorologic' has no attribute {name!r}")
