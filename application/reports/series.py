"""The poverty rate of a unit and its child units at each year's end, with the target line."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from application.reports.scope import UnitScope, unit_dict
from application.reports.sources import ReportSource
from application.reports.tally import tally_by_group
from application.reports.targets import standard_for_list, target_pp
from domain.standards import StandardsCatalogue
from domain.units import Unit, UnitCatalogue

Point = tuple[int, float | None]


def _label(g: Unit, units_mode: str, first_year: int, last_year: int) -> str:
    """A child unit's name, with its validity when it did not last the whole span."""
    if units_mode == "current":
        return g.name
    if g.valid_from > date(first_year - 1, 12, 31):
        return f"{g.name} (từ {g.valid_from.month:02d}/{g.valid_from.year})"
    if g.valid_to is not None and g.valid_to < date(last_year, 12, 31):
        return f"{g.name} (đến {g.valid_to.month:02d}/{g.valid_to.year})"
    return g.name


def target_line(
    standards: StandardsCatalogue, total: list[Point], goal: int
) -> tuple[list[Point], list[list[tuple[int, float]]]]:
    """The target: the rate falling by ``goal`` a year from the first known rate, restarting
    from the actual rate whenever the standard (and so the baseline) changes; the points and
    one segment per baseline."""
    target: list[Point] = []
    segments: list[list[tuple[int, float]]] = []
    base_year, base_rate = None, None
    for y, rate in total:
        restart = base_rate is None or (
            standard_for_list(standards, y + 1) != standard_for_list(standards, y)
        )
        if restart and rate is not None:
            base_year, base_rate = y, rate
            segments.append([])
        if base_rate is None or base_year is None:
            target.append((y, None))
        else:
            value = round(max(0.0, base_rate - goal * (y - base_year)), 2)
            target.append((y, value))
            segments[-1].append((y, value))
    return target, segments


def standard_changes(standards: StandardsCatalogue, years: Sequence[int]) -> list[dict[str, Any]]:
    """The year ends at which a new standard's lists hold (the rate there is a new baseline)."""
    return [
        {"year": y, "standard": standard_for_list(standards, y + 1)}
        for y in years[1:]
        if standard_for_list(standards, y + 1) != standard_for_list(standards, y)
    ]


def rate_series(
    source: ReportSource,
    units: UnitCatalogue,
    standards: StandardsCatalogue,
    *,
    unit: str,
    first_year: int,
    last_year: int,
    known_at: datetime | None,
    today: date,
    units_mode: str = "historical",
) -> dict[str, Any]:
    """The poverty rate at the end of each year (from end of ``first_year − 1``) for the unit and
    each child unit, each with its target line (:func:`target_line`: 4 points a year, 5 where
    the unit was flagged especially difficult), and the year ends where a new standard holds."""
    scope = UnitScope(units, unit, mode=units_mode, today=today)
    years = list(range(first_year - 1, last_year + 1))
    total_series: list[Point] = []
    lines: dict[str, dict[str, Any]] = {}
    for y in years:
        day = date(y, 12, 31)
        total, groups = tally_by_group(source.census(day, known_at), scope.on(day))
        total_series.append((y, total.figures()["poor_rate"]))
        for key, (g, t) in groups.items():
            line = lines.setdefault(
                key,
                {
                    "unit": unit_dict(g, day),
                    "label": _label(g, units_mode, first_year, last_year),
                    "target_pp": target_pp(g, min(last_year, (g.valid_to or day).year)),
                    "points": [],
                },
            )
            line["points"].append((y, t.figures()["poor_rate"]))
    for line in lines.values():  # a unit's target holds while the unit does
        line["target_segments"] = target_line(standards, line["points"], line["target_pp"])[1]
    end = date(last_year, 12, 31)
    target_unit = scope.unit_on(end) or scope.unit_on(date(first_year, 1, 1))
    goal = target_pp(target_unit, last_year)
    target, segments = target_line(standards, total_series, goal)
    by_unit = sorted(lines.values(), key=lambda line: (line["unit"]["code"], line["label"]))
    if target_unit is not None and [line["unit"]["code"] for line in by_unit] == [target_unit.code]:
        by_unit = []  # a commune alone: its line is the total
    return {
        "unit": unit_dict(target_unit, end) if target_unit else scope.named(end),
        "label": target_unit.name if target_unit else scope.named(end)["name"],
        "units": units_mode,
        "target_pp": goal,
        "total": total_series,
        "target": target,
        "target_segments": segments,
        "standard_changes": standard_changes(standards, years),
        "by_unit": by_unit,
    }
