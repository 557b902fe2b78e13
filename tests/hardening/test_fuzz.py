"""Issue 13, the fuzz suite: hostile raw input through the command line's reader, Engine.solve_record, the batch
path and the service. One record per input, in order, no exception escaping, and no answer of a valid encounter
changed by a hostile neighbour.

The ``ci`` hypothesis profile (the default, tests/conftest.py) keeps this under a minute;
``HYPOTHESIS_PROFILE=thorough`` draws many more files for a long run.
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from fluorologic.engine.records import solve_chunk
from fluorologic.engine.solver import Engine
from fluorologic.run.batchrun import run_solve
from fluorologic.run.jsonin import loads_item
from fluorologic.run.streaming import open_input
from fluorologic.service.app import Settings, create_app

sys.path.insert(0, str(Path(__file__).resolve().parent))
from hostile import hostile_files, hostile_lines  # noqa: E402

ENGINE = Engine()  # solves each valid encounter alone: the answer no neighbour may change
_ALONE: dict[str, dict] = {}


def alone(raw: dict) -> dict:
    key = json.dumps(raw, sort_keys=True)
    if key not in _ALONE:
        _ALONE[key] = ENGINE.solve_record(raw)
    return _ALONE[key]


def _check_records(lines, records) -> None:
    assert len(records) == len(lines)
    for ln, rec in zip(lines, records, strict=True):
        assert isinstance(rec, dict) and ("error" in rec) != ("billable" in rec)
        if "error" in rec:
            assert set(rec["error"]) == {"field", "message"} and rec["error"]["message"]
        if ln.valid is not None:
            assert rec == alone(ln.valid), ln.kind


def _ci_fraction(n: int) -> settings:
    """This profile's settings with a fraction of its examples (the reader test draws the most).

    No shrinking: a failing hostile file is reported as drawn (shrinking deep or huge input takes minutes).
    """
    return settings(max_examples=max(10, settings.default.max_examples // n),
                    phases=[Phase.explicit, Phase.reuse, Phase.generate])


@_ci_fraction(1)
@given(hostile_files())
def test_the_cli_reader_gives_one_record_per_line_in_order(drawn):
    text, lines = drawn
    out, err = io.StringIO(), io.StringIO()
    code = run_solve(io.StringIO(text), "jsonl", out=out, err=err, workers=1)
    records = [json.loads(x) for x in out.getvalue().split("\n") if x]
    out.getvalue().encode("utf-8")  # all of it can be written to a UTF-8 file
    _check_records(lines, records)
    assert code == (1 if any("error" in r for r in records) else 0)
    assert "Traceback" not in err.getvalue()


def _items(text: str) -> list:
    shape, items = open_input(io.StringIO(text))
    assert shape == "lines"
    return list(items)


@_ci_fraction(2)
@given(hostile_files())
def test_engine_solve_record_and_the_keyed_batch_never_raise(drawn):
    text, lines = drawn
    items = _items(text)
    assert len(items) == len(lines)
    _check_records(lines, solve_chunk(ENGINE, items))
    for ln, item in zip(lines, items, strict=True):
        if isinstance(item, dict):
            rec = ENGINE.solve_record(item)
            assert ("error" in rec) != ("billable" in rec)
            if ln.valid is not None:
                assert rec == alone(ln.valid)


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(Settings(solver_process=False, batch_linger=0.0), ENGINE),
                    raise_server_exceptions=False) as c:
        yield c


def _json_syntax(text: str) -> bool:
    try:
        loads_item(text)
    except ValueError:
        return False
    return True


@_ci_fraction(3)
@given(st.lists(hostile_lines(), min_size=1, max_size=6))
def test_the_service_answers_every_body_in_the_contract_shape(client, lines):
    lines = [ln for ln in lines if _json_syntax(ln.text)]
    if lines:
        body = "[" + ",".join(ln.text for ln in lines) + "]"
        r = client.post("/v1/solve", content=body.encode("utf-8", "surrogatepass"),
                        headers={"content-type": "application/json"})
        assert r.status_code in (200, 400, 413), r.text
        if r.status_code == 200:
            _check_records(lines, r.json())
    for ln in lines[:2]:
        r = client.post("/v1/solve", content=ln.text.encode("utf-8", "surrogatepass"),
                        headers={"content-type": "application/json"})
        assert r.status_code in (200, 400, 413, 422), r.text
        body = r.json()
        for rec in body if isinstance(body, list) else [body]:  # a line that is an array is a list body
            assert ("error" in rec) != ("billable" in rec)
        if ln.valid is not None:
            assert r.status_code == 200 and body == alone(ln.valid)
