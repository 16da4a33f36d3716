"""Every report as one flat table with Vietnamese column headers (CSV, and the XLSX data sheets).

The headers are for the officials who open the files in a spreadsheet; programs read the JSON.
The first row is the report's unit (or total), then its child units; a child row that is the
report's unit itself (a commune's own report) is not repeated.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

Column = tuple[str, Callable[[Mapping[str, Any]], Any]]
"""A Vietnamese header and how to read the cell from a row (unit figures)."""


def _get(*path: str) -> Callable[[Mapping[str, Any]], Any]:
    def read(row: Mapping[str, Any]) -> Any:
        value: Any = row
        for key in path:
            value = value.get(key) if isinstance(value, Mapping) else None
        return value

    return read


UNIT_COLUMNS: tuple[Column, ...] = (
    ("Mã đơn vị", _get("unit", "code")),
    ("Đơn vị", _get("unit", "name")),
    ("Hiệu lực từ", _get("unit", "valid_from")),
    ("Hiệu lực đến", _get("unit", "valid_to")),
)

POVERTY_COLUMNS: tuple[Column, ...] = (
    *UNIT_COLUMNS,
    ("Tổng số hộ", _get("households")),
    ("Hộ nghèo", _get("poor")),
    ("Hộ cận nghèo", _get("near_poor")),
    ("Tỷ lệ hộ nghèo (%)", _get("poor_rate")),
    ("Tỷ lệ hộ cận nghèo (%)", _get("near_poor_rate")),
    ("Hộ DTTS", _get("ethnic_minority", "households")),
    ("Hộ nghèo DTTS", _get("ethnic_minority", "poor")),
    ("Hộ cận nghèo DTTS", _get("ethnic_minority", "near_poor")),
    ("Tỷ lệ hộ nghèo DTTS (%)", _get("ethnic_minority", "poor_rate")),
    ("Tỷ lệ hộ cận nghèo DTTS (%)", _get("ethnic_minority", "near_poor_rate")),
)

_ANNUAL: tuple[tuple[str, str], ...] = (
    ("Tổng số hộ đầu năm", "total_households_start"),
    ("Tổng số hộ cuối năm", "total_households_end"),
    ("Hộ nghèo đầu năm", "poor_start"),
    ("Thoát nghèo", "exited_poverty"),
    ("Tái nghèo", "re_poor"),
    ("Nghèo phát sinh", "newly_poor"),
    ("Biến động khác (hộ nghèo)", "other_poor_changes"),
    ("Hộ nghèo cuối năm", "poor_end"),
    ("Tỷ lệ hộ nghèo đầu năm (%)", "rate_start"),
    ("Tỷ lệ hộ nghèo cuối năm (%)", "rate_end"),
    ("Mức giảm (điểm %)", "reduction_pp"),
    ("Chỉ tiêu giảm (điểm %)", "target_pp"),
    ("Đạt chỉ tiêu", "target_met"),
    ("Hộ cận nghèo đầu năm", "near_poor_start"),
    ("Thoát cận nghèo", "exited_near_poverty"),
    ("Từ cận nghèo sang nghèo", "poor_from_near_poor"),
    ("Từ nghèo sang cận nghèo", "near_poor_from_poor"),
    ("Tái cận nghèo", "re_near_poor"),
    ("Cận nghèo phát sinh", "newly_near_poor"),
    ("Biến động khác (hộ cận nghèo)", "other_near_poor_changes"),
    ("Hộ cận nghèo cuối năm", "near_poor_end"),
    ("Tỷ lệ hộ cận nghèo đầu năm (%)", "near_poor_rate_start"),
    ("Tỷ lệ hộ cận nghèo cuối năm (%)", "near_poor_rate_end"),
)
_ANNUAL_EM: tuple[tuple[str, str], ...] = (
    ("Hộ DTTS đầu năm", "total_households_start"),
    ("Hộ DTTS cuối năm", "total_households_end"),
    ("Hộ nghèo DTTS đầu năm", "poor_start"),
    ("Hộ nghèo DTTS cuối năm", "poor_end"),
    ("Tỷ lệ hộ nghèo DTTS đầu năm (%)", "rate_start"),
    ("Tỷ lệ hộ nghèo DTTS cuối năm (%)", "rate_end"),
    ("Mức giảm DTTS (điểm %)", "reduction_pp"),
    ("Chỉ tiêu DTTS (điểm %, quốc gia)", "target_pp"),
    ("Đạt chỉ tiêu DTTS", "target_met"),
)
ANNUAL_COLUMNS: tuple[Column, ...] = (
    *UNIT_COLUMNS,
    ("Khu vực", _get("unit", "area_type")),
    *((label, _get(key)) for label, key in _ANNUAL),
    *((label, _get("ethnic_minority", key)) for label, key in _ANNUAL_EM),
    ("So sánh được", _get("comparable")),
)


def _top(row: Mapping[str, Any], n: int = 5) -> str:
    return "; ".join(f"{d['indicator']}: {d['households']}" for d in row["top_deprivations"][:n])


CAMPAIGN_COLUMNS: tuple[Column, ...] = (
    ("Năm", _get("year")),
    *UNIT_COLUMNS,
    ("Tỷ lệ hộ nghèo đầu năm (%)", _get("reduction", "rate_start")),
    ("Tỷ lệ hộ nghèo cuối năm (%)", _get("reduction", "rate_end")),
    ("Mức giảm (điểm %)", _get("reduction", "reduction_pp")),
    ("Chỉ tiêu (điểm %)", _get("reduction", "target_pp")),
    ("Đạt chỉ tiêu", _get("reduction", "target_met")),
    ("Mức giảm DTTS (điểm %)", _get("reduction", "ethnic_minority", "reduction_pp")),
    ("Thu nhập bình quân hộ nghèo (đồng/người/tháng)", _get("income", "poor_mean_income")),
    ("Thu nhập so với gốc (lần)", _get("income", "poor_ratio_to_baseline")),
    ("Thu nhập nhóm hộ nghèo gốc (lần)", _get("income", "cohort_ratio")),
    ("Thiếu hụt phổ biến", _top),
    ("Số lượt hỗ trợ", _get("support", "count")),
    ("Kinh phí hỗ trợ (đồng)", _get("support", "amount_vnd")),
    (
        "Hỗ trợ đúng thiếu hụt của hộ (% kinh phí)",
        _get("support", "addressing_own_deprivations", "share_amount"),
    ),
    ("Hộ nghèo có người giúp đỡ (%)", _get("sponsorship", "share")),
    ("Hộ đăng ký thoát nghèo", _get("exit_registrations", "registered")),
    ("Trong đó đã thoát nghèo", _get("exit_registrations", "exited")),
    ("Hộ thoát nghèo", _get("re_poverty", "exits")),
    ("Tái nghèo trong 2 năm", _get("re_poverty", "re_poor_within_2_years")),
    ("Tỷ lệ tái nghèo (%)", _get("re_poverty", "share")),
)

SUMMARY_COLUMNS: tuple[Column, ...] = (
    *UNIT_COLUMNS,
    ("Tỷ lệ hộ nghèo gốc (%)", _get("summary", "rate_baseline")),
    ("Tỷ lệ hộ nghèo cuối kỳ (%)", _get("summary", "rate_end")),
    ("Số năm", _get("summary", "years")),
    ("Giảm bình quân (điểm %/năm)", _get("summary", "average_reduction_pp")),
    ("Chỉ tiêu (điểm %/năm)", _get("summary", "target_pp")),
    ("Đạt chỉ tiêu", _get("summary", "target_met")),
    ("Hộ nghèo gốc có thu nhập", _get("summary", "income", "cohort_households")),
    ("Thu nhập cuối kỳ ÷ gốc (lần)", _get("summary", "income", "cohort_ratio")),
    ("Đạt ×1,5", _get("summary", "income", "met_min")),
    ("Đạt ×2", _get("summary", "income", "met_max")),
)


def _criteria_columns(report: Mapping[str, Any]) -> tuple[Column, ...]:
    out: list[Column] = []
    for c in report["criteria"]:
        out.append((c, _get("criteria", c, "value")))
        out.append((f"Thứ hạng: {c}", _get("criteria", c, "rank")))
    return tuple(out)


EXEMPLARY_COLUMNS: tuple[Column, ...] = (
    ("Mã hộ", _get("code")),
    ("Mã định danh", _get("household_id")),
    ("Mã đơn vị", _get("unit", "code")),
    ("Đơn vị", _get("unit", "name")),
    ("Ngày đăng ký thoát nghèo", _get("exit_registered_on")),
    ("Năm đăng ký thoát", _get("target_year")),
    ("Ngày thoát nghèo", _get("exited_on")),
    ("Quyết định", _get("decision")),
    ("DTTS", _get("ethnic_minority")),
    ("Người giúp đỡ", _get("sponsor")),
    ("Đủ 2 năm theo dõi", _get("window_complete")),
)


def _own(report: Mapping[str, Any], row: Mapping[str, Any]) -> bool:
    unit = report.get("unit") or {}
    return (row["unit"].get("code"), row["unit"].get("valid_from")) == (
        unit.get("code"),
        unit.get("valid_from"),
    )


def _rows(columns: Sequence[Column], rows: Sequence[Mapping[str, Any]]) -> list[list[Any]]:
    return [[read(r) for _, read in columns] for r in rows]


def _unit_rows(report: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The report's own row (its figures at the top level), then the child units."""
    own = {**report, "ethnic_minority": _em(report)}
    return [own, *(u for u in report["by_unit"] if not _own(report, u))]


