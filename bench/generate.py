"""Realistic encounters of a pain / orthopedic practice, drawn from the codes of the loaded rule data.

Each encounter has 2-8 claimed lines. Scenarios are weighted roughly as a practice that does spine
injections, joint injections, vertebral augmentation and fracture care sees them, and each one comes
with the usual billing slips: a guidance code beside a procedure that includes it, the spinal guidance
code for a knee, general fluoroscopy beside specific guidance, 26/TC in the wrong setting, 59/XS with
or without a documented distinct service, too many units, a "without imaging" code plus guidance.

Usage::

    python bench/generate.py -n 10000 --seed 7 > encounters.jsonl
    python bench/generate.py -n 1000 --malformed 0.01 > with_errors.jsonl
    python bench/generate.py -n 20000 --stream realistic > practice.jsonl

Two streams: the *cold* one (:func:`generate`, varied scenarios, dates over 2008-2025, so that answers
seldom repeat) and the *realistic* one (:func:`realistic`, one practice's few dozen code combinations
drawn by a Zipf law, with the usual variation in units, modifiers, place, documentation and sites, on
dates over two years).

Reusable: ``from bench.generate import generate`` (or load it by path) gives a list of dicts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
from collections.abc import Callable
from typing import Any

from fluorologic.rules.ruledata import RuleData

Line = dict[str, Any]


class _Codes:
    """The codes of the loaded rule data, sorted into the groups the scenarios draw from."""

    def __init__(self, data: RuleData) -> None:
        attrs: dict[str, set[tuple[str, str]]] = {}
        for code, rows in data.attrs.items():
            attrs[code] = {(a.attribute, a.value) for a in rows}
        self.all = set(data.codes)

        def having(attr: str, value: str = "yes") -> list[str]:
            return sorted(c for c, a in attrs.items() if (attr, value) in a and c in self.all)

        procs = {c: r for c, r in data.codes.items() if r.kind == "procedure"}
        self.includes_guidance = having("includes_guidance")
        self.integral = having("fluoroscopy_integral")
        self.spinal_needle = sorted(c for c, r in procs.items() if r.target == "spinal"
                                    and c not in self.includes_guidance and c not in self.integral)
        self.nonspinal_needle = sorted(c for c, r in procs.items() if r.target == "nonspinal"
                                       and c not in self.includes_guidance and c not in self.integral)
        self.inclusive = [(i.without, i.guidance) for rows in data.inclusive.values() for i in rows]
        self.supervision = sorted(c for c, r in data.codes.items() if r.kind == "supervision")

    def pick(self, rng: random.Random, pool: list[str], *prefer: str) -> str:
        preferred = [c for c in prefer if c in pool]
        if preferred and rng.random() < 0.7:
            return rng.choice(preferred)
        return rng.choice(pool)


def _line(code: str, **kw: Any) -> Line:
    line: Line = {"code": code}
    line.update({k: v for k, v in kw.items() if v not in (None, [], False)})
    return line


_SPINE_SITES = ["L4-L5", "L5-S1", "right L5-S1", "left L4", "C6-C7", "C5-C6", "T11-T12", "lumbar spine",
                "sacroiliac joint", "left S1"]
_JOINT_SITES = ["left knee", "right knee", "right shoulder", "left hip", "right hip", "left ankle", "right wrist"]


def _spine_injection(rng: random.Random, c: _Codes) -> list[Line]:
    proc = c.pick(rng, c.includes_guidance, "64483", "64490", "64493", "64635", "62321", "62323", "27096")
    lines = [_line(proc, site=rng.choice(_SPINE_SITES))]
    add_on = {"64483": "64484", "64490": "64491", "64493": "64494", "64635": "64636", "64479": "64480",
              "64633": "64634"}.get(proc)
    if add_on and add_on in c.all and rng.random() < 0.6:
        lines.append(_line(add_on, units=rng.choice([1, 1, 2]), site=rng.choice(_SPINE_SITES)))
    if rng.random() < 0.55:  # guidance billed although the procedure includes it
        lines.append(_line(rng.choice(["77003", "77003", "77002", "76000"])))
    return lines


def _epidural_without_imaging(rng: random.Random, c: _Codes) -> list[Line]:
    without, guidance = rng.choice(c.inclusive)
    return [_line(without, site=rng.choice(_SPINE_SITES)), _line(guidance)]


def _spine_needle(rng: random.Random, c: _Codes) -> list[Line]:
    proc = c.pick(rng, c.spinal_needle, "62273", "62270", "62320", "62322")
    guidance = rng.choice(["77003", "77003", "77003", "77002", "76000"])
    lines = [_line(proc, site=rng.choice(_SPINE_SITES)), _line(guidance, units=rng.choice([1, 1, 1, 2, 3]))]
    if rng.random() < 0.2:
        lines.append(_line("76000"))
    return lines


def _joint_injection(rng: random.Random, c: _Codes) -> list[Line]:
    proc = c.pick(rng, c.nonspinal_needle, "20610", "20605", "20600", "27093", "27095", "23350")
    site = rng.choice(_JOINT_SITES)
    guidance = rng.choice(["77002", "77002", "77002", "77003", "76000", "76942"])
    lines = [_line(proc, site=site, modifiers=rng.choice([[], [], ["RT"], ["LT"]])),
             _line(guidance, site=site if rng.random() < 0.5 else None)]
    if rng.random() < 0.25:  # a second joint, documented or not as a distinct service
        distinct = rng.random() < 0.5
        lines.append(_line(proc, site=rng.choice(_JOINT_SITES), modifiers=rng.choice([[], ["59"], ["XS"]]),
                           distinct=distinct))
    if proc in ("27093", "27095") and c.supervision and rng.random() < 0.7:
        lines.append(_line(rng.choice([s for s in c.supervision if s in ("73525", "73115", "73040")]
                                      or c.supervision)))
    return lines


def _augmentation(rng: random.Random, c: _Codes) -> list[Line]:
    aug = [x for x in ("22510", "22511", "22513", "22514") if x in c.all] or c.includes_guidance
    proc = rng.choice(aug)
    lines = [_line(proc, site=rng.choice(["L1", "T12", "L2", "T8"]))]
    add = {"22510": "22512", "22511": "22512", "22513": "22515", "22514": "22515"}.get(proc)
    if add in c.all and rng.random() < 0.4:
        lines.append(_line(add, units=rng.choice([1, 2])))
    lines.append(_line(rng.choice(["77003", "76000", "77012"])))
    return lines


def _fracture_care(rng: random.Random, c: _Codes) -> list[Line]:
    proc = c.pick(rng, c.integral, "27506", "27245", "25607", "27759", "27244")
    lines = [_line(proc, modifiers=rng.choice([[], ["RT"], ["LT"]]))]
    lines.append(_line("76000", units=rng.choice([1, 1, 2]), modifiers=rng.choice([[], ["26"], ["26"], ["TC"]])))
    if rng.random() < 0.15:
        lines.append(_line("77002"))
    return lines


def _general_fluoro(rng: random.Random, c: _Codes) -> list[Line]:
    lines = [_line("76000", units=rng.choice([1, 1, 2, 4]), modifiers=rng.choice([[], ["26"], ["TC"]]))]
    lines.append(_line(c.pick(rng, c.nonspinal_needle + c.spinal_needle, "20610", "62273")))
    if rng.random() < 0.3:
        lines.append(_line(rng.choice(["77002", "77003"])))
    return lines


SCENARIOS: list[tuple[float, str, Callable[[random.Random, _Codes], list[Line]]]] = [
    (0.30, "spine injection with included guidance", _spine_injection),
    (0.10, "epidural without imaging plus guidance", _epidural_without_imaging),
    (0.12, "spinal needle procedure with guidance", _spine_needle),
    (0.25, "joint injection or arthrography", _joint_injection),
    (0.07, "vertebral augmentation", _augmentation),
    (0.10, "fracture care", _fracture_care),
    (0.06, "general fluoroscopy", _general_fluoro),
]

_POS = [("11", 0.45), ("22", 0.2), ("24", 0.2), ("19", 0.05), ("21", 0.07), ("23", 0.03)]


def _date(rng: random.Random) -> str:
    if rng.random() < 0.9:
        start, days = dt.date(2023, 1, 1), 3 * 365
    else:
        start, days = dt.date(2008, 1, 1), 15 * 365
    return (start + dt.timedelta(days=rng.randrange(days))).isoformat()


def _pad(rng: random.Random, lines: list[Line]) -> list[Line]:
    """Bring the encounter to 2-8 lines: repeat levels or joints, as practices do."""
    target = min(8, max(2, len(lines) + (rng.choice([0, 0, 0, 1, 1, 2, 3]))))
    while len(lines) < target:
        src = rng.choice(lines)
        lines.append(dict(src, units=rng.choice([1, 1, 2])))
    return lines[:8]


def encounter(rng: random.Random, c: _Codes, eid: str) -> dict[str, Any]:
    """One encounter (contract.md input)."""
    weights = [w for w, _, _ in SCENARIOS]
    _, _, make = rng.choices(SCENARIOS, weights=weights)[0]
    lines = _pad(rng, make(rng, c))
    rng.shuffle(lines)
    pos = rng.choices([p for p, _ in _POS], weights=[w for _, w in _POS])[0]
    enc: dict[str, Any] = {"encounter_id": eid, "date_of_service": _date(rng), "place_of_service": pos,
                           "lines": lines}
    if rng.random() < 0.3:
        enc["equipment_owner"] = rng.choice(["physician", "facility"])
    if rng.random() < 0.75:
        doc: dict[str, Any] = {}
        if rng.random() < 0.8:
            doc["fluoroscopy_time_seconds"] = round(rng.uniform(5, 240), 1)
        if rng.random() < 0.8:
            doc["indication"] = "confirm needle position with contrast under live imaging"
        if rng.random() < 0.8:
            doc["body_area"] = rng.choice(["lumbar spine", "cervical spine", "knee", "hip", "shoulder"])
        enc["documentation"] = doc
    return enc


# --- The realistic stream: what one practice sends, day after day -------------------------------------------

#: Code combinations a pain / orthopedic practice bills again and again, most common first (a practice's
#: top services: the Zipf rank). Each is (codes, site kind): the kind picks the sites and side modifiers.
PRACTICE_COMBINATIONS: list[tuple[tuple[str, ...], str]] = [
    (("64483", "77003"), "spine"),            # transforaminal ESI + guidance it includes
    (("20610", "77002"), "joint"),            # knee / shoulder injection with fluoroscopic guidance
    (("64493", "64494"), "spine"),            # lumbar facet, two levels
    (("62323", "77003"), "spine"),            # lumbar interlaminar epidural + included guidance
    (("64635", "64636"), "spine"),            # lumbar radiofrequency ablation, two levels
    (("64483", "64484", "77003"), "spine"),
    (("20610",), "joint"),
    (("27096", "77003"), "spine"),            # sacroiliac joint injection
    (("64490", "64491"), "spine"),            # cervical facets
    (("62321", "77003"), "spine"),            # cervical epidural
    (("62322", "77003"), "spine"),            # lumbar epidural without imaging + guidance
    (("20610", "76942"), "joint"),            # ultrasound-guided knee
    (("64493",), "spine"),
    (("62273", "77003"), "spine"),            # blood patch with needle guidance
    (("20605", "77002"), "joint"),
    (("27093", "73525"), "joint"),            # hip arthrography
    (("22514", "77003"), "spine"),            # kyphoplasty
    (("27506", "76000"), "fracture"),         # intramedullary nailing with C-arm
    (("64483", "64484"), "spine"),
    (("62320", "77003"), "spine"),
    (("20610", "20610", "77002"), "joint"),   # both knees
    (("27245", "76000"), "fracture"),
    (("64633", "64634"), "spine"),
    (("62270", "77003"), "spine"),            # lumbar puncture
    (("20600", "77002"), "joint"),
    (("22510", "77003"), "spine"),            # vertebroplasty
    (("25607", "76000"), "fracture"),
    (("23350", "73040"), "joint"),            # shoulder arthrography
    (("20610", "77003"), "joint"),            # the spinal guidance code for a knee
    (("76000", "20610"), "joint"),
    (("27759", "76000", "77002"), "fracture"),
    (("64479", "64480", "77003"), "spine"),
    (("62323", "76000"), "spine"),
    (("27244", "76000"), "fracture"),
    (("22513", "22515", "77003"), "spine"),
    (("64495", "64494", "64493"), "spine"),
]

_PRACTICE_SITES = {
    "spine": ["L4-L5", "L5-S1", "L3-L4", "C5-C6", "C6-C7", "left L5-S1", "right L4-L5"],
    "joint": ["left knee", "right knee", "left shoulder", "right shoulder", "left hip", "right hip"],
    "fracture": ["left femur", "right femur", "right tibia", "left wrist"],
}
_PRACTICE_POS = [("11", 0.5), ("24", 0.25), ("22", 0.2), ("19", 0.05)]


def _practice_line(rng: random.Random, code: str, kind: str, site: str, first: bool) -> Line:
    """One line of a practice's claim: the usual units and modifiers, now and then a slip."""
    units = 1 if rng.random() < 0.95 else 2
    mods: list[str] = []
    if kind == "joint" and code.startswith("2") and rng.random() < 0.5:
        mods.append("LT" if site.startswith("left") else "RT")
    if code in ("76000", "77002", "77003") and rng.random() < 0.1:
        mods.append(rng.choice(["26", "26", "TC"]))
    if not first and rng.random() < 0.03:
        mods.append(rng.choice(["59", "XS"]))
    return _line(code, units=units, modifiers=mods, site=site if code.startswith(("2", "6")) else None,
                 distinct=bool(mods and mods[-1] in ("59", "XS") and rng.random() < 0.5))


