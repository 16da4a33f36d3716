"""The poverty rate per year against the target, laid out for an inline SVG line chart.

Pure geometry over :meth:`application.reports.Reports.rate_series`: the unit's rate at each
year end as a line, the target as dashed segments (restarting where the standard changes, as the
series says), and the y axis in percent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

WIDTH, HEIGHT = 640.0, 260.0
LEFT, RIGHT, TOP, BOTTOM = 44.0, 12.0, 12.0, 28.0


@dataclass(frozen=True)
class Point:
    """A year's value on the chart."""

    x: float
    y: float
    year: int
    value: float


@dataclass(frozen=True)
class Chart:
    """Lines and axes of the chart, in SVG user units."""

    width: float
    height: float
    actual: tuple[Point, ...]
    target: tuple[tuple[Point, ...], ...]
    y_ticks: tuple[tuple[float, int], ...]
    x_ticks: tuple[tuple[float, int], ...]

    @staticmethod
    def path(points: Sequence[Point]) -> str:
        """An SVG polyline ``points`` attribute."""
        return " ".join(f"{p.x},{p.y}" for p in points)


def rate_chart(series: dict[str, Any]) -> Chart:
    """The chart of a rate series (``total``, ``target_segments``: ``[(year, rate), ...]``)."""
    actual = [(int(y), float(v)) for y, v in series["total"] if v is not None]
    segments = [[(int(y), float(v)) for y, v in seg] for seg in series["target_segments"]]
    years = [y for y, _ in series["total"]] or [0]
    values = [v for _, v in actual] + [v for seg in segments for _, v in seg] or [0.0]
    top = max(10, int(max(values) // 10 + 1) * 10)
    first, last = min(years), max(years)
    span = max(last - first, 1)

    def point(year: int, value: float) -> Point:
        x = LEFT + (WIDTH - LEFT - RIGHT) * (year - first) / span
        y = TOP + (HEIGHT - TOP - BOTTOM) * (1 - value / top)
        return Point(round(x, 1), round(y, 1), year, value)

    return Chart(
        width=WIDTH,
        height=HEIGHT,
        actual=tuple(point(y, v) for y, v in actual),
        target=tuple(tuple(point(y, v) for y, v in seg) for seg in segments if len(seg) > 1),
        y_ticks=tuple((point(first, v).y, v) for v in range(0, top + 1, 10)),
        x_ticks=tuple((point(y, 0).x, y) for y in range(first, last + 1)),
    )
