"""The poverty rate over the years against the target line, drawn as a PNG (matplotlib, Agg).

One panel per unit (small multiples), the report's own households first and highlighted, so that
fourteen communes stay legible; each panel has its own target line (4 points a year, or 5 for a
commune flagged especially difficult), restarting where a new standard established the lists
again, and the change of standard marked. Labels are Vietnamese.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any

CHART_SIZE_PX = (1000, 600)
"""Width and height of :func:`rate_chart` images, in pixels."""

_CHART_DPI = 100
_MODES = {"historical": "đơn vị theo từng thời điểm", "current": "đơn vị hiện nay"}


def _points(values: Sequence[Sequence[Any]]) -> tuple[list[int], list[float]]:
    kept = [(int(y), float(v)) for y, v in values if v is not None]
    return [y for y, _ in kept], [v for _, v in kept]


def _panel(
    ax: Any, line: Mapping[str, Any], changes: Sequence[Mapping[str, Any]], *, total: bool
) -> None:
    years, rates = _points(line["points"])
    if years:
        ax.plot(
            years,
            rates,
            color="black" if total else "tab:blue",
            linewidth=2.2 if total else 1.2,
            marker="o" if total else ".",
            label="Thực tế",
        )
    for i, segment in enumerate(line.get("target_segments") or []):
        xs, ys = _points(segment)
        ax.plot(
            xs,
            ys,
            color="red",
            linestyle="--",
            linewidth=1.4,
            marker="_" if len(xs) == 1 else None,
            label="Chỉ tiêu: giảm 4 điểm/năm (5 ở xã đặc biệt khó khăn)" if i == 0 else None,
        )
    for j, change in enumerate(changes):
        ax.axvline(
            change["year"] - 0.5,
            color="grey",
            linestyle=":",
            linewidth=1,
            label="Đổi chuẩn nghèo: danh sách lập lại" if j == 0 else None,
        )
    ax.set_title(line["label"], fontsize=9 if total else 7.5, fontweight="bold" if total else None)
    ax.text(
        0.97,
        0.9,
        f"chỉ tiêu −{line['target_pp']}/năm",
        transform=ax.transAxes,
        ha="right",
        fontsize=6.5,
        color="red",
    )
    ax.set_ylim(bottom=0)
    ax.grid(True, alpha=0.3)
    ax.tick_params(labelsize=6)


def total_line(series: Mapping[str, Any]) -> dict[str, Any]:
    """The panel of the report's own households (for a province: those recorded in it)."""
    unit = series["unit"]
    label = series["label"]
    if unit.get("level") == "province":
        label = f"{label}\n(các hộ đã ghi nhận trong sổ)"
    return {
        "label": label,
        "points": series["total"],
        "target_pp": series["target_pp"],
        "target_segments": series.get("target_segments") or [],
    }


def rate_chart(series: Mapping[str, Any], path: str | Path | IO[bytes]) -> tuple[int, int]:
    """Draw the rate series of a unit and its child units; return the PNG's size in pixels
    (always :data:`CHART_SIZE_PX`)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    lines = [total_line(series), *series["by_unit"]]
    columns = min(5, len(lines))
    rows = math.ceil(len(lines) / columns)
    width, height = CHART_SIZE_PX
    fig = Figure(figsize=(width / _CHART_DPI, height / _CHART_DPI), dpi=_CHART_DPI)
    axes = fig.subplots(rows, columns, squeeze=False, sharex=True, sharey=True)
    changes = series.get("standard_changes") or []
    for i, ax in enumerate(axes.flat):
        if i >= len(lines):
            ax.set_visible(False)
            continue
        _panel(ax, lines[i], changes, total=i == 0)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=4))
    mode = _MODES.get(series.get("units", ""), series.get("units", ""))
    fig.suptitle(f"Tỷ lệ hộ nghèo cuối năm (%) — {series['label']} ({mode})", fontsize=11)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=3, fontsize=8, frameon=False)
    fig.subplots_adjust(left=0.05, right=0.98, top=0.9, bottom=0.12, hspace=0.45, wspace=0.12)
    fig.savefig(path, format="png", dpi=_CHART_DPI)
    return width, height


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk; raises ValueError if not a PNG."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise ValueError("not a PNG image")
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