def practice_encounter(rng: random.Random, rank: int, eid: str, day: dt.date) -> dict[str, Any]:
    """One encounter of the practice: combination ``rank`` of :data:`PRACTICE_COMBINATIONS` on ``day``."""
    codes, kind = PRACTICE_COMBINATIONS[rank]
    sites = _PRACTICE_SITES[kind]
    site = rng.choice(sites)
    lines = []
    for i, code in enumerate(codes):
        if i and code == codes[i - 1]:  # the same code twice: the other side or the next level
            site = rng.choice([s for s in sites if s != site])
        lines.append(_practice_line(rng, code, kind, site, first=i == 0))
    pos = rng.choices([p for p, _ in _PRACTICE_POS], weights=[w for _, w in _PRACTICE_POS])[0]
    enc: dict[str, Any] = {"encounter_id": eid, "date_of_service": day.isoformat(), "place_of_service": pos,
                           "lines": lines}
    if pos == "11" and rng.random() < 0.1:
        enc["equipment_owner"] = "facility"
    doc: dict[str, Any] = {"fluoroscopy_time_seconds": round(rng.uniform(8, 120), 1),
                           "indication": rng.choice(["confirm needle placement under live imaging",
                                                     "contrast spread must be seen in real time"]),
                           "body_area": {"spine": "lumbar spine", "joint": "knee", "fracture": "femur"}[kind]}
    if rng.random() < 0.1:  # a note that leaves something out
        del doc[rng.choice(list(doc))]
    enc["documentation"] = doc
    return enc


