"""The key under which the batch path remembers an encounter's shown atoms: its facts, up to what cannot matter.

The shown atoms of the batch program are a function of the input facts. Two of those facts enter the
encodings only through comparisons, and the key keeps no more of them than the comparisons see:

* the date of service, ``dos(T)``, is only compared with the dates of the rule rows of the encounter
  (``in_force.lp``: ``T < D`` with a code's first day or the first day a row shows it in use, ``T > D``
  with its last, ``T <= Del`` and ``T > Del`` with a PTP deletion date, ``T >= Eff`` with an MUE quarter,
  ``F <= T <= E`` with the days of a dated attribute or add-on edit). The key keeps, instead of
  ``T``, how many of those dates lie before ``T`` and whether ``T`` is one of them; every comparison
  with every one of them then has the same outcome for two dates with the same key, so the same atoms;
* the site text of a line, ``site(L,S)``, is only compared with another line's site for equality
  (``modifiers.lp``). The key numbers the distinct sites in line order.

No shown atom holds the date of service or a site. ``tests/test_memokey.py`` checks that the encodings
still use both only so, and that dates and sites with the same key give the same atoms.

Examples
--------
>>> def own(day, site1, site2):
...     return [("dos", (day,)), ("line", (1, "20610", 1)), ("site", (1, site1)),
...             ("line", (2, "20610", 1)), ("site", (2, site2))]
>>> dates = (20100331, 20240701)
>>> memo_key(own(20240815, "left knee", "right knee"), dates) == memo_key(own(20250102, "left hip", "right hip"), dates)
True
>>> memo_key(own(20240701, "a", "b"), dates) == memo_key(own(20240702, "a", "b"), dates)  # T >= Eff, not T > Eff
False
>>> memo_key(own(20240815, "a", "a"), dates) == memo_key(own(20240815, "a", "b"), dates)  # same site or not
False

"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence

from fluorologic.engine.terms import Atom

__all__ = ["date_thresholds", "memo_key"]

#: Rule-row predicates and the positions of the dates the date of service is compared with (in_force.lp).
_DATED = {"code_effective": (1,), "code_deleted": (1,), "ptp": (3,), "mue": (3,), "attr_dated": (3, 4),
          "data_covers": (0, 1), "code_known_from": (1,), "aoc_dated": (3, 4),
          # the hospital's claim (opps_in_force.lp): rows in force from their first through their last day
          "ptp_opps": (3, 4), "aoc_opps": (3, 4), "addon_opps": (1, 2), "opps_si": (3, 4), "apc_pay": (2, 3),
          "oce_version": (2, 3)}


def date_thresholds(rule_terms: Iterable[Atom]) -> tuple[int, ...]:
    """The sorted dates of the rule rows that ``dos(T)`` is compared with."""
    return tuple(sorted({args[i] for name, args in rule_terms if name in _DATED  # type: ignore[misc]
                         for i in _DATED[name]}))


def memo_key(own: Sequence[Atom], thresholds: Sequence[int]) -> tuple[Atom, ...]:
    """The encounter's own atoms with the date of service and the site texts reduced to what the rules see."""
    sites: dict[object, int] = {}
    out: list[Atom] = []
    for name, args in own:
        if name == "dos":
            day = args[0]
            i = bisect.bisect_left(thresholds, day)  # type: ignore[arg-type]
            out.append(("dos", (i, i < len(thresholds) and thresholds[i] == day)))  # type: ignore[arg-type]
        elif name == "site":
            out.append(("site", (args[0], sites.setdefault(args[1], len(sites)))))
        else:
            out.append((name, args))
    return tuple(out)
