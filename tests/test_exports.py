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
    assert ws["A1"].value == "TỔNG HỢP KẾT QUẢ ĐIỀU TRA, RÀ SOÁT HỘ NGHÈO NĂM 2018"
    assert "Huyện Hạ Lang (048)" in ws["A2"].value
    assert ws["C4"].value == "Tổng số hộ dân cư" and ws["D4"].value == "Hộ nghèo đầu năm"
    assert [ws["G4"].value, ws["I4"].value, ws["K4"].value] == [
        "Thoát nghèo",
        "Tái nghèo",
        "Phát sinh mới",
    ]
    assert "D4:F4" in {str(r) for r in ws.merged_cells.ranges}
    assert [ws.cell(row=5, column=c).value for c in range(4, 17)] == list(exports.FORM_COLUMNS[3:])
    assert [ws.cell(row=6, column=c).value for c in range(1, 17)] == list(range(1, 17))
    # Urban section first: Thanh Nhật town, with household c (poor all year).
    assert (ws["A7"].value, ws["B7"].value) == ("I", "Thành thị")
    assert ws["B8"].value == "Thị trấn Thanh Nhật"
    assert [ws.cell(row=8, column=c).value for c in range(3, 7)] == [1, 1, 100.0, 0]
    assert (ws["A9"].value, ws["B9"].value) == ("II", "Nông thôn")
    rural = {ws.cell(row=r, column=2).value: r for r in range(10, 23)}
    assert len(rural) == 13 and {"Xã Thái Đức", "Xã Việt Chu"} <= set(rural)
    kim_loan = rural["Xã Kim Loan"]
    # Kim Loan: 2 households; d poor → near-poor (exit), e near-poor → poor (newly).
    assert [ws.cell(row=kim_loan, column=c).value for c in range(3, 17)] == [
        2, 1, 50.0, 1, 1, 50.0, 0, 0.0, 1, 50.0, 1, 50.0, 0, 0.0,
    ]  # fmt: skip
    total = 23
    assert ws.cell(row=total, column=2).value == "Tổng cộng"
    assert [ws.cell(row=total, column=c).value for c in range(3, 17)] == [
        5, 4, 80.0, 3, 2, 40.0, 0, 0.0, 1, 20.0, 3, 60.0, 1, 33.33,
    ]  # fmt: skip
    assert ws.cell(row=9, column=3).value == 4  # rural subtotal of resident households
    near = wb["Hộ cận nghèo"]
    assert near["A1"].value.endswith("HỘ CẬN NGHÈO NĂM 2018")
    assert near.cell(row=total, column=4).value == 1  # near-poor at the start: e


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
    assert poverty[0]["unit_code"] == "048" and poverty[0]["poor"] == "4"


def exports_date():
    from datetime import date

    return date(2017, 12, 31)


def test_chart_is_a_png_of_the_expected_size(reports, tmp_path: Path) -> None:
    series = reports.rate_series("048", 2016, 2019)
    assert [y for y, _ in series["total"]] == [2015, 2016, 2017, 2018, 2019]
    assert series["total"][1] == (2016, 80.0) and series["target"][1] == (2016, 80.0)
    assert series["target"][2] == (2017, 76.0)
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
    assert load_workbook(xlsx)["Hộ nghèo"]["A1"].value.endswith("2018")
    assert exports.png_size(png.read_bytes()) == (1000, 600)
    csv_out = chungtay(
        "report", "poverty", "--unit", "04", "--as-of", "2026-01-01", "--format", "csv"
    )
    assert csv_out.exit_code == 0 and csv_out.stdout.startswith("unit_code,")
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
