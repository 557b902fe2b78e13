"""Each published CMS layout parses back to the rows it was written from."""

from __future__ import annotations

import gzip
from decimal import Decimal

import pytest

from fluorologic.rules.cms import ImportFormatError, open_members, parse_aoc, parse_mue, parse_pfs, parse_ptp
from fluorologic.rules.cms.quarter import quarter_from_name, quarter_start, setting_from_name


def _ptp_expected(cms, effective):
    return [(p.column_1, p.column_2, 0, effective, p.deletion, p.indicator, p.rationale) for p in cms.ptp_rows()]


def test_ptp_txt_with_preamble_stacked_header_crlf_and_star(cms, tmp_path):
    path = cms.write_ptp_txt(tmp_path / "ccipra-v302r0-f1.txt")
    assert b"\r\n" in path.read_bytes() and b"\t*\t" in path.read_bytes()
    got = list(parse_ptp(open_members([path])))
    assert got == _ptp_expected(cms, int(cms.SYNTHETIC_EFFECTIVE))
    assert any(r[4] == 99991231 for r in got) and any(r[4] == 20100331 for r in got)


def test_ptp_xlsx(cms, tmp_path):
    got = list(parse_ptp(open_members([cms.write_ptp_xlsx(tmp_path / "ccipra-v302r0-f1.xlsx")])))
    assert got == _ptp_expected(cms, int(cms.SYNTHETIC_EFFECTIVE))


def test_ptp_zip_of_part_zips_reads_every_part_in_order_and_skips_non_data(cms, tmp_path):
    members = open_members([cms.write_ptp_zip(tmp_path / "ccipra-v302r0.zip", parts=3)])
    assert [m.name.rsplit("!", 1)[-1] for m in members] == [f"ccipra-v302r0-f{i}.txt" for i in (1, 2, 3)]
    assert list(parse_ptp(members)) == _ptp_expected(cms, int(cms.SYNTHETIC_EFFECTIVE))


@pytest.mark.parametrize("gz", [False, True])
def test_ptp_reference_csv_layout(cms, tmp_path, gz):
    path = cms.write_ptp_reference_csv(tmp_path / ("ptp.csv.gz" if gz else "ptp.csv"), gz=gz)
    assert list(parse_ptp(open_members([path]))) == _ptp_expected(cms, None)


def test_ptp_bad_indicator_names_line_and_reason(cms, tmp_path):
    lines = cms.ptp_txt_lines()
    # the first data row from line 11 on whose indicator is 1 (the rows' order follows the embedded codes)
    at = next(i for i in range(10, len(lines)) if lines[i].split("\t")[5] == "1")
    lines[at] = lines[at].replace("\t1\t", "\t5\t", 1)
    path = tmp_path / "ccipra.txt"
    path.write_text("\r\n".join(lines))
    with pytest.raises(ImportFormatError) as err:
        list(parse_ptp(open_members([path])))
    assert err.value.line == at + 1 and "modifier indicator '5'" in err.value.reason


