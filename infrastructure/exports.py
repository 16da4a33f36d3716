"""Report exports: CSV and XLSX for every report, the official summary form, PNG charts.

* :func:`table` flattens any report (poverty, annual, campaign, emulation) into a header and rows;
  :func:`to_csv` writes it (UTF-8 with a BOM, so spreadsheet programs read Vietnamese names).
* :func:`to_xlsx` writes the same table to a workbook — and, for the annual report, the layout of
  the official summary form ("Tổng hợp kết quả điều tra, rà soát hộ nghèo/cận nghèo", poverty-rules
  §8): one sheet for poor and one for near-poor households, rows by unit in an urban and a rural
  section, columns total resident households; start count, % and ethnic-minority (DTTS) count;
  exited, re-poor and newly poor, each count and %; end count, %, DTTS count and DTTS %.
* :func:`rate_chart` draws the poverty rate per unit over the years against the target line
  (matplotlib, Agg backend: no display needed) as a PNG of a fixed pixel size.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any

CHART_SIZE_PX = (1000, 600)
"""Width and height of :func:`rate_chart` images, in pixels."""

_CHART_DPI = 100


# -- flat tables ------------------------------------------------------------------------------------


def _poverty_rows(report: Mapping[str, Any]) -> tuple[list[str], list[list[Any]]]:
    header = [
        "unit_code",
        "unit_name",
        "unit_valid_from",
        "households",
        "poor",
        "near_poor",
        "poor_rate",
        "near_poor_rate",
        "em_households",
        "em_poor",
        "em_near_poor",
        "em_poor_rate",
        "em_near_poor_rate",
    ]

    def row(unit: Mapping[str, Any], f: Mapping[str, Any], em: Mapping[str, Any]) -> list[Any]:
        return [
            unit.get("code"),
            unit.get("name"),
            unit.get("valid_from"),
            f["households"],
            f["poor"],
            f["near_poor"],
            f["poor_rate"],
            f["near_poor_rate"],
            em["households"],
            em["poor"],
            em["near_poor"],
            em["poor_rate"],
            em["near_poor_rate"],
        ]

    rows = [row(report["unit"], report, report["by_ethnic_minority"]["ethnic_minority"])]
    rows += [row(u["unit"], u, u["ethnic_minority"]) for u in report["by_unit"]]
    return header, rows


_ANNUAL_FIELDS = (
    "total_households_start",
    "total_households_end",
    "poor_start",
    "exited_poverty",
    "re_poor",
    "newly_poor",
    "poor_end",
    "rate_start",
    "rate_end",
    "reduction_pp",
    "target_pp",
    "target_met",
    "near_poor_start",
    "exited_near_poverty",
    "re_near_poor",
    "newly_near_poor",
    "near_poor_end",
    "near_poor_rate_start",
    "near_poor_rate_end",
    "other_poor_changes",
)
_ANNUAL_EM_FIELDS = (
    "total_households_start",
    "total_households_end",
    "poor_start",
    "poor_end",
    "near_poor_start",
    "near_poor_end",
    "rate_start",
    "rate_end",
    "reduction_pp",
    "target_pp",
    "target_met",
)


def _annual_rows(report: Mapping[str, Any]) -> tuple[list[str], list[list[Any]]]:
    header = [
        "unit_code",
        "unit_name",
        "unit_valid_from",
        "area_type",
        *_ANNUAL_FIELDS,
        *(f"em_{k}" for k in _ANNUAL_EM_FIELDS),
        "standard_start",
        "standard_end",
    ]

    def row(unit: Mapping[str, Any], f: Mapping[str, Any]) -> list[Any]:
        em = f["ethnic_minority"]
        return [
            unit.get("code"),
            unit.get("name"),
            unit.get("valid_from"),
            unit.get("area_type"),
            *(f.get(k) for k in _ANNUAL_FIELDS),
            *(em.get(k) for k in _ANNUAL_EM_FIELDS),
            report["standard_start"],
            report["standard_end"],
        ]

    return header, [row(report["unit"], report)] + [row(u["unit"], u) for u in report["by_unit"]]


def _campaign_rows(report: Mapping[str, Any]) -> tuple[list[str], list[list[Any]]]:
    header = [
        "year",
        "unit_code",
        "unit_name",
        "rate_start",
        "rate_end",
        "reduction_pp",
        "target_pp",
        "target_met",
        "em_reduction_pp",
        "em_target_met",
        "poor_mean_income",
        "poor_income_ratio_to_baseline",
        "cohort_income_ratio",
        "em_poor_income_ratio_to_baseline",
        "top_deprivations",
        "support_count",
        "support_amount_vnd",
        "support_addressing_own_deprivations_share_amount",
        "sponsor_share",
        "em_sponsor_share",
        "exit_registered",
        "exit_registered_exited",
        "exit_registered_share",
        "exits",
        "re_poor_within_2_years",
        "re_poor_share",
        "em_re_poor_share",
    ]

    def row(year: int, unit: Mapping[str, Any], b: Mapping[str, Any]) -> list[Any]:
        r = b.get("reduction") or {}
        em_r = r.get("ethnic_minority") or {}
        inc = b["income"]
        return [
            year,
            unit.get("code"),
            unit.get("name"),
            r.get("rate_start"),
            r.get("rate_end"),
            r.get("reduction_pp"),
            r.get("target_pp"),
            r.get("target_met"),
            em_r.get("reduction_pp"),
            em_r.get("target_met"),
            inc["poor_mean_income"],
            inc["poor_ratio_to_baseline"],
            inc["cohort_ratio"],
            inc["ethnic_minority"]["poor_ratio_to_baseline"],
            "; ".join(f"{d['indicator']}:{d['households']}" for d in b["top_deprivations"]),
            b["support"]["count"],
            b["support"]["amount_vnd"],
            b["support"]["addressing_own_deprivations"]["share_amount"],
            b["sponsorship"]["share"],
            b["sponsorship"]["ethnic_minority"]["share"],
            b["exit_registrations"]["registered"],
            b["exit_registrations"]["exited"],
            b["exit_registrations"]["share"],
            b["re_poverty"]["exits"],
            b["re_poverty"]["re_poor_within_2_years"],
            b["re_poverty"]["share"],
            b["re_poverty"]["ethnic_minority"]["share"],
        ]

    rows = []
    for y in report["years"]:
        rows.append(row(y["year"], report["unit"], y))
        rows += [row(y["year"], u["unit"], u) for u in y["by_unit"]]
    return header, rows


def _emulation_rows(report: Mapping[str, Any]) -> tuple[list[str], list[list[Any]]]:
    criteria = list(report["criteria"])
    header = [
        "rank",
        "unit_code",
        "unit_name",
        "score",
        *(x for c in criteria for x in (c, f"{c}_rank")),
        "reasons",
    ]
    rows = [
        [
            r["rank"],
            r["unit"]["code"],
            r["unit"]["name"],
            r["score"],
            *(x for c in criteria for x in (r["criteria"][c]["value"], r["criteria"][c]["rank"])),
            "; ".join(r["reasons"]),
        ]
        for r in report["ranking"]
    ]
    return header, rows


def _exemplary_rows(report: Mapping[str, Any]) -> tuple[list[str], list[list[Any]]]:
    header = [
        "code",
        "household_id",
        "unit_code",
        "unit_name",
        "exit_registered_on",
        "target_year",
        "exited_on",
        "decision",
        "ethnic_minority",
        "sponsor",
        "window_complete",
    ]
    rows = [
        [
            h["code"],
            h["household_id"],
            h["unit"]["code"],
            h["unit"]["name"],
            h["exit_registered_on"],
            h["target_year"],
            h["exited_on"],
            h["decision"],
            h["ethnic_minority"],
            h["sponsor"],
            h["window_complete"],
        ]
        for h in report["exemplary_households"]
    ]
    return header, rows


_TABLES = {
    "poverty": _poverty_rows,
    "annual": _annual_rows,
    "campaign": _campaign_rows,
    "emulation": _emulation_rows,
}


def table(report: Mapping[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """The report as one flat table (first row: the report's unit; then its child units)."""
    try:
        return _TABLES[report["report"]](report)
    except KeyError:
        raise ValueError(f"unknown report kind {report.get('report')!r}") from None


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
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


# -- XLSX -------------------------------------------------------------------------------------------

FORM_COLUMNS: tuple[str, ...] = (
    "STT",
    "Đơn vị",
    "Tổng số hộ dân cư",
    "Số hộ",
    "Tỷ lệ (%)",
    "Hộ DTTS",
    "Số hộ",
    "Tỷ lệ (%)",
    "Số hộ",
    "Tỷ lệ (%)",
    "Số hộ",
    "Tỷ lệ (%)",
    "Số hộ",
    "Tỷ lệ (%)",
    "Hộ DTTS",
    "Tỷ lệ DTTS (%)",
)
"""Second header row of the summary form (the first groups them: start, exited, re-poor,
newly arising, end)."""

FORM_FIRST_ROW = 7
"""The first data row of a summary-form sheet (rows 1–6: title, unit, blank, two header rows and
the column numbers)."""


def _form_values(f: Mapping[str, Any], kind: str) -> list[Any]:
    """Columns C..P of one unit row of the summary form (``kind``: poor or near_poor)."""
    from application.reports import percent

    em = f["ethnic_minority"]
    total = f["total_households_end"]
    if kind == "poor":
        start, end = f["poor_start"], f["poor_end"]
        flows = (f["exited_poverty"], f["re_poor"], f["newly_poor"])
        start_rate, end_rate = f["rate_start"], f["rate_end"]
        em_start, em_end, em_rate = em["poor_start"], em["poor_end"], em["rate_end"]
    else:
        start, end = f["near_poor_start"], f["near_poor_end"]
        flows = (f["exited_near_poverty"], f["re_near_poor"], f["newly_near_poor"])
        start_rate, end_rate = f["near_poor_rate_start"], f["near_poor_rate_end"]
        em_start, em_end = em["near_poor_start"], em["near_poor_end"]
        em_rate = em["near_poor_rate_end"]
    flow_cells: list[Any] = []
    for n in flows:
        flow_cells += [n, percent(n, total)]
    return [total, start, start_rate, em_start, *flow_cells, end, end_rate, em_end, em_rate]


_SUMMED = (
    "total_households_start",
    "total_households_end",
    "poor_start",
    "poor_end",
    "near_poor_start",
    "near_poor_end",
    "exited_poverty",
    "newly_poor",
    "re_poor",
    "exited_near_poverty",
    "newly_near_poor",
    "re_near_poor",
)


def _subtotal(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Counts summed over unit rows (missing figures count as 0), rates recomputed."""
    from application.reports import percent

    def block(get: Any) -> dict[str, Any]:
        out = {k: sum(get(r).get(k) or 0 for r in rows) for k in _SUMMED}
        out["rate_start"] = percent(out["poor_start"], out["total_households_start"])
        out["rate_end"] = percent(out["poor_end"], out["total_households_end"])
        out["near_poor_rate_start"] = percent(out["near_poor_start"], out["total_households_start"])
        out["near_poor_rate_end"] = percent(out["near_poor_end"], out["total_households_end"])
        return out

    figures = block(lambda r: r)
    figures["ethnic_minority"] = block(lambda r: r["ethnic_minority"])
    return figures


def _form_sheet(ws: Any, report: Mapping[str, Any], kind: str) -> None:
    from openpyxl.styles import Alignment, Font

    noun = "HỘ NGHÈO" if kind == "poor" else "HỘ CẬN NGHÈO"
    unit = report["unit"]
    ws["A1"] = f"TỔNG HỢP KẾT QUẢ ĐIỀU TRA, RÀ SOÁT {noun} NĂM {report['year']}"
    ws["A1"].font = Font(bold=True, size=13)
    ws["A2"] = (
        f"Đơn vị: {unit.get('name', unit.get('code'))} ({unit.get('code')}); đầu kỳ "
        f"{report['start']}, cuối kỳ {report['end']}; chuẩn {report['standard_start']}"
        + (
            f" → {report['standard_end']} (không so sánh được)"
            if report["standard_changed"]
            else ""
        )
    )
    groups = [
        ("A4:A5", "STT"),
        ("B4:B5", "Đơn vị"),
        ("C4:C5", "Tổng số hộ dân cư"),
        ("D4:F4", f"{noun.capitalize()} đầu năm"),
        ("G4:H4", "Thoát nghèo" if kind == "poor" else "Thoát cận nghèo"),
        ("I4:J4", "Tái nghèo" if kind == "poor" else "Tái cận nghèo"),
        ("K4:L4", "Phát sinh mới"),
        ("M4:P4", f"{noun.capitalize()} cuối năm"),
    ]
    for span, title in groups:
        ws.merge_cells(span)
        first = span.split(":")[0]
        ws[first] = title
        ws[first].font = Font(bold=True)
        ws[first].alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for i, title in enumerate(FORM_COLUMNS, start=1):
        cell = ws.cell(row=5, column=i)
        if i > 3:
            cell.value = title
            cell.font = Font(bold=True)
            cell.alignment = Alignment(horizontal="center", wrap_text=True)
        ws.cell(row=6, column=i, value=i).alignment = Alignment(horizontal="center")
    sections = [("urban", "I", "Thành thị"), ("rural", "II", "Nông thôn")]
    row = FORM_FIRST_ROW
    for area, numeral, title in sections:
        ws.cell(row=row, column=1, value=numeral).font = Font(bold=True)
        ws.cell(row=row, column=2, value=title).font = Font(bold=True)
        section_row = row
        row += 1
        units = [u for u in report["by_unit"] if u["unit"].get("area_type") == area]
        for n, u in enumerate(units, start=1):
            ws.cell(row=row, column=1, value=n)
            label = u["unit"]["name"]
            ends = u["unit"].get("valid_to")
            if ends and ends < report["end"]:
                label += f" (đến {ends})"
            elif u["unit"].get("valid_from", "") > report["start"]:
                label += f" (từ {u['unit']['valid_from']})"
            ws.cell(row=row, column=2, value=label)
            for col, value in enumerate(_form_values(u, kind), start=3):
                ws.cell(row=row, column=col, value=value)
            row += 1
        for col, value in enumerate(_form_values(_subtotal(units), kind), start=3):
            ws.cell(row=section_row, column=col, value=value).font = Font(bold=True)
    ws.cell(row=row, column=2, value="Tổng cộng").font = Font(bold=True)
    for col, value in enumerate(_form_values(report, kind), start=3):
        ws.cell(row=row, column=col, value=value).font = Font(bold=True)
    notes = [
        "Tỷ lệ đầu/cuối năm = số hộ ÷ tổng số hộ dân cư đầu/cuối năm × 100; tỷ lệ thoát, tái, "
        "phát sinh = số hộ ÷ tổng số hộ dân cư cuối năm × 100; tỷ lệ DTTS = hộ DTTS ÷ hộ dân cư "
        "DTTS × 100.",
        *report.get("notes", []),
        *([report["reduction_note"]] if report.get("reduction_note") else []),
    ]
    for i, note in enumerate(notes, start=row + 2):
        ws.cell(row=i, column=1, value=note)
    ws.column_dimensions["B"].width = 30
    for letter in "CDEFGHIJKLMNOP":
        ws.column_dimensions[letter].width = 11
    ws.freeze_panes = "C7"


def _table_sheet(ws: Any, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    from openpyxl.styles import Font

    ws.append(list(header))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for r in rows:
        ws.append(list(r))
    ws.freeze_panes = "A2"


def to_xlsx(report: Mapping[str, Any], path: str | Path | IO[bytes]) -> None:
    """Write the report as a workbook (the annual report in the official summary form)."""
    from openpyxl import Workbook

    wb = Workbook()
    kind = report["report"]
    if kind == "annual":
        poor = wb.active
        poor.title = "Hộ nghèo"
        _form_sheet(poor, report, "poor")
        _form_sheet(wb.create_sheet("Hộ cận nghèo"), report, "near_poor")
        header, rows = table(report)
        _table_sheet(wb.create_sheet("Dữ liệu"), header, rows)
    else:
        ws = wb.active
        ws.title = {"poverty": "Hộ nghèo", "campaign": "Chiến dịch", "emulation": "Thi đua"}.get(
            kind, kind
        )
        header, rows = table(report)
        _table_sheet(ws, header, rows)
        if kind == "emulation":
            header, rows = _exemplary_rows(report)
            _table_sheet(wb.create_sheet("Hộ tiêu biểu"), header, rows)
    wb.save(path)


# -- charts -----------------------------------------------------------------------------------------


def rate_chart(series: Mapping[str, Any], path: str | Path | IO[bytes]) -> tuple[int, int]:
    """Draw the poverty rate per unit over the years against the target line; return the PNG's
    size in pixels (always :data:`CHART_SIZE_PX`)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    width, height = CHART_SIZE_PX
    fig = Figure(figsize=(width / _CHART_DPI, height / _CHART_DPI), dpi=_CHART_DPI)
    ax = fig.add_subplot(1, 1, 1)
    for line in series["by_unit"]:
        points = [(y, r) for y, r in line["points"] if r is not None]
        if points:
            ax.plot(
                [p[0] for p in points],
                [p[1] for p in points],
                linewidth=1,
                alpha=0.7,
                marker=".",
                label=line["label"],
            )
    total = [(y, r) for y, r in series["total"] if r is not None]
    if total:
        ax.plot(
            [p[0] for p in total],
            [p[1] for p in total],
            color="black",
            linewidth=2.5,
            marker="o",
            label=f"{series['label']} (total)",
        )
    # One dashed segment per baseline: the target restarts when the standard changes.
    for i, segment in enumerate(series.get("target_segments") or []):
        ax.plot(
            [p[0] for p in segment],
            [p[1] for p in segment],
            color="red",
            linestyle="--",
            linewidth=2,
            marker="_" if len(segment) == 1 else None,
            label=f"target (−{series['target_pp']} pp a year)" if i == 0 else None,
        )
    ax.set_xlabel("end of year")
    ax.set_ylabel("poverty rate (%)")
    ax.set_title(f"Poverty rate — {series['label']} ({series['units']} units)")
    ax.grid(True, alpha=0.3)
    ax.set_ylim(bottom=0)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    fig.subplots_adjust(left=0.07, right=0.70, top=0.92, bottom=0.1)
    if total or series["by_unit"]:
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
    fig.savefig(path, format="png", dpi=_CHART_DPI)
    return width, height


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk; raises ValueError if not a PNG."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise ValueError("not a PNG image")
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
