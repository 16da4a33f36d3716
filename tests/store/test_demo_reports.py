"""The reports answer for the demo district in every year, the same from the read models and
from folding every household, and the exports made from the demo are real files."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from application.reports import ReplaySource, Reports
from application.supervision import scan_anomalies
from demo import generate_demo
from infrastructure import exports
from tests.store.test_read_models import assert_identities, projection_for, source_for


@pytest.fixture
def demo_reports(app, store, clock):
    generate_demo(app, households=60, seed=11, to_year=2026)
    projection = projection_for(app, store)
    projection.catch_up()
    projection.close()
    source = source_for(store)
    yield Reports(app, source), Reports(app, ReplaySource(app))
    source.close()


def test_every_year_of_the_demo_is_reported_alike_by_both_sources(demo_reports) -> None:
    fast, replay = demo_reports
    for year in range(2016, 2027):
        unit = "048" if year <= 2024 else "04"
        report = fast.annual(unit, year)
        reference = replay.annual(unit, year)
        assert report.pop("source")["behind"] == 0
        reference.pop("source")
        assert report == reference, year
        assert report["total_households_end"] > 0
        assert 0 <= report["rate_end"] <= 100
    early, late = fast.annual("048", 2016), fast.annual("04", 2025)
    assert early["total_households_start"] > 0 and early["poor_start"] > 0  # the end-2015 list
    assert early["rate_end"] > late["rate_end"]  # the campaign's direction, as the demo is built
    assert fast.annual("048", 2021)["standard_start"] != fast.annual("048", 2021)["standard_end"]


def test_both_identities_hold_for_every_unit_and_year_of_the_demo(demo_reports) -> None:
    """Every comparable year adds up, for the total and every unit, on historical and on today's
    units; the years of a new standard present no flows and say why."""
    fast, _ = demo_reports
    checked = 0
    for year in range(2016, 2027):
        for unit, mode in (("048", "historical"), ("04", "historical"), ("01561", "current")):
            if year >= 2025 and unit == "048":
                continue
            report = fast.annual(unit, year, units=mode)
            checked += assert_identities(report)
            if year in (2021, 2026):
                assert not report["comparable"] and report["standard_changed"]
                assert report["re_poor"] is None and "baseline" in report["reduction_note"]
            elif unit == "048" or mode == "current":
                assert report["comparable"], (unit, year)
    assert checked >= 9 * 13  # the 13 or 14 communes of each comparable year, and more


def test_no_baseline_is_counted_as_a_movement(demo_reports, app) -> None:
    fast, _ = demo_reports
    comparable = [fast.annual("048", y) for y in (2019, 2020, 2022, 2023)]
    for report in comparable:
        assert report["re_poor"] <= report["exited_poverty"] + 5, report["year"]
    campaign = fast.campaign("048", 2016, 2020)
    for year in campaign["years"]:
        re_poverty = year["re_poverty"]
        assert re_poverty["re_poor_within_2_years"] <= re_poverty["exits"] // 2 + 1, year["year"]
    scan = scan_anomalies(
        app, unit="048", as_of=date(2024, 12, 31), kinds=["re_poverty_within_24_months"]
    )
    for anomaly in scan["anomalies"]:
        versions = [f["version"] for f in anomaly["facts"]]
        standards = {app.get(anomaly["household_id"]).facts[v - 1].standard for v in versions}
        assert len(standards) == 1, anomaly  # an exit and a fall back under one standard


def test_exports_from_the_demo(demo_reports, tmp_path: Path) -> None:
    fast, _ = demo_reports
    report = fast.annual("048", 2019)
    xlsx = tmp_path / "annual-2019.xlsx"
    exports.to_xlsx(report, xlsx)
    sheet = load_workbook(xlsx)["Hộ nghèo"]
    communes = [sheet.cell(row=r, column=2).value for r in range(7, sheet.max_row + 1)]
    assert "Thị trấn Thanh Nhật" in communes and "Xã Việt Chu" in communes
    totals = [sheet.cell(row=r, column=3).value for r in range(7, sheet.max_row + 1)]
    assert sum(v for v in totals if isinstance(v, int)) >= report["total_households_end"]
    rows = list(csv.reader(io.StringIO(exports.to_csv(report))))
    assert len(rows) > 10
    chart = tmp_path / "rates.png"
    size = exports.rate_chart(fast.rate_series("048", 2016, 2024), chart)
    data = chart.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and exports.png_size(data) == size == (1000, 600)
