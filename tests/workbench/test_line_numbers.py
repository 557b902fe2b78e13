"""One line numbering everywhere: the 837P's LX01 numbers each line on the workbench's claim page and in its CSV
export, in ``why`` (text and JSON), ``graph``, ``solve --format csv`` and the edits report, though the engine
orders lines by code internally (the example claims put 77002 before 73525 and split a claim by date, LX 3-4)."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

from click.testing import CliRunner
from fastapi.testclient import TestClient

from fluorologic.cli.main import main
from fluorologic.service.app import Settings, create_app

X12 = Path(__file__).resolve().parents[2] / "examples" / "claims" / "fluoro_claims.837"


def lx_numbers() -> dict[tuple[str, str, str], str]:
    """(claim id, date of service, code) -> LX01, read from the interchange's segments directly."""
    lines: list[list[str]] = []
    claim = None
    for seg in X12.read_text(encoding="utf-8").replace("\n", "").split("~"):
        el = seg.strip().split("*")
        if el[0] == "CLM":
            claim = el[1]
        elif el[0] == "LX":
            lines.append([claim, el[1], "", ""])
        elif el[0] == "SV1":
            lines[-1][2] = el[1].split(":")[1]
        elif el[0] == "DTP" and el[1] == "472":
            lines[-1][3] = f"{el[3][:4]}-{el[3][4:6]}-{el[3][6:]}"
    return {(c, dos, code): n for c, n, code, dos in lines}


def run(*args: str) -> str:
    res = CliRunner().invoke(main, list(args))
    assert res.exit_code in (0, 1), res.output
    return res.stdout


def test_line_numbers_agree_with_lx01_everywhere(tmp_path, monkeypatch):
    by_claim = lx_numbers()
    encounters = json.loads(run("solve", str(X12), "--no-summary"))
    dos_of = {r["encounter_id"]: r["encounter_id"].partition("@")[2] for r in encounters}
    claim_of = {r["encounter_id"]: r["claim"]["claim_id"] for r in encounters}
    # (encounter id, code) -> LX01 (each code is on one line of each encounter in this file)
    lx = {}
    for eid, claim in claim_of.items():
        for (c, dos, code), n in by_claim.items():
            if c == claim and (not dos_of[eid] or dos == dos_of[eid]):
                assert (eid, code) not in lx
                lx[(eid, code)] = n
    assert any("@" in eid for eid in claim_of)  # a claim split by date of service keeps its LX numbers
    assert ("KNEE-24081405@2024-08-21", "77002") in lx and lx["KNEE-24081405@2024-08-21", "77002"] == "4"
    # the engine orders lines by code: here that is not the claim's order
    assert lx["HIPARTH-24081402", "77002"] == "2" and lx["HIPARTH-24081402", "73525"] == "3"

    # solve --format csv and --format edits
    rows = list(csv.DictReader(io.StringIO(run("solve", str(X12), "--format", "csv", "--no-summary"))))
    code_at = {(e, n): code for (e, code), n in lx.items()}
    seen = 0
    for r in rows:
        if r["disposition"] in ("billable", "excluded") and r["line"]:
            claimed = [code_at[(r["encounter_id"], n)] for n in r["line"].split()]
            if r["disposition"] == "excluded" or r["changed"] == "no":
                assert claimed == [r["code"]] * len(claimed), r
            else:  # a billable line in place of the claimed one (77003 for 77002) names the line it replaces
                assert r["code"] in claimed or any(a["replaces"] in claimed for e in encounters
                                                   if e["encounter_id"] == r["encounter_id"] for a in e["added"]), r
            seen += 1
    assert seen >= 10
    for r in csv.DictReader(io.StringIO(run("solve", str(X12), "--format", "edits", "--no-summary"))):
        assert r["line"] == lx[(r["encounter_id"], r["code"])], r

    # why (JSON and text) and graph, for every line of every encounter
    for rec in encounters:
        eid = rec["encounter_id"]
        graph_file = tmp_path / "g.json"
        run("graph", str(X12), "--id", eid, "-o", str(graph_file))
        nodes = {n["id"]: n for n in json.loads(graph_file.read_text())["nodes"]}
        codes = {code for (e, code) in lx if e == eid}
        for code in codes:
            ans = json.loads(run("why", str(X12), code, "--id", eid, "--format", "json", "--no-what-if"))
            for node in ans["nodes"]:
                if node["line"]:
                    assert str(node["line"]) == lx[(eid, code)], (eid, code, node["line"])
                    assert nodes[f"L{node['line']}"]["code"] == code
            text = run("why", str(X12), code, "--id", eid, "--no-what-if")
            for n in re.findall(rf"{code} \(line (\d+)", text):
                assert n == lx[(eid, code)]

    # the workbench: the claim page's lines and exclusions, and its CSV export
    monkeypatch.delenv("FLUOROLOGIC_TOKEN", raising=False)
    app = create_app(Settings(store=str(tmp_path / "rules.sqlite"), solver_process=False))
    with TestClient(app, base_url="http://127.0.0.1") as client:  # the workbench answers loopback names only
        wb = app.state.workbench()
        bid = wb.load("fluoro_claims.837", X12.read_text(encoding="utf-8"))
        assert wb.wait(bid)["status"] == "done"
        for seq, rec in enumerate(encounters):
            eid = rec["encounter_id"]
            page = client.get(f"/workbench/batches/{bid}/claims/{seq}").text
            shown = re.findall(r'<tr class="line" data-line="(\d+)" data-code="(\w+)">', page)
            assert shown and all(lx[(eid, code)] == n for n, code in shown), (eid, shown)
            assert [int(n) for n, _ in shown] == sorted(int(n) for n, _ in shown)  # in the claim's order
        sv102 = sum(float(seg.split("*")[2]) for seg in X12.read_text(encoding="utf-8").replace("\n", "").split("~")
                    if seg.startswith("SV1*"))
        assert wb.db.summary(bid)["charges"] == sv102  # the claims' own charges, beside the fee-schedule figures
        assert f"${sv102:,.2f}" in client.get(f"/workbench/batches/{bid}").text
        export = list(csv.DictReader(io.StringIO(client.get(f"/workbench/batches/{bid}/export.csv").text)))
        assert [r["line"] for r in export if r["disposition"] == "excluded"] == [
            r["line"] for r in rows if r["disposition"] == "excluded"]
        for r in export:
            if r["disposition"] == "excluded":
                assert r["line"] == lx[(r["encounter_id"], r["code"])]
