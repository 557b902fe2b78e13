"""The canonical Result memo: equal keys give byte-equal Results but for the id; the memo changes no byte."""

from __future__ import annotations

import datetime as dt
import io
import json
import random
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from fluorologic.contract.encounter import parse_encounter
from fluorologic.contract.render import from_json, to_json
from fluorologic.engine.decode import decode
from fluorologic.engine.fastpath.multisolve import BatchSolver
from fluorologic.engine.fastpath.resultmemo import ResultMemo, id_json
from fluorologic.engine.solver import Engine
from fluorologic.run import parallel
from fluorologic.run.batchrun import run_solve

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.generate import generate, lines, realistic  # noqa: E402


@pytest.fixture(scope="module")
def engine():
    return Engine()


def _day(number: int) -> dt.date:
    return dt.date(number // 10000, number // 100 % 100, number % 100)


def _variants(raw: dict, thresholds: tuple[int, ...], rng: random.Random) -> list[dict]:
    """``raw`` on days on both sides of every rule date (and on it), with other site and documentation texts."""
    out = []
    for t in thresholds:
        try:
            day = _day(t)
        except ValueError:  # 99991231-style "never": no day after it
            continue
        for delta in (-1, 0, 1):
            try:
                other = day + dt.timedelta(days=delta)
            except OverflowError:
                continue
            out.append(dict(raw, date_of_service=other.isoformat()))
    for _ in range(3):  # other days, most of them on the same side of every rule date
        day = dt.date(2023, 1, 1) + dt.timedelta(days=rng.randrange(1400))
        out.append(dict(raw, date_of_service=day.isoformat()))
    shuffled = dict(raw, lines=[dict(ln) for ln in raw["lines"]])
    for ln in shuffled["lines"]:
        if "site" in ln:  # another text of the same class: a level for a level, a joint for a joint
            ln["site"] = rng.choice(["L2-L3", "T12-L1"] if ln["site"][-1].isdigit() else ["left elbow", "right ankle"])
    if isinstance(raw.get("documentation"), dict):
        shuffled["documentation"] = {k: (v * 2 if isinstance(v, str | int | float) and not isinstance(v, bool) else v)
                                     for k, v in raw["documentation"].items()}
    out.append(shuffled)
    return out


def _but_for_id(text: str, eid: str) -> str:
    marker = '"encounter_id": ' + id_json(eid)
    assert text.count(marker) == 1
    return text.replace(marker, '"encounter_id": ""')


def test_equal_keys_give_equal_results_but_for_the_id(engine):
    """The key's soundness, over both streams and over dates on both sides of every rule date."""
    rng = random.Random(12)
    solver = BatchSolver(engine, memo_size=0)  # every encounter solved: nothing remembered
    memo = ResultMemo(10)
    base = [r for r in generate(60, seed=21) if isinstance(r, dict)] + realistic(60, seed=22)
    raws = []
    for raw in base:
        raws.append(raw)
        enc = parse_encounter(raw, engine.places)
        raws.extend(_variants(raw, solver.cache.rule_part(enc).thresholds, rng))
    encs = [parse_encounter(dict(r, encounter_id=f"v{i}"), engine.places) for i, r in enumerate(raws)]
    groups: dict[object, set[str]] = defaultdict(set)
    for start in range(0, len(encs), 256):
        chunk = encs[start:start + 256]
        for enc, sol in zip(chunk, solver.solve_encounters(chunk), strict=True):
            text = to_json(decode(sol))
            part = solver.cache.rule_part(enc)
            key = memo.key(enc, part.number, part.thresholds)
            if enc.date_of_service.isoformat() in text:  # such Results are kept by the exact day
                key = (key, enc.dos_number)
            groups[key].add(_but_for_id(text, enc.encounter_id))
    assert len(encs) > 1000
    shared = [g for g in groups.values() if g]
    assert sum(len(g) for g in shared) == len(shared), [sorted(g)[:2] for g in shared if len(g) > 1][:1]
    # the key does merge encounters: the test tests something (fee periods are quarterly from 2020 on)
    assert len(groups) < 0.85 * len(encs)


def test_the_memo_splices_the_id_and_keeps_dated_results_by_day(engine):
    solver = BatchSolver(engine)
    enc = parse_encounter({"encounter_id": "a", "date_of_service": "2026-03-01", "place_of_service": "11",
                           "lines": [{"code": "27370"}, {"code": "77002"}]}, engine.places)
    text, _ = solver.rendered([enc])[0]
    assert "2026-03-01" in text  # a deleted code: the detail names the day
    later = parse_encounter({"encounter_id": "b", "date_of_service": "2026-03-02", "place_of_service": "11",
                             "lines": [{"code": "27370"}, {"code": "77002"}]}, engine.places)
    again = parse_encounter({"encounter_id": 'c"\u00e9', "date_of_service": "2026-03-01", "place_of_service": "11",
                             "lines": [{"code": "27370"}, {"code": "77002"}]}, engine.places)
    hits = solver.result_memo.hits
    b, _ = solver.rendered([later])[0]
    c, _ = solver.rendered([again])[0]
    assert solver.result_memo.hits == hits + 1  # c from the memo, b solved (another day named)
    assert b == to_json(decode(engine.batch.solve_encounters([later])[0]))
    assert c == to_json(decode(engine.solve_encounter(again)))


def test_the_memo_is_bounded():
    memo = ResultMemo(3)
    enc = parse_encounter({"encounter_id": "x", "date_of_service": "2024-08-01", "place_of_service": "11",
                           "lines": [{"code": "20610"}]})
    for i in range(10):
        memo.put(("k", i), enc, '{"encounter_id": "x"}', None)
    assert len(memo) == 3 and memo.get(("k", 0), enc) is None and memo.get(("k", 9), enc) is not None


def _run(text: str, workers: int) -> tuple[str, str]:
    parallel._WORKER_ENGINE = None  # a cold start, as the command has
    out, err = io.StringIO(), io.StringIO()
    run_solve(io.StringIO(text), "jsonl", out=out, workers=workers, chunk_size=64, summary=True, err=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.parametrize("stream", ["cold", "realistic"])
def test_memos_on_and_off_and_one_or_two_workers_give_the_same_bytes(stream, monkeypatch):
    """The records, the error lines and the summary: memos on or off, one worker or two, on both streams."""
    items = generate(300, seed=31, malformed=0.03) if stream == "cold" else realistic(600, seed=31)
    items += [dict(items[-1], encounter_id="bad", place_of_service="00"), dict(items[-1], encounter_id="again")]
    text = "".join(line + "\n" for line in lines(items))
    monkeypatch.setenv("FLUOROLOGIC_MEMO_SIZE", "0")
    off = _run(text, 1)
    monkeypatch.setenv("FLUOROLOGIC_MEMO_SIZE", "10000")
    on = _run(text, 1)
    two = _run(text, 2)
    assert off == on == two
    assert off[0].count("\n") == len(items) and "'bad'" in off[1]
    parallel._WORKER_ENGINE = None


@pytest.mark.parametrize("text", ['{"a": NaN}', '{"a": 123456789012345678901234567890}', '{"a": "\\ud800"}',
                                  '{"a": 1e999}', '{"a": 18446744073709551616}', '{"a": 9223372036854775808}',
                                  '{"a": [1, 2.5, -0.0, "\\u00e9\\n"], "b": null}', '{"a": 1,}',
                                  "[1, 2", '{"a": 1} x'])
def test_from_json_reads_as_json_loads(text):
    try:
        want = json.loads(text)
    except json.JSONDecodeError as exc:
        with pytest.raises(json.JSONDecodeError) as got:
            from_json(text)
        assert (got.value.msg, got.value.colno) == (exc.msg, exc.colno)
    else:
        assert repr(from_json(text)) == repr(want)
