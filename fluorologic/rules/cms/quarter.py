"""Quarter labels (``2024Q3``), their start dates, and what a CMS file name says about quarter and setting.

Examples
--------
>>> quarter_start("2024Q3")
20240701
>>> quarter_from_name("MCR_MUE_PractitionerServices_Eff_07-01-2024.xlsx"), quarter_from_name("RVU24C.zip")
('2024Q3', '2024Q3')
>>> setting_from_name("ccioph-v302r0-f1.txt")
'outpatient_hospital'

"""

from __future__ import annotations

import re

__all__ = ["SETTINGS", "normalize_quarter", "quarter_from_name", "quarter_start", "setting_from_name"]

SETTINGS = ("practitioner", "outpatient_hospital", "dme_supplier")
_MONTHS = {"jan": 1, "apr": 2, "jul": 3, "oct": 4}


def normalize_quarter(text: str) -> str:
    """``'2024q3'`` -> ``'2024Q3'``; ValueError for anything that is not a year and quarter 1-4."""
    m = re.fullmatch(r"\s*(\d{4})\s*-?\s*[Qq]([1-4])\s*", text)
    if not m:
        raise ValueError(f"quarter {text!r} is not of the form 2024Q3")
    return f"{m.group(1)}Q{m.group(2)}"


def quarter_start(quarter: str) -> int:
    """The first day of ``quarter`` as ``YYYYMMDD``."""
    q = normalize_quarter(quarter)
    return int(q[:4]) * 10000 + (3 * int(q[5]) - 2) * 100 + 1


def quarter_from_name(name: str) -> str | None:
    """The quarter a CMS file name states (``2024q3``, ``Eff_07-01-2024``, ``RVU24C``, ``PPRRVU2025_Oct``)."""
    low = name.lower()
    m = re.search(r"(20\d\d)[_-]?q([1-4])", low)
    if m:
        return f"{m.group(1)}Q{m.group(2)}"
    m = re.search(r"eff_(\d\d)-(\d\d)-(20\d\d)", low)
    if m and m.group(1) in ("01", "04", "07", "10"):
        return f"{m.group(3)}Q{(int(m.group(1)) + 2) // 3}"
    m = re.search(r"pprrvu(20)?(\d\d)_(jan|apr|jul|oct)", low)
    if m:
        return f"20{m.group(2)}Q{_MONTHS[m.group(3)]}"
    m = re.search(r"rvu(\d\d)([a-d])(?![a-z])", low)
    if m:
        return f"20{m.group(1)}Q{'abcd'.index(m.group(2)) + 1}"
    return None


def setting_from_name(name: str) -> str | None:
    """``practitioner`` / ``outpatient_hospital`` / ``dme_supplier`` when the file name says so."""
    low = name.lower()
    if "ccipra" in low or "practitioner" in low:
        return "practitioner"
    if "ccioph" in low or "outpatient" in low:
        return "outpatient_hospital"
    if "dme" in low:
        return "dme_supplier"
    return None