def realistic(n: int, seed: int = 7, data: RuleData | None = None, *, zipf: float = 1.1,
              start: dt.date = dt.date(2024, 1, 1), days: int = 731) -> list[dict[str, Any]]:
    """``n`` encounters of one practice: combinations drawn by a Zipf law (exponent ``zipf``), dates over two years.

    Every encounter has its own id (``p{seed}-{i}``) and a date drawn over ``days`` days from ``start``;
    units, modifiers, place of service, documentation and sites vary as a practice's claims do. Only
    combinations whose codes are all in the loaded rule data are drawn.

    Examples
    --------
    >>> encs = realistic(1000, seed=1)
    >>> len({e["encounter_id"] for e in encs}), min(e["date_of_service"] for e in encs) >= "2024-01-01"
    (1000, True)

    """
    known = set((data or RuleData.embedded()).codes)
    ranks = [r for r, (codes, _) in enumerate(PRACTICE_COMBINATIONS) if set(codes) <= known]
    weights = [1 / (i + 1) ** zipf for i in range(len(ranks))]
    rng = random.Random(seed)
    return [practice_encounter(rng, rng.choices(ranks, weights=weights)[0], f"p{seed}-{i:07d}",
                               start + dt.timedelta(days=rng.randrange(days))) for i in range(n)]


