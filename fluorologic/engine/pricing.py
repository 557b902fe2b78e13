"""``billable[].pricing``: how a line's amount was reached, in the contract's words (contract.md).

Nothing here decides: the fee row, the setting and the adjustments are atoms of the answer set
(``encodings/amounts.lp``, ``bilateral.lp``, ``multiple_procedure.lp``, ``imaging_family.lp``).

Examples
--------
>>> from decimal import Decimal
>>> from fluorologic.rules.ruledata import FeeRow
>>> row = FeeRow("64483", "", "A", Decimal("7.40"), Decimal("3.32"), 0, "000", Decimal("33.2875"), "RVU24C",
...              20240701, 20240930, "src")
>>> p = pricing(row, "nonfacility", [[1, "bilateral", 3, 2, 1]], None)
>>> p["rvu"], p["conversion_factor"], p["adjustments"][0]["factor"], p["site_of_service"]
(7.4, 33.2875, 1.5, 'non_facility')

"""

from __future__ import annotations

from typing import Any

from fluorologic.rules.ruledata import FeeRow

__all__ = ["adjustment_detail", "pricing"]

_CPM = "Claims Processing Manual ch. 12"


def adjustment_detail(rule: str, units: int, data: Any, tie: str | None = None) -> str:
    """The sentence of one adjustment of a line of ``units``; ``data`` is the bilateral indicator or the rank by fee.

    Examples
    --------
    >>> adjustment_detail("multiple_procedure", 1, 2)
    'paid at 50%: second procedure by fee (Claims Processing Manual ch. 12 §40.6)'

    """
    if rule == "bilateral":
        if data == 3:
            return f"bilateral indicator 3: each side paid at 100%, both sides on this line ({_CPM} §40.7)"
        return f"bilateral indicator 1: one line with modifier 50 paid at 150% ({_CPM} §40.7)"
    nth = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth"}.get(data, f"number {data}")
    if rule == "multiple_procedure":
        if data == 1:
            text = (f"first procedure by fee: its first unit at 100%, the other {units - 1} unit(s) at 50% "
                    f"({_CPM} §40.6)")
        else:
            text = f"paid at 50%: {nth} procedure by fee ({_CPM} §40.6)"
    else:
        text = (f"diagnostic imaging family (multiple procedure indicator 4): {nth} by fee; after the first unit "
                "the technical component is paid at 50% and the professional component at 95% "
                f"({_CPM} §40.6; PFS Relative Value File)")
    if tie:
        text += f"; same fee as {tie}, ranked by code and line order"
    return text


def pricing(fee: FeeRow, setting: str | None, adjustments: list[list[Any]], tie: str | None) -> dict[str, Any]:
    """The ``pricing`` of a billable line priced from ``fee`` (each adjustment ``[order, rule, num, den, data]``)."""
    total = fee.total(setting or "nonfacility")
    out: dict[str, Any] = {
        "release": fee.release,
        "site_of_service": "facility" if setting == "facility" else "non_facility",
        "row": fee.mod or "global",
        "rvu": float(total) if total is not None else None,
        "conversion_factor": float(fee.conv_factor),
        "locality": fee.locality if fee.gpci is not None else "national",
    }
    if fee.gpci is not None:
        out["gpci"] = {"work": float(fee.gpci[0]), "pe": float(fee.gpci[1]), "mp": float(fee.gpci[2])}
    out["adjustments"] = [
        {"rule": rule, "factor": round(num / den, 4),
         "detail": adjustment_detail(rule, den // 2, data, tie if rule == "multiple_procedure" else None)}
        for _order, rule, num, den, data in sorted(adjustments, key=lambda a: a[0])]
    return out