def test_ptp_truncated_line_and_truncated_gzip(cms, tmp_path):
    lines = cms.ptp_txt_lines()[:500]
    lines[-1] = lines[-1][: lines[-1].index("\t2024")]  # the last line stops mid-row
    cut = tmp_path / "ccipra.txt"
    cut.write_bytes("\r\n".join(lines).encode())
    with pytest.raises(ImportFormatError) as err:
        list(parse_ptp(open_members([cut])))
    assert err.value.line == 500 and "3 fields, expected at least 6 (truncated line?)" in err.value.reason
    data = gzip.compress(cms.write_ptp_reference_csv(tmp_path / "r.csv").read_bytes())
    gz = tmp_path / "ptp.csv.gz"
    gz.write_bytes(data[: len(data) // 2])
    with pytest.raises(ImportFormatError, match=r"truncated or corrupted: it ends abruptly after line \d+"):
        list(parse_ptp(open_members([gz])))


def test_not_a_ptp_file(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("\n".join(f"line {i}" for i in range(60)))
    with pytest.raises(ImportFormatError, match="line 51: no PTP edit row"):
        list(parse_ptp(open_members([path])))


def test_mue_csv_multiline_header_cell_and_mai_text(cms, tmp_path):
    path = cms.write_mue_csv(tmp_path / "MCR_MUE_PractitionerServices_Eff_07-01-2024.csv")
    assert '"HCPCS/\nCPT Code"' in path.read_text()
    rows, setting = parse_mue(open_members([path]), None)
    assert setting == "practitioner"
    assert list(rows) == [(m.code, m.value, m.mai, m.mai_text, m.rationale) for m in cms.mue_rows()]


def test_mue_xlsx_and_setting_mismatch(cms, tmp_path):
    path = cms.write_mue_xlsx(tmp_path / "mue.xlsx")
    rows, setting = parse_mue(open_members([path]), "practitioner")
    assert len(list(rows)) == len(cms.mue_rows())
    with pytest.raises(ImportFormatError, match="holds practitioner MUEs, not outpatient_hospital"):
        parse_mue(open_members([path]), "outpatient_hospital")


def test_mue_reference_layout_needs_setting_and_filters_it(tmp_path):
    path = tmp_path / "ncci_mue.csv"
    path.write_text("hcpcs_code,setting,mue_value,mai,mai_cms_text,mue_rationale\n"
                    "20610,outpatient_hospital,2,3,3 Date of Service Edit: Clinical,Clinical: Data\n"
                    "20610,practitioner,2,3,3 Date of Service Edit: Clinical,Clinical: Data\n")
    with pytest.raises(ImportFormatError, match="pass --setting"):
        parse_mue(open_members([path]), None)
    rows, _ = parse_mue(open_members([path]), "practitioner")
    assert list(rows) == [("20610", 2, 3, "3 Date of Service Edit: Clinical", "Clinical: Data")]


def test_mue_bad_mai(cms, tmp_path):
    path = cms.write_mue_csv(tmp_path / "mue.csv")
    path.write_text(path.read_text().replace("2 Date of Service Edit: Policy", "7 Unknown", 1))
    with pytest.raises(ImportFormatError, match="adjudication indicator '7 Unknown'"):
        list(parse_mue(open_members([path]), None)[0])


def test_aoc_cms_layout(cms, tmp_path):
    got = list(parse_aoc(open_members([cms.write_aoc_csv(tmp_path / "aoc.csv")])))
    assert got == [(a.primary, a.add_on, a.edit_type, 20100101, 99991231) for a in cms.aoc_rows()]


def test_pfs_csv_with_preamble_and_stacked_header(cms, tmp_path):
    got = list(parse_pfs(open_members([cms.write_pfs_csv(tmp_path / "PPRRVU24_JUL.csv")])))
    fees = cms.fee_rows()
    assert len(got) == len(fees) > 0
    for row, fee in zip(got, fees, strict=True):
        assert (row[0], row[1], row[2], row[8], row[9]) == (fee.code, fee.mod, fee.status, fee.pctc, fee.glob_days)
        assert (None if row[6] is None else Decimal(row[6])) == fee.nonfacility_total
        assert (None if row[7] is None else Decimal(row[7])) == fee.facility_total
        assert Decimal(row[12]) == fee.conv_factor


def test_pfs_fixed_width_txt_matches_csv(cms, tmp_path):
    csv_rows = list(parse_pfs(open_members([cms.write_pfs_csv(tmp_path / "PPRRVU24_JUL.csv")])))
    txt_rows = list(parse_pfs(open_members([cms.write_pfs_txt(tmp_path / "PPRRVU24_JUL.txt")])))
    assert [r[:13] for r in txt_rows] == [r[:13] for r in csv_rows]


def test_pfs_reference_layout_filters_by_quarter(tmp_path):
    path = tmp_path / "pfs.csv"
    path.write_text("hcpcs,mod,status_code,work_rvu,non_fac_na_indicator,facility_na_indicator,non_facility_total,"
                    "facility_total,pctc_ind,glob_days,conv_factor,quarter\n"
                    "20610,,A,0.79,,,1.85,1.27,0,000,32.7442,2024Q1\n20610,,A,0.79,,,1.86,1.28,0,000,33.2875,2024Q3\n")
    assert [r[6] for r in parse_pfs(open_members([path]), "2024Q3")] == ["1.86"]


def test_quarter_and_setting_from_names():
    assert quarter_from_name("ncci_ptp_practitioner_2024q3_full.csv.gz") == "2024Q3"
    assert quarter_from_name("PPRRVU2025_Oct.csv") == "2025Q4"
    assert quarter_from_name("ccipra-v302r0-f1.txt") is None
    assert quarter_start("2025Q4") == 20251001
    assert setting_from_name("ccipra-v302r0-f1.zip") == "practitioner"
    assert setting_from_name("MCR_MUE_OutpatientHospitalServices_Eff_07-01-2024.xlsx") == "outpatient_hospital"


def test_mue_zip_skips_the_changes_workbook(cms, tmp_path):
    import zipfile

    data = cms.write_mue_csv(tmp_path / "MCR_MUE_PractitionerServices_Eff_07-01-2024.csv")
    changes = tmp_path / "MCR_MUE_PractitionerServices_Changes_Eff_07-01-2024.csv"
    changes.write_text("HCPCS,Change\n20610,value raised\n")
    path = tmp_path / "mue_2024q3.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.write(data, data.name)
        z.write(changes, changes.name)
    rows, setting = parse_mue(open_members([path]), None)
    assert setting == "practitioner" and len(list(rows)) == len(cms.mue_rows())
