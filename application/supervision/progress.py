"""How an inspection plan is going: visits, findings and the corrections that followed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from application.households import Households
from application.supervision.plans import InspectionPlan, PlannedHousehold, PlanStore, get_plan
from domain.events import (
    Assessed,
    Inspected,
    Recognised,
    Retracted,
)
from domain.situation import known_facts, recorded_between, retractions, unvoided
from domain.supervision import (
    fact_ref,
)

NEEDS_FOLLOW_UP = frozenset({"minor", "major", "critical"})
CORRECTING = (Retracted, Assessed, Recognised)


def _needs_follow_up(inspection: Inspected) -> bool:
    return inspection.outcome != "confirmed" or any(
        f.get("severity") in NEEDS_FOLLOW_UP for f in inspection.findings
    )


def _follow_ups(facts: Sequence[Any], flagged: Sequence[Inspected]) -> list[Any]:
    """Correcting facts recorded after the first flagged inspection (a retraction of an
    inspection corrects nothing)."""
    if not flagged:
        return []
    first = min(i.timestamp for i in flagged)
    voided = retractions(facts)
    of_inspections = {rv for v, rv in voided.items() if type(facts[v - 1]) is Inspected}
    return [
        f
        for f in recorded_between(facts, first, None)
        if type(f) in CORRECTING and f.originator_version not in of_inspections
    ]


def _household_progress(
    app: Households, plan: InspectionPlan, planned: PlannedHousehold, known_at: datetime
) -> dict[str, Any]:
    facts = known_facts(app.get(planned.household_id).facts, known_at)
    inspections = [f for f in unvoided(facts) if type(f) is Inspected and f.plan_id == plan.plan_id]
    flagged = [i for i in inspections if _needs_follow_up(i)]
    follow_ups = _follow_ups(facts, flagged)
    return {
        **planned.to_dict(),
        "visited": bool(inspections),
        "inspections": [
            {
                **fact_ref(i),
                "team": i.team,
                "outcome": i.outcome,
                "findings": [dict(x) for x in i.findings],
            }
            for i in inspections
        ],
        "needs_follow_up": bool(flagged),
        "followed_by": [
            {**fact_ref(f), **({"retracted_version": f.version} if type(f) is Retracted else {})}
            for f in follow_ups
        ],
        "followed_up": bool(follow_ups),
    }


def plan_progress(
    app: Households, plans: PlanStore, plan_id: str, *, known_at: datetime | None = None
) -> dict[str, Any]:
    """Which planned households were visited (an inspection recorded against the plan), what was
    found, and which findings were followed by a correcting fact: a retraction, a new
    assessment or a new decision recorded after the inspection."""
    plan = get_plan(plans, plan_id)
    known_at = known_at or app.now()
    rows = []
    by_commune: dict[str, dict[str, int]] = {}
    for planned in plan.households:
        row = _household_progress(app, plan, planned, known_at)
        rows.append(row)
        tally = by_commune.setdefault(
            planned.commune, {"planned": 0, "visited": 0, "with_findings": 0, "followed_up": 0}
        )
        tally["planned"] += 1
        tally["visited"] += row["visited"]
        tally["with_findings"] += row["needs_follow_up"]
        tally["followed_up"] += row["followed_up"]
    totals = {
        "planned": len(rows),
        "visited": sum(r["visited"] for r in rows),
        "not_visited": sum(not r["visited"] for r in rows),
        "with_findings": sum(r["needs_follow_up"] for r in rows),
        "followed_up": sum(r["followed_up"] for r in rows),
        "awaiting_follow_up": sum(r["needs_follow_up"] and not r["followed_up"] for r in rows),
    }
    return {
        "plan": plan.summary(),
        "known_at": known_at.isoformat(),
        "totals": totals,
        "by_commune": dict(sorted(by_commune.items())),
        "households": rows,
    }


def plans_overview(app: Households, plans: PlanStore) -> dict[str, Any]:
    """Every recorded plan with its progress totals."""
    out = []
    for plan in plans.list():
        progress = plan_progress(app, plans, plan.plan_id)
        out.append({**plan.summary(), "totals": progress["totals"]})
    return {"count": len(out), "plans": out}
