"""Hypothesis strategies for testing fluorologic, or a suite built on it.

Three families of strategies:

* :func:`encounters` draws valid encounters from the codes of a loaded :class:`~fluorologic.rules.ruledata.RuleData`
  and from dates around the ones its rows change on;
* :func:`hostile_encounters` draws input a claim scrubber should survive: unicode, huge units, duplicate and
  empty lines, wrong types, strings that look like ASP program text;
* :func:`rule_bases` draws small synthetic rule bases (random PTP edits with modifier indicators, odd cycles,
  MUEs, add-on edits, code attributes and fees), each a real :class:`~fluorologic.rules.ruledata.RuleData`.

Examples
--------
>>> from hypothesis import given, settings
>>> from fluorologic.engine.solver import Engine
>>> engine = Engine()
>>> @settings(max_examples=3, database=None, derandomize=True)
... @given(encounters(RuleData.embedded()))
... def check(raw):
...     assert "billable" in engine.solve_record(raw)
>>> check()

"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from fluorologic.engine.encodings import rule_ids
from fluorologic.rules.ruledata import (
    OPEN_END,
    AocRow,
    AttrRow,
    CodeRow,
    FeeRow,
    InclusiveRow,
    MueRow,
    PtpRow,
    RuleData,
    default_places,
)

__all__ = ["ASP_LOOKING", "EXCLUSION_REASONS", "SITES", "SyntheticBase", "assert_addon_has_primary",
           "assert_general_fluoroscopy_superseded", "assert_invariants", "assert_no_active_edit",
           "assert_once_per_session", "assert_reasons_cite_rules", "assert_totals", "assert_units_partition",
           "assert_within_mue", "dates", "documentation", "encounters", "example", "has_conflict", "hostile_encounters",
           "PAYMENT_BILATERAL", "PAYMENT_DAYS", "PAYMENT_OTHERS", "payment_claims",
           "lines",
           "rule_bases", "synthetic_encounters"]

#: Anatomic sites as a coder writes them: spinal, non-spinal, and text that names neither.
SITES = ("L5-S1", "right L4-L5", "C6-C7", "lumbar spine", "left knee", "right hip", "left shoulder",
         "right S1", "left ankle", "unspecified", "left SI joint")
#: Modifiers seen on these claims (and a few that are only valid-looking).
MODIFIERS = ("26", "TC", "59", "XS", "XU", "RT", "LT", "50", "76")
#: Strings that would change the program if they were ever formatted into ASP text.
ASP_LOOKING = ('77002"). billed("99999', '"). #show. %', "billed(l(1)).", ':- billed(X). "', "#include \"x.lp\".",
               "a\\\"b", "}).{", "l(1)", "77003\n", "X\"), line(9,\"77003\",1). %")
_UNICODE = ("genou gauche ✓", "腰椎 L5-S1", "Ωmega", "\u202egnp.exe", "e\u0301", "🦴 L4-L5", "\x00", "\ud7ff")
_FIRST_DAY = dt.date(2008, 1, 1)
_LAST_DAY = dt.date(2026, 12, 31)


def example(strategy: st.SearchStrategy[Any]) -> Any:
    """One value a strategy draws, the same on every call (for docs and quick looks, not for tests).

    Examples
    --------
    >>> example(st.integers(min_value=3)) == example(st.integers(min_value=3))
    True

    """
    drawn: list[Any] = []

    @settings(database=None, max_examples=1, derandomize=True, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def first(value: Any) -> None:
        drawn.append(value)

    first()
    return drawn[0]


def _date_of(n: int) -> dt.date:
    return dt.date(n // 10000, n // 100 % 100, n % 100)


def _interesting_days(data: RuleData) -> list[dt.date]:
    """The days around which the rule data changes: deletions, effective dates, fee releases."""
    days: set[int] = set()
    for rows in data.ptp_by_col1.values():
        days.update(p.deletion for p in rows if p.deletion < OPEN_END)
    for c in data.codes.values():
        days.update(d for d in (c.effective, c.deletion) if d)
    for rows in data.fees.values():
        days.update(d for f in rows for d in (f.start, f.end) if d and d < OPEN_END)
    for rows in data.mue.values():
        days.update(m.effective for m in rows if m.effective)
    out: set[dt.date] = set()
    for n in days:
        try:
            d = _date_of(n)
        except ValueError:
            continue
        out.update(x for x in (d - dt.timedelta(days=1), d, d + dt.timedelta(days=1)) if _FIRST_DAY <= x <= _LAST_DAY)
    return sorted(out)


def dates(data: RuleData | None = None) -> st.SearchStrategy[str]:
    """Dates of service (``YYYY-MM-DD``): mostly the days the rule data changes on, else any day 2008-2026.

    Examples
    --------
    >>> example(dates()) >= "2008-01-01"
    True

    """
    data = data or RuleData.embedded()
    around = _interesting_days(data)
    any_day = st.dates(min_value=_FIRST_DAY, max_value=_LAST_DAY)
    choices = [st.sampled_from(around), any_day] if around else [any_day]
    return st.one_of(*choices).map(dt.date.isoformat)


def lines(codes: list[str], *, max_units: int = 4) -> st.SearchStrategy[dict[str, Any]]:
    """One claimed line over ``codes``: units, modifiers, an optional site and the distinct flag."""
    return st.fixed_dictionaries(
        {"code": st.sampled_from(codes)},
        optional={
            "units": st.integers(min_value=1, max_value=max_units),
            "modifiers": st.lists(st.sampled_from(MODIFIERS), max_size=2, unique=True),
            "site": st.sampled_from(SITES),
            "distinct": st.sampled_from([False, False, True]),
        },
    )


def documentation() -> st.SearchStrategy[dict[str, Any]]:
    """A ``documentation`` object with any subset of its fields documented."""
    return st.fixed_dictionaries({}, optional={
        "fluoroscopy_time_seconds": st.one_of(st.none(), st.integers(0, 600), st.floats(0, 600, allow_nan=False)),
        "indication": st.sampled_from(["confirm needle position", "contrast spread", None]),
        "body_area": st.sampled_from(["lumbar spine", "left knee", None]),
    })


def encounters(data: RuleData | None = None, *, min_lines: int = 1, max_lines: int = 6,
               codes: list[str] | None = None, with_documentation: bool = True) -> st.SearchStrategy[dict[str, Any]]:
    """Valid encounters whose codes come from the loaded code set of ``data`` (or from ``codes``).

    Parameters
    ----------
    data
        The rule data whose code table and dates are drawn from (default: the embedded data).
    min_lines, max_lines
        How many claimed lines.
    codes
        Draw from these codes instead of the code table.
    with_documentation
        Whether a ``documentation`` object may be drawn.

    Examples
    --------
    >>> from fluorologic.contract.encounter import parse_encounter
    >>> raw = example(encounters(max_lines=2))
    >>> len(parse_encounter(raw).lines) in (1, 2)
    True

    """
    data = data or RuleData.embedded()
    pool = sorted(codes or data.codes)
    optional: dict[str, st.SearchStrategy[Any]] = {"equipment_owner": st.sampled_from(["physician", "facility"])}
    if with_documentation:
        optional["documentation"] = documentation()
    return st.fixed_dictionaries(
        {
            "encounter_id": st.from_regex(r"\A[a-z]{1,3}-[0-9]{1,4}\Z"),
            "date_of_service": dates(data),
            "place_of_service": st.sampled_from(sorted(default_places())),
            "lines": st.lists(lines(pool), min_size=min_lines, max_size=max_lines),
        },
        optional=optional,
    )


def _hostile_line(codes: list[str]) -> st.SearchStrategy[Any]:
    weird = st.one_of(st.text(max_size=8), st.sampled_from(ASP_LOOKING), st.integers(), st.none(),
                      st.floats(), st.booleans(), st.lists(st.integers(), max_size=2))
    return st.one_of(
        lines(codes),
        st.fixed_dictionaries({"code": st.one_of(st.sampled_from(codes), weird)},
                              optional={"units": st.one_of(st.integers(-10, 10), st.integers(min_value=10**6),
                                                           st.just(10**40), st.floats(), st.booleans(), weird),
                                        "modifiers": st.one_of(st.lists(weird, max_size=3), weird),
                                        "site": st.one_of(st.sampled_from(ASP_LOOKING + _UNICODE),
                                                          st.text(max_size=40), weird, st.just("x" * 500)),
                                        "distinct": weird}),
        weird,
    )


def hostile_encounters(data: RuleData | None = None) -> st.SearchStrategy[Any]:
    """Input a scrubber must survive: each one gives a result or an error record, never an exception.

    Examples
    --------
    >>> from fluorologic.engine.solver import Engine
    >>> rec = Engine().solve_record(example(hostile_encounters()))
    >>> "error" in rec or "billable" in rec
    True

    """
    data = data or RuleData.embedded()
    codes = sorted(data.codes)
    text = st.one_of(st.text(max_size=80), st.sampled_from(ASP_LOOKING + _UNICODE))
    anything = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), text),
                            lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                    st.dictionaries(st.text(max_size=5), inner, max_size=3)),
                            max_leaves=6)
    one_line = _hostile_line(codes)
    line_lists = st.one_of(
        st.lists(one_line, max_size=6),
        st.lists(lines(codes), min_size=1, max_size=3).map(lambda xs: xs * 3),  # duplicate lines
        st.just([]),  # empty lines without a note
        st.lists(lines(codes), min_size=51, max_size=55),  # too many lines
        anything,
    )
    encounter = st.fixed_dictionaries(
        {},
        optional={
            "encounter_id": st.one_of(st.from_regex(r"\A[a-z]{1,3}-[0-9]{1,4}\Z"), text, st.just("e" * 65), anything),
            "date_of_service": st.one_of(dates(data), st.sampled_from(["2024-02-30", "2024-8-1", "0000-00-00",
                                                                      "9999-99-99", "２０２４-０１-０１"]), anything),
            "place_of_service": st.one_of(st.sampled_from(sorted(default_places()) + ["00", "30", "1", "١١"]),
                                          anything),
            "equipment_owner": st.one_of(st.sampled_from(["physician", "facility", "hospital", ""]), anything),
            "lines": line_lists,
            "documentation": st.one_of(documentation(), anything, st.fixed_dictionaries(
                {"fluoroscopy_time_seconds": st.one_of(st.floats(), st.integers(), text, st.booleans())})),
            "note": st.one_of(text, anything),
        },
    )
    return st.one_of(encounter, anything)


# --- synthetic rule bases -------------------------------------------------------------------------------------

_SRC = "synthetic"
_Q = "SYN"


@dataclass(frozen=True)
class SyntheticBase:
    """A drawn synthetic rule base with the codes encounters should be drawn from."""

    data: RuleData
    codes: tuple[str, ...]
    dates: tuple[str, ...]
    cycle: tuple[str, ...]

    def __repr__(self) -> str:  # shown by hypothesis for a failing example
        ptp = [(p.column_1, p.column_2, p.indicator, p.deletion) for rows in self.data.ptp_by_col1.values()
               for p in rows]
        attrs = [(a.code, a.attribute, a.value) for rows in self.data.attrs.values() for a in rows]
        kinds = {c.code: (c.kind, c.target, c.effective, c.deletion) for c in self.data.codes.values()}
        mue = [(m.code, m.value, m.mai) for rows in self.data.mue.values() for m in rows]
        aoc = [(a.primary, a.add_on) for rows in self.data.aoc_by_addon.values() for a in rows]
        fees = [(f.code, f.mod, f.pctc, f.facility_total, f.nonfacility_total) for rows in self.data.fees.values()
                for f in rows]
        return (f"SyntheticBase(codes={kinds}, attrs={attrs}, ptp={ptp}, mue={mue}, aoc={aoc}, fees={fees}, "
                f"cycle={self.cycle})")


# Synthetic codes: two imaging codes aimed at each kind of target, general fluoroscopy, and procedures.
_IMAGING = {"79002": ("guidance", "nonspinal"), "79003": ("guidance", "spinal"), "79000": ("fluoroscopy", "")}
_PROCEDURES = ("10001", "10002", "10003", "10004", "10005", "10006")
_DAY_A, _DAY_B = 20200101, 20240701  # deletion and effective dates are drawn around these


def _fee_rows(code: str, draw: st.DrawFn, pctc: int) -> list[FeeRow]:
    rows = []
    mods = ["", "26", "TC"] if pctc == 1 else [""]
    for mod in mods:
        fac = draw(st.one_of(st.none(), st.integers(1, 400)))
        nonfac = draw(st.integers(1, 400))
        rows.append(FeeRow(code=code, mod=mod, status="A", nonfacility_total=Decimal(nonfac),
                           facility_total=None if fac is None else Decimal(fac), pctc=pctc, glob_days="000",
                           conv_factor=Decimal(1), release=_Q, start=0, end=OPEN_END, source=_SRC))
    return rows


@st.composite
def rule_bases(draw: st.DrawFn, *, cycles: bool | None = None) -> SyntheticBase:
    """A small synthetic rule base over a handful of made-up codes, as a real :class:`RuleData`.

    It draws PTP edits with modifier indicators 0, 1 and 9 (some deleted), optionally an odd cycle of
    edits in force, MUEs, add-on code edits, the policy attributes the encodings read (includes guidance,
    fluoroscopy integral, more specific guidance, once per session), validity dates and fees.

    Parameters
    ----------
    draw
        Supplied by :func:`hypothesis.strategies.composite`; callers do not pass it.
    cycles
        True: always plant an odd cycle of in-force edits; False: never; None: sometimes.

    Examples
    --------
    >>> base = example(rule_bases(cycles=True))
    >>> len(base.cycle) % 2
    1

    """
    n_proc = draw(st.integers(2, len(_PROCEDURES)))
    procs = list(_PROCEDURES[:n_proc])
    imaging = draw(st.lists(st.sampled_from(sorted(_IMAGING)), min_size=1, max_size=3, unique=True))
    codes = sorted(procs + imaging)
    code_rows, attrs, fees = [], [], []
    for c in codes:
        kind, target = _IMAGING.get(c, ("procedure", ""))
        if kind == "procedure":
            target = draw(st.sampled_from(["spinal", "nonspinal"]))
        eff = draw(st.sampled_from([None] * 5 + [_DAY_B]))
        dele = draw(st.sampled_from([None] * 7 + [_DAY_A]))
        code_rows.append(CodeRow(c, kind, target, f"synthetic {kind}", eff, dele, _SRC))
        pctc = 1 if kind != "procedure" else draw(st.sampled_from([0, 0, 1]))
        fees.extend(_fee_rows(c, draw, pctc))
        if kind != "procedure":
            attrs.append(AttrRow(c, "modality", "fluoroscopy", _SRC))
        if c == "79000":
            attrs.append(AttrRow(c, "general_fluoroscopy", "yes", _SRC))
        elif c in _IMAGING:
            attrs.append(AttrRow(c, "guidance_for", _IMAGING[c][1], _SRC))
            if draw(st.booleans()):
                attrs.append(AttrRow(c, "supersedes_general_fluoroscopy", "yes", _SRC))
            if draw(st.booleans()):
                attrs.append(AttrRow(c, "once_per_session", "yes", _SRC))
        else:
            for attribute in draw(st.lists(st.sampled_from(["includes_guidance", "fluoroscopy_integral"]),
                                           max_size=1)):
                attrs.append(AttrRow(c, attribute, "yes", _SRC))
    edge = st.tuples(st.sampled_from(codes), st.sampled_from(codes)).filter(lambda e: e[0] != e[1])
    ptp = []
    for c1, c2 in draw(st.lists(edge, max_size=8, unique=True)):
        ind = draw(st.sampled_from([0, 1, 1, 9]))
        dele = draw(st.sampled_from([OPEN_END, OPEN_END, _DAY_A]))
        ptp.append(PtpRow(c1, c2, None, dele, ind, "synthetic", _Q, _SRC))
    cycle: tuple[str, ...] = ()
    if cycles or (cycles is None and draw(st.booleans())):
        length = draw(st.sampled_from([3, 3, 5])) if len(codes) >= 5 else 3
        ring = draw(st.permutations(codes))[:length]
        cycle = tuple(ring)
        for i, c1 in enumerate(ring):
            ptp.append(PtpRow(c1, ring[(i + 1) % length], None, OPEN_END, draw(st.sampled_from([0, 1])),
                              "synthetic cycle", _Q, _SRC))
    mue = [MueRow(c, draw(st.integers(1, 3)), draw(st.sampled_from([1, 2, 3])), "synthetic", "synthetic",
                  draw(st.sampled_from([0, _DAY_B])), _Q, _SRC)
           for c in draw(st.lists(st.sampled_from(codes), max_size=3, unique=True))]
    aoc = []
    addons = draw(st.lists(st.sampled_from(codes), max_size=2, unique=True))
    for a in addons:
        primaries = draw(st.lists(st.sampled_from([c for c in codes if c != a] + ["CCCCC"]), max_size=3, unique=True))
        aoc.extend(AocRow(p, a, 2 if p == "CCCCC" else 1, _Q, _SRC) for p in primaries)
    inclusive = []
    if len(procs) >= 2 and "79002" in imaging and draw(st.booleans()):
        inclusive.append(InclusiveRow(procs[0], "79002", procs[1], _SRC))
    data = RuleData(codes=code_rows, attrs=attrs, ptp=ptp, mue=mue, aoc=aoc, inclusive=inclusive, fees=fees,
                    label="synthetic")
    days = ("2019-06-01", "2020-01-01", "2020-01-02", "2024-06-30", "2024-07-01", "2025-03-01")
    return SyntheticBase(data=data, codes=tuple(codes), dates=days, cycle=cycle)


#: Codes with MPFS bilateral indicator 1 and multiple-procedure indicator 2 (BILAT SURG, MULT PROC of the PPRRVU).
PAYMENT_BILATERAL = ("64483", "64490", "64493", "20610", "20605", "20600", "27096", "64635", "64633")
#: Their add-ons, guidance and imaging codes (indicators 0, 2 and 4).
PAYMENT_OTHERS = ("64484", "64494", "64491", "77003", "77002", "27506", "27245", "72240", "73525", "76000")
#: Days in every MPFS release period 2020-2025 that the embedded fees cover.
PAYMENT_DAYS = ("2020-02-11", "2021-08-02", "2022-11-30", "2023-05-05", "2024-03-20", "2024-08-14", "2024-11-15",
                "2025-05-02", "2025-10-20")


@st.composite
def payment_claims(draw: st.DrawFn) -> dict[str, Any]:
    """Encounters of 1-8 lines over bilateral, multiple-procedure and imaging codes, sides, 50 and localities.

    >>> raw = example(payment_claims())
    >>> 1 <= len(raw["lines"]) <= 8 and raw["place_of_service"] in ("11", "22", "24")
    True
    """
    line = st.fixed_dictionaries({"code": st.sampled_from(PAYMENT_BILATERAL + PAYMENT_OTHERS)}, optional={
        "units": st.integers(1, 3),
        "modifiers": st.sampled_from([[], ["RT"], ["LT"], ["50"], ["26"], ["RT", "26"]]),
        "site": st.sampled_from(["L4-L5", "L5-S1", "left knee", "right knee"]),
    })
    claimed = draw(st.lists(line, min_size=1, max_size=6))
    if draw(st.booleans()):  # both sides of one bilateral code on two lines
        code = draw(st.sampled_from(PAYMENT_BILATERAL))
        claimed += [{"code": code, "modifiers": ["RT"]}, {"code": code, "modifiers": ["LT"]}]
    return {"encounter_id": "p", "date_of_service": draw(st.sampled_from(PAYMENT_DAYS)),
            "place_of_service": draw(st.sampled_from(["11", "22", "24"])), "lines": claimed[:8],
            "claim": {"locality": draw(st.sampled_from(["10112:00", "01112:18", "99999:99"]))}}


@st.composite
def synthetic_encounters(draw: st.DrawFn, base: SyntheticBase, *, max_lines: int = 6) -> dict[str, Any]:
    """A valid encounter over the codes of a synthetic rule base (see :func:`rule_bases`).

    When the base plants a cycle, the encounter claims the whole cycle about half the time.

    Parameters
    ----------
    draw
        Supplied by :func:`hypothesis.strategies.composite`; callers do not pass it.
    base
        The synthetic rule base whose codes and dates are drawn from.
    max_lines
        At most this many claimed lines.

    Examples
    --------
    >>> base = example(rule_bases())
    >>> {ln["code"] for ln in example(synthetic_encounters(base))["lines"]} <= set(base.codes)
    True

    """
    claimed = draw(st.lists(lines(list(base.codes), max_units=3), min_size=1, max_size=max_lines))
    if base.cycle and draw(st.booleans()):
        claimed = [{"code": c} for c in base.cycle] + claimed[: max(0, max_lines - len(base.cycle))]
    enc: dict[str, Any] = {
        "encounter_id": "syn-1",
        "date_of_service": draw(st.sampled_from(base.dates)),
        "place_of_service": draw(st.sampled_from(["11", "22", "24"])),
        "lines": claimed,
    }
    if draw(st.booleans()):
        enc["equipment_owner"] = draw(st.sampled_from(["physician", "facility"]))
    return enc


# --- invariants: each raises AssertionError naming what broke --------------------------------------------------

#: The contract's exclusion reasons (``excluded[].reason``).
EXCLUSION_REASONS = frozenset({
    "ptp_bundled", "guidance_included", "integral_to_surgery", "more_specific_guidance", "wrong_guidance_code",
    "unit_limit", "add_on_without_primary", "not_effective", "component_billed_by_facility",
    "imaging_inclusive_code", "not_documented", "components_combined", "bilateral_one_line"})
_BYPASS = frozenset({"59", "XE", "XS", "XP", "XU"})


def _claimed(raw: dict[str, Any]) -> list[dict[str, Any]]:
    return [ln for ln in raw.get("lines", []) if isinstance(ln, dict)]


def _dos(raw: dict[str, Any]) -> int:
    return int(raw["date_of_service"].replace("-", ""))


def has_conflict(res: dict[str, Any]) -> bool:
    """Whether the result says the rule base has no stable billable set for this encounter."""
    return any(a["kind"] == "rule_conflict" for a in res["alerts"])


def assert_units_partition(raw: dict[str, Any], res: dict[str, Any]) -> None:
    """For every claimed code, billable units plus excluded units equal the claimed units."""
    claimed: dict[str, int] = {}
    for ln in _claimed(raw):
        claimed[ln["code"]] = claimed.get(ln["code"], 0) + ln.get("units", 1)
    added = {a["code"] for a in res["added"]}
    # the one line with 50 stands for the lines excluded as bilateral_one_line: their units count once, as excluded
    bilateral = {a["code"] for a in res["added"] if a["reason"] == "bilateral_one_line"}
    for code, units in claimed.items():
        billed = sum(b["units"] for b in res["billable"] if b["code"] == code
                     and not (code in bilateral and "50" in b["modifiers"]))
        excluded = sum(e["units"] for e in res["excluded"] if e["code"] == code)
        assert billed + excluded == units, f"{code}: claimed {units} units, billable {billed} + excluded {excluded}"
    for b in res["billable"]:
        assert b["code"] in claimed or b["code"] in added, f"{b['code']} is billable but neither claimed nor added"


def assert_no_active_edit(raw: dict[str, Any], res: dict[str, Any], data: RuleData) -> None:
    """No billable pair is an in-force PTP edit unless indicator 1, a documented distinct service and a bypass modifier.

    Where the result reports ``rule_conflict`` the least-violating set may break an edit by design, so the
    check is skipped.
    """
    if has_conflict(res):
        return
    dos = _dos(raw)
    distinct = {ln["code"] for ln in _claimed(raw) if ln.get("distinct")}
    distinct |= {a["code"] for a in res["added"] if a["replaces"] in distinct}
    for b1 in res["billable"]:
        for b2 in res["billable"]:
            if b1["code"] == b2["code"]:
                continue
            rows = [p for p in data.ptp_by_col1.get(b1["code"], ()) if p.column_2 == b2["code"]
                    and p.indicator != 9 and dos <= p.deletion]
            for p in rows:
                assert p.indicator == 1, f"{b1['code']}/{b2['code']} billed together despite an indicator-0 edit"
                assert b2["code"] in distinct, f"{b1['code']}/{b2['code']} billed together without a distinct service"
                assert set(b2["modifiers"]) & _BYPASS, f"{b2['code']} bypasses {b1['code']} without 59/X{{EPSU}}"


def assert_within_mue(raw: dict[str, Any], res: dict[str, Any], data: RuleData) -> None:
    """Billable units never exceed the MUE in force (per line for MAI 1, per date of service otherwise)."""
    dos = _dos(raw)
    for code in {b["code"] for b in res["billable"]}:
        entries = [b["units"] for b in res["billable"] if b["code"] == code]
        for m in data.mue.get(code, ()):
            if m.effective <= dos:
                worst = max(entries) if m.mai == 1 else sum(entries)
                assert worst <= m.value, f"{code}: {worst} units billable, MUE {m.value} (MAI {m.mai})"


def assert_addon_has_primary(res: dict[str, Any], data: RuleData) -> None:
    """An add-on code is billable only beside one of its eligible primaries."""
    billable = [b["code"] for b in res["billable"]]
    for i, code in enumerate(billable):
        rows = data.aoc_by_addon.get(code)
        if not rows:
            continue
        others = billable[:i] + billable[i + 1:]
        primaries = {r.primary for r in rows}
        any_procedure = "CCCCC" in primaries and any(
            o in data.codes and data.codes[o].kind == "procedure" for o in others)
        assert any_procedure or primaries & set(others), f"add-on {code} billable without a primary ({others})"


def assert_general_fluoroscopy_superseded(raw: dict[str, Any], res: dict[str, Any], data: RuleData) -> None:
    """General fluoroscopy (76000) is never billable beside a specific guidance code (77002, 77003).

    No documented distinct service lifts this (the mission's "never bill 76000 beside 77002/77003").
    """
    general = {c for c, rows in data.attrs.items() if any(a.attribute == "general_fluoroscopy" for a in rows)}
    specific = {c for c, rows in data.attrs.items()
                if any(a.attribute == "supersedes_general_fluoroscopy" and a.value == "yes" for a in rows)}
    billable = {b["code"] for b in res["billable"]}
    if has_conflict(res):
        return
    for g in billable & general:
        for s in billable & specific:
            raise AssertionError(f"{g} billable beside the more specific {s} (encounter {raw.get('encounter_id')})")


def assert_once_per_session(res: dict[str, Any], data: RuleData) -> None:
    """A once-per-session code (77003) is never billable for more than 1 unit in total."""
    for b in res["billable"]:
        if any(a.attribute == "once_per_session" and a.value == "yes" for a in data.attrs.get(b["code"], ())):
            total = sum(x["units"] for x in res["billable"] if x["code"] == b["code"])
            assert total <= 1, f"{b['code']} is reported once per session but {total} units are billable"


def assert_reasons_cite_rules(res: dict[str, Any]) -> None:
    """Every exclusion has a contract reason and cites a rule id that exists in the encodings."""
    known = rule_ids()
    for e in res["excluded"]:
        assert e["reason"] in EXCLUSION_REASONS, f"unknown reason {e['reason']!r}"
        assert e["rule"] in known, f"{e['code']} excluded citing the unknown rule {e['rule']!r}"
        assert e["detail"], f"{e['code']} excluded without a detail sentence"
    for a in res["alerts"]:
        assert a["rule"] in known, f"alert {a['kind']} cites the unknown rule {a['rule']!r}"


def assert_totals(res: dict[str, Any]) -> None:
    """``totals.expected`` is the sum of the billable amounts."""
    total = round(sum(b["amount"] or 0 for b in res["billable"]), 2)
    assert abs(total - res["totals"]["expected"]) < 0.005, f"expected {res['totals']['expected']} != sum {total}"


def assert_invariants(raw: dict[str, Any], res: dict[str, Any], data: RuleData) -> None:
    """Every invariant above that holds for any rule base."""
    assert_units_partition(raw, res)
    assert_no_active_edit(raw, res, data)
    assert_within_mue(raw, res, data)
    assert_addon_has_primary(res, data)
    assert_general_fluoroscopy_superseded(raw, res, data)
    assert_once_per_session(res, data)
    assert_reasons_cite_rules(res)
    assert_totals(res)
