"""An independent formulation of the billable-set problem, solved with python-constraint.

It is written from ``contract.md`` and ``design.md`` and shares nothing with the encodings but the data
loader: the policy of each suppression (NCCI PTP edits with modifier indicators and the distinct-service
bypass; guidance included in the procedure; fluoroscopy integral to surgery; general fluoroscopy superseded
by a specific guidance code; the wrong guidance code; imaging-inclusive pairs; add-ons and their primaries;
validity dates and dated attributes; the technical component where the facility owns the unit, and in a facility
place of service whoever owns it; the 26 and TC lines of one code billed by the owner of the unit, which are the
global service once; an E/M's 25 and 57, never 59 or X{EPSU}) is restated here in Python.

The billable set is a *stable set*: a candidate is billed exactly when nothing billed (and no fact of the
encounter) suppresses it. Each candidate is a 0/1 variable of a :class:`constraint.Problem`; facts that
forbid a candidate are hard constraints; stability is a constraint on every candidate. When no stable set
exists (an odd cycle of edits) the least-violating sets are enumerated instead and ``conflict`` is True.
Ties are broken as design.md says: highest expected amount, then fewest changes to the claim, then the
first candidates in canonical order. The problem is exponential in the number of candidates: use it on
small encounters (up to about 6 lines) only.

Examples
--------
>>> cc = crosscheck({"encounter_id": "k", "date_of_service": "2024-08-01", "place_of_service": "11",
...                  "lines": [{"code": "20610", "site": "left knee"}, {"code": "77002"}, {"code": "76000"}]})
>>> [(b["code"], b["units"]) for b in cc.billable], cc.expected, cc.conflict
([('20610', 1), ('77002', 1)], 181.08, False)

"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import constraint

from fluorologic.contract.encounter import Encounter, Line, parse_encounter
from fluorologic.rules.ruledata import RuleData, Selection, default_places

__all__ = ["CrossCheck", "crosscheck"]

_BYPASS_MODIFIERS = frozenset({"59", "XE", "XS", "XP", "XU"})
_IMAGING_KINDS = frozenset({"guidance", "fluoroscopy"})


@dataclass(frozen=True)
class Candidate:
    """A line that may be billed: a claimed line (``line`` = its 1-based canonical index) or an added code."""

    code: str
    units: int
    line: int | None = None
    replaces: tuple[int, ...] = ()
    #: The one line with modifier 50 that stands for both sides of a bilateral code.
    bilateral: bool = False

    @property
    def order(self) -> tuple[int, int, str, int]:
        """Canonical order of candidates: added codes (by code), the bilateral lines (by code), claimed lines."""
        if self.line is None:
            return (0, int(self.bilateral), self.code, 0)
        return (1, 0, "", self.line)


@dataclass
class CrossCheck:
    """What the independent solver decides for one encounter."""

    billable: list[dict[str, Any]]
    expected: float
    conflict: bool
    stable_sets: int
    billed: list[Candidate] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        """The parts compared with the engine: billable lines, expected total, conflict flag."""
        return {"billable": self.billable, "expected": self.expected, "conflict": self.conflict}


class _Rules:
    """The rule rows of one encounter, read into plain Python look-ups."""

    def __init__(self, data: RuleData, sel: Selection, enc: Encounter) -> None:
        dos = enc.dos_number
        self.dos = dos
        self.kind = {c.code: c.kind for c in sel.codes}
        self.target = {c.code: c.target for c in sel.codes if c.target}
        self.valid = {c.code: (c.effective is None or c.effective <= dos) and (c.deletion is None or dos <= c.deletion)
                      for c in sel.codes}
        self.attr: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        for a in sel.attrs:  # a dated attribute holds from its first through its last day
            if (a.start is None or a.start <= dos) and (a.end is None or dos <= a.end):
                self.attr[a.code][a.attribute].add(a.value)
        self.pctc = {c.code: data.pctc(c.code, dos) for c in sel.codes}
        # PTP rows in force on the date of service: indicator 9 never applies, deletion is the last day.
        self.edits: dict[tuple[str, str], set[int]] = defaultdict(set)
        for p in sel.ptp:
            if p.indicator != 9 and dos <= p.deletion:
                self.edits[(p.column_1, p.column_2)].add(p.indicator)
        self.caps: dict[str, list[tuple[int, int]]] = defaultdict(list)  # code -> [(max units, MAI)]
        for m in sel.mue:
            if m.effective <= dos:
                self.caps[m.code].append((m.value, m.mai))
        self.addons = set(sel.addons)
        # a side can have one unit only: an MUE of 1 (any quarter loaded) and no add-on (bilateral.lp)
        self.one_a_side = {m.code for m in sel.mue if m.value == 1} - self.addons
        self.primaries: dict[str, set[str]] = defaultdict(set)
        for a in sel.aoc:  # a dated add-on edit holds from its first through its last day
            if a.in_force(dos):
                self.primaries[a.add_on].add(a.primary)
        self.inclusive = [(i.without, i.guidance, i.with_code) for i in sel.inclusive]
        self.fees: dict[tuple[str, str], list[FeeCents]] = defaultdict(list)
        for f in sel.fees:
            self.fees[(f.code, f.mod)].append(FeeCents(f.cents("facility"), f.cents("nonfacility")))
        # MPFS payment indicators (BILAT SURG, MULT PROC, DIAG IMAGING FAMILY) of each code
        self.bilateral: dict[str, int | None] = {}
        self.mult_proc: dict[str, int | None] = {}
        self.family: dict[str, int | None] = {}
        for code in {ln.code for ln in enc.lines} | {c.code for c in sel.codes} | {f.code for f in sel.fees}:
            row = data.indicator_row(code, dos) if hasattr(data, "indicator_row") else None
            if row is not None:
                self.bilateral[code], self.mult_proc[code] = row.bilateral, row.mult_proc
                self.family[code] = row.imaging_family if row.mult_proc == 4 else None
        # E/M codes; PFS global days (090: major surgery); rows without a facility rate (the NA indicator)
        self.em = {c.code for c in sel.codes if c.kind == "evaluation_management"}
        self.major = {f.code for f in sel.fees if f.mod == "" and f.glob_days == "090"}
        self.listed = {f.code for f in sel.fees}
        self.facility_na = {(f.code, f.mod) for f in sel.fees if f.facility_total is None}
        self.facility = default_places()[enc.place_of_service][0] == "facility"

    def technical_to_facility(self, code: str) -> bool:
        """In a facility place the technical component of a PC/TC code is the facility's (42 CFR 411.15(m))."""
        return self.facility and self.pctc.get(code) == 1 and (
            (code, "") in self.facility_na or code not in self.listed)

    def has(self, code: str, attribute: str, value: str = "yes") -> bool:
        return value in self.attr.get(code, {}).get(attribute, set())

    def guidance_codes_for(self, kind: str) -> list[str]:
        return sorted(c for c, attrs in self.attr.items() if kind in attrs.get("guidance_for", set()))

    def imaging(self, code: str) -> bool:
        return self.kind.get(code) in _IMAGING_KINDS