def _em(report: Mapping[str, Any]) -> Any:
    if report["report"] == "poverty":
        return report["by_ethnic_minority"]["ethnic_minority"]
    return report["ethnic_minority"]


def _campaign_rows(report: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    rows: list[Mapping[str, Any]] = []
    for y in report["years"]:
        rows.append({**y, "unit": report["unit"]})
        rows += [{**u, "year": y["year"]} for u in y["by_unit"]]
    return rows


def table(report: Mapping[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """The report as one flat table (first row: the report's unit; then its child units)."""
    kind = report.get("report")
    if kind in ("poverty", "annual"):
        columns = POVERTY_COLUMNS if kind == "poverty" else ANNUAL_COLUMNS
        return [h for h, _ in columns], _rows(columns, _unit_rows(report))
    if kind == "campaign":
        return [h for h, _ in CAMPAIGN_COLUMNS], _rows(CAMPAIGN_COLUMNS, _campaign_rows(report))
    if kind == "emulation":
        columns = (
            ("Hạng", _get("rank")),
            ("Mã đơn vị", _get("unit", "code")),
            ("Đơn vị", _get("unit", "name")),
            ("Điểm (tổng thứ hạng)", _get("score")),
            *_criteria_columns(report),
            ("Lý do", lambda r: "; ".join(r["reasons"])),
        )
        return [h for h, _ in columns], _rows(columns, report["ranking"])
    raise ValueError(f"unknown report kind {kind!r}")


def summary_table(report: Mapping[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """The campaign's summary: the total, then each unit valid at the end of the span."""
    rows = [{"unit": report["unit"], "summary": report["summary"]}, *report["by_unit"]]
    return [h for h, _ in SUMMARY_COLUMNS], _rows(SUMMARY_COLUMNS, rows)


def exemplary_table(report: Mapping[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """The emulation report's exemplary households."""
    return [h for h, _ in EXEMPLARY_COLUMNS], _rows(
        EXEMPLARY_COLUMNS, report["exemplary_households"]
    )


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "có" if value else "không"
    return value


def to_csv(report: Mapping[str, Any], out: IO[str] | None = None) -> str:
    """The report's table as CSV (returned, and written to ``out`` when given)."""
    header, rows = table(report)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([[_cell(v) for v in r] for r in rows])
    text = buffer.getvalue()
    if out is not None:
        out.write(text)
    return text


def write_csv(report: Mapping[str, Any], path: str | Path) -> None:
    """Write the CSV to a file (UTF-8 with BOM, for spreadsheet programs)."""
    Path(path).write_text(to_csv(report), encoding="utf-8-sig")
