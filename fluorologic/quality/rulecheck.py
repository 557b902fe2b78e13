"""Consistency checks of a loaded rule base: what ``fluorologic rules check`` reports.

The suppression graph of the rule base has an arrow from code A to code B for every PTP edit in force
(column 1 -> column 2; indicator 9 never applies) and for every policy the code attributes imply
(a code that includes guidance or makes fluoroscopy integral -> every imaging code; a specific guidance
code -> general fluoroscopy). Each arrow is in force over a range of dates. The checks:

* ``odd_cycle``: a cycle of odd length whose arrows are all in force on some day. An encounter that
  claims exactly those codes (no distinct service) has no stable billable set (design.md).
* ``mutual_edit``: two codes that suppress each other on some day. A stable set exists, but which of
  the two is billed is left to the fees, while design.md says column 1 wins by rule.
* ``indicator_mismatch``: edits in both directions in force together with different modifier indicators.
* ``addon_without_primary``: an add-on code with no eligible primary that can be billed with it.
* ``unknown_code``: codes that edits name but the code table does not hold.
* ``attribute_contradiction``: attributes that the edits contradict (a code said to include guidance
  with no edit against any guidance code, an edit against the direction of a policy, ...).
* ``date_inversion``: rows whose deletion (end) date precedes their effective (start) date.

Examples
--------
>>> report = check_rules(RuleData.embedded())
>>> {"odd_cycle", "mutual_edit", "indicator_mismatch"} <= {f.kind for f in report.findings}
True

"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from fluorologic.engine.solver import Engine
from fluorologic.rules.messages import date_text
from fluorologic.rules.ruledata import OPEN_END, CodeRow, PtpRow, RuleData

__all__ = ["Arrow", "Finding", "Report", "check_rules", "suppression_arrows"]

FIRST_DAY = 0
_POLICIES = (("includes_guidance", "imaging", "guidance.included"),
             ("fluoroscopy_integral", "imaging", "guidance.integral"),
             ("supersedes_general_fluoroscopy", "general", "guidance.more_specific"))
_DESCRIBED_ADDON = ("add-on", "each additional")


@dataclass(frozen=True)
class Arrow:
    """One arrow of the suppression graph: ``source`` suppresses ``target`` from ``start`` to ``end``."""

    source: str
    target: str
    start: int
    end: int
    rule: str
    indicator: int | None = None
    row: PtpRow | None = None

    def cite(self) -> dict[str, Any]:
        """The row behind the arrow, as shown in a finding."""
        if self.row is not None:
            r = self.row
            return {"table": "ptp", "column_1": r.column_1, "column_2": r.column_2, "effective": r.effective,
                    "deletion": r.deletion, "modifier_indicator": r.indicator, "rationale": r.rationale,
                    "quarter": r.quarter}
        return {"table": "code_attributes", "rule": self.rule, "code": self.source, "suppresses": self.target}


@dataclass
class Finding:
    """One inconsistency, with the codes and the rows involved."""

    kind: str
    message: str
    codes: list[str]
    rows: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form."""
        return asdict(self)


@dataclass
class Report:
    """All findings of a check, with counts and notes on what was checked."""

    store: str
    findings: list[Finding]
    counts: dict[str, int]
    notes: list[str]

    def to_dict(self, limit: int | None = None) -> dict[str, Any]:
        """JSON-ready form; ``limit`` caps the findings listed per kind (the counts stay complete)."""
        shown: list[dict[str, Any]] = []
        per_kind: dict[str, int] = defaultdict(int)
        for f in self.findings:
            per_kind[f.kind] += 1
            if limit is None or per_kind[f.kind] <= limit:
                shown.append(f.to_dict())
        return {"store": self.store, "ok": not self.findings, "counts": self.counts, "notes": self.notes,
                "findings": shown}


def _ptp_rows(data: RuleData) -> Iterator[PtpRow]:
    for rows in data.ptp_by_col1.values():
        yield from rows


