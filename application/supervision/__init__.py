"""Supervision use cases: anomaly scans, the at-risk ranking, inspection plans and their
progress, and separation of duties.

The rules themselves are pure (:mod:`domain.supervision`); this package feeds them the facts. A
district-wide scan reads the application's notification log once (:mod:`.log`), instead of
loading households one by one. Plans are stored through a :class:`~.plans.PlanStore` port
(``infrastructure/supervision.py``), append-only.

A plan is drawn **as the record stood at the moment it was drawn** (``known_at`` = ``drawn_at``),
so drawing it again later with the same seed, on a store that has grown since, gives the same
households: :func:`~.plans.redraw_plan` checks exactly that.
"""

from application.supervision.at_risk import at_risk, early_warning_quality
from application.supervision.duties import histories_for, plan_membership, separation_of_duties
from application.supervision.log import PAGE_SIZE, gc_paused, iter_log, load_histories
from application.supervision.plans import (
    MAX_PLAN_SIZE,
    DuplicatePlan,
    InspectionPlan,
    PlannedHousehold,
    PlanNotFound,
    PlanStore,
    draw_plan,
    get_plan,
    plan_as_of,
    plan_candidates,
    redraw_plan,
)
from application.supervision.population import Histories, Scope
from application.supervision.progress import plan_progress, plans_overview
from application.supervision.scan import scan_anomalies

__all__ = [
    "MAX_PLAN_SIZE",
    "PAGE_SIZE",
    "DuplicatePlan",
    "Histories",
    "InspectionPlan",
    "PlanNotFound",
    "PlanStore",
    "PlannedHousehold",
    "Scope",
    "at_risk",
    "draw_plan",
    "early_warning_quality",
    "gc_paused",
    "get_plan",
    "histories_for",
    "iter_log",
    "load_histories",
    "plan_as_of",
    "plan_candidates",
    "plan_membership",
    "plan_progress",
    "plans_overview",
    "redraw_plan",
    "scan_anomalies",
    "separation_of_duties",
]
