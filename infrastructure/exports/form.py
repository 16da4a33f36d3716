"""The annual report in the official summary form ("Tổng hợp kết quả điều tra, rà soát hộ
nghèo / cận nghèo năm … cấp xã / huyện / tỉnh"), one sheet per list, as an official prints it.

Rows: the units in an urban and a rural section (each with its subtotal), then the total.
Columns, as on the form: total resident households; the households at the start of the year
(count, %, ethnic-minority count and %); the year's movements — exited, re-poor (tái) and newly
arising (phát sinh), each count and %; the households at the end (count, %, ethnic-minority count
and %). Numbers in Vietnamese formats (thousands separators, one decimal for rates), landscape
A4 with the header rows repeated on every page, and a signature block.

For the near-poor list the form's three movements are read as leaving the list (to not poor or
to poor), re-entering it from not poor, and entering it otherwise (newly, or from the poor list);
moves, closures and lists established again, which the form has no column for, are given below
it, so that every row adds up.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from application.reports import percent

FORM_COLUMNS: tuple[str, ...] = (
    "STT",
    "Đơn vị",
    "Tổng số hộ dân cư",
    "Số hộ",
    "Tỷ lệ (%)",
    "Hộ DTTS",
    "Tỷ lệ DTTS (%)",
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
"""Second header row of the form (the first groups them: start, exited, re-poor, newly, end)."""

FORM_FIRST_ROW = 8
"""The first data row (rows 1–7: title, unit and period, blank, two header rows, column
numbers)."""

RATE_COLUMNS = frozenset({5, 7, 9, 11, 13, 15, 17})
"""Columns holding percentages (one decimal); the others from C on are counts."""

LEVEL_WORDS = {"province": "TỈNH", "district": "HUYỆN", "commune": "XÃ"}


def _nz(value: Any) -> int:
    return value or 0


def _movements(f: Mapping[str, Any], kind: str) -> tuple[int, int, int, int]:
    """(exited, re-entered, newly arising, other changes) of one list, as the form counts them."""
    if kind == "poor":
        return (
            _nz(f["exited_poverty"]),
            _nz(f["re_poor"]),
            _nz(f["newly_poor"]),
            _nz(f.get("other_poor_changes")),
        )
    return (
        _nz(f["exited_near_poverty"]) + _nz(f.get("poor_from_near_poor")),
        _nz(f["re_near_poor"]),
        _nz(f["newly_near_poor"]) + _nz(f.get("near_poor_from_poor")),
        _nz(f.get("other_near_poor_changes")),
    )


def form_values(f: Mapping[str, Any], kind: str) -> list[Any]:
    """Columns C..Q of one row (``kind``: poor or near_poor)."""
    em = f["ethnic_minority"]
    total = f["total_households_end"]
    list_ = "poor" if kind == "poor" else "near_poor"
    start, end = f[f"{list_}_start"], f[f"{list_}_end"]
    em_start, em_end = em[f"{list_}_start"], em[f"{list_}_end"]
    exited, again, newly, _ = _movements(f, kind)
    flows: list[Any] = []
    for n in (exited, again, newly):
        flows += [n, percent(n, total)]
    return [
        total,
        start,
        percent(start, f["total_households_start"]),
        em_start,
        percent(em_start, em["total_households_start"]),
        *flows,
        end,
        percent(end, total),
        em_end,
        percent(em_end, em["total_households_end"]),
    ]


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
    "other_poor_changes",
    "exited_near_poverty",
    "newly_near_poor",
    "re_near_poor",
    "near_poor_from_poor",
    "poor_from_near_poor",
    "other_near_poor_changes",
)


def subtotal(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Counts summed over unit rows (missing figures count as 0)."""

    def block(get: Any) -> dict[str, Any]:
        return {k: sum(get(r).get(k) or 0 for r in rows) for k in _SUMMED}

    figures = block(lambda r: r)
    figures["ethnic_minority"] = block(lambda r: r["ethnic_minority"])
    return figures


def form_title(report: Mapping[str, Any], kind: str) -> str:
    """``TỔNG HỢP KẾT QUẢ ĐIỀU TRA, RÀ SOÁT HỘ NGHÈO NĂM 2018 CẤP HUYỆN``."""
    noun = "HỘ NGHÈO" if kind == "poor" else "HỘ CẬN NGHÈO"
    level = LEVEL_WORDS.get(report["unit"].get("level", ""), "")
    return f"TỔNG HỢP KẾT QUẢ ĐIỀU TRA, RÀ SOÁT {noun} NĂM {report['year']}" + (
        f" CẤP {level}" if level else ""
    )


def unit_line(report: Mapping[str, Any]) -> str:
    """The unit, the period and the standard of the sheet."""
    unit = report["unit"]
    changed = report["standard_start"] != report["standard_end"]
    return (
        f"Đơn vị: {unit.get('name', unit.get('code'))} (mã {unit.get('code')}); đầu kỳ "
        f"{_vn_date(report['start'])}, cuối kỳ {_vn_date(report['end'])}; chuẩn nghèo "
        f"{report['standard_start']}"
        + (f" → {report['standard_end']} (không so sánh được)" if changed else "")
    )


def row_label(unit: Mapping[str, Any], start: str, end: str) -> str:
    """A unit's name, with its validity when it did not last the whole year."""
    label = str(unit["name"])
    ends = unit.get("valid_to")
    if ends and ends < end:
        return f"{label} (đến {_vn_date(ends)})"
    if unit.get("valid_from", "") > start:
        return f"{label} (từ {_vn_date(unit['valid_from'])})"
    return label


def _vn_date(iso: str) -> str:
    day = date.fromisoformat(iso)
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


def other_changes_note(report: Mapping[str, Any], kind: str) -> str | None:
    """The moves, closures and re-established lists of the total that the form cannot show."""
    if report.get("other_poor_changes") is None:
        return None
    other = _movements(report, kind)[3]
    noun = "hộ nghèo" if kind == "poor" else "hộ cận nghèo"
    return (
        f"Biến động khác của {noun} không có cột trong biểu (chuyển đến, chuyển đi, hộ không "
        f"còn, lập lại danh sách): {other:+d} hộ; cuối năm = đầu năm − thoát + tái + phát sinh "
        "+ biến động khác."
    )


def signature(report: Mapping[str, Any]) -> tuple[str, str, str]:
    """The place and date line, and the two signatories of the signature block."""
    unit = report["unit"]
    name = str(unit.get("name", ""))
    for prefix in ("Tỉnh ", "Huyện ", "Thị trấn ", "Xã ", "Phường "):
        name = name.removeprefix(prefix)
    on = date.fromisoformat(str(report.get("known_at", report["end"]))[:10])
    place = f"{name}, ngày {on.day:02d} tháng {on.month:02d} năm {on.year}"
    level = LEVEL_WORDS.get(unit.get("level", ""), "")
    return place, "NGƯỜI LẬP BIỂU", f"CHỦ TỊCH UBND {level}".strip()