def _code_span(row: CodeRow | None) -> tuple[int, int]:
    if row is None:
        return FIRST_DAY, OPEN_END
    return row.effective or FIRST_DAY, row.deletion or OPEN_END


def _has(data: RuleData, code: str, attribute: str, value: str = "yes") -> bool:
    return any(a.attribute == attribute and a.value == value for a in data.attrs.get(code, ()))


def _imaging(data: RuleData) -> set[str]:
    return {c for c, row in data.codes.items() if row.kind in ("guidance", "fluoroscopy")}


def suppression_arrows(data: RuleData) -> list[Arrow]:
    """Every arrow of the code-level suppression graph, with the dates it is in force."""
    arrows = [Arrow(p.column_1, p.column_2, p.effective or FIRST_DAY, p.deletion, "ptp.bundled", p.indicator, p)
              for p in _ptp_rows(data) if p.indicator != 9 and p.column_1 != p.column_2]
    imaging = _imaging(data)
    general = {c for c in data.codes if _has(data, c, "general_fluoroscopy")}
    for attribute, kind, rule in _POLICIES:
        for code in sorted(c for c in data.attrs if _has(data, c, attribute)):
            for target in sorted(imaging if kind == "imaging" else general):
                if target != code:
                    s1, e1 = _code_span(data.codes.get(code))
                    s2, e2 = _code_span(data.codes.get(target))
                    arrows.append(Arrow(code, target, max(s1, s2), min(e1, e2), rule))
    return arrows


def _strongly_connected(nodes: list[str], succ: dict[str, list[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative (the full NCCI table has millions of arrows)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    out: list[list[str]] = []
    counter = 0
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(succ.get(root, ())))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            v, it = work[-1]
            advanced = False
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(succ.get(w, ()))))
                    advanced = True
                    break
                if w in on_stack:
                    low[v] = min(low[v], index[w])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1:
                    out.append(sorted(comp))
    return out


def _odd_cycles(comp: list[str], succ: dict[str, list[str]], starts: list[str]) -> Iterator[list[str]]:
    """Simple directed cycles of odd length inside a strongly connected component (one per start node).

    A strongly connected digraph has an odd cycle exactly when it is not bipartite; the shortest odd
    closed walk through a node (breadth-first over node x parity) is cut down to a simple odd cycle.
    """
    members = set(comp)
    for start in starts:
        parent: dict[tuple[str, int], tuple[str, int] | None] = {(start, 0): None}
        queue = deque([(start, 0)])
        goal = (start, 1)
        while queue and goal not in parent:
            v, p = queue.popleft()
            for w in succ.get(v, ()):
                if w in members and (w, 1 - p) not in parent:
                    parent[(w, 1 - p)] = (v, p)
                    queue.append((w, 1 - p))
        if goal not in parent:
            continue
        walk = []
        node: tuple[str, int] | None = goal
        while node is not None:
            walk.append(node[0])
            node = parent[node]
        walk.reverse()  # start ... start, odd number of arrows
        yield _simple_odd(walk[:-1])


def _simple_odd(walk: list[str]) -> list[str]:
    """Cut a closed walk of odd length (last arrow back to walk[0]) down to a simple odd cycle."""
    while True:
        seen: dict[str, int] = {}
        for i, v in enumerate(walk):
            if v in seen:
                j = seen[v]
                inner, outer = walk[j:i], walk[:j] + walk[i:]
                walk = inner if len(inner) % 2 else outer
                break
            seen[v] = i
        else:
            return walk


def _by_pair(arrows: Iterable[Arrow]) -> dict[tuple[str, str], list[Arrow]]:
    pairs: dict[tuple[str, str], list[Arrow]] = defaultdict(list)
    for a in arrows:
        pairs[(a.source, a.target)].append(a)
    return pairs


def _overlap(a: Arrow, b: Arrow) -> tuple[int, int] | None:
    start, end = max(a.start, b.start), min(a.end, b.end)
    return (start, end) if start <= end else None


