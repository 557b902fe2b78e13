"""A plain pairwise PTP/MUE checker, of the kind open-source claim scrubbers use: the baseline for bench_solve.

For every ordered pair of claimed lines it looks up the NCCI PTP edit (column 1, column 2) in force on
the date of service and drops the column-2 line unless the edit allows a modifier (indicator 1) and the
line carries 59/XE/XS/XP/XU. Then it caps the units of each code at its MUE. Nothing else: no add-on
rules, no guidance policies, no wrong-code replacement, no modifiers appended. Dict lookups, no
optimisation, rows from the same embedded rule data as fluorologic.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from fluorologic.rules.ruledata import RuleData

BYPASS = {"59", "XE", "XS", "XP", "XU"}


class PairwiseChecker:
    """The baseline scrubber."""

    def __init__(self, data: RuleData | None = None) -> None:
        data = data or RuleData.embedded()
        self.ptp: dict[tuple[str, str], list[Any]] = defaultdict(list)
        for rows in data.ptp_by_col1.values():
            for r in rows:
                self.ptp[(r.column_1, r.column_2)].append(r)
        self.mue: dict[str, list[Any]] = {c: sorted(rows, key=lambda m: m.effective) for c, rows in data.mue.items()}

    def check(self, enc: dict[str, Any]) -> dict[str, Any]:
        """Billable lines and exclusions of one encounter (contract-like, codes and units only)."""
        dos = int(enc["date_of_service"].replace("-", ""))
        lines = [{"code": ln["code"], "units": ln.get("units", 1), "modifiers": list(ln.get("modifiers", []))}
                 for ln in enc.get("lines", [])]
        dropped: dict[int, tuple[str, str]] = {}
        for i, a in enumerate(lines):
            for j, b in enumerate(lines):
                if i == j:
                    continue
                for row in self.ptp.get((a["code"], b["code"]), ()):
                    if row.indicator == 9 or dos > row.deletion or (row.effective and dos < row.effective):
                        continue
                    if row.indicator == 1 and BYPASS & set(b["modifiers"]):
                        continue
                    dropped.setdefault(j, ("ptp_bundled", a["code"]))
        billable = [ln for k, ln in enumerate(lines) if k not in dropped]
        excluded = [{"code": lines[k]["code"], "units": lines[k]["units"], "reason": r, "by": by}
                    for k, (r, by) in sorted(dropped.items())]
        used: dict[str, int] = defaultdict(int)
        for ln in billable:
            rows = [m for m in self.mue.get(ln["code"], ()) if m.effective <= dos]
            if rows:
                cap = rows[-1].value
                allowed = max(0, min(ln["units"], cap - used[ln["code"]]))
                if allowed < ln["units"]:
                    excluded.append({"code": ln["code"], "units": ln["units"] - allowed, "reason": "unit_limit",
                                     "by": "mue"})
                used[ln["code"]] += allowed
                ln["units"] = allowed
        return {"encounter_id": enc["encounter_id"], "billable": [ln for ln in billable if ln["units"] > 0],
                "excluded": excluded}


def differences(base: dict[str, Any], fl: dict[str, Any]) -> set[str]:
    """The kinds of difference between the baseline's answer and fluorologic's for one encounter."""
    def units(lines: list[dict[str, Any]]) -> dict[str, int]:
        out: dict[str, int] = defaultdict(int)
        for ln in lines:
            out[ln["code"]] += ln["units"]
        return dict(out)

    kinds: set[str] = set()
    b_units, f_units = units(base["billable"]), units(fl["billable"])
    f_reason = {e["code"]: e["reason"] for e in fl["excluded"]}
    f_billed = set(f_units)
    for code in set(b_units) | set(f_units):
        if b_units.get(code, 0) == f_units.get(code, 0):
            continue
        reason = f_reason.get(code)
        if code not in b_units and any(a["code"] == code for a in fl["added"]):
            kinds.add("wrong guidance code / replacement" if any(a["reason"] != "missed_billable"
                                                               for a in fl["added"] if a["code"] == code)
                      else "missed billable")
        elif reason == "add_on_without_primary":
            kinds.add("add-ons")
        elif reason == "wrong_guidance_code":
            kinds.add("wrong guidance code / replacement")
        elif reason in ("guidance_included", "integral_to_surgery", "more_specific_guidance",
                        "imaging_inclusive_code"):
            kinds.add("guidance policy")
        elif reason == "component_billed_by_facility":
            kinds.add("modifiers")
        elif reason == "not_effective":
            kinds.add("date validity")
        elif reason == "unit_limit" or (code in b_units and code in f_units):
            kinds.add("units")
        elif code in f_units and code not in b_units:
            by = next((e["by"] for e in base["excluded"] if e["code"] == code), None)
            kinds.add("chains" if by and by not in f_billed else "ptp bypass")
        else:
            kinds.add("other")
    given = {ln["code"]: sorted(ln["modifiers"]) for ln in base["billable"]}
    if any(b["code"] in given and sorted(b["modifiers"]) != given[b["code"]] for b in fl["billable"]):
        kinds.add("modifiers")
    return kinds
