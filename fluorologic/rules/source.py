"""Which rule data a run uses: an imported CMS quarter from the rule store, or the embedded tables.

Examples
--------
>>> rule_source("no-such-store.sqlite") is None
True

"""

from __future__ import annotations

from pathlib import Path

from fluorologic.contract.errors import DataError
from fluorologic.rules.cms.quarter import normalize_quarter
from fluorologic.rules.ruledata import RuleData
from fluorologic.rules.store import RuleStore, default_store_path
from fluorologic.rules.storedata import StoreRuleData

__all__ = ["rule_source", "store_path"]


def store_path(store: str | None) -> Path:
    """The rule store file: ``store`` when given, else the default (``$FLUOROLOGIC_STORE`` or the user folder)."""
    return Path(store) if store else default_store_path()


def rule_source(store: str | None, as_of_quarter: str | None = None) -> RuleData | None:
    """The rule data for ``solve``: the store when something was imported, else None (the embedded data).

    Raises
    ------
    DataError
        ``as_of_quarter`` is malformed or not loaded in the store.

    """
    opened = RuleStore.open_existing(store_path(store))
    if as_of_quarter is None:
        return StoreRuleData(opened) if opened else None
    try:
        quarter = normalize_quarter(as_of_quarter)
    except ValueError as exc:
        raise DataError(f"--as-of-quarter: {exc}") from None
    if opened is None or quarter not in {i.quarter for i in opened.imports()}:
        embedded = RuleData.embedded()
        if quarter in embedded.quarters():  # the embedded tables are that quarter
            return embedded.forced(quarter)
        loaded = sorted({i.quarter for i in opened.imports()}) if opened else []
        raise DataError(f"--as-of-quarter: {quarter} is neither loaded in the rule store"
                        f" (loaded: {', '.join(loaded) or 'nothing'}) nor the embedded data's quarter"
                        f" ({', '.join(embedded.quarters())})")
    return StoreRuleData(opened, as_of=quarter)
