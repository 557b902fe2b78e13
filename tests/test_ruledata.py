"""The embedded rule data: every row sourced, values as in the shared CMS reference files."""

from __future__ import annotations

import csv
import gzip
import io
from decimal import Decimal
from importlib import resources

import pytest

from fluorologic.rules.ruledata import RuleData

TABLES = ["mue_practitioner.csv", "aoc.csv", "pfs_releases.csv", "codes.csv", "code_attributes.csv",
          "imaging_inclusive.csv", "place_of_service.csv", "tables.csv"]


@pytest.mark.parametrize("name", TABLES)
def test_every_row_cites_a_source(name):
    with resources.files("fluorologic.data").joinpath(name).open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert rows
    assert all(r["source"].strip() for r in rows)


def test_every_fee_row_cites_its_releases_source():
    """pfs_rvu.csv.gz (since the payment rules: every release 2020-2026) cites by release, in pfs_releases.csv."""
    with resources.files("fluorologic.data").joinpath("pfs_releases.csv").open(encoding="utf-8") as fh:
        loaded = {r["release"]: r["source"] for r in csv.DictReader(fh) if r["loaded"] == "yes"}
    raw = resources.files("fluorologic.data").joinpath("pfs_rvu.csv.gz").read_bytes()
    rows = list(csv.DictReader(io.StringIO(gzip.decompress(raw).decode("utf-8"))))
    assert rows
    assert all(loaded.get(r["first_release"], "").strip() and loaded.get(r["last_release"], "").strip()
               for r in rows)


def test_real_data_rows():
    data = RuleData.embedded()
    pairs = {(p.column_1, p.column_2): p for rows in data.ptp_by_col1.values() for p in rows}
    assert pairs[("27093", "77002")].deletion == 20100331
    assert pairs[("64483", "77003")].indicator == 1 and pairs[("64483", "77003")].deletion == 99991231
    assert pairs[("73525", "77002")].rationale == "CPT Manual or CMS manual coding instruction"
    assert ("20610", "77002") not in pairs
    assert [m.value for m in data.mue["77003"]] == [1]
    assert {a.primary for a in data.aoc_by_addon["77002"]} >= {"20610", "27093", "27095"}


def test_selection_touches_only_the_encounter_codes():
    sel = RuleData.embedded().select({"20610", "77002"}, 20240814)
    codes = {"20610", "77002", "77003", "20611"}
    assert all(p.column_1 in codes and p.column_2 in codes for p in sel.ptp)
    assert {f.release for f in sel.fees} == {"RVU24C"}


def test_fees_follow_the_release_in_force():
    data = RuleData.embedded()
    assert {f.release for f in data.select({"76000"}, 20240301).fees} == {"RVU24A"}
    assert {f.release for f in data.select({"76000"}, 20240315).fees} == {"RVU24AR"}
    assert not data.select({"76000"}, 20091103).fees
    # RVU26A is not loaded and no earlier release of 2026 is: no fee (never RVU25D's, a year with another CF)
    assert not data.select({"76000"}, 20260310).fees
    # RVU24D and RVU25B are not loaded: the latest earlier release of the same year prices the date
    sel = data.select({"76000"}, 20241115)
    assert {f.release for f in sel.fees} == {"RVU24C"} and sel.fee_prior == ("RVU24D", "RVU24C")
    assert data.select({"76000"}, 20250501).fee_prior == ("RVU25B", "RVU25A")
    assert {f.release for f in data.select({"76000"}, 20200815).fees} == {"RVU20C"}


def test_code_dates_from_the_sources():
    """Issue 26, point 3: the first and last days the PPRRVU slices, the MPFS 2024-2025 and the I/OCE give."""
    codes = RuleData.embedded().codes
    first = {c: codes[c].effective for c in ("62320", "62327", "27369", "22510", "22515", "62328", "62329", "64461",
                                             "64486", "62302")}
    assert first == {"62320": 20170101, "62327": 20170101, "27369": 20190101, "22510": 20150101, "22515": 20150101,
                     "62328": 20200101, "62329": 20200101, "64461": 20160101, "64486": 20150101, "62302": 20150101}
    assert {c: codes[c].deletion for c in ("62310", "62319", "27370", "77014")} == {
        "62310": 20161231, "62319": 20161231, "27370": 20181231, "77014": 20251231}
    # a code whose first day is unknown is known to exist only from the first day a CMS row shows it in use
    assert codes["27197"].effective is None and codes["27197"].first_seen == 20181001
    assert codes["20610"].first_seen is not None and codes["20610"].first_seen <= 20131001


def test_add_on_edits_are_dated_by_the_oce_maps():
    aoc = {(a.primary, a.add_on): a for rows in RuleData.embedded().aoc_by_addon.values() for a in rows}
    assert aoc[("62270", "77003")].in_force(20191231) and not aoc[("62270", "77003")].in_force(20200101)
    assert aoc[("20610", "77002")].in_force(20140101) and aoc[("20610", "77002")].in_force(20260601)
    assert not aoc[("64450", "77002")].in_force(20191231) and aoc[("64450", "77002")].in_force(20200101)


def test_descriptor_inclusion_is_dated():
    """Issue 26, point 5: 64479-64484 from CPT 2011, 27096 from CPT 2012, 62321 from its first day (2017)."""
    attrs = {(a.code, a.attribute): a for rows in RuleData.embedded().attrs.values() for a in rows}
    assert {c: attrs[(c, "includes_guidance")].start for c in ("64483", "27096", "62321", "22513", "64415")} == {
        "64483": 20110101, "27096": 20120101, "62321": 20170101, "22513": 20150101, "64415": 20230101}


def test_every_release_of_2020_to_2025_has_rows_of_the_families_and_the_em_codes():
    data = RuleData.embedded()
    loaded = [r.name for r in data.releases if r.loaded]
    assert loaded[0] == "RVU20A" and loaded[-1] == "RVU25D" and len(loaded) == 23
    for code in ("64483", "20610", "77003", "27096"):
        assert {f.release for f in data.fees[code]} == set(loaded)
    # E/M rows exist in the 2024-2025 reference only
    assert {f.release for f in data.fees["99214"]} == {"RVU24A", "RVU24AR", "RVU24B", "RVU24C", "RVU25A", "RVU25C",
                                                       "RVU25D"}
    row = next(f for f in data.fees["64483"] if f.release == "RVU21B" and f.mod == "")
    assert (row.nonfacility_total, row.conv_factor, row.bilateral, row.mult_proc) == (
        Decimal("7.33"), Decimal("34.8931"), 1, 2)