@dataclass(frozen=True)
class FeeCents:
    """A fee in cents at the facility and the non-facility rate (None where not applicable)."""

    facility: int | None
    nonfacility: int | None


def _guidance_kind(enc: Encounter, line: Line, rules: _Rules) -> str | None:
    """The kind of target an imaging line aims at: its own site, else the kind all procedures share."""
    if line.site_class:
        return line.site_class
    kinds = {rules.target.get(ln.code) for ln in enc.lines if rules.kind.get(ln.code) == "procedure"} - {None}
    return kinds.pop() if len(kinds) == 1 else None


class _Problem:
    """Candidates, what suppresses what, and what blocks what, for one encounter."""

    def __init__(self, enc: Encounter, rules: _Rules) -> None:
        self.enc, self.rules = enc, rules
        claimed = {ln.code for ln in enc.lines}
        self.claimed_codes = claimed
        self.wrong: dict[int, str] = {}  # claimed line -> the right guidance code
        self.inclusive_block: dict[int, str] = {}
        adds: dict[str, list[int]] = defaultdict(list)
        for i, ln in enumerate(enc.lines, start=1):
            if not rules.imaging(ln.code):
                continue
            kind = _guidance_kind(enc, ln, rules)
            if kind is None:
                continue
            for right in rules.guidance_codes_for(kind):
                aimed_elsewhere = any(k != kind for k in rules.attr[ln.code].get("guidance_for", ()))
                general_for_needle = rules.has(ln.code, "general_fluoroscopy") and right not in claimed and any(
                    right in rules.addons and other.code in rules.primaries.get(right, ()) for other in enc.lines)
                if aimed_elsewhere or general_for_needle:
                    self.wrong[i] = right
                    if right not in claimed:
                        adds[right].append(i)
        for w, g in itertools.permutations(range(1, len(enc.lines) + 1), 2):
            for without, guidance, with_code in rules.inclusive:
                # the single "with imaging" code replaces the pair only when it is in force on the date of service
                if enc.lines[w - 1].code == without and enc.lines[g - 1].code == guidance \
                        and rules.valid.get(with_code, True):
                    self.inclusive_block[w] = with_code
                    self.inclusive_block[g] = with_code
                    if with_code not in claimed:
                        adds[with_code].append(w)
        self.nodes: list[Candidate] = [Candidate(ln.code, ln.units, line=i) for i, ln in enumerate(enc.lines, 1)]
        self.added_both: set[str] = set()
        for code, replaced in sorted(adds.items()):
            units = max(enc.lines[i - 1].units for i in replaced)
            if units == 2 and rules.bilateral.get(code) == 1 and code in rules.one_a_side:  # both sides: 1 unit, 50
                self.added_both.add(code)
                units = 1
            self.nodes.append(Candidate(code, units, replaces=tuple(sorted(set(replaced)))))
        # Claims Processing Manual ch. 12 §40.7: both sides of an indicator-1 code (RT and LT lines, or one line of
        # 2 units, without 50) are one line with 50 and 1 unit.
        self.both_sides: dict[int, str] = {}
        for i, ln in enumerate(enc.lines, start=1):
            if rules.bilateral.get(ln.code) != 1 or "50" in ln.modifiers:
                continue
            same = [o for o in enc.lines if o.code == ln.code]
            sides = set(ln.modifiers) & {"RT", "LT"}
            if len(same) == 2 and ln.units == 1 and sides:  # RT and LT: the only two lines of the code
                other = next(o for j, o in enumerate(enc.lines, start=1) if o.code == ln.code and j != i)
                if other.units == 1 and "50" not in other.modifiers and ({"RT", "LT"} & set(other.modifiers)) - sides:
                    self.both_sides[i] = ln.code
            elif len(same) == 1 and ln.units == 2 and not sides and ln.code in rules.one_a_side:  # 2 units, 1 a side
                self.both_sides[i] = ln.code
        for code in sorted(set(self.both_sides.values())):
            lines = tuple(i for i, c in self.both_sides.items() if c == code)
            self.nodes.append(Candidate(code, 1, replaces=lines, bilateral=True))
        self.nodes.sort(key=lambda c: c.order)

    # -- which procedure a guidance line guides ----------------------------------------------------------------
    def may_guide(self, proc: int, guide: int) -> bool:
        """Whether claimed line ``proc`` may be the procedure that guidance line ``guide`` guides.

        An AOC eligible primary, a procedure that includes guidance or makes fluoroscopy integral, or any
        procedure for a guidance code without a primary list.
        """
        r, p, g = self.rules, self.enc.lines[proc - 1].code, self.enc.lines[guide - 1].code
        if proc == guide:
            return False
        eligible = r.primaries.get(g, set())
        if p in eligible:
            return True
        if not r.imaging(g):
            return False
        if r.has(p, "includes_guidance") or r.has(p, "fluoroscopy_integral"):
            return True
        procedure = r.kind.get(p) == "procedure"
        return procedure and (not (eligible - {"CCCCC"}) or "CCCCC" in eligible)

    def guides_elsewhere(self, guide: int, other: int) -> bool:
        """Guidance line ``guide`` is paired by site with a procedure it may guide, and ``other`` has another site."""
        lines = self.enc.lines
        site = lines[guide - 1].site
        if not site or not self.rules.imaging(lines[guide - 1].code) or other == guide:
            return False
        paired = any(ln.site == site and self.may_guide(i, guide) for i, ln in enumerate(lines, start=1))
        return paired and bool(lines[other - 1].site) and lines[other - 1].site != site

    def apart(self, m: Candidate, n: Candidate) -> bool:
        """``m`` and ``n`` are a procedure and a guidance line that guides another procedure at another site."""
        def lines_of(c: Candidate) -> tuple[int, ...]:
            return (c.line,) if c.line is not None else c.replaces

        return any(self.guides_elsewhere(g, o) for a, b in ((m, n), (n, m)) if a.line is not None
                   for o in (a.line,) for g in lines_of(b))

    # -- facts about one candidate ----------------------------------------------------------------------------
    def line_of(self, n: Candidate) -> Line | None:
        return self.enc.lines[n.line - 1] if n.line is not None else None

    def distinct(self, n: Candidate) -> bool:
        if n.line is not None:
            return self.enc.lines[n.line - 1].distinct
        return any(self.enc.lines[i - 1].distinct for i in n.replaces)

    def modifiers(self, n: Candidate) -> frozenset[str]:
        ln = self.line_of(n)
        if n.bilateral:  # the modifiers of the lines it stands for, but the sides and 50
            return frozenset(m for i in n.replaces for m in self.enc.lines[i - 1].modifiers) - {"RT", "LT", "50"}
        return frozenset(ln.modifiers) if ln else frozenset()

    def fixed_block(self, n: Candidate) -> bool:
        """Blocked by a fact of the encounter, whatever else is billed."""
        r = self.rules
        if r.valid.get(n.code) is False:
            return True
        if n.line is None:
            return False
        if n.line in self.wrong or n.line in self.inclusive_block or n.line in self.both_sides:
            return True
        mods = self.modifiers(n)
        if "TC" in mods and self.enc.owner == "physician" and "26" not in mods and r.technical_to_facility(n.code):
            return True
        return "TC" in mods and self.enc.owner == "facility" and r.pctc.get(n.code) == 1

    def global_partner(self, n: Candidate, modifier: str) -> bool:
        """A claimed line of ``n``'s code bills the other component (26 <-> TC) and the provider owns the unit."""
        mods = self.modifiers(n)
        other = "TC" if modifier == "26" else "26"
        if n.line is None or modifier not in mods or other in mods or self.enc.owner != "physician" \
                or self.rules.pctc.get(n.code) != 1 or self.rules.technical_to_facility(n.code):
            return False
        return any(ln.code == n.code and other in ln.modifiers and modifier not in ln.modifiers
                   for ln in self.enc.lines)

    def combined_away(self, n: Candidate, billed: list[Candidate]) -> bool:
        """A TC line whose 26 partner is billed: the two are one global service, billed on the 26 line."""
        return self.global_partner(n, "TC") and any(
            m.line is not None and m.code == n.code and self.global_partner(m, "26") for m in billed)

    def primary_ok(self, n: Candidate, billed: list[Candidate]) -> bool:
        """An add-on needs another billed candidate, one of its eligible primaries, with units left after limits."""
        r = self.rules
        if n.code not in r.addons:
            return True
        eligible = r.primaries.get(n.code, set())
        units = self.final_units(billed)
        return any(m is not n and units.get(m, 0) > 0
                   and (m.code in eligible or ("CCCCC" in eligible and r.kind.get(m.code) == "procedure"))
                   for m in billed)

    def suppresses(self, m: Candidate, n: Candidate) -> bool:
        """Whether ``m``, when billed, suppresses ``n`` (an active arrow of the stable-set graph)."""
        if m is n:
            return False
        r = self.rules
        indicators = r.edits.get((m.code, n.code), set())
        apart = self.apart(m, n)
        if 0 in indicators or (1 in indicators and not self.distinct(n) and not apart and not self.em_bypass(m, n)):
            return True
        # General fluoroscopy beside a specific guidance code: never billed, whatever the record documents.
        if r.has(m.code, "supersedes_general_fluoroscopy") and r.has(n.code, "general_fluoroscopy"):
            return True
        # Included guidance and integral fluoroscopy belong to the procedure's own site.
        policy = (r.has(m.code, "includes_guidance") or r.has(m.code, "fluoroscopy_integral")) and r.imaging(n.code) \
            and not apart
        # A documented distinct service bypasses a policy arrow, unless an indicator-0 edit locks the pair.
        return policy and (not self.distinct(n) or 0 in indicators)

    def decision_for_surgery(self, m: Candidate, n: Candidate) -> bool:
        """57 on the E/M ``n`` beside the major (090-day global) procedure ``m``."""
        return n.code in self.rules.em and "57" in self.modifiers(n) and m.code in self.rules.major

    def em_bypass(self, m: Candidate, n: Candidate) -> bool:
        """25 on the E/M ``n`` (beside a procedure ``m``, not another E/M), or 57 for ``m``'s decision for surgery."""
        r = self.rules
        with_25 = "25" in self.modifiers(n) and m.code not in r.em
        return n.code in r.em and (with_25 or self.decision_for_surgery(m, n))

    # -- units, modifiers and amounts of a billed set ----------------------------------------------------------
    def final_units(self, billed: list[Candidate]) -> dict[Candidate, int]:
        r = self.rules
        out: dict[Candidate, int] = {}
        used: dict[str, int] = defaultdict(int)
        for n in sorted(billed, key=lambda c: c.order):
            caps = list(r.caps.get(n.code, []))
            once = r.has(n.code, "once_per_session")
            if once:
                caps.append((1, 2))
            if not caps:
                out[n] = n.units
                continue
            limit = min(v for v, _ in caps)
            per_line = not once and all(mai == 1 for v, mai in caps if v == limit)
            prior = 0 if per_line else used[n.code]
            out[n] = max(0, min(n.units, limit - prior))
            used[n.code] += n.units
        return out

    def final_modifiers(self, n: Candidate, billed: list[Candidate]) -> list[str]:
        r, mods = self.rules, set(self.modifiers(n))
        if self.global_partner(n, "26"):  # 26 + TC by the owner of the unit: the global service
            mods.discard("26")
        if n.bilateral or (n.line is None and n.code in self.added_both):
            mods.add("50")
        if r.bilateral.get(n.code) == 2:  # bilateral by definition: 50 is dropped
            mods.discard("50")
        if self.enc.owner == "facility" and r.pctc.get(n.code) == 1 and not mods & {"26", "TC"}:
            mods.add("26")
        if self.enc.owner == "physician" and r.technical_to_facility(n.code) and not mods & {"26", "TC"}:
            mods.add("26")
        bypassing = [m for m in billed if m is not n and self._bypassed_by(m, n)]
        if n.code in r.em:  # an E/M: 59 and X{EPSU} never; 25 unless it has 25 or a 57 that holds
            mods -= _BYPASS_MODIFIERS
            if any("25" not in mods and not self.decision_for_surgery(m, n) for m in bypassing):
                mods.add("25")
            return sorted(mods)
        if bypassing and not self.modifiers(n) & _BYPASS_MODIFIERS:
            ln = self.line_of(n)
            sites = {self.enc.lines[m.line - 1].site for m in bypassing if m.line is not None}
            separate = ln is not None and ln.site and any(s and s != ln.site for s in sites)
            mods.add("XS" if separate else "59")
        return sorted(mods)

    def _bypassed_by(self, m: Candidate, n: Candidate) -> bool:
        """``m`` would suppress ``n`` but for its documented distinct service, its own site, or an E/M's 25 or 57."""
        r = self.rules
        indicators = r.edits.get((m.code, n.code), set())
        apart = self.apart(m, n)
        if 1 in indicators and (apart or self.em_bypass(m, n)):
            return True
        if not self.distinct(n):
            return False
        policy = (r.has(m.code, "includes_guidance") or r.has(m.code, "fluoroscopy_integral")) and r.imaging(n.code) \
            and not apart
        return 1 in indicators or (policy and 0 not in indicators)

    def fee(self, code: str, component: str) -> int | None:
        """The fee schedule amount of one unit (cents) at the encounter's rate, or None."""
        setting = default_places()[self.enc.place_of_service][0]
        cents = [getattr(f, setting) for f in self.rules.fees.get((code, component), [])]
        cents = [c for c in cents if c is not None]
        return cents[0] if cents else None

    def amounts(self, billed: list[Candidate], units: dict[Candidate, int]) -> dict[Candidate, int | None]:
        """The allowed amount (cents) of every billed candidate with units, after §40.7 and §40.6."""
        r = self.rules
        out: dict[Candidate, int | None] = {}
        lines = []  # (candidate, units, component, fee, bilateral percent)
        for n in billed:
            u = units.get(n, 0)
            if u <= 0:
                continue
            mods = self.final_modifiers(n, billed)
            component = "26" if "26" in mods else "TC" if "TC" in mods else ""
            fee = self.fee(n.code, component)
            if fee is None:
                out[n] = None
                continue
            pct = {1: 150, 3: 200}.get(r.bilateral.get(n.code) or 0, 100) if "50" in mods else 100
            lines.append((n, u, component, fee, pct))
        ranked = sorted((x for x in lines if r.mult_proc.get(x[0].code) in (2, 3) and x[0].code not in r.addons),
                        key=lambda x: (-x[3] * x[4], x[0].code, x[0].order))
        families: dict[int, list[Any]] = defaultdict(list)
        for x in lines:
            family = r.family.get(x[0].code)
            if r.mult_proc.get(x[0].code) == 4 and family not in (None, 99):
                families[family].append(x)
        reduced: dict[Candidate, Fraction] = {}
        for members in families.values():
            if sum(x[1] for x in members) < 2:
                continue
            members.sort(key=lambda x: (-x[3] * x[4], x[0].code, x[0].order))
            for k, (n, u, component, fee, pct) in enumerate(members):
                if component == "TC":
                    cut = Fraction(fee, 2)
                elif component == "26":
                    cut = Fraction(fee * 5, 100)
                else:
                    tc, pc = self.fee(n.code, "TC"), self.fee(n.code, "26")
                    cut = Fraction(tc, 2) + Fraction(pc * 5, 100) if tc is not None and pc is not None else Fraction(0)
                full = 1 if k == 0 else 0
                reduced[n] = (full * fee + (u - full) * (fee - cut)) * Fraction(pct, 100)
        for n, u, _component, fee, pct in lines:
            if n in reduced:
                value = reduced[n]
            else:
                rank = next((k for k, x in enumerate(ranked) if x[0] is n), None)
                share = Fraction(u) if rank is None else (1 + Fraction(u - 1, 2) if rank == 0 else Fraction(u, 2))
                value = fee * Fraction(pct, 100) * share
            out[n] = int(value + Fraction(1, 2))  # half a cent up, once
        return out


