"""Rule ``recognition_contradicts_assessment``: a commune decision whose status differs from the
classification of the latest assessment before it, as known when the decision was recorded."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from domain.events import (
    Recognised,
)
from domain.situation import StatusPeriod
from domain.supervision.history import Anomaly, History, status_on
from domain.supervision.text import (
    vnd,
)


def _may_contradict(h: History, r: Any, timeline: Sequence[StatusPeriod]) -> bool:
    """False only when the decision surely does not contradict the assessment as known then: it
    is not the decision in force on its date, or (no retraction recorded yet, so every assessment
    counts) the latest assessment dated on or before it agrees with it. The fold decides the rest.
    """
    v = r.originator_version
    period = status_on(timeline, r.effective_on)
    if period is None or period.version != v:
        return False
    if h.retracted_before(v):
        return True
    latest = None
    for f in h.assessments:
        if f.originator_version > v:
            break
        if f.effective_on <= r.effective_on and (
            latest is None or f.effective_on >= latest.effective_on
        ):
            latest = f
    return latest is not None and latest.classification["status"] != r.status


def _explain(r: Any, c: dict[str, Any]) -> str:
    v = r.originator_version
    return (
        f"decision {r.decision_number} (v{v}) of {r.effective_on.isoformat()} "
        f"recognised the household {r.status}, but the latest assessment before it "
        f"(v{c['version']}, {c['assessed_on']}, standard {c.get('standard')}) classified it "
        f"{c['status']} by route {c['route']} (income "
        f"{vnd(c['income_per_capita'])}, {c['deprivation_count']} deprivation(s))"
    )


def find(h: History, as_of: date) -> list[Anomaly]:
    """Decisions on or before ``as_of`` that contradict the assessment before them."""
    out: list[Anomaly] = []
    for r in h.facts:
        if type(r) is not Recognised or r.effective_on > as_of:
            continue
        v = r.originator_version
        timeline = h.timeline_for(v, h.horizon(v), cut=False)
        if not _may_contradict(h, r, timeline):
            continue
        s = h.decision_fold(v, r.effective_on)
        own = s.decision is not None and s.decision.get("version") == v
        c = s.classification
        if not (own and c is not None and s.contradicts_assessment):
            continue
        out.append(
            h.anomaly(
                "recognition_contradicts_assessment",
                r.effective_on,
                [c["version"], v],
                _explain(r, c),
                v,
                details={
                    "recognised": r.status,
                    "classified": c["status"],
                    "route": c["route"],
                    "signed_by": r.signed_by,
                },
            )
        )
    return out