_BROKEN = ['{"encounter_id": "broken", "lines": [', '{"encounter_id": "x", "date_of_service": "2024-13-45", '
           '"place_of_service": "11", "lines": [{"code": "20610"}]}', '{"encounter_id": "y", "date_of_service": '
           '"2024-05-01", "place_of_service": "11", "lines": [{"code": "ABC"}]}', 'not json at all']


def generate(n: int, seed: int = 7, malformed: float = 0.0, data: RuleData | None = None) -> list[Any]:
    """``n`` encounters; a share ``malformed`` of them replaced by broken input (as JSON text, see ``lines``)."""
    rng = random.Random(seed)
    codes = _Codes(data or RuleData.embedded())
    out: list[Any] = []
    for i in range(n):
        if malformed and rng.random() < malformed:
            out.append(_Raw(rng.choice(_BROKEN)))
        else:
            out.append(encounter(rng, codes, f"g{seed}-{i:07d}"))
    return out


class _Raw(str):
    """A line of input text that is deliberately not a valid encounter."""


def lines(items: list[Any]) -> list[str]:
    """The encounters as JSON Lines text lines (broken items as they are)."""
    return [str(x) if isinstance(x, _Raw) else json.dumps(x) for x in items]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--malformed", type=float, default=0.0, help="share of broken input lines")
    parser.add_argument("--stream", choices=("cold", "realistic"), default="cold",
                        help="cold: varied encounters that seldom repeat; realistic: one practice's stream")
    args = parser.parse_args(argv)
    items = generate(args.n, args.seed, args.malformed) if args.stream == "cold" else realistic(args.n, args.seed)
    for text in lines(items):
        sys.stdout.write(text + "\n")


if __name__ == "__main__":
    main()
