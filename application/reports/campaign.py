"""The campaign report: per year and unit, the reduction against target (from the annual report)
beside the replayed figures (income, deprivations, support, sponsorship, exits, re-poverty)."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Mapping
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from application.reports.annual import annual_report
from application.reports.campaign_figures import (
    CampaignFigures,
    CampaignTally,
    SupportItem,
    campaign_figures,
    mean,
)
from application.reports.scope import UnitScope, unit_dict
from application.reports.sources import ReportSource
from application.reports.summary import campaign_summaries
from application.reports.tally import percent
from application.reports.targets import (
    INCOME_TARGET,
    SUPPORT_ADDRESSES,
    TARGET_BASIS,
    TARGETS_PP,
)
from domain.standards import StandardsCatalogue
from domain.units import UnitCatalogue


def _ratio(a: int | None, b: int | None) -> float | None:
    if a is None or not b:
        return None
    return float((Decimal(a) / Decimal(b)).quantize(Decimal("0.01"), ROUND_HALF_UP))


def _income_block(
    a: CampaignTally, base_mean: int | None, em_base_mean: int | None, year: int
) -> dict[str, Any]:
    poor_mean = mean(a.poor_incomes)
    em_poor_mean = mean(a.em_poor_incomes)
    target = INCOME_TARGET["multiple"] if year <= INCOME_TARGET["by_year"] else None
    return {
        "poor_households_assessed": len(a.poor_incomes),
        "poor_mean_income": poor_mean,
        "poor_ratio_to_baseline": _ratio(poor_mean, base_mean),
        "cohort_households": len(a.cohort_now),
        "cohort_mean_income": mean(a.cohort_now),
        "cohort_baseline_mean_income": mean(a.cohort_base),
        "cohort_ratio": _ratio(mean(a.cohort_now), mean(a.cohort_base)),
        "target_multiple": target,
        "ethnic_minority": {
            "poor_households_assessed": len(a.em_poor_incomes),
            "poor_mean_income": em_poor_mean,
            "poor_ratio_to_baseline": _ratio(em_poor_mean, em_base_mean),
            "cohort_households": len(a.em_cohort_now),
            "cohort_ratio": _ratio(mean(a.em_cohort_now), mean(a.em_cohort_base)),
        },
    }


def _breakdown(support: list[SupportItem], name: str) -> list[dict[str, Any]]:
    counts: Counter[str] = Counter()
    amounts: Counter[str] = Counter()
    for s in support:
        counts[getattr(s, name)] += 1
        amounts[getattr(s, name)] += s.amount_vnd
    return [
        {"name": k, "count": counts[k], "amount_vnd": amounts[k]}
        for k in sorted(counts, key=lambda k: (-amounts[k], k))
    ]


def _support_block(a: CampaignTally) -> dict[str, Any]:
    count = len(a.support)
    amount = sum(s.amount_vnd for s in a.support)
    addressing = [s for s in a.support if s.addresses_own_deprivation]
    em_support = [s for s in a.support if s.ethnic_minority]
    em_addressing = [s for s in em_support if s.addresses_own_deprivation]
    addressing_amount = sum(s.amount_vnd for s in addressing)
    return {
        "count": count,
        "amount_vnd": amount,
        "by_category": _breakdown(a.support, "category"),
        "by_programme": _breakdown(a.support, "programme"),
        "by_funding_source": _breakdown(a.support, "funding_source"),
        "addressing_own_deprivations": {
            "count": len(addressing),
            "amount_vnd": addressing_amount,
            "share_count": percent(len(addressing), count),
            "share_amount": percent(addressing_amount, amount),
        },
        "ethnic_minority": {
            "count": len(em_support),
            "amount_vnd": sum(s.amount_vnd for s in em_support),
            "share_count_addressing": percent(len(em_addressing), len(em_support)),
        },
    }


def campaign_block(
    a: CampaignTally, base_mean: int | None, em_base_mean: int | None, year: int
) -> dict[str, Any]:
    """The replayed figures of one group and year, as the report shows them."""
    return {
        "income": _income_block(a, base_mean, em_base_mean, year),
        "top_deprivations": [
            {"indicator": code, "households": n, "share": percent(n, a.poor_assessed)}
            for code, n in sorted(a.deprivations.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
        ],
        "support": _support_block(a),
        "sponsorship": {
            "poor": a.poor,
            "sponsored": a.sponsored,
            "share": percent(a.sponsored, a.poor),
            "ethnic_minority": {
                "poor": a.em_poor,
                "sponsored": a.em_sponsored,
                "share": percent(a.em_sponsored, a.em_poor),
            },
        },
        "exit_registrations": {
            "registered": a.exit_registered,
            "exited": a.exit_registered_exited,
            "share": percent(a.exit_registered_exited, a.exit_registered),
            "ethnic_minority": {
                "registered": a.em_exit_registered,
                "exited": a.em_exit_registered_exited,
                "share": percent(a.em_exit_registered_exited, a.em_exit_registered),
            },
        },
        "re_poverty": {
            "exits": a.exits,
            "re_poor_within_2_years": a.exits_re_poor,
            "share": percent(a.exits_re_poor, a.exits),
            "exits_with_window_still_open": a.exits_window_open,
            "ethnic_minority": {
                "exits": a.em_exits,
                "re_poor_within_2_years": a.em_exits_re_poor,
                "share": percent(a.em_exits_re_poor, a.em_exits),
            },
        },
    }


def reduction_block(figures: Mapping[str, Any] | None, comparable: bool) -> dict[str, Any]:
    """The reduction figures of an annual-report row (empty when the unit had none)."""
    if figures is None:
        return {}
    keys = ("rate_start", "rate_end", "reduction_pp", "target_pp", "target_met")
    em = figures.get("ethnic_minority", {})
    return {
        **{k: figures.get(k) for k in keys},
        "comparable": comparable,
        "ethnic_minority": {k: em.get(k) for k in keys},
    }


def _unit_key(u: Mapping[str, Any]) -> str:
    return f"{u['code']}@{u['valid_from']}"


def _year(figures: CampaignFigures, annual: Mapping[str, Any], year: int) -> dict[str, Any]:
    """One year of the report: the total and one row per group."""
    base = figures.baseline
    by_key = {_unit_key(u["unit"]): u for u in annual["by_unit"]}
    rows = []
    keys = {k for (yy, k) in figures.per if yy == year} | set(by_key)
    for key in sorted(keys):
        group = figures.groups.get(key)
        row = by_key.get(key)
        unit_info = unit_dict(group, date(year, 12, 31)) if group else row["unit"]  # type: ignore[index]
        rows.append(
            {
                "unit": unit_info,
                "reduction": reduction_block(row, bool(row and row["reduction_pp"] is not None)),
                **campaign_block(
                    figures.per.get((year, key), CampaignTally()),
                    base.mean_income,
                    base.em_mean_income,
                    year,
                ),
            }
        )
    return {
        "year": year,
        "standard_start": annual["standard_start"],
        "standard_end": annual["standard_end"],
        "reduction": reduction_block(annual, annual["comparable"]),
        **campaign_block(
            figures.totals.get(year, CampaignTally()),
            base.mean_income,
            base.em_mean_income,
            year,
        ),
        "by_unit": rows,
    }


def _targets() -> dict[str, Any]:
    return {
        "reduction_pp": {k: v for k, v in TARGETS_PP.items() if k != "ethnic_minority"},
        "ethnic_minority_reduction_pp": {
            "value": TARGETS_PP["ethnic_minority"],
            "scope": "national",
            "basis": TARGET_BASIS["national"],
        },
        "reduction_basis": TARGET_BASIS["campaign"],
        "income": dict(INCOME_TARGET),
        "support_addresses": {k: sorted(v) for k, v in SUPPORT_ADDRESSES.items()},
    }


def campaign_report(
    source: ReportSource,
    histories: Mapping[uuid.UUID, list[Any]],
    units: UnitCatalogue,
    standards: StandardsCatalogue,
    *,
    unit: str,
    from_year: int,
    to_year: int,
    known_at: datetime | None,
    today: date,
    units_mode: str = "historical",
    by: str = "child",
) -> dict[str, Any]:
    """The campaign's figures per unit and year, and its summary over the span."""
    kw: dict[str, Any] = {"known_at": known_at, "today": today, "units_mode": units_mode, "by": by}
    figures = campaign_figures(
        histories, units, unit=unit, from_year=from_year, to_year=to_year, **kw
    )
    years = [
        _year(figures, annual_report(source, units, standards, unit=unit, year=y, **kw), y)
        for y in range(from_year, to_year + 1)
    ]
    scope = UnitScope(units, unit, mode=units_mode, today=today, by=by)
    summary, by_unit = campaign_summaries(
        source, standards, figures, scope, from_year=from_year, to_year=to_year, known_at=known_at
    )
    end = date(to_year, 12, 31)
    target_unit = scope.unit_on(end)
    baseline = figures.baseline
    return {
        "report": "campaign",
        "unit": unit_dict(target_unit, end) if target_unit else scope.named(end),
        "from_year": from_year,
        "to_year": to_year,
        "units": units_mode,
        "baseline": baseline.to_dict(),
        "targets": _targets(),
        "summary": summary,
        "by_unit": by_unit,
        "years": years,
        "notes": [
            "income, deprivations, support, sponsorship, exit registrations and re-poverty "
            "are computed by replaying every household's facts; the reduction figures come "
            f"from the annual report ({source.name})",
            "the summary counts each household at the baseline in the unit that holds its "
            f"commune on {end.isoformat()}",
            *([baseline.note] if baseline.note else []),
        ],
    }
