"""Issue 29 item 5: one CSV cell over 131,072 characters, an unterminated quote, a byte that is not UTF-8, are
each an error record for their own line (for the encounter the line shows), every other encounter is solved,
and ``--resume`` reads the same input the same way. Item 8's bare-CR JSON Lines file is read as its lines."""

from __future__ import annotations

import csv
import io
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from fluorologic.run.batchrun import run_solve
from fluorologic.run.streaming import _csv_records

ENC = {"date_of_service": "2024-08-01", "place_of_service": "11", "lines": [{"code": "20610"}, {"code": "77002"}]}
N = 600


def jsonl_bytes(bad_line: int) -> bytes:
    lines = [json.dumps({"encounter_id": f"e{i}", **ENC}).encode() for i in range(N)]
    lines[bad_line - 1] = lines[bad_line - 1].replace(b'"11"', b'"1\xff"')
    return b"\n".join(lines) + b"\n"


def solve(path, output, **kw) -> tuple[int, list[dict], str]:
    err = io.StringIO()
    code = run_solve(str(path), "jsonl", output=str(output), err=err, workers=1, **kw)
    return code, [json.loads(x) for x in output.read_text(encoding="utf-8").splitlines()], err.getvalue()


def test_a_bad_utf8_byte_is_an_error_record_for_its_line_and_resume_reads_past_it(tmp_path):
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_bytes(jsonl_bytes(bad_line=301))
    code, records, err = solve(src, out)
    assert code == 1, err
    assert [r["encounter_id"] for r in records] == [f"e{i}" for i in range(N)]
    errors = [r for r in records if "error" in r]
    assert [r["encounter_id"] for r in errors] == ["e300"]
    assert errors[0]["error"]["message"].startswith("line 301: byte 0xff at column")
    full = out.read_bytes()
    # a run cut after 120 records (and a torn line), then resumed: the same bytes
    kept = b"".join(full.splitlines(keepends=True)[:120])
    out.write_bytes(kept + b'{"schema_version": "1", "encounter_id": "e12')
    code, records, err = solve(src, out, resume=True)
    assert code == 1, err
    assert out.read_bytes() == full


def test_csv_long_cell_open_quote_and_bad_byte_are_three_error_records(tmp_path):
    rows = ["encounter_id,date_of_service,place_of_service,code,indication"]
    for i in range(N):
        rows += [f"e{i},2024-08-01,11,20610,", f"e{i},2024-08-01,11,77002,"]
    rows[2 * 50 + 1] = "e50,2024-08-01,11,20610," + "x" * 140_000  # a cell longer than the csv module's limit
    rows[2 * 200 + 1] = 'e200,2024-08-01,11,20610,"an indication with no closing quote'
    rows[2 * 400 + 2] = "e400,2024-08-01,11,77002,caf\udcff"  # a byte 0xff (kept by surrogateescape)
    rows[2 * 500 + 1] = 'e500,2024-08-01,11,20610,"a quoted cell\nover two lines"'  # legal: read as one record
    rows[2 * 500 + 2] = 'e500,2024-08-01,11,77002,"a quoted cell\nover two lines"'
    src, out = tmp_path / "in.csv", tmp_path / "out.jsonl"
    src.write_bytes("\n".join(rows).encode("utf-8", "surrogateescape") + b"\n")
    code, records, err = solve(src, out)
    assert code == 1, err
    assert [r["encounter_id"] for r in records] == [f"e{i}" for i in range(N)]
    errors = {r["encounter_id"]: r["error"]["message"] for r in records if "error" in r}
    assert errors == {"e50": "line 102 is longer than 131,072 characters",
                      "e200": "line 402 opens a quoted cell that is not closed within 100 lines",
                      "e400": "line 803: byte 0xff at column 29 is not UTF-8"}
    assert sorted(b["code"] for b in records[500]["billable"]) == ["20610", "77002"]
    # an open quote near the end runs to the end of the file (line 1184: e500 spans two more): the lines after it
    # are still read
    rows[2 * 590 + 1] = 'e590,2024-08-01,11,20610,"no closing quote'
    src.write_bytes("\n".join(rows).encode("utf-8", "surrogateescape") + b"\n")
    code, records, err = solve(src, out)
    assert [r["encounter_id"] for r in records] == [f"e{i}" for i in range(N)]
    assert records[590]["error"]["message"] == "line 1184 opens a quoted cell that is not closed before the end " \
                                               "of the file"
    assert sum("error" in r for r in records) == 4


def test_a_file_of_bare_cr_line_ends_gives_one_record_per_encounter(tmp_path):
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_bytes(b"\r".join(json.dumps({"encounter_id": f"e{i}", **ENC}).encode() for i in range(3)) + b"\r")
    code, records, err = solve(src, out)
    assert code == 0, err
    assert [r["encounter_id"] for r in records] == ["e0", "e1", "e2"]


def test_the_json_error_message_says_at_once():
    err = io.StringIO()
    out = io.StringIO()
    run_solve(io.StringIO(json.dumps({"encounter_id": "a", **ENC}) + '\n{"encounter_id": "b\tc"}\n'), "jsonl",
              out=out, err=err, workers=1)
    message = json.loads(out.getvalue().splitlines()[1])["error"]["message"]
    assert message == "line 2 is not valid JSON: Invalid control character at column 20"


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(st.text(alphabet='ab,"\n\r ', max_size=12), min_size=1, max_size=8))
def test_csv_records_are_the_csv_modules_records(cells):
    """Where no record has a problem, the records read line by line are the csv module's own."""
    text = "".join(cells)
    records = list(_csv_records(iter(io.StringIO(text, newline=""))))
    if any(problem for _n, _c, problem in records):
        return
    assert [c for _n, c, _p in records if c] == [row for row in csv.reader(io.StringIO(text, newline="")) if row]


def test_a_quote_inside_a_cell_is_text_and_swallows_no_line(tmp_path):
    rows = ["encounter_id,date_of_service,place_of_service,code,indication"]
    rows += [f"e{i},2024-08-01,11,20610,{'5' if i == 3 else ''}" + ('" needle' if i == 3 else "") for i in range(8)]
    src, out = tmp_path / "in.csv", tmp_path / "out.jsonl"
    src.write_text("\n".join(rows) + "\n")
    code, records, err = solve(src, out)
    assert code == 0, err
    assert [r["encounter_id"] for r in records] == [f"e{i}" for i in range(8)]