def _date(n: int) -> str:
    if n <= FIRST_DAY:
        return "the first day on record"
    if n >= OPEN_END:
        return "open end"
    return date_text(n)


def _check_cycles(arrows: list[Arrow], max_cycles: int
                  ) -> tuple[list[Finding], list[Finding], list[Finding], int]:
    pairs = _by_pair(arrows)
    mutual, mismatch = [], []
    for (a, b), forward in sorted(pairs.items()):
        if a >= b or (b, a) not in pairs:
            continue
        backward = pairs[(b, a)]
        together = [(f, r, span) for f in forward for r in backward if (span := _overlap(f, r))]
        if not together:
            continue
        rows = [x.cite() for x in forward + backward]
        last = max(span[1] for _, _, span in together)
        mutual.append(Finding("mutual_edit", f"{a} and {b} suppress each other (in force together until "
                              f"{_date(last)}): the stable set is chosen by fee, not by rule", [a, b], rows))
        diff = [(f, r, span) for f, r, span in together
                if f.indicator is not None and r.indicator is not None and f.indicator != r.indicator]
        if diff:
            f, r, span = diff[0]
            mismatch.append(Finding("indicator_mismatch", f"{a}/{b} has modifier indicator {f.indicator} but "
                                    f"{b}/{a} has {r.indicator}, both in force until {_date(span[1])}", [a, b],
                                    [f.cite(), r.cite()]))
    # Odd cycles: per day on which the graph changes, the strongly connected parts that are not bipartite.
    cycles: list[Finding] = []
    seen: set[frozenset[str]] = set()  # every distinct odd cycle found, listed or not
    for day in _cyclic_days(arrows):
        live = [a for a in arrows if a.start <= day <= a.end]
        succ: dict[str, list[str]] = defaultdict(list)
        for a in live:
            succ[a.source].append(a.target)
        live_pairs = _by_pair(live)
        for comp in _strongly_connected(sorted(succ), succ):
            for ring in _odd_cycles(comp, succ, starts=comp if len(comp) <= 200 else comp[:50]):
                key = frozenset(ring)
                if key in seen:
                    continue
                seen.add(key)
                if len(cycles) >= max_cycles:
                    continue
                used = [max(live_pairs[(ring[i], ring[(i + 1) % len(ring)])], key=lambda a: a.end)
                        for i in range(len(ring))]
                first, last = max(a.start for a in used), min(a.end for a in used)
                cycles.append(Finding(
                    "odd_cycle", f"odd cycle of {len(ring)} edits in force from {_date(first)} until {_date(last)}: "
                    f"{' -> '.join(ring + ring[:1])}; an encounter with these codes can have no stable billable set",
                    ring, [a.cite() for a in used]))
    return cycles, mutual, mismatch, len(seen)


def _cyclic_days(arrows: list[Arrow]) -> list[int]:
    """The days worth checking for cycles: the days arrows start on.

    Arrows only leave the graph after their end day, so a cycle in force on some day is in force on the
    latest start day of its arrows; checking each start day finds every cycle.
    """
    return sorted({a.start for a in arrows})


def _check_addons(data: RuleData) -> list[Finding]:
    findings = []
    addons = set(data.aoc_by_addon)
    described = {c for c, row in data.codes.items() if any(w in row.description.lower() for w in _DESCRIBED_ADDON)}
    for code in sorted(described - addons):
        findings.append(Finding("addon_without_primary", f"{code} is described as an add-on code but no add-on "
                                "code edit names a primary for it", [code],
                                [{"table": "codes", "code": code, "description": data.codes[code].description}]))
    for code in sorted(addons):
        rows = data.aoc_by_addon[code]
        primaries = {r.primary for r in rows if r.primary != code}
        if not primaries:
            findings.append(Finding("addon_without_primary", f"add-on {code} has no primary other than itself",
                                    [code], [{"table": "aoc", "primary": r.primary, "add_on": r.add_on} for r in rows]))
            continue
        known = sorted(p for p in primaries if p in data.codes)
        if "CCCCC" in primaries or not known:
            continue
        locked = [p for p in known if any(e.column_2 == code and e.indicator == 0 and e.deletion == OPEN_END
                                          for e in data.ptp_by_col1.get(p, ()))]
        if locked == known:
            findings.append(Finding(
                "addon_without_primary", f"add-on {code}: every primary in the code table ({', '.join(known)}) "
                "bundles it by an indicator-0 edit in force, so it is never billable with a known primary", [code],
                [Arrow(p, code, 0, OPEN_END, "ptp.bundled", 0, e).cite() for p in locked
                 for e in data.ptp_by_col1.get(p, ()) if e.column_2 == code]))
    return findings


