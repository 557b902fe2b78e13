"""fluorologic: which fluoroscopy-related codes an orthopedic or spine encounter may bill, and why.

The engine's names (``Engine``, ``solve``, ``explain``, ``RuleData`` ...) are imported on first use (PEP 562),
so that a process that only needs a light part of the package (a Spark Python worker, which hands Arrow batches
to an engine process of its own) does not load clingo and the engine.

Examples
--------
>>> import fluorologic
>>> res = fluorologic.solve({"encounter_id": "e", "date_of_service": "2024-08-01", "place_of_service": "11",
...                          "lines": [{"code": "64483", "site": "L5-S1"}, {"code": "77003"}]})
>>> [(e["code"], e["reason"]) for e in res["excluded"]]
[('77003', 'guidance_included')]
>>> fluorologic.Engine is __import__("fluorologic.engine.solver").engine.solver.Engine
True

"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from fluorologic.contract.errors import DataError, EncodingError, FluorologicError, InputError

if TYPE_CHECKING:
    from fluorologic.engine.solver import Engine, asolve, solve
    from fluorologic.explanation.explain import Explanation, explain
    from fluorologic.rules.ruledata import RuleData

__all__ = ["DataError", "EncodingError", "Engine", "Explanation", "FluorologicError", "InputError", "RuleData",
           "asolve", "explain", "solve"]

_WHERE = {"Engine": "fluorologic.engine.solver", "solve": "fluorologic.engine.solver",
          "asolve": "fluorologic.engine.solver",
          "Explanation": "fluorologic.explanation.explain", "explain": "fluorologic.explanation.explain",
          "RuleData": "fluorologic.rules.ruledata"}


def __getattr__(name: str) -> Any:
    """The engine's public names, imported on first use."""
    if name in _WHERE:
        value = getattr(import_module(_WHERE[name]), name)
        globals()[name] = value  # looked up once
        return value
    raise AttributeError(f"module 'fluorologic' has no attribute {name!r}")


def __dir__() -> list[str]:
    """The module's names, the lazy ones included."""
    return sorted(set(globals()) | set(__all__))
