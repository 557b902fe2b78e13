"""What would change an outcome: re-solve the encounter with one small documented change and see.

The reasons of the actual result come from atoms (:mod:`fluorologic.explanation.conflict_graph`); this module only
proposes the smallest changes a coder could document (a distinct service, the spinal / non-spinal target, the equipment
owner, a modifier, an eligible primary for an add-on) and lets the solver decide each modified encounter.

Examples
--------
>>> from fluorologic.engine.solver import Engine
>>> raw = {"encounter_id": "h", "date_of_service": "2009-11-03", "place_of_service": "11",
...        "lines": [{"code": "27093", "site": "left hip"}, {"code": "77002"}]}
>>> found = what_would_change(Engine(), raw, "77002", {"ptp_bundled"})
>>> [o["change"] for o in found["options"]]
['document 77002 as a distinct procedural service (separate site, lesion or session)']

"""

from __future__ import annotations

import copy
import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fluorologic.contract.encounter import parse_encounter
from fluorologic.engine.decode import py

if TYPE_CHECKING:
    from fluorologic.engine.solution import Solution
from fluorologic.engine.solver import Engine

__all__ = ["Change", "billed_units", "what_would_change"]

#: Reasons that no documented fact or modifier can lift.
FIXED_REASONS = {"not_effective": "the code (or the rule that would allow it) is not in force on the date of service",
                 "not_documented": "the note says fluoroscopy was not used (or only planned)",
                 "unit_limit": "the unit limit (MUE or once-per-session) caps the units whatever is documented",
                 "components_combined": "the 26 and TC lines of one code billed by the owner of the unit are one "
                                        "global service, billed once"}
#: Distinct services bypass these reasons (unless an indicator-0 edit locks the pair).
BYPASSABLE = {"ptp_bundled", "guidance_included", "integral_to_surgery", "more_specific_guidance"}
_SITE_FOR = {"spinal": "spine", "nonspinal": "joint"}
#: Modifiers of a distinct procedural service: never an E/M's (its bypass is 25, or 57 for the decision for surgery).
_BYPASS_MODIFIERS = frozenset({"59", "XE", "XS", "XP", "XU"})
_MAX_PRIMARIES = 3


@dataclass(frozen=True)
class Change:
    """One documented change to the encounter: a sentence and a function on the raw encounter."""

    text: str
    kind: str
    edit: tuple[Any, ...]

    def apply(self, raw: dict[str, Any], code: str) -> None:
        """Apply the change to ``raw`` (a deep copy) in place."""
        op, *args = self.edit
        lines = [ln for ln in raw.get("lines", []) if isinstance(ln, dict) and ln.get("code") == code]
        if op == "distinct":
            for ln in lines:
                ln["distinct"] = True
        elif op == "site":
            for ln in lines:
                ln["site"] = args[0]
        elif op == "owner":
            raw["equipment_owner"] = args[0]
        elif op == "drop_modifier":
            for ln in lines:
                ln["modifiers"] = [m for m in ln.get("modifiers", []) if m != args[0]]
        elif op == "em_modifier":  # an E/M's own modifier replaces any 59 / X{EPSU} billed on it
            for ln in lines:
                kept = [m for m in ln.get("modifiers", []) if m not in _BYPASS_MODIFIERS and m != args[0]]
                ln["modifiers"] = [*kept, args[0]]
        elif op == "add_line":
            raw.setdefault("lines", []).append({"code": args[0]})


def billed_units(sol: Solution) -> dict[str, int]:
    """The units billed (or added) per code in a solution, read from its atoms."""
    billed = {str(s.arguments[0]) for s in sol.atoms if s.name == "billed"}
    codes = {str(s.arguments[0]): py(s.arguments[1]) for s in sol.atoms if s.name == "node_code"}
    units: dict[str, int] = {}
    for s in sol.atoms:
        node = str(s.arguments[0]) if s.name == "final_units" else None
        if node in billed and s.arguments[1].number > 0:
            units[codes[node]] = units.get(codes[node], 0) + s.arguments[1].number
    return units


