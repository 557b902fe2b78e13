"""Issue 29, item 6: the Result memo is bounded by bytes, so long notes keep memory flat.

A Result of a 199,000-character note is about 466 KB, and its key holds the note: the memo counts both,
leaves out an entry above a hundredth of its budget, and drops the least recently used past the budget.
"""

from __future__ import annotations

import json
import tracemalloc

from fluorologic.contract.encounter import parse_encounter
from fluorologic.engine.fastpath.resultmemo import RESULT_MEMO_BYTES, ResultMemo
from fluorologic.engine.solver import Engine

SENTENCE = "Under fluoroscopic guidance the needle was advanced to the L5-S1 facet joint. "


def _encounter(eid: str, note_chars: int, salt: int) -> dict:
    note = (SENTENCE * (note_chars // len(SENTENCE) + 1))[:note_chars - 12] + f" case {salt:06d}."
    return {"encounter_id": eid, "date_of_service": "2024-08-01", "place_of_service": "11",
            "lines": [{"code": "64493", "site": "L5-S1"}, {"code": "77003"}], "note": note}


def _result_text(eid: str, size: int) -> str:
    return json.dumps({"schema_version": "1", "encounter_id": eid, "billable": [], "pad": "x" * size})


def test_huge_results_are_left_out_and_the_weight_stays_under_the_budget():
    memo = ResultMemo(10_000)
    assert memo.max_bytes == RESULT_MEMO_BYTES
    enc = parse_encounter(_encounter("a", 199_000, 1))
    tracemalloc.start()
    try:
        for i in range(200):  # 200 distinct long notes with 466 KB Results: none is kept
            memo.put(("key", i), enc, _result_text("a", 466_000), None)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(memo) == 0 and memo.weight == 0
    assert peak < 5_000_000  # nothing accumulates (one Result's text and its cut halves at a time)


def test_the_least_recently_used_go_first_past_the_byte_budget():
    memo = ResultMemo(10_000, max_bytes=2_000_000)
    enc = parse_encounter(_encounter("a", 5_000, 2))
    for i in range(400):  # about 15 KB each (text and note): 6 MB offered, 2 MB kept
        memo.put(("key", i), enc, _result_text("a", 10_000), None)
        assert memo.weight <= memo.max_bytes
    assert 100 <= len(memo) < 140
    assert memo.get(("key", 399), enc) is not None and memo.get(("key", 0), enc) is None
    memo.clear()
    assert len(memo) == 0 and memo.weight == 0


def test_an_engine_with_long_notes_keeps_its_memo_within_the_budget():
    engine = Engine()
    memo = engine.batch.result_memo
    engine.solve(_encounter("n0", 3_000, 0))
    memo.max_bytes = 120 * memo.weight  # room for about 120 Results of these notes
    raws = [_encounter(f"n{i}", 3_000, i) for i in range(1, 241)]
    first = [engine.solve(raw) for raw in raws]
    assert memo.weight <= memo.max_bytes and 100 <= len(memo) <= 120
    # what the memo kept answers the same bytes as a solve; what it dropped is solved again, alike
    again = [engine.solve(dict(raw, encounter_id=raw["encounter_id"] + "b")) for raw in raws[-150:]]
    for a, b, raw in zip(first[-150:], again, raws[-150:], strict=True):
        assert json.dumps(b) == json.dumps(a).replace(json.dumps(raw["encounter_id"]),
                                                      json.dumps(raw["encounter_id"] + "b"), 1)
    assert memo.weight <= memo.max_bytes
