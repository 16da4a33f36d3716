"""The early-warning score of re-poverty, and how to judge a ranking (ROC AUC, precision)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final

from domain.events import (
    SupportDelivered,
)
from domain.situation import Situation, StatusPeriod, fold
from domain.supervision.text import (
    months_between,
    vnd,
)

SCORE_WEIGHTS: Final[dict[str, float]] = {
    "recent_exit": 20.0,
    "income_margin": 35.0,
    "deprivations_left": 20.0,
    "support_gap": 10.0,
    "no_sponsor": 15.0,
}
"""Points of each component (they add up to 100). Set a priori, not fitted to any data."""

RECENT_EXIT_MONTHS: Final = 36
"""An exit older than this adds no recency points."""
SAFE_MARGIN: Final = 0.5
"""An income this far (50 %) above the poverty line adds no margin points."""
SUPPORT_GAP_MONTHS: Final = 24
"""Months without support after which the support component is at its maximum."""


@dataclass(frozen=True)
class ScoreComponent:
    """One term of the score: the observed value, the points it adds, and why."""

    name: str
    value: float | int | bool | None
    points: float
    max_points: float
    explanation: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "name": self.name,
            "value": self.value,
            "points": round(self.points, 2),
            "max_points": self.max_points,
            "explanation": self.explanation,
        }


@dataclass(frozen=True)
class RiskScore:
    """The re-poverty early-warning score of a household that exited poverty."""

    household_id: str
    code: str | None
    as_of: date
    known_at: datetime | None
    status: str
    exited_on: date
    score: float
    components: tuple[ScoreComponent, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "household_id": self.household_id,
            "code": self.code,
            "as_of": self.as_of.isoformat(),
            "known_at": self.known_at.isoformat() if self.known_at else None,
            "status": self.status,
            "exited_on": self.exited_on.isoformat(),
            "score": round(self.score, 2),
            "components": [c.to_dict() for c in self.components],
        }


def _clamp(x: float) -> float:
    return 0.0 if x < 0 else 1.0 if x > 1 else x


def _recent_exit(exited_on: date, as_of: date) -> ScoreComponent:
    w = SCORE_WEIGHTS["recent_exit"]
    months = months_between(exited_on, as_of)
    return ScoreComponent(
        "recent_exit",
        round(months, 1),
        w * max(0.0, 1 - months / RECENT_EXIT_MONTHS),
        w,
        f"exited poverty on {exited_on.isoformat()}, {months:.1f} months "
        f"before {as_of.isoformat()} (no points after {RECENT_EXIT_MONTHS})",
    )


def _assessment(c: dict[str, Any] | None) -> list[ScoreComponent]:
    """``income_margin`` and ``deprivations_left`` from the last assessment."""
    w = SCORE_WEIGHTS
    if c is None or not c["thresholds"].get("poverty_line"):
        return [
            ScoreComponent(
                name, None, w[name] / 2, w[name], "no assessment by then: half the points"
            )
            for name in ("income_margin", "deprivations_left")
        ]
    line = c["thresholds"]["poverty_line"]
    margin = (c["income_per_capita"] - line) / line
    threshold = c["thresholds"].get("deprivation_threshold") or 3
    count = c["deprivation_count"]
    return [
        ScoreComponent(
            "income_margin",
            round(margin, 3),
            w["income_margin"] * _clamp(1 - margin / SAFE_MARGIN),
            w["income_margin"],
            f"last assessment ({c['assessed_on']}, {c['standard']}): income "
            f"{vnd(c['income_per_capita'])} per person per month, {margin:+.0%} against the "
            f"poverty line {vnd(line)} ({c['area_type']}); no points from "
            f"+{SAFE_MARGIN:.0%}",
        ),
        ScoreComponent(
            "deprivations_left",
            count,
            w["deprivations_left"] * min(count / threshold, 1.0),
            w["deprivations_left"],
            f"{count} deprivation(s) in the last assessment"
            + (f" ({', '.join(c['deprivations'])})" if count else "")
            + f"; {threshold} make a household poor under {c['standard']}",
        ),
    ]


def _support_gap(s: Situation, facts: Sequence[Any], as_of: date) -> ScoreComponent:
    w = SCORE_WEIGHTS["support_gap"]
    live = s.live_versions
    supports = [
        f
        for f in facts
        if type(f) is SupportDelivered and f.originator_version in live and f.effective_on <= as_of
    ]
    if not supports:
        return ScoreComponent("support_gap", None, w, w, "never supported")
    last = max(f.effective_on for f in supports)
    gap = months_between(last, as_of)
    return ScoreComponent(
        "support_gap",
        round(gap, 1),
        w * min(gap / SUPPORT_GAP_MONTHS, 1.0),
        w,
        f"last support on {last.isoformat()}, {gap:.1f} months before "
        f"(full points from {SUPPORT_GAP_MONTHS})",
    )


def _no_sponsor(s: Situation) -> ScoreComponent:
    w = SCORE_WEIGHTS["no_sponsor"]
    sponsored = s.sponsor is not None
    return ScoreComponent(
        "no_sponsor",
        not sponsored,
        0.0 if sponsored else w,
        w,
        f"sponsored by {s.sponsor['name']!r}" if sponsored and s.sponsor else "no sponsor",
    )


def last_exit(s: Situation, as_of: date) -> StatusPeriod | None:
    """The household's last exit from poverty on or before ``as_of``."""
    return next(
        (
            p
            for p in reversed(s.timeline)
            if p.transition == "exited_poverty" and p.valid_from <= as_of
        ),
        None,
    )


