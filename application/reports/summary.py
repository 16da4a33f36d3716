"""The campaign's summary over its span (tổng kết): per unit and in total, the poverty rate at the
baseline year-end and at the end, the average annual reduction against its target, and the
income of the households poor at the baseline against both ends of the income target."""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from application.reports.campaign_figures import CampaignFigures, CohortIncomes, mean
from application.reports.scope import UnitScope, unit_dict
from application.reports.sources import ReportSource
from application.reports.tally import Tally, tally_by_group
from application.reports.targets import INCOME_TARGET, TARGETS_PP, standard_for_list, target_pp
from domain.standards import StandardsCatalogue
from domain.units import Unit


def _two(value: Decimal) -> float:
    return float(value.quantize(Decimal("0.01"), ROUND_HALF_UP))


def _average(base: float | None, end: float | None, years: int) -> float | None:
    if base is None or end is None:
        return None
    return _two((Decimal(str(base)) - Decimal(str(end))) / years)


def _income(c: CohortIncomes | None) -> dict[str, Any]:
    then = mean(c.then) if c else None
    now = mean(c.now) if c else None
    ratio = _two(Decimal(now) / Decimal(then)) if then and now is not None else None
    low, high = INCOME_TARGET["min_multiple"], INCOME_TARGET["multiple"]
    return {
        "cohort_households": c.households if c else 0,
        "compared_households": len(c.now) if c else 0,
        "mean_income_baseline": then,
        "mean_income_end": now,
        "cohort_ratio": ratio,
        "target_min": low,
        "target_max": high,
        "met_min": None if ratio is None else ratio >= low,
        "met_max": None if ratio is None else ratio >= high,
    }


def _block(
    base: Tally | None, end: Tally | None, *, em: bool, years: int, target: int, comparable: bool
) -> dict[str, Any]:
    rate_base = base.figures(em)["poor_rate"] if base else None
    rate_end = end.figures(em)["poor_rate"] if end else None
    average = _average(rate_base, rate_end, years) if comparable else None
    goal = TARGETS_PP["ethnic_minority"] if em else target
    return {
        "rate_baseline": rate_base,
        "rate_end": rate_end,
        "average_reduction_pp": average,
        "target_pp": goal,
        "target_scope": "national" if em else "campaign",
        "target_met": None if average is None else average >= goal,
    }


def _summary(
    base: Tally | None,
    end: Tally | None,
    cohort: CohortIncomes | None,
    *,
    days: tuple[date, date],
    target: int,
    comparable: bool,
) -> dict[str, Any]:
    years = days[1].year - days[0].year
    kw = {"years": years, "target": target, "comparable": comparable}
    return {
        "baseline_date": days[0].isoformat(),
        "end_date": days[1].isoformat(),
        "years": years,
        **_block(base, end, em=False, **kw),
        "comparable": comparable,
        "ethnic_minority": _block(base, end, em=True, **kw),
        "income": _income(cohort),
    }


def campaign_summaries(
    source: ReportSource,
    standards: StandardsCatalogue,
    figures: CampaignFigures,
    scope: UnitScope,
    *,
    from_year: int,
    to_year: int,
    known_at: datetime | None,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The summary in total and one per unit valid at the end of the span; the households at
    the baseline are counted in the unit that holds their commune at the end (the crosswalk)."""
    days = (date(from_year - 1, 12, 31), date(to_year, 12, 31))
    grouping = scope.on(days[1])
    base_total, base_groups = tally_by_group(source.census(days[0], known_at), grouping)
    end_total, end_groups = tally_by_group(source.census(days[1], known_at), grouping)
    first, last = standard_for_list(standards, from_year), standard_for_list(standards, to_year + 1)
    comparable = first is not None and first == last
    target_unit = scope.unit_on(days[1])
    total = _summary(
        base_total,
        end_total,
        figures.cohort.get(None),
        days=days,
        target=target_pp(target_unit, to_year),
        comparable=comparable,
    )
    units: dict[str, Unit] = {g.key: g for g in scope.groups_on(days[1])}
    units.update({k: g for k, (g, _) in {**base_groups, **end_groups}.items()})
    rows = []
    for key, g in sorted(units.items(), key=lambda kv: (kv[1].code, kv[1].valid_from)):
        summary = _summary(
            base_groups[key][1] if key in base_groups else None,
            end_groups[key][1] if key in end_groups else None,
            figures.cohort.get(key),
            days=days,
            target=target_pp(g, to_year),
            comparable=comparable,
        )
        rows.append({"unit": unit_dict(g, days[1]), "summary": summary})
    return total, rows
