"""The annual review summary: start and end of the year, the transitions between, rates, target."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from application.reports.errors import ReportError
from application.reports.scope import UnitScope, unit_dict
from application.reports.sources import FLOW_TRANSITIONS, ReportSource
from application.reports.tally import (
    CROSS_FLOWS,
    OTHER_CHANGES,
    Groups,
    Tally,
    flows_by_group,
    points,
    tally_by_group,
)
from application.reports.targets import TARGETS_PP, standard_for_list, target_pp
from domain.standards import StandardsCatalogue
from domain.units import Unit, UnitCatalogue


def _block(
    start: Tally | None,
    end: Tally | None,
    flows: Counter[str],
    *,
    em: bool,
    target: int,
    flows_shown: bool,
    comparable: bool,
) -> dict[str, Any]:
    """The figures of one group of households (all, or its ethnic-minority part).

    ``flows_shown``: the year's lists are under one standard (else every flow is null);
    ``comparable``: that, and the group is the same at both ends, so the identities hold and a
    reduction is presented."""
    prefix = "em_" if em else ""
    s = start.figures(em) if start is not None else None
    e = end.figures(em) if end is not None else None
    rate_start = s["poor_rate"] if s else None
    rate_end = e["poor_rate"] if e else None
    reduction = points(rate_start, rate_end) if comparable else None
    goal = TARGETS_PP["ethnic_minority"] if em else target
    out: dict[str, Any] = {
        "total_households_start": s["households"] if s else None,
        "total_households_end": e["households"] if e else None,
        "poor_start": s["poor"] if s else None,
        "poor_end": e["poor"] if e else None,
        "near_poor_start": s["near_poor"] if s else None,
        "near_poor_end": e["near_poor"] if e else None,
    }
    for name in (*FLOW_TRANSITIONS, *CROSS_FLOWS):
        out[name] = flows.get(prefix + name, 0) if flows_shown else None
    for name in OTHER_CHANGES:
        out[name] = flows.get(prefix + name, 0) if comparable else None
    out.update(
        {
            "rate_start": rate_start,
            "rate_end": rate_end,
            "near_poor_rate_start": s["near_poor_rate"] if s else None,
            "near_poor_rate_end": e["near_poor_rate"] if e else None,
            "reduction_pp": reduction,
            "target_pp": goal,
            "target_scope": "national" if em else "campaign",
            "target_met": None if reduction is None else reduction >= goal,
        }
    )
    return out


def annual_figures(
    start: Tally | None,
    end: Tally | None,
    flows: Counter[str],
    *,
    target: int,
    flows_shown: bool,
    comparable: bool,
) -> dict[str, Any]:
    """The annual figures of a group, with its ethnic-minority part under ``ethnic_minority``."""
    kw = {"target": target, "flows_shown": flows_shown, "comparable": comparable}
    figures = _block(start, end, flows, em=False, **kw)
    figures["comparable"] = comparable
    figures["ethnic_minority"] = _block(start, end, flows, em=True, **kw)
    return figures


@dataclass(frozen=True)
class Standards:
    """The standards of the lists at the start and at the end of the year, and why they differ."""

    start: str | None
    end: str | None

    @property
    def comparable(self) -> bool:
        """Whether the rates at both ends were measured alike."""
        return self.start is not None and self.start == self.end

    @property
    def note(self) -> str | None:
        """Why no reduction is presented, when it is not."""
        if self.comparable:
            return None
        if self.start and self.end:
            return (
                f"the standard changed during the year ({self.start} → {self.end}): the lists "
                "were established again under the new standard (a baseline, not movements), so "
                "the rates at the start and at the end are not comparable and neither a "
                "reduction nor the flows are presented"
            )
        return "no standard covers the lists of this year: no reduction is presented"


def _by_unit(
    year: int,
    start_groups: Groups,
    end_groups: Groups,
    flow_groups: dict[str, tuple[Unit, Counter[str]]],
    comparable: bool,
) -> list[dict[str, Any]]:
    keys: dict[str, Unit] = {
        **{k: v[0] for k, v in start_groups.items()},
        **{k: v[0] for k, v in end_groups.items()},
    }
    for k, (g, _) in flow_groups.items():
        keys.setdefault(k, g)
    rows = []
    for key, g in sorted(keys.items(), key=lambda kv: (kv[1].code, kv[1].valid_from)):
        s = start_groups.get(key)
        e = end_groups.get(key)
        f = flow_groups.get(key)
        figures = annual_figures(
            s[1] if s else None,
            e[1] if e else None,
            f[1] if f else Counter(),
            target=target_pp(g, year),
            flows_shown=comparable,
            comparable=comparable and s is not None and e is not None,
        )
        rows.append({"unit": unit_dict(g, date(year, 12, 31)), **figures})
    return rows


def annual_report(
    source: ReportSource,
    units: UnitCatalogue,
    standards: StandardsCatalogue,
    *,
    unit: str,
    year: int,
    known_at: datetime | None,
    today: date,
    units_mode: str = "historical",
    by: str = "child",
) -> dict[str, Any]:
    """The annual review summary for ``unit`` and ``year``."""
    if not 1900 <= year <= 9998:
        raise ReportError("year", f"year {year} is out of range")
    start_day, end_day = date(year - 1, 12, 31), date(year, 12, 31)
    scope = UnitScope(units, unit, mode=units_mode, today=today, by=by)
    s_scope, e_scope = scope.on(start_day), scope.on(end_day)
    start_total, start_groups = tally_by_group(source.census(start_day, known_at), s_scope)
    end_total, end_groups = tally_by_group(source.census(end_day, known_at), e_scope)
    flow_total, flow_groups = flows_by_group(
        source.flows(date(year, 1, 1), end_day, known_at), scope.on
    )
    lists = Standards(standard_for_list(standards, year), standard_for_list(standards, year + 1))
    for g in scope.groups_on(start_day):
        start_groups.setdefault(g.key, (g, Tally()))
    for g in scope.groups_on(end_day):
        end_groups.setdefault(g.key, (g, Tally()))
    target_unit = scope.unit_on(end_day) or scope.unit_on(start_day)
    notes = [n for n in (s_scope.note, e_scope.note, scope.coverage_note(end_day)) if n]
    changed = None if scope.same_households(start_day, end_day) else _changed(scope, unit, year)
    if changed:
        notes.append(changed)
    comparable = lists.comparable and not changed
    return {
        "report": "annual",
        "unit": unit_dict(target_unit, end_day) if target_unit else scope.named(end_day),
        "year": year,
        "start": start_day.isoformat(),
        "end": end_day.isoformat(),
        "units": units_mode,
        "standard_start": lists.start,
        "standard_end": lists.end,
        "standard_changed": lists.start != lists.end,
        "reduction_note": lists.note or (changed and f"{changed}; no reduction is presented"),
        **annual_figures(
            start_total,
            end_total,
            flow_total,
            target=target_pp(target_unit, year),
            flows_shown=lists.comparable,
            comparable=comparable,
        ),
        "by_unit": _by_unit(year, start_groups, end_groups, flow_groups, lists.comparable),
        "notes": notes,
    }


def _changed(scope: UnitScope, code: str, year: int) -> str:
    """Why the unit's households at the start are not those at the end."""
    start_day, end_day = date(year - 1, 12, 31), date(year, 12, 31)
    first, last = scope.unit_on(start_day), scope.unit_on(end_day)
    if first and last and first.key != last.key:
        return (
            f"code {code} named {first.name} (valid {first.period()}) on {start_day.isoformat()} "
            f"and {last.name} (valid {last.period()}) on {end_day.isoformat()}: each figure uses "
            "the unit of its date, so the start and the end cover different households"
        )
    return (
        f"unit {code} did not hold the same communes on {start_day.isoformat()} and on "
        f"{end_day.isoformat()}, so the start and the end cover different households"
    )
