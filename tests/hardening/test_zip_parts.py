"""Issue 29 item 8: a quarter's PTP table given without its last zip parts (``-f1`` alone) is imported as PARTIAL
and ``data info`` says so; the four parts together are not. The parts are cut, in column-1 order as CMS cuts
them, from one row per column-1 code of the embedded practitioner table."""

from __future__ import annotations

import gzip
import json
import zipfile
from importlib import resources
from pathlib import Path

from click.testing import CliRunner

from fluorologic.cli.main import main


def parts(folder: Path) -> list[Path]:
    text = gzip.decompress(resources.files("fluorologic.data").joinpath("ptp_practitioner.csv.gz").read_bytes())
    header, *lines = text.decode("utf-8").splitlines()
    firsts, seen = [], set()
    for line in lines:  # one row per column-1 code keeps the table small and its code order whole
        code = line.split(",", 1)[0]
        if code not in seen:
            seen.add(code)
            firsts.append(line)
    out, size = [], -(-len(firsts) // 4)
    for n in range(4):
        path = folder / f"ccipra-v305r0-f{n + 1}.zip"
        with zipfile.ZipFile(path, "w") as z:
            z.writestr(f"ccipra-v305r0-f{n + 1}.csv", "\n".join([header, *firsts[n * size:(n + 1) * size]]) + "\n")
        out.append(path)
    return out


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_the_first_part_alone_is_imported_as_partial_and_info_says_so(tmp_path):
    f1, f2, f3, f4 = parts(tmp_path)
    store = str(tmp_path / "rules.sqlite")
    res = run("data", "import", "ptp", str(f1), "--quarter", "2024Q3", "--store", store)
    assert res.exit_code == 0, res.output
    assert "imported as PARTIAL" in res.stderr and "-f2 .. -f4" in res.stderr
    text = run("data", "info", "--store", store).output
    assert "PARTIAL: the rows stop at column-1 code" in text
    info = json.loads(run("data", "info", "--store", store, "--format", "json").output)
    assert info["imports"][0]["partial"].startswith("the rows stop at column-1 code")
    # the whole quarter replaces it: no longer partial
    res = run("data", "import", "ptp", str(f1), str(f2), str(f3), str(f4), "--quarter", "2024Q3", "--store", store,
              "--replace")
    assert res.exit_code == 0, res.output
    assert "PARTIAL" not in res.output
    info = json.loads(run("data", "info", "--store", store, "--format", "json").output)
    assert [i["partial"] for i in info["imports"]] == [None]
    assert "PARTIAL" not in run("data", "info", "--store", store).output


def test_three_of_four_parts_are_partial_too(tmp_path):
    f1, f2, f3, _f4 = parts(tmp_path)
    store = str(tmp_path / "rules.sqlite")
    res = run("data", "import", "ptp", str(f1), str(f2), str(f3), "--quarter", "2024Q3", "--store", store)
    assert res.exit_code == 0 and "imported as PARTIAL" in res.stderr
