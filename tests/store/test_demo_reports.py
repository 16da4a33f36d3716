"""The reports answer for the demo district in every year, the same from the read models and
from folding every household, and the exports made from the demo are real files."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from application.reports import ReplaySource, Reports
from demo import generate_demo
from infrastructure import exports
from tests.store.test_read_models import projection_for, source_for


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
    assert early["rate_end"] > late["rate_end"]  # the campaign's direction, as the demo is built
    assert fast.annual("048", 2021)["standard_start"] != fast.annual("048", 2021)["standard_end"]


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
