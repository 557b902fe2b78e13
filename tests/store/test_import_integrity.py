"""Issue 13, D6 and concurrent imports: a damaged or incomplete CMS archive is refused with a clear message and the
store is left byte for byte as it was; two imports into one store at once never both load a quarter."""

from __future__ import annotations

import io
import threading
import time
import zipfile

import pytest
from click.testing import CliRunner

from fluorologic.cli.data import data
from fluorologic.rules import store as store_module
from fluorologic.rules.store import RuleStore


def _rows_txt(rows: list[str]) -> bytes:
    return ("\r\n".join(rows) + "\r\n").encode("cp1252")


def _nested(path, parts: dict[str, bytes], *, method=zipfile.ZIP_DEFLATED):
    """The CMS packaging: an outer zip of part zips, each holding one text part (name -> bytes)."""
    with zipfile.ZipFile(path, "w") as outer:
        for name, body in parts.items():
            inner = io.BytesIO()
            with zipfile.ZipFile(inner, "w", method) as z:
                z.writestr(name, body)
            outer.writestr(name.rsplit(".", 1)[0] + ".zip", inner.getvalue())
    return path


def _two_parts(cms) -> tuple[list[str], list[str]]:
    lines = cms.ptp_txt_lines()
    head, body = lines[:6], lines[6:]
    half = len(body) // 2
    return head + body[:half], head + body[half:]


def _dump(path) -> bytes:
    return path.read_bytes() if path.exists() else b""


@pytest.fixture
def loaded(cms, tmp_path):
    """A store that already holds an AOC quarter: a refused import must leave it exactly as it is."""
    path = tmp_path / "rules.sqlite"
    RuleStore(path).import_files("aoc", [cms.write_aoc_csv(tmp_path / "aoc_2024q2.csv")], quarter="2024Q2")
    return path


def _refused(store, *args) -> str:
    before = _dump(store)
    res = CliRunner().invoke(data, ["import", "ptp", *map(str, args), "--quarter", "2024Q3", "--store", str(store)])
    assert res.exit_code == 1, res.output
    assert "import refused, the store is unchanged" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1
    assert _dump(store) == before
    assert [i.kind for i in RuleStore(store).imports()] == ["aoc"]
    return res.stderr


def test_d6_a_truncated_nested_zip_is_refused(cms, tmp_path, loaded):
    f1, f2 = _two_parts(cms)
    whole = _nested(tmp_path / "whole.zip", {"ccipra-v302r0-f1.txt": _rows_txt(f1),
                                            "ccipra-v302r0-f2.txt": _rows_txt(f2)}).read_bytes()
    for cut in (0.5, 0.9, 0.99):
        path = tmp_path / f"ccipra-v302r0-cut{int(cut * 100)}.zip"
        path.write_bytes(whole[:int(len(whole) * cut)])
        assert "truncated or corrupted" in _refused(loaded, path)


