"""The re-poverty early warning: households ranked by their score, and how well it ranked."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from application.errors import InvalidInput
from application.households import Households
from application.supervision.log import load_histories
from application.supervision.population import Histories, Scope, check_unit, population
from domain.situation import StatusPeriod, fold, known_by
from domain.supervision import (
    SCORE_WEIGHTS,
    RiskScore,
    add_months,
    end_of_day,
    fell_back_within,
    precision_at,
    risk_score,
    roc_auc,
)


def at_risk(
    app: Households,
    *,
    unit: str | None = None,
    as_of: date | None = None,
    known_at: datetime | None = None,
    limit: int | None = None,
    in_scope: Scope | None = None,
    histories: Histories | None = None,
) -> dict[str, Any]:
    """Households that exited poverty and are not poor on ``as_of``, ranked by the re-poverty
    early-warning score (highest first), each with its components."""
    as_of = as_of or app.today()
    known_at = known_at or app.now()
    check_unit(app, unit, as_of)
    histories = load_histories(app) if histories is None else histories
    scored: list[RiskScore] = []
    examined = 0
    for hid, facts, s, _commune_code in population(
        app, histories, unit=unit, as_of=as_of, known_at=known_at, in_scope=in_scope
    ):
        examined += 1
        score = risk_score(str(hid), facts, as_of, known_at, situation=s)
        if score is not None:
            scored.append(score)
    scored.sort(key=lambda r: (-r.score, r.code or ""))
    shown = scored if limit is None else scored[:limit]
    return {
        "unit": unit,
        "as_of": as_of.isoformat(),
        "known_at": known_at.isoformat(),
        "weights": dict(SCORE_WEIGHTS),
        "households_examined": examined,
        "count": len(scored),
        "households": [{"rank": i + 1, **r.to_dict()} for i, r in enumerate(shown)],
    }


def _standard_of(app: Households, list_year: int) -> str | None:
    try:
        return app.standards.for_list_year(list_year).code
    except (ValueError, LookupError):
        return None


def early_warning_quality(
    app: Households,
    *,
    years: Sequence[int],
    horizon_months: int = 12,
    histories: Histories | None = None,
    top_share: float = 0.1,
) -> dict[str, Any]:
    """How well the score, computed as known at each year's end, ranked the households that
    actually fell back into poverty in the following ``horizon_months`` (as the record stands
    now).

    For each year: households scored, those that fell back, ROC AUC, precision at k (k = the
    number that fell back) and in the top ``top_share``, the AUC of each component alone, and
    whether a new poverty standard took over within the horizon (then many households fall back
    because the line moved, which no household's history foretells). The summary averages the
    years (macro) with and without those, and pools the years without them.
    """
    histories = load_histories(app) if histories is None else histories
    today = app.today()
    truth = {hid: fold(str(hid), facts, today).timeline for hid, facts in histories.items()}
    per_year = []
    pooled: dict[bool, tuple[list[float], list[bool]]] = {False: ([], []), True: ([], [])}
    for year in years:
        until = add_months(date(year, 12, 31), horizon_months)
        if until > today:
            raise InvalidInput("years", f"the {horizon_months} months after {year} are not over")
        found = _year_quality(app, histories, truth, year, until, top_share)
        per_year.append(found.figures)
        pooled[found.change][0].extend(found.scores)
        pooled[found.change][1].extend(found.labels)
    return {
        "horizon_months": horizon_months,
        "weights": dict(SCORE_WEIGHTS),
        "years": per_year,
        "summary": _summary(per_year, *pooled[False]),
    }


@dataclass
class _YearQuality:
    """The scores of one year's end, whether each household fell back, and the figures."""

    scores: list[float]
    labels: list[bool]
    change: bool
    figures: dict[str, Any]


def _year_quality(
    app: Households,
    histories: Histories,
    truth: Mapping[uuid.UUID, Sequence[StatusPeriod]],
    year: int,
    until: date,
    top_share: float,
) -> _YearQuality:
    as_of = date(year, 12, 31)
    known_at = end_of_day(as_of, app.zone)
    scores: list[float] = []
    labels: list[bool] = []
    components: dict[str, list[float]] = {k: [] for k in SCORE_WEIGHTS}
    for hid, facts in histories.items():
        if not known_by(facts, known_at):
            continue
        score = risk_score(str(hid), facts, as_of, known_at)
        if score is None:
            continue
        scores.append(score.score)
        labels.append(fell_back_within(truth[hid], as_of, until))
        for c in score.components:
            components[c.name].append(c.points)
    change = len({_standard_of(app, y) for y in range(year + 1, until.year + 2)}) > 1
    positives = sum(labels)
    figures = {
        "year": year,
        "scored": len(scores),
        "fell_back": positives,
        "base_rate": _round(positives / len(scores) if scores else None),
        "auc": _round(roc_auc(scores, labels)),
        "precision_at_k": _round(precision_at(scores, labels, positives)),
        f"precision_top_{round(top_share * 100)}pct": _round(
            precision_at(scores, labels, max(1, round(len(scores) * top_share)))
        ),
        "standard_change_in_horizon": change,
        "component_auc": {
            name: _round(roc_auc(values, labels)) for name, values in components.items()
        },
    }
    return _YearQuality(scores, labels, change, figures)


def _summary(
    per_year: Sequence[dict[str, Any]], scores: list[float], labels: list[bool]
) -> dict[str, Any]:
    steady = [y for y in per_year if not y["standard_change_in_horizon"]]
    return {
        "mean_auc": _mean([y["auc"] for y in steady]),
        "mean_auc_all_years": _mean([y["auc"] for y in per_year]),
        "mean_precision_at_k": _mean([y["precision_at_k"] for y in steady]),
        "mean_base_rate": _mean([y["base_rate"] for y in steady]),
        "pooled_auc": _round(roc_auc(scores, labels)),
        "pooled_scored": len(scores),
        "pooled_fell_back": sum(labels),
        "years_without_standard_change": [y["year"] for y in steady],
        "mean_component_auc": {
            name: _mean([y["component_auc"][name] for y in steady]) for name in SCORE_WEIGHTS
        },
    }


def _mean(values: Sequence[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return round(sum(known) / len(known), 3) if known else None


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 3)
