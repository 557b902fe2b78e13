"""The places of service the contract accepts, with their fee setting and default equipment owner.

The table is part of the contract (contract.md names the codes and the owner each implies), so it sits
beside the validator that uses it; the rule data reads it from here.

Examples
--------
>>> default_places()["22"]
('facility', 'facility')

"""

from __future__ import annotations

import csv
import functools
from importlib import resources

__all__ = ["default_places"]


@functools.cache
def default_places() -> dict[str, tuple[str, str]]:
    """The embedded place-of-service table: code -> (fee setting, default equipment owner)."""
    with resources.files("fluorologic.data").joinpath("place_of_service.csv").open(encoding="utf-8", newline="") as fh:
        return {r["pos"]: (r["fee_setting"], r["default_owner"]) for r in csv.DictReader(fh)}