def _check_attributes(data: RuleData, arrows: list[Arrow]) -> list[Finding]:
    findings = []
    imaging = _imaging(data)
    general = {c for c in data.codes if _has(data, c, "general_fluoroscopy")}
    guidance = {c for c in data.codes if data.codes[c].kind == "guidance"}
    wants = {"includes_guidance": (guidance, "any guidance code"),
             "fluoroscopy_integral": (imaging, "any imaging code"),
             "supersedes_general_fluoroscopy": (general, "general fluoroscopy")}
    for attribute, (targets, what) in wants.items():
        for code in sorted(c for c in data.attrs if _has(data, c, attribute)):
            edits = [p for p in data.ptp_by_col1.get(code, ()) if p.column_2 in targets and p.indicator != 9]
            if not any(p.deletion == OPEN_END for p in edits):
                last = max((p.deletion for p in edits), default=None)
                gone = f" (the last one was deleted {_date(last)})" if last else ""
                findings.append(Finding(
                    "attribute_contradiction", f"{code} is said to have {attribute} but no edit in force bundles "
                    f"{what} into it{gone}", [code],
                    [{"table": "code_attributes", "code": code, "attribute": attribute, "value": "yes"}]
                    + [Arrow(p.column_1, p.column_2, 0, p.deletion, "ptp.bundled", p.indicator, p).cite()
                       for p in edits]))
    policy = {(a.source, a.target): a for a in arrows if a.row is None}
    for a in arrows:
        if a.row is not None and a.row.deletion == OPEN_END and (a.target, a.source) in policy:
            p = policy[(a.target, a.source)]
            findings.append(Finding(
                "attribute_contradiction", f"the edit {a.source}/{a.target} bundles {a.target} into {a.source}, "
                f"but the attributes say {a.target} suppresses {a.source} ({p.rule})", [a.source, a.target],
                [a.cite(), p.cite()]))
    return findings


def _check_dates(data: RuleData) -> list[Finding]:
    findings = []
    for c in data.codes.values():
        if c.effective and c.deletion and c.deletion < c.effective:
            findings.append(Finding("date_inversion", f"code {c.code} is deleted {_date(c.deletion)}, before it "
                                    f"takes effect {_date(c.effective)}", [c.code],
                                    [{"table": "codes", "code": c.code, "effective": c.effective,
                                      "deletion": c.deletion}]))
    for p in _ptp_rows(data):
        if p.effective and p.deletion < p.effective:
            findings.append(Finding("date_inversion", f"edit {p.column_1}/{p.column_2} is deleted "
                                    f"{_date(p.deletion)}, before it takes effect {_date(p.effective)}",
                                    [p.column_1, p.column_2],
                                    [Arrow(p.column_1, p.column_2, 0, 0, "ptp", p.indicator, p).cite()]))
    for rows in data.fees.values():
        for f in rows:
            if f.end < f.start:
                findings.append(Finding("date_inversion", f"fee row {f.code}{'-' + f.mod if f.mod else ''} "
                                        f"({f.release}) ends {_date(f.end)}, before it starts {_date(f.start)}",
                                        [f.code], [{"table": "pfs", "code": f.code, "mod": f.mod,
                                                    "release": f.release, "start": f.start, "end": f.end}]))
    return findings


