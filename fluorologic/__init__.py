"""fluorologic: which fluoroscopy-related codes an orthopedic or spine encounter may bill, and why.

Examples
--------
>>> import fluorologic
>>> res = fluorologic.solve({"encounter_id": "e", "date_of_service": "2024-08-01", "place_of_service": "11",
...                          "lines": [{"code": "64483", "site": "L5-S1"}, {"code": "77003"}]})
>>> [(e["code"], e["reason"]) for e in res["excluded"]]
[('77003', 'guidance_included')]

"""

from fluorologic.contract.errors import DataError, EncodingError, FluorologicError, InputError
from fluorologic.engine.solver import Engine, solve
from fluorologic.explanation.explain import Explanation, explain
from fluorologic.rules.ruledata import RuleData

__all__ = ["DataError", "EncodingError", "Engine", "Explanation", "FluorologicError", "InputError", "RuleData",
           "explain", "solve"]
