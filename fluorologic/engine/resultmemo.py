"""The canonical Result memo: an encounter like an earlier one, up to what the rules cannot see, costs a splice.

A practice bills the same few dozen services day after day, under new ids, on other days, at other
sites. The Result of an encounter is a function of its facts (:mod:`fluorologic.engine.facts`) and the
rule rows of its codes; :func:`result_key` keeps only what those facts and rows can tell apart:

* the lines in canonical order (validation sorts them): code, units, modifiers, site class, which
  lines share a site (the sites numbered in line order: the encodings only compare sites for
  equality), distinct;
* the place of service, the equipment owner when given, which documentation fields are filled, the
  note (exactly: its evidence is quoted), the rule part (code combination and fee period);
* the date of service reduced to its place among the part's rule dates (:mod:`fluorologic.engine.memokey`);
* any field of the validated encounter or line this module does not know (e.g. a field the contract
  adds later), exactly, so that a new input can never be answered with another encounter's Result.

The value is the Result's JSON text cut around the encounter id: a hit is the text before it, the new
id, and the text after it. A Result whose text mentions the date of service (a code not in force that
day) is kept under the exact date instead: the key of such an answer says so, and its dates are
remembered one by one.

``tests/test_resultmemo.py`` checks the key is sound: encounters with equal keys, over both generated
streams and over dates on both sides of every rule date, get byte-equal Results but for the id.

Examples
--------
>>> from fluorologic.contract.encounter import parse_encounter
>>> memo = ResultMemo(100)
>>> def enc(eid, day, site):
...     return parse_encounter({"encounter_id": eid, "date_of_service": day, "place_of_service": "11",
...                             "lines": [{"code": "20610", "site": site}, {"code": "77002"}]})
>>> a, b = enc("a", "2024-08-01", "left knee"), enc("b", "2024-09-12", "right knee")
>>> memo.key(a, 3, (20100101, 20240701)) == memo.key(b, 3, (20100101, 20240701))
True
>>> memo.put(memo.key(a, 3, (20100101, 20240701)), a, '{"schema_version": "1", "encounter_id": "a", "x": 1}', None)
>>> memo.get(memo.key(b, 3, (20100101, 20240701)), b)
('{"schema_version": "1", "encounter_id": "b", "x": 1}', None)

"""

from __future__ import annotations

import bisect
import dataclasses
import json
from collections import OrderedDict
from collections.abc import Hashable, Sequence
from typing import TYPE_CHECKING, Any

from fluorologic.contract.encounter import Encounter, Line
from fluorologic.contract.sites import classify_site

if TYPE_CHECKING:
    from fluorologic.engine.factcache import FactCache

__all__ = ["ResultMemo", "id_json"]

#: The fields of the validated encounter and line that :meth:`ResultMemo.key` reduces; every other field
#: (present or future) enters the key exactly.
_KNOWN_ENCOUNTER = frozenset({"encounter_id", "date_of_service", "place_of_service", "owner", "owner_given", "lines",
                              "documentation", "note"})
_KNOWN_LINE = frozenset({"code", "units", "modifiers", "site", "distinct"})
_EXTRA_ENCOUNTER = tuple(f.name for f in dataclasses.fields(Encounter) if f.name not in _KNOWN_ENCOUNTER)
_EXTRA_LINE = tuple(f.name for f in dataclasses.fields(Line) if f.name not in _KNOWN_LINE)

_DATED = object()  # the entry of a key whose Results mention the date of service: look up the exact date


def id_json(eid: str) -> str:
    r"""The encounter id as :func:`fluorologic.contract.render.to_json` writes it (a JSON string).

    >>> print(id_json('a"b'))
    "a\"b"
    """
    return json.dumps(eid, ensure_ascii=False)


class ResultMemo:
    """A bounded LRU of rendered Results under their canonical keys (see the module docstring).

    ``size`` is the number of Results kept (0: none). A rendered Result is about 1-4 KB, so the default
    of :class:`~fluorologic.engine.multisolve.BatchSolver` keeps a worker well under its memory target.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    def key(self, enc: Encounter, part: int, thresholds: Sequence[int]) -> Hashable:
        """The canonical key of ``enc`` whose rule part is number ``part`` with the rule dates ``thresholds``."""
        sites: dict[str, int] = {}
        classify = classify_site  # remembers the texts it has read
        lines = tuple((ln.code, ln.units, ln.modifiers,
                       None if ln.site is None else (classify(ln.site), sites.setdefault(ln.site, len(sites))),
                       ln.distinct, *[repr(getattr(ln, f)) for f in _EXTRA_LINE]) for ln in enc.lines)
        day = enc.dos_number
        i = bisect.bisect_left(thresholds, day)
        doc = enc.documentation
        if enc.note is None:
            documented: Hashable = (doc.fluoroscopy_time_seconds is not None, bool(doc.indication),
                                    bool(doc.body_area))
        else:  # the note's findings fill the empty fields: keep both as they are
            documented = (doc, enc.note)
        return (part, i, i < len(thresholds) and thresholds[i] == day, enc.place_of_service,
                enc.owner if enc.owner_given else None, documented, lines,
                *[repr(getattr(enc, f)) for f in _EXTRA_ENCOUNTER])

    def key_for(self, enc: Encounter, cache: FactCache) -> Hashable:
        """The canonical key of ``enc``, its rule part looked up in ``cache``."""
        part = cache.rule_part(enc)
        return self.key(enc, part.number, part.thresholds)

    def get(self, key: Hashable, enc: Encounter) -> tuple[str, Any] | None:
        """The rendered Result of ``enc`` and the extra remembered with it, or None (counted as a miss)."""
        entries = self._entries
        entry = entries.get(key)
        if entry is _DATED:
            key = (key, enc.dos_number)
            entry = entries.get(key)
        if entry is None:
            self.misses += 1
            return None
        entries.move_to_end(key)
        self.hits += 1
        head, tail, extra = entry
        return head + id_json(enc.encounter_id) + tail, extra

    def put(self, key: Hashable, enc: Encounter, text: str, extra: Any) -> None:
        """Remember the rendered Result ``text`` of ``enc`` (and ``extra``, handed back by :meth:`get`)."""
        if self.size <= 0:
            return
        marker = '"encounter_id": ' + id_json(enc.encounter_id)
        at = text.find(marker)
        if at < 0 or text.find(marker, at + 1) >= 0:  # not once (another field echoing the id): not kept
            return
        at += len('"encounter_id": ')
        entry = (text[:at], text[at + len(marker) - len('"encounter_id": '):], extra)
        entries = self._entries
        if enc.date_of_service.isoformat() in text:  # the text names the day: remember it for that day only
            entries[key] = _DATED
            entries.move_to_end(key)
            key = (key, enc.dos_number)
        entries[key] = entry
        entries.move_to_end(key)
        while len(entries) > self.size:
            entries.popitem(last=False)