def risk_score(
    household_id: str,
    facts: Sequence[Any],
    as_of: date,
    known_at: datetime | None = None,
    *,
    situation: Situation | None = None,
) -> RiskScore | None:
    """The early-warning score on ``as_of`` as known at ``known_at``, for a household that has
    exited poverty and is not poor (nor closed) then; None for any other household.

    Components (points add up to at most 100):
    ``recent_exit`` — 20 × (1 − months since the last exit ÷ 36), floored at 0;
    ``income_margin`` — 35 × (1 − margin ÷ 0.5) clamped to [0, 1], where margin is the last
    assessment's income above the poverty line it was judged against, relative to that line;
    ``deprivations_left`` — 20 × min(deprivations in the last assessment ÷ the standard's
    threshold, 1); ``support_gap`` — 10 × min(months since the last support ÷ 24, 1) (10 if
    never supported); ``no_sponsor`` — 15 when no sponsorship is active. An unknown value (no
    assessment) scores half its points.
    """
    s = situation or fold(household_id, facts, as_of, known_at)
    if not s.known or s.closed or s.status == "poor" or not s.ever_exited_poverty:
        return None
    exit_period = last_exit(s, as_of)
    if exit_period is None:  # pragma: no cover - ever_exited_poverty says there is one
        return None
    components = (
        _recent_exit(exit_period.valid_from, as_of),
        *_assessment(s.classification),
        _support_gap(s, facts, as_of),
        _no_sponsor(s),
    )
    return RiskScore(
        household_id=household_id,
        code=s.code,
        as_of=as_of,
        known_at=known_at,
        status=s.status,
        exited_on=exit_period.valid_from,
        score=sum(x.points for x in components),
        components=components,
    )


def fell_back_within(timeline: Sequence[StatusPeriod], after: date, until: date) -> bool:
    """Whether a re-poor decision took effect in (``after``, ``until``]."""
    return any(p.transition == "re_poor" and after < p.valid_from <= until for p in timeline)


def roc_auc(scores: Sequence[float], labels: Sequence[bool]) -> float | None:
    """Area under the ROC curve (Mann-Whitney, ties count half); None without both classes."""
    pairs = sorted(zip(scores, labels, strict=True), key=lambda p: p[0])
    positives = sum(1 for _, y in pairs if y)
    negatives = len(pairs) - positives
    if positives == 0 or negatives == 0:
        return None
    rank_sum = 0.0
    i = 0
    while i < len(pairs):
        j = i
        while j < len(pairs) and pairs[j][0] == pairs[i][0]:
            j += 1
        mid_rank = (i + 1 + j) / 2  # ranks i+1 .. j share their average
        rank_sum += mid_rank * sum(1 for k in range(i, j) if pairs[k][1])
        i = j
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


def precision_at(scores: Sequence[float], labels: Sequence[bool], k: int) -> float | None:
    """Share of true cases among the ``k`` highest scores (stable order); None when k < 1."""
    if k < 1 or not scores:
        return None
    order = sorted(range(len(scores)), key=lambda i: -scores[i])[:k]
    return sum(1 for i in order if labels[i]) / len(order)
