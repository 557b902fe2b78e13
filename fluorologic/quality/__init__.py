"""Quality tools: strategies, the cross-check, rules check.

Quality tools: hypothesis strategies of encounters and rule bases (strategies, re-exported as
``fluorologic.testing``), the independent python-constraint cross-check (crosscheck) and the rule base's
consistency check behind ``fluorologic rules check`` (rulecheck). Above the engine.
"""
