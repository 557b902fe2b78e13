"""The canonical Result memo: an encounter like an earlier one, up to what the rules cannot see, costs a splice.

A practice bills the same few dozen services day after day, under new ids, on other days, at other
sites. The Result of an encounter is a function of its facts (:mod:`fluorologic.engine.facts`) and the
rule rows of its codes; :func:`result_key` keeps only what those facts and rows can tell apart:

* the lines in canonical order (validation sorts them): code, units, modifiers, site class, which
  lines share a site (the sites numbered in line order: the encodings only compare sites for
  equality), distinct;
* the place of service, the equipment owner when given, which documentation fields are filled, the
  note (exactly: its evidence is quoted), the rule part (code combination and fee period);
* the date of service reduced to its place among the part's rule dates (:mod:`fluorologic.engine.fastpath.memokey`);
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
import os
import threading
from collections import OrderedDict
from collections.abc import Hashable, Sequence
from typing import TYPE_CHECKING, Any

from fluorologic.contract.encounter import Encounter, Line
from fluorologic.contract.sites import classify_site

if TYPE_CHECKING:
    from fluorologic.engine.fastpath.factcache import FactCache

__all__ = ["RESULT_MEMO_BYTES", "ResultMemo", "id_json", "result_memo_bytes"]

#: The fields of the validated encounter and line that :meth:`ResultMemo.key` reduces; every other field
#: (present or future) enters the key exactly.
_KNOWN_ENCOUNTER = frozenset({"encounter_id", "date_of_service", "place_of_service", "owner", "owner_given", "lines",
                              "documentation", "note"})
_KNOWN_LINE = frozenset({"code", "units", "modifiers", "site", "distinct"})
_EXTRA_ENCOUNTER = tuple(f.name for f in dataclasses.fields(Encounter) if f.name not in _KNOWN_ENCOUNTER)
_EXTRA_LINE = tuple(f.name for f in dataclasses.fields(Line) if f.name not in _KNOWN_LINE)

#: The entry of a key whose Results mention the date of service: look up the exact date (its last item: its weight).
_DATED = ("dated", 0)


def id_json(eid: str) -> str:
    r"""The encounter id as :func:`fluorologic.contract.render.to_json` writes it (a JSON string).

    >>> print(id_json('a"b'))
    "a\"b"
    """
    return json.dumps(eid, ensure_ascii=False)


#: The characters of remembered Results (and the notes their keys hold) a memo keeps by default: about 40 MB
#: (``FLUOROLOGIC_RESULT_MEMO_BYTES`` sets it). A Result of a long note (a 199,000-character note gives about
#: 466 KB) costs its real size, so a stream of long notes keeps few of them instead of thousands.
RESULT_MEMO_BYTES = 40_000_000
#: An entry above this share of the byte budget is not kept at all (one answer must not push out a hundred).
_LARGEST_SHARE = 100
#: What an entry costs besides its texts: the key's tuple, the entry's tuple, the LRU links (measured, rounded up).
_ENTRY_OVERHEAD = 600


def result_memo_bytes() -> int:
    """The default byte budget of a :class:`ResultMemo`: ``FLUOROLOGIC_RESULT_MEMO_BYTES``, else the constant.

    >>> result_memo_bytes() == RESULT_MEMO_BYTES or "FLUOROLOGIC_RESULT_MEMO_BYTES" in os.environ
    True
    """
    return int(os.environ.get("FLUOROLOGIC_RESULT_MEMO_BYTES", str(RESULT_MEMO_BYTES)))


class ResultMemo:
    """A bounded LRU of rendered Results under their canonical keys (see the module docstring).

    ``size`` is the number of Results kept (0: none), ``max_bytes`` what their texts (and the notes their keys
    hold) may weigh together, by default :func:`result_memo_bytes`; the least recently used go first when
    either is passed, and an entry above a hundredth of ``max_bytes`` is not kept. A rendered Result is about
    1-4 KB, so the default of :class:`~fluorologic.engine.fastpath.multisolve.BatchSolver` keeps a worker well under its
    memory target whatever the notes.

    One memo serves any number of threads: :meth:`get` and :meth:`put` hold its lock (for microseconds).
    """

    def __init__(self, size: int, max_bytes: int | None = None) -> None:
        self.size = size
        self.max_bytes = result_memo_bytes() if max_bytes is None else max_bytes
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        #: The weight of the entries kept (see :meth:`put`).
        self.weight = 0
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        """Forget every Result."""
        with self._lock:
            self._entries.clear()
            self.weight = 0

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
        with self._lock:
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
        head, tail, extra, _ = entry
        return head + id_json(enc.encounter_id) + tail, extra

    def put(self, key: Hashable, enc: Encounter, text: str, extra: Any) -> None:
        """Remember the rendered Result ``text`` of ``enc`` (and ``extra``, handed back by :meth:`get`).

        >>> from fluorologic.contract.encounter import parse_encounter
        >>> enc = parse_encounter({"encounter_id": "a", "date_of_service": "2024-08-01", "place_of_service": "11",
        ...                        "lines": [{"code": "20610"}]})
        >>> memo = ResultMemo(10, max_bytes=100_000)
        >>> memo.put("small", enc, '{"encounter_id": "a", "x": 1}', None)
        >>> memo.put("huge", enc, '{"encounter_id": "a", "x": "' + "y" * 2_000 + '"}', None)
        >>> len(memo), memo.get("huge", enc) is None
        (1, True)
        """
        if self.size <= 0:
            return
        marker = '"encounter_id": ' + id_json(enc.encounter_id)
        at = text.find(marker)
        if at < 0 or text.find(marker, at + 1) >= 0:  # not once (another field echoing the id): not kept
            return
        at += len('"encounter_id": ')
        head, tail = text[:at], text[at + len(marker) - len('"encounter_id": '):]
        # what the entry keeps alive: its texts, and the note its key holds (a key keeps a note exactly)
        weight = len(head) + len(tail) + (len(enc.note) if isinstance(enc.note, str) else 0) + _ENTRY_OVERHEAD
        if weight * _LARGEST_SHARE > self.max_bytes:
            return
        dated = enc.date_of_service.isoformat() in text  # the text names the day: remember it for that day only
        with self._lock:
            entries = self._entries
            if dated:
                if entries.get(key) is not _DATED:
                    self._drop(key)
                    entries[key] = _DATED
                entries.move_to_end(key)
                key = (key, enc.dos_number)
            self._drop(key)
            entries[key] = (head, tail, extra, weight)
            self.weight += weight
            while len(entries) > self.size or self.weight > self.max_bytes:
                _, old = entries.popitem(last=False)
                self.weight -= old[-1]

    def _drop(self, key: Hashable) -> None:
        """Forget the entry of ``key``, if any (the lock is held)."""
        old = self._entries.pop(key, None)
        if old is not None:
            self.weight -= old[-1]