def _violations(p: _Problem, billed: list[Candidate]) -> int:
    ids = {id(n) for n in billed}
    count = 0
    for n in p.nodes:
        defeated = any(p.suppresses(m, n) for m in billed)
        if id(n) in ids:
            count += defeated
        elif not defeated and not p.fixed_block(n) and p.primary_ok(n, billed) and not p.combined_away(n, billed):
            count += 1
    return count


def crosscheck(raw: dict[str, Any] | Encounter, data: RuleData | None = None) -> CrossCheck:
    """Solve one encounter with python-constraint, independently of the encodings.

    Parameters
    ----------
    raw
        The encounter (JSON object or validated :class:`Encounter`).
    data
        The rule data (default: the embedded data).

    Returns
    -------
    CrossCheck
        The billable lines (contract shape), the expected total, and whether no stable set exists.

    """
    data = data or RuleData.embedded()
    enc = raw if isinstance(raw, Encounter) else parse_encounter(raw)
    rules = _Rules(data, data.select({ln.code for ln in enc.lines}, enc.dos_number), enc)
    p = _Problem(enc, rules)
    names = [f"n{i}" for i in range(len(p.nodes))]
    node_of = dict(zip(names, p.nodes, strict=True))

    def chosen(values: tuple[int, ...] | dict[str, int]) -> list[Candidate]:
        if isinstance(values, dict):
            return [node_of[k] for k in names if values[k]]
        return [n for n, v in zip(p.nodes, values, strict=True) if v]

    def hard(*values: int) -> bool:
        billed = chosen(values)
        return all(not p.fixed_block(n) and p.primary_ok(n, billed) and not p.combined_away(n, billed) for n in billed)

    def stable(*values: int) -> bool:
        return _violations(p, chosen(values)) == 0

    def solutions(with_stability: bool) -> list[dict[str, int]]:
        problem = constraint.Problem()
        problem.addVariables(names, [0, 1])
        for name, n in node_of.items():
            if p.fixed_block(n):
                problem.addConstraint(lambda v: v == 0, [name])
        if names:
            problem.addConstraint(hard, names)
            if with_stability:
                problem.addConstraint(stable, names)
        return problem.getSolutions() if names else [{}]

    found = solutions(True)
    conflict = not found
    if conflict:
        everything = solutions(False)
        fewest = min(_violations(p, chosen(s)) for s in everything)
        found = [s for s in everything if _violations(p, chosen(s)) == fewest]

    def score(sol: dict[str, int]) -> tuple[Any, ...]:
        billed = chosen(sol)
        units = p.final_units(billed)
        total = sum(a or 0 for a in p.amounts(billed, units).values())
        changes = sum(1 for n in p.nodes if n.line is not None and n not in billed) + sum(
            1 for n in billed if n.line is None and not n.bilateral)
        first = tuple(0 if n in billed else 1 for n in p.nodes)
        return (-total, changes, first)

    best = chosen(min(found, key=score))
    units = p.final_units(best)
    amounts = p.amounts(best, units)
    billable = []
    for n in best:
        if units[n] <= 0:
            continue
        mods = p.final_modifiers(n, best)
        cents = amounts.get(n)
        billable.append({"code": n.code, "units": units[n], "modifiers": mods,
                         "amount": None if cents is None else round(cents / 100, 2)})
    billable.sort(key=lambda b: (b["code"], b["units"], b["modifiers"]))
    expected = round(sum(b["amount"] or 0 for b in billable), 2)
    return CrossCheck(billable=billable, expected=expected, conflict=conflict,
                      stable_sets=0 if conflict else len(found), billed=best)
