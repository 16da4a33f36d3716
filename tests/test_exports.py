"""Exports (CSV, XLSX in the official summary-form layout, PNG charts) and the report commands."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from application.reports import Reports
from infrastructure import exports
from tests.store.test_read_models import projection_for, source_for
from tests.store.test_reports import district  # noqa: F401  (fixture)
from web.cli_reports import register_report_commands


@pytest.fixture
def reports(app, store, district):  # noqa: F811
    projection = projection_for(app, store)
    projection.catch_up()
    projection.close()
    source = source_for(store)
    yield Reports(app, source)
    source.close()


def test_annual_xlsx_is_the_official_summary_form(reports, tmp_path: Path) -> None:
    report = reports.annual("048", 2018)
    path = tmp_path / "annual.xlsx"
    exports.to_xlsx(report, path)
    wb = load_workbook(path)
    assert wb.sheetnames == ["Hộ nghèo", "Hộ cận nghèo", "Dữ liệu"]
    ws = wb["Hộ nghèo"]
    assert ws["A1"].value == "TỔNG HỢP KẾT QUẢ ĐIỀU TRA, RÀ SOÁT HỘ NGHÈO NĂM 2018 CẤP HUYỆN"
    assert "Huyện Hạ Lang (mã 048)" in ws["A2"].value and "31/12/2017" in ws["A2"].value
    assert ws["C5"].value == "Tổng số hộ dân cư" and ws["D5"].value == "Hộ nghèo đầu năm"
    assert [ws["H5"].value, ws["J5"].value, ws["L5"].value] == [
        "Thoát nghèo",
        "Tái nghèo",
        "Phát sinh mới",
    ]
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"D5:G5", "N5:Q5"} <= merged  # the start and the end: count, %, DTTS count, DTTS %
    assert [ws.cell(row=6, column=c).value for c in range(4, 18)] == list(exports.FORM_COLUMNS[3:])
    assert [ws.cell(row=7, column=c).value for c in range(1, 18)] == list(range(1, 18))
    # Urban section first: Thanh Nhật town, with household c (poor all year).
    assert (ws["A8"].value, ws["B8"].value) == ("I", "Thành thị")
    assert ws["B9"].value == "Thị trấn Thanh Nhật"
    assert [ws.cell(row=9, column=c).value for c in range(3, 8)] == [1, 1, 100.0, 0, None]
    assert (ws["A10"].value, ws["B10"].value) == ("II", "Nông thôn")
    rural = {ws.cell(row=r, column=2).value: r for r in range(11, 24)}
    assert len(rural) == 13 and {"Xã Thái Đức", "Xã Việt Chu"} <= set(rural)
    kim_loan = rural["Xã Kim Loan"]
    # Kim Loan: 2 households; d poor → near-poor (exit), e near-poor → poor (newly).
    assert [ws.cell(row=kim_loan, column=c).value for c in range(3, 18)] == [
        2, 1, 50.0, 1, 100.0, 1, 50.0, 0, 0.0, 1, 50.0, 1, 50.0, 0, 0.0,
    ]  # fmt: skip
    total = 24
    assert ws.cell(row=total, column=2).value == "Tổng cộng"
    assert [ws.cell(row=total, column=c).value for c in range(3, 18)] == [
        5, 4, 80.0, 3, 100.0, 2, 40.0, 0, 0.0, 1, 20.0, 3, 60.0, 1, 33.33,
    ]  # fmt: skip
    assert ws.cell(row=10, column=3).value == 4  # rural subtotal of resident households
    assert ws.cell(row=total, column=3).number_format == "#,##0"
    assert ws.cell(row=total, column=5).number_format == "0.0"
    assert ws.page_setup.orientation == "landscape" and str(ws.page_setup.paperSize) == "9"  # A4
    assert ws.print_title_rows == "$5:$7"
    texts = [c.value for row in ws.iter_rows(min_row=total + 1) for c in row if c.value]
    assert "NGƯỜI LẬP BIỂU" in texts and "CHỦ TỊCH UBND HUYỆN" in texts
    assert any(str(t).startswith("Hạ Lang, ngày ") for t in texts)
    assert any("Biến động khác của hộ nghèo" in str(t) for t in texts)
    near = wb["Hộ cận nghèo"]
    assert near["A1"].value == "TỔNG HỢP KẾT QUẢ ĐIỀU TRA, RÀ SOÁT HỘ CẬN NGHÈO NĂM 2018 CẤP HUYỆN"
    # near-poor: e left the list for poor (exited it), d came from the poor list (newly on it)
    assert [near.cell(row=total, column=c).value for c in (4, 8, 12, 14)] == [1, 1, 1, 1]


def test_csv_and_xlsx_for_every_report(reports, tmp_path: Path) -> None:
    for report in (
        reports.poverty("048", exports_date()),
        reports.annual("048", 2019),
        reports.campaign("048", 2017, 2018),
        reports.emulation(2018),
    ):
        text = exports.to_csv(report)
        rows = list(csv.reader(io.StringIO(text)))
        header, body = exports.table(report)
        assert rows[0] == header and len(rows) == len(body) + 1 and len(body) >= 1
        path = tmp_path / f"{report['report']}.xlsx"
        exports.to_xlsx(report, path)
        wb = load_workbook(path)
        first = wb[wb.sheetnames[-1] if report["report"] == "annual" else wb.sheetnames[0]]
        assert [c.value for c in first[1]] == header
    poverty = list(
        csv.DictReader(io.StringIO(exports.to_csv(reports.poverty("048", exports_date()))))
    )
    assert poverty[0]["Mã đơn vị"] == "048" and poverty[0]["Hộ nghèo"] == "4"
    commune = exports.table(reports.poverty("01549", exports_date()))[1]
    assert [r[0] for r in commune] == ["01549"]  # a commune's own row is not repeated
    campaign = reports.campaign("048", 2017, 2018)
    wb = load_workbook(_saved(campaign, tmp_path))
    assert wb.sheetnames == ["Chiến dịch", "Tổng kết"]
    assert wb["Tổng kết"]["A1"].value == "Mã đơn vị" and wb["Tổng kết"].max_row == 1 + 1 + 14


def _saved(report, tmp_path: Path) -> Path:
    path = tmp_path / "saved.xlsx"
    exports.to_xlsx(report, path)
    return path


def exports_date():
    from datetime import date

    return date(2017, 12, 31)


def test_chart_is_a_png_of_the_expected_size(reports, tmp_path: Path) -> None:
    series = reports.rate_series("048", 2016, 2019)
    assert [y for y, _ in series["total"]] == [2015, 2016, 2017, 2018, 2019]
    assert series["total"][1] == (2016, 80.0) and series["target"][1] == (2016, 80.0)
    assert series["target"][2] == (2017, 76.0)
    kim_loan = next(line for line in series["by_unit"] if line["unit"]["code"] == "01549")
    assert kim_loan["target_pp"] == 5 and kim_loan["target_segments"][0][1] == (2017, 45.0)
    assert series["standard_changes"] == []
    across = reports.rate_series("048", 2019, 2023)
    assert across["standard_changes"] == [{"year": 2021, "standard": "2021-2025"}]
    assert len(across["target_segments"]) == 2  # the target restarts from the new baseline
    path = tmp_path / "chart.png"
    assert exports.rate_chart(series, path) == exports.CHART_SIZE_PX
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert exports.png_size(data) == exports.CHART_SIZE_PX == (1000, 600)
    with pytest.raises(ValueError):
        exports.png_size(b"GIF89a" + bytes(30))


def _cli(store):
    group = click.Group("chungtay")
    register_report_commands(group)
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(group, list(args), obj=store.settings, catch_exceptions=False)

    return invoke


def test_report_commands(store, app, district, tmp_path: Path) -> None:  # noqa: F811
    chungtay = _cli(store)
    rebuilt = chungtay("projections", "rebuild", "--json")
    assert rebuilt.exit_code == 0, rebuilt.output
    assert json.loads(rebuilt.stdout)["position"] > 0
    status = chungtay("projections", "status", "--json")
    assert json.loads(status.stdout)["behind"] == 0
    annual = chungtay("report", "annual", "--unit", "048", "--year", "2018", "--json")
    assert annual.exit_code == 0 and json.loads(annual.stdout)["reduction_pp"] == 20.0
    table = chungtay("report", "annual", "--unit", "048", "--year", "2018")
    assert "Annual review 2018" in table.stdout and "Xã Thái Đức" in table.stdout
    xlsx, png = tmp_path / "a.xlsx", tmp_path / "a.png"
    made = chungtay(
        "report", "annual", "--unit", "048", "--year", "2018", "--format", "xlsx",
        "--out", str(xlsx), "--chart", str(png),
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    assert "NĂM 2018" in load_workbook(xlsx)["Hộ nghèo"]["A1"].value
    assert exports.png_size(png.read_bytes()) == (1000, 600)
    csv_out = chungtay(
        "report", "poverty", "--unit", "04", "--as-of", "2026-01-01", "--format", "csv"
    )
    assert csv_out.exit_code == 0 and csv_out.stdout.startswith("Mã đơn vị,")
    current = chungtay(
        "report", "poverty", "--unit", "01561", "--as-of", "2019-12-31", "--units", "current",
        "--json", "--source", "replay",
    )  # fmt: skip
    assert json.loads(current.stdout)["households"] == 2
    campaign = chungtay(
        "report", "campaign", "--unit", "048", "--from-year", "2017", "--to-year", "2018", "--json"
    )
    assert campaign.exit_code == 0 and len(json.loads(campaign.stdout)["years"]) == 2
    emulation = chungtay("report", "emulation", "--year", "2018")
    assert emulation.exit_code == 0 and "1. Xã Kim Loan" in emulation.stdout
    once = chungtay("projections", "run", "--once", "--json")
    assert json.loads(once.stdout)["applied"] == 0
    # Exit codes: 1 for a unit that does not exist, 2 for usage errors.
    assert chungtay("report", "poverty", "--unit", "99999").exit_code == 1
    assert chungtay("report", "annual", "--unit", "048", "--year", "x").exit_code == 2
    assert (
        chungtay(
            "report", "annual", "--unit", "048", "--year", "2018", "--format", "xlsx"
        ).exit_code
        == 2
    )
    assert (
        chungtay(
            "report", "campaign", "--unit", "048", "--from-year", "2019", "--to-year", "2018"
        ).exit_code
        == 2
    )


def test_tables_say_which_unit_and_version_each_row_is(store, app, district) -> None:  # noqa: F811
    chungtay = _cli(store)
    ended = chungtay("report", "poverty", "--unit", "048", "--as-of", "2026-06-30")
    assert ended.exit_code == 0, ended.output
    assert "Huyện Hạ Lang (048)" in ended.stdout and "048 (048)" not in ended.stdout
    data = json.loads(
        chungtay("report", "poverty", "--unit", "048", "--as-of", "2026-06-30", "--json").stdout
    )
    assert data["unit"]["valid_on_date"] is False and data["notes"]
    commune = chungtay("report", "poverty", "--unit", "01561", "--as-of", "2026-06-30")
    rows = [line for line in commune.stdout.splitlines() if line.startswith("01561 ")]
    assert len(rows) == 1, commune.stdout  # the commune's own row, once
    province = chungtay("report", "poverty", "--unit", "04", "--as-of", "2026-06-30")
    assert "households recorded" in province.stdout and "(total)" not in province.stdout
    assert "not every household of the province" in province.stdout
    campaign = chungtay(
        "report", "campaign", "--unit", "048", "--from-year", "2016", "--to-year", "2020"
    )
    lines = [line for line in campaign.stdout.splitlines() if line.startswith("2020 ")]
    names = [line.split("  ")[1].strip() for line in lines]
    assert "Xã Việt Chu (to 2020-02-29)" in names and "Xã Thái Đức (to 2020-02-29)" in names
    assert "Xã Thống Nhất (from 2020-03-01)" in names
    assert len(names) == len(set(names))  # no two rows look alike
    summary = campaign.stdout.split("\n\n")[0]
    assert "summary from the list of 2015-12-31 to 2020-12-31" in summary
    units = chungtay("units", "--as-of", "2019-01-01")
    assert units.exit_code == 0 and "01564  Xã Việt Chu" in units.stdout
    listing = json.loads(chungtay("units", "--as-of", "2026-01-01", "--json").stdout)
    assert [u["code"] for u in listing["units"] if u["level"] == "commune"] == [
        "01537", "01552", "01558", "01561",
    ]  # fmt: skip
    assert all(u["flags"]["verified"] is False for u in listing["units"])


def test_the_chart_names_what_its_first_panel_holds(reports, tmp_path: Path) -> None:
    from infrastructure.exports.charts import total_line

    province = reports.rate_series("04", 2016, 2026)
    assert total_line(province)["label"] == "Tỉnh Cao Bằng\n(các hộ đã ghi nhận trong sổ)"
    assert total_line(reports.rate_series("048", 2016, 2019))["label"] == "Huyện Hạ Lang"
    path = tmp_path / "province.png"
    assert exports.rate_chart(province, path) == (1000, 600)
