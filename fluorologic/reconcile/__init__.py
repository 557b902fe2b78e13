"""Remittance reconciliation: the payer's 835 beside fluorologic's decision for each claim line.

:func:`read_835` reads the remittance, :func:`reconcile` gives one row per claim line with the payer's outcome,
reason family, fluorologic's decision, the verdict, the next step and the citation (contract.md, "Remittance
reconciliation"; docs/reconcile.md).
"""

from fluorologic.reconcile.reconcile import COLUMNS, VERDICTS, Reconciliation, reconcile
from fluorologic.reconcile.remit import Remittance, read_835

__all__ = ["COLUMNS", "VERDICTS", "Reconciliation", "Remittance", "read_835", "reconcile"]