def _confirm_cycles(data: RuleData, cycles: list[Finding]) -> None:
    """Solve an encounter of each cycle's codes with the engine and say whether it reports ``rule_conflict``."""
    engine = Engine(data)
    for f in cycles:
        last = min(r["deletion"] for r in f.rows if r["table"] == "ptp") if any(
            r["table"] == "ptp" for r in f.rows) else OPEN_END
        day = 20240801 if last >= 20240801 else last
        raw = {"encounter_id": "rules-check", "date_of_service": f"{day // 10000:04d}-{day // 100 % 100:02d}-"
               f"{day % 100:02d}", "place_of_service": "11", "lines": [{"code": c} for c in f.codes]}
        res = engine.solve_record(raw)
        confirmed = "alerts" in res and any(a["kind"] == "rule_conflict" for a in res["alerts"])
        f.message += (f"; confirmed: the engine reports rule_conflict for these codes on {raw['date_of_service']}"
                      if confirmed else f"; the engine finds a stable set for just these codes on "
                      f"{raw['date_of_service']} (another rule, e.g. an add-on without its primary, breaks the cycle)")
        f.rows.append({"table": "encounter", "date_of_service": raw["date_of_service"], "codes": f.codes,
                       "rule_conflict": confirmed})


def check_rules(data: RuleData, *, max_cycles: int = 100, unknown_detail: int = 25, confirm: bool = True) -> Report:
    """Check a rule base for consistency.

    Parameters
    ----------
    data
        The rule base.
    max_cycles
        At most this many odd cycles are listed (all distinct ones are counted).
    unknown_detail
        Codes absent from the code table are one finding; at most this many of its rows are listed.
    confirm
        Solve an encounter of each odd cycle's codes with the engine and record whether it reports the conflict.

    Returns
    -------
    Report
        The findings, counts per kind and notes on the scope of each check.

    """
    arrows = suppression_arrows(data)
    cycles, mutual, mismatch, n_cycles = _check_cycles(arrows, max_cycles)
    if confirm:
        _confirm_cycles(data, cycles)
    findings = cycles + mutual + mismatch + _check_addons(data)
    notes = [f"suppression graph: {len(arrows)} arrows ({sum(a.row is not None for a in arrows)} PTP rows with "
             "indicator 0 or 1, the rest from code attributes) over "
             f"{len({a.source for a in arrows} | {a.target for a in arrows})} codes",
             f"{n_cycles} distinct odd cycles found, {len(cycles)} listed (the shortest odd cycle through each code, "
             "on each day arrows start; in strongly connected parts over 200 codes, through their first 50 codes)"]
    ptp_codes = {c for p in _ptp_rows(data) for c in (p.column_1, p.column_2)}
    unknown = sorted(ptp_codes - set(data.codes))
    if unknown:
        rows = [Arrow(p.column_1, p.column_2, 0, 0, "ptp", p.indicator, p).cite() for p in _ptp_rows(data)
                if p.column_1 not in data.codes or p.column_2 not in data.codes]
        findings.append(Finding("unknown_code", f"{len(unknown)} codes named by {len(rows)} PTP rows are not in the "
                                f"code table of {len(data.codes)} codes", unknown[:unknown_detail],
                                rows[:unknown_detail]))
    aoc_unknown = {r.primary for rows in data.aoc_by_addon.values() for r in rows} - set(data.codes) - {"CCCCC"}
    notes.append(f"{len(aoc_unknown)} eligible primaries in the add-on code edits are not in the code table; that is "
                 "expected (the code table holds the codes fluorologic reasons about, not every CPT code) and is "
                 "not reported")
    if unknown and len(data.codes) < 1000:
        notes.append("the code table is the small embedded one: an unknown_code finding against a full NCCI table "
                     "counts the codes outside fluorologic's scope, it does not mean the edits are wrong")
    findings += _check_attributes(data, arrows) + _check_dates(data)
    counts: dict[str, int] = defaultdict(int)
    for f in findings:
        counts[f.kind] += 1
    return Report(store=data.label, findings=findings, counts=dict(sorted(counts.items())), notes=notes)