@pytest.mark.parametrize("method", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
def test_d6_a_crc_damaged_member_is_refused(cms, tmp_path, loaded, method):
    f1, _ = _two_parts(cms)
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w", method) as z:
        z.writestr("ccipra-v302r0-f1.txt", _rows_txt(f1))
        z.writestr("README.pdf", b"%PDF-1.4 " + b"x" * 2000)
    damaged = bytearray(inner.getvalue())
    where = damaged.index(b"%PDF-1.4") + 500 if method == zipfile.ZIP_STORED else len(damaged) // 3
    damaged[where] ^= 0x20  # one bit flipped (in a member that is not even read, for the stored case)
    path = tmp_path / "ccipra-v302r0.zip"
    with zipfile.ZipFile(path, "w") as outer:
        outer.writestr("ccipra-v302r0-f1.zip", bytes(damaged))
    message = _refused(loaded, path)
    assert "CRC" in message or "corrupted" in message or "damaged" in message


def test_d6_a_text_part_cut_mid_line_before_it_was_packed_is_refused(cms, tmp_path, loaded):
    f1, f2 = _two_parts(cms)
    body = _rows_txt(f2)
    end = body.index(b"\r\n", len(body) // 2) + 2
    row = body[end:body.index(b"\r\n", end)]
    cut = body[:end] + row[: row.rindex(b"\t") + 4]  # inside the rationale: every field is there, the text is not
    path = _nested(tmp_path / "ccipra-v302r0.zip", {"ccipra-v302r0-f1.txt": _rows_txt(f1),
                                                    "ccipra-v302r0-f2.txt": cut})
    assert "ends in the middle of this line" in _refused(loaded, path)


def test_d6_a_missing_part_is_refused(cms, tmp_path, loaded):
    f1, f2 = _two_parts(cms)
    path = _nested(tmp_path / "ccipra-v302r0.zip", {"ccipra-v302r0-f1.txt": _rows_txt(f1),
                                                    "ccipra-v302r0-f3.txt": _rows_txt(f2)})
    assert "part -f2 is missing" in _refused(loaded, path)
    assert "part -f2 is missing" in _refused(loaded, cms.write_ptp_txt(tmp_path / "ccipra-v302r0-f3.txt"),
                                             cms.write_ptp_txt(tmp_path / "ccipra-v302r0-f1.txt"))


def test_d6_a_part_in_the_zip_of_another_part_is_refused(cms, tmp_path, loaded):
    f1, _ = _two_parts(cms)
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as z:
        z.writestr("ccipra-v302r0-f1.txt", _rows_txt(f1))
    path = tmp_path / "ccipra-v302r0.zip"
    with zipfile.ZipFile(path, "w") as outer:
        outer.writestr("ccipra-v302r0-f1.zip", inner.getvalue())
        outer.writestr("ccipra-v302r0-f2.zip", inner.getvalue())  # f2's zip holds f1 again
    assert "inside the zip of part -f2" in _refused(loaded, path)


def test_d6_the_whole_archive_still_imports(cms, tmp_path, loaded):
    f1, f2 = _two_parts(cms)
    path = _nested(tmp_path / "ccipra-v302r0.zip", {"ccipra-v302r0-f1.txt": _rows_txt(f1),
                                                    "ccipra-v302r0-f2.txt": _rows_txt(f2)})
    result = RuleStore(loaded).import_files("ptp", [path], quarter="2024Q3")
    assert result.status == "imported" and result.entry.rows == len(cms.ptp_rows())


def _slow_parse(monkeypatch) -> threading.Event:
    """Make the first row of a PTP file slow to read; the event is set when an import starts reading rows."""
    real = store_module.parse_ptp
    reading = threading.Event()

    def slow(members):
        for i, row in enumerate(real(members)):
            if i == 0:
                reading.set()
                time.sleep(0.5)  # the first import is still writing when the second one starts
            yield row

    monkeypatch.setattr(store_module, "parse_ptp", slow)
    return reading


def _concurrently(store, files, reading: threading.Event, **kw):
    """Import ``files[0]``, and ``files[1]`` while the first is reading its rows (both stores opened first)."""
    results: list = [None] * len(files)
    opened = threading.Barrier(len(files))

    def run(i):
        try:
            st = RuleStore(store)
            opened.wait(30)  # both opened, as two processes would be, before either imports
            if i:
                assert reading.wait(30)
            results[i] = st.import_files("ptp", [files[i]], quarter="2024Q3", **kw).status
        except Exception as exc:  # noqa: BLE001
            results[i] = f"{type(exc).__name__}: {exc}"

    reading.clear()
    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(files))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def _consistent(store) -> list:
    st = RuleStore(store)
    imports = st.imports("ptp")
    for i in imports:
        assert st.conn.execute("SELECT count(*) FROM ptp WHERE import_id=?", (i.id,)).fetchone()[0] == i.rows
    assert st.conn.execute("SELECT count(*) FROM ptp WHERE import_id NOT IN (SELECT id FROM import)"
                           ).fetchone()[0] == 0
    return imports


def test_two_imports_of_the_same_file_at_once_one_waits_and_finds_it_loaded(cms, tmp_path, monkeypatch):
    reading = _slow_parse(monkeypatch)
    path = cms.write_ptp_txt(tmp_path / "ccipra-v302r0-f1.txt")
    store = tmp_path / "rules.sqlite"
    assert _concurrently(store, [path, path], reading) == ["imported", "unchanged"]
    assert len(_consistent(store)) == 1


def test_two_imports_of_different_files_for_one_quarter_at_once_never_mix(cms, tmp_path, monkeypatch):
    reading = _slow_parse(monkeypatch)
    f1, f2 = _two_parts(cms)
    a, b = tmp_path / "a" / "ccipra-v302r0-f1.txt", tmp_path / "b" / "ccipra-v302r0-f1.txt"
    for p, rows in ((a, f1), (b, f2)):
        p.parent.mkdir()
        p.write_bytes(_rows_txt(rows))
    store = tmp_path / "rules.sqlite"
    results = _concurrently(store, [a, b], reading)
    assert results[0] == "imported" and "already loaded" in results[1]
    (only,) = _consistent(store)
    assert only.rows == len(f1) - 6
    results = _concurrently(store, [b, a], reading, replace=True)
    assert results == ["replaced", "replaced"]
    (only,) = _consistent(store)
    assert only.rows == len(f1) - 6