def _candidates(engine: Engine, raw: dict[str, Any], code: str, reasons: set[str],
                kinds: dict[str, str]) -> tuple[list[Change], list[Change]]:
    """Documentation changes (combinable) and procedure changes (tried alone) worth re-solving."""
    lines = [ln for ln in raw.get("lines", []) if isinstance(ln, dict) and ln.get("code") == code]
    docs: list[Change] = []
    row = engine.data.codes.get(code)
    if row is not None and row.kind == "evaluation_management" and "ptp_bundled" in reasons:
        docs.append(Change(f"the record documents a significant, separately identifiable E/M service: bill {code} "
                           "with modifier 25", "em_modifier", ("em_modifier", "25")))
        docs.append(Change(f"{code} was the decision for surgery of a 90-day-global procedure: bill it with modifier "
                           "57", "em_modifier", ("em_modifier", "57")))
    elif reasons & BYPASSABLE and not all(ln.get("distinct") for ln in lines):
        docs.append(Change(f"document {code} as a distinct procedural service (separate site, lesion or session)",
                           "distinct", ("distinct",)))
    if "wrong_guidance_code" in reasons:
        own = kinds.get(code)
        if own:
            word = "spinal / paraspinous" if own == "spinal" else "non-spinal"
            docs.append(Change(f"document a {word} target for {code} (its site)", "site", ("site", _SITE_FOR[own])))
    if "component_billed_by_facility" in reasons:
        docs.append(Change("the physician owns the fluoroscopy unit (equipment_owner: physician)", "owner",
                           ("owner", "physician")))
        if any("TC" in ln.get("modifiers", []) for ln in lines):
            docs.append(Change(f"bill {code} without modifier TC", "modifier", ("drop_modifier", "TC")))
    procs: list[Change] = []
    if "add_on_without_primary" in reasons:
        data = engine.data
        rows = sorted({r.primary for r in data.aoc_by_addon.get(code, ()) if r.primary != "CCCCC"})
        target = kinds.get(code)
        fitting = [p for p in rows if p in data.codes and data.codes[p].kind == "procedure"
                   and (target is None or data.codes[p].target == target)]
        for p in fitting[:_MAX_PRIMARIES]:
            procs.append(Change(f"an eligible primary procedure of {code} is performed and billed (e.g. {p})",
                                "primary", ("add_line", p)))
    return docs, procs


def what_would_change(engine: Engine, raw: dict[str, Any], code: str, reasons: set[str],
                      kinds: dict[str, str] | None = None) -> dict[str, Any]:
    """Re-solve ``raw`` with the smallest changes that the ``reasons`` suggest; keep those that bill ``code``.

    Parameters
    ----------
    engine
        The engine that solved the actual encounter (its rule data gives eligible primaries).
    raw
        The encounter as given (not modified).
    code
        The code asked about.
    reasons
        The reasons (contract vocabulary) that apply to the code in the actual result.
    kinds
        Guidance kind of the code (``spinal`` / ``nonspinal``) where it is a guidance code.

    Returns
    -------
    dict
        ``options`` (each with ``change``, ``changes``, ``units``) in order of size, ``tried`` (every change set
        re-solved) and ``fixed`` (reasons no documentation can lift, with why). A change counts only when the
        code gains units and no other billed code loses any.

    """
    before = billed_units(engine.solve_encounter(parse_encounter(raw, engine.places)))
    docs, procs = _candidates(engine, raw, code, reasons, kinds or {})
    trials: list[tuple[Change, ...]] = [(c,) for c in docs]
    trials += list(itertools.combinations(docs, 2))
    trials += [(c,) for c in procs]
    options: list[dict[str, Any]] = []
    tried: list[list[str]] = []
    for combo in trials:
        if len(combo) > 1 and any(set(o["kinds"]) <= {c.kind for c in combo} for o in options):
            continue  # a smaller change already works
        if combo[0].kind == "primary" and options:
            continue  # documentation suffices; no need for another procedure
        modified = copy.deepcopy(raw)
        for c in combo:
            c.apply(modified, code)
        tried.append([c.text for c in combo])
        after = billed_units(engine.solve_encounter(parse_encounter(modified, engine.places)))
        units = after.get(code, 0)
        # It counts only if the code gains units and nothing else billed loses any.
        if units > before.get(code, 0) and all(after.get(c, 0) >= u for c, u in before.items() if c != code):
            options.append({"change": " and ".join(c.text for c in combo), "changes": [c.text for c in combo],
                            "kinds": [c.kind for c in combo], "units": units})
    fixed = {r: FIXED_REASONS[r] for r in sorted(reasons) if r in FIXED_REASONS}
    return {"options": options, "tried": tried, "fixed": fixed}
