"""Writing the reports as workbooks: the annual report in the official form (with a data sheet),
the others as tables with Vietnamese headers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any

from infrastructure.exports.form import (
    FORM_COLUMNS,
    FORM_FIRST_ROW,
    RATE_COLUMNS,
    form_title,
    form_values,
    other_changes_note,
    row_label,
    signature,
    subtotal,
    unit_line,
)
from infrastructure.exports.tables import exemplary_table, summary_table, table

COUNT_FORMAT = "#,##0"
"""Thousands separators (shown as dots by a Vietnamese spreadsheet)."""
RATE_FORMAT = "0.0"
"""Rates with one decimal (shown with a decimal comma by a Vietnamese spreadsheet)."""

_GROUPS = (
    ("A5:A6", "STT"),
    ("B5:B6", "Đơn vị"),
    ("C5:C6", "Tổng số hộ dân cư"),
    ("D5:G5", "{noun} đầu năm"),
    ("H5:I5", "{exited}"),
    ("J5:K5", "{again}"),
    ("L5:M5", "Phát sinh mới"),
    ("N5:Q5", "{noun} cuối năm"),
)


def _styles() -> Any:
    from openpyxl.styles import Alignment, Border, Font, Side

    thin = Side(style="thin")
    return Alignment, Border(left=thin, right=thin, top=thin, bottom=thin), Font


def _write_row(ws: Any, row: int, values: Sequence[Any], *, bold: bool = False) -> None:
    _, border, font = _styles()
    for col, value in enumerate(values, start=1):
        cell = ws.cell(row=row, column=col, value=value)
        cell.border = border
        if bold:
            cell.font = font(bold=True)
        if col >= 3:
            cell.number_format = RATE_FORMAT if col in RATE_COLUMNS else COUNT_FORMAT


def _header(ws: Any, kind: str) -> None:
    alignment, border, font = _styles()
    words = {
        "noun": "Hộ nghèo" if kind == "poor" else "Hộ cận nghèo",
        "exited": "Thoát nghèo" if kind == "poor" else "Thoát cận nghèo",
        "again": "Tái nghèo" if kind == "poor" else "Tái cận nghèo",
    }
    for span, title in _GROUPS:
        ws.merge_cells(span)
        first = span.split(":")[0]
        ws[first] = title.format(**words)
    for i, title in enumerate(FORM_COLUMNS, start=1):
        if i > 3:
            ws.cell(row=6, column=i, value=title)
        ws.cell(row=7, column=i, value=i)
    for row in (5, 6, 7):
        for col in range(1, len(FORM_COLUMNS) + 1):
            cell = ws.cell(row=row, column=col)
            cell.border = border
            cell.font = font(bold=row < 7, italic=row == 7)
            cell.alignment = alignment(horizontal="center", vertical="center", wrap_text=True)


def _sections(ws: Any, report: Mapping[str, Any], kind: str) -> int:
    row = FORM_FIRST_ROW
    for area, numeral, title in (("urban", "I", "Thành thị"), ("rural", "II", "Nông thôn")):
        units = [u for u in report["by_unit"] if u["unit"].get("area_type") == area]
        section = row
        row += 1
        for n, u in enumerate(units, start=1):
            label = row_label(u["unit"], report["start"], report["end"])
            _write_row(ws, row, [n, label, *form_values(u, kind)])
            row += 1
        _write_row(ws, section, [numeral, title, *_totals(units, kind)], bold=True)
    _write_row(ws, row, ["", "Tổng cộng", *form_values(report, kind)], bold=True)
    return row


def _totals(units: Sequence[Mapping[str, Any]], kind: str) -> list[Any]:
    return form_values(subtotal(units), kind)


def _footer(ws: Any, report: Mapping[str, Any], kind: str, row: int) -> None:
    _, _, font = _styles()
    notes = [
        "Tỷ lệ đầu năm = số hộ ÷ tổng số hộ dân cư đầu năm × 100; tỷ lệ thoát, tái, phát sinh và "
        "cuối năm = số hộ ÷ tổng số hộ dân cư cuối năm × 100; tỷ lệ DTTS = hộ DTTS ÷ hộ dân cư "
        "DTTS × 100.",
        *([n] if (n := other_changes_note(report, kind)) else []),
        *report.get("notes", []),
        *([report["reduction_note"]] if report.get("reduction_note") else []),
    ]
    for i, note in enumerate(notes, start=row + 2):
        ws.cell(row=i, column=1, value=note).font = font(italic=True, size=9)
    place, maker, chair = signature(report)
    at = row + len(notes) + 3
    ws.cell(row=at, column=12, value=place).font = font(italic=True)
    for col, who, how in ((2, maker, "(Ký, ghi rõ họ tên)"), (12, chair, "(Ký tên, đóng dấu)")):
        ws.cell(row=at + 1, column=col, value=who).font = font(bold=True)
        ws.cell(row=at + 2, column=col, value=how).font = font(italic=True)


def _page(ws: Any) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "5:7"
    ws.freeze_panes = f"C{FORM_FIRST_ROW}"
    ws.column_dimensions["A"].width = 5
    ws.column_dimensions["B"].width = 30
    for col in range(3, len(FORM_COLUMNS) + 1):
        ws.column_dimensions[ws.cell(row=1, column=col).column_letter].width = 9


def form_sheet(ws: Any, report: Mapping[str, Any], kind: str) -> None:
    """One list (poor or near_poor) of the annual report in the official form."""
    _, _, font = _styles()
    ws["A1"] = form_title(report, kind)
    ws["A1"].font = font(bold=True, size=13)
    ws["A2"] = unit_line(report)
    _header(ws, kind)
    last = _sections(ws, report, kind)
    _footer(ws, report, kind, last)
    _page(ws)


def table_sheet(ws: Any, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """A table with a bold header row, frozen below it."""
    _, _, font = _styles()
    ws.append(list(header))
    for cell in ws[1]:
        cell.font = font(bold=True)
    for r in rows:
        ws.append(list(r))
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, float):
                cell.number_format = "#,##0.0#"
            elif isinstance(cell.value, int) and not isinstance(cell.value, bool):
                cell.number_format = COUNT_FORMAT
    ws.freeze_panes = "A2"


_SHEETS = {"poverty": "Hộ nghèo", "campaign": "Chiến dịch", "emulation": "Thi đua"}


def to_xlsx(report: Mapping[str, Any], path: str | Path | IO[bytes]) -> None:
    """Write the report as a workbook (the annual report in the official summary form)."""
    from openpyxl import Workbook

    wb = Workbook()
    kind = report["report"]
    first = wb.active
    if kind == "annual":
        first.title = "Hộ nghèo"
        form_sheet(first, report, "poor")
        form_sheet(wb.create_sheet("Hộ cận nghèo"), report, "near_poor")
        table_sheet(wb.create_sheet("Dữ liệu"), *table(report))
    else:
        first.title = _SHEETS.get(kind, kind)
        table_sheet(first, *table(report))
        if kind == "campaign":
            table_sheet(wb.create_sheet("Tổng kết"), *summary_table(report))
        if kind == "emulation":
            table_sheet(wb.create_sheet("Hộ tiêu biểu"), *exemplary_table(report))
    wb.save(path)
