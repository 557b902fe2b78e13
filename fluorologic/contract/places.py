"""The places of service the contract accepts, with their fee setting and default equipment owner.

The table is the CMS place-of-service code set, every assigned code, each with its MPFS site-of-service
class (facility or non-facility rate: 42 CFR 414.22(b)(5)(i)) and the default equipment owner contract.md
gives it. It is part of the contract, so it sits beside the validator that uses it; the rule data reads it
from here. Its sources are in ``fluorologic/data/README.md``.

Examples
--------
>>> default_places()["22"], default_places()["41"], default_places()["57"]
(('facility', 'facility'), ('facility', 'physician'), ('nonfacility', 'physician'))
>>> unknown_place("00")
"'00' is not a code of the CMS place-of-service list (e.g. 11 office, 22 on-campus outpatient hospital, 24 ASC)"

"""

from __future__ import annotations

import csv
import functools
from importlib import resources

__all__ = ["default_places", "unknown_place"]


@functools.cache
def default_places() -> dict[str, tuple[str, str]]:
    """The embedded place-of-service table: code -> (fee setting, default equipment owner)."""
    with resources.files("fluorologic.data").joinpath("place_of_service.csv").open(encoding="utf-8", newline="") as fh:
        return {r["pos"]: (r["fee_setting"], r["default_owner"]) for r in csv.DictReader(fh)}


def unknown_place(value: str) -> str:
    """The message of an error record for a place of service that is not on the CMS list."""
    return (f"{value!r} is not a code of the CMS place-of-service list (e.g. 11 office, 22 on-campus outpatient "
            "hospital, 24 ASC)")
