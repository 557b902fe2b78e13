"""The rule rows of a hospital's claim (``claim_type`` institutional) as input atoms (``encodings/opps_input.lp``).

A hospital outpatient claim is decided with the seed's code table, attributes and imaging-inclusive pairs,
but with the I/OCE's tables in place of the practitioner's: the outpatient-hospital NCCI PTP pairs dated by
OCE version (``ptp_opps/6``), the outpatient MUEs (``mue/5``), the I/OCE add-on maps (``aoc_opps/6``, and
``addon_opps/3``: the days a code is an add-on), the status indicator and APC of each code (``opps_si/6``),
the APC payments (``apc_pay/5``), the OCE versions (``oce_version/4``) and the codes OPPS pays in place of a
status-B code (``opps_alt/3``). No MPFS fee row and no practitioner PTP, MUE or AOC row is given. Code
validity comes from the OCE quarters for a code the OCE holds (a first version after 2019Q3; a last before
2026Q2, else no last day), else from the code table.

Examples
--------
>>> from fluorologic.contract.encounter import parse_encounter
>>> from fluorologic.engine.facts import build_facts
>>> from fluorologic.rules.ruledata import RuleData
>>> enc = parse_encounter({"encounter_id": "h", "date_of_service": "2024-08-01", "place_of_service": "22",
...                        "claim_type": "institutional", "lines": [{"code": "64483"}, {"code": "77003"}]})
>>> terms = build_facts(enc, RuleData.embedded()).terms
>>> sorted(str(a[1][:3]) for a in terms if a[0] == "ptp_opps" and a[1][1] == "77003")[:1]
["('64483', '77003', 1)"]
>>> [a[0] for a in terms if a[0] in ("ptp", "fee")]
[]

"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fluorologic.engine.terms import const
from fluorologic.rules.opps import OppsData
from fluorologic.rules.ruledata import OPEN_END, RuleData

if TYPE_CHECKING:
    from fluorologic.engine.facts import Facts

__all__ = ["add_opps_rows", "opps_codes"]


def opps_codes(codes: set[str], opps: OppsData | None = None) -> set[str]:
    """The claim's codes and the codes OPPS pays in place of any of them (27096 -> G0260).

    >>> sorted(opps_codes({"27096", "77003"}))
    ['27096', '77003', 'G0260']
    """
    opps = opps or OppsData.embedded()
    return codes | {a.alternative for c in codes for a in opps.alternatives.get(c, ())}


def add_opps_rows(f: Facts, data: RuleData, codes: set[str], dos: int, year_after: int) -> None:
    """Add the atoms of the hospital's claim for ``codes`` (see the module docstring).

    ``year_after`` is the last day the data is taken to cover (a year after the newest OCE quarter).
    """
    opps = OppsData.embedded()
    wanted_codes = opps_codes(codes, opps)
    sel = data.select(wanted_codes, dos)
    wanted = data.candidate_codes(wanted_codes)
    first, _ = opps.coverage()
    f.add("data_covers", first, year_after)
    known = {c.code for c in sel.codes}
    for c in sel.codes:
        f.add("code", c.code)
        f.add("code_kind", c.code, const(c.kind))
        if c.target:
            f.add("target", c.code, const(c.target))
        start, end = opps.code_dates(c.code)
        effective = start if start is not None else c.effective
        deletion = c.deletion if c.code not in opps.status else end  # in the OCE: still there in 2026Q2 or not
        if effective is not None:
            f.add("code_effective", c.code, effective)
        if deletion is not None:
            f.add("code_deleted", c.code, deletion)
    for code in sorted(wanted_codes - known):  # a code of the I/OCE outside the code table: known, and dated
        start, end = opps.code_dates(code)
        if code in opps.status:
            known.add(code)
            f.add("code", code)
            if start is not None:
                f.add("code_effective", code, start)
            if end is not None:
                f.add("code_deleted", code, end)
    for code in sorted(wanted_codes):  # a code OPPS pays instead: the same service as the code it replaces
        for alt in opps.alternatives.get(code, ()):
            row = f.row("opps_alt", alt)
            f.add("opps_alt", alt.code, alt.alternative, row)
            source = data.codes.get(alt.code)
            if alt.alternative not in data.codes and source is not None:
                f.add("code_kind", alt.alternative, const(source.kind))
                if source.target:
                    f.add("target", alt.alternative, const(source.target))
    for a in sel.attrs:
        if a.dated:
            f.add("attr_dated", a.code, const(a.attribute), const(a.value), a.start or 0, a.end or OPEN_END)
        else:
            f.add("attr", a.code, const(a.attribute), const(a.value))
    for i in sel.inclusive:
        f.add("inclusive", i.without, i.guidance, i.with_code, f.row("inclusive", i))
    apcs: set[str] = set()
    for c in sorted(wanted):
        pairs = opps.ptp.pairs(c) if c in opps.ptp else {}
        for c2 in sorted(wanted & pairs.keys()):
            for p in pairs[c2]:
                f.add("ptp_opps", p.column_1, p.column_2, p.indicator, p.effective or 0, p.deletion, f.row("ptp", p))
        for m in opps.mue.get(c, ()):
            f.add("mue", m.code, m.value, m.mai, m.effective, f.row("mue", m))
        spans = set()
        for a in opps.addons.get(c, ()):
            spans.add((a.effective, a.deletion))
            if a.primary in wanted or a.primary == "CCCCC":
                f.add("aoc_opps", a.primary, a.add_on, a.addon_type, a.effective, a.deletion, f.row("aoc", a))
        for first_day, last_day in sorted(spans):  # an add-on on those days, whatever the primaries of this claim
            f.add("addon_opps", c, first_day, last_day)
        if c in opps.bilateral_conditional:
            f.add("opps_bilateral", c)
        for s in opps.status.get(c, ()):
            f.add("opps_si", s.code, s.status_indicator, s.apc or "none", s.effective, s.deletion, f.row("opps_si", s))
            if s.apc:
                apcs.add(s.apc)
    for apc in sorted(apcs, key=int):
        for r in opps.apc.get(apc, ()):
            f.add("apc_pay", r.apc, r.cents, r.effective, r.deletion, f.row("apc", r))
    for v in opps.versions:
        f.add("oce_version", v.version, v.quarter, v.first, v.last)
