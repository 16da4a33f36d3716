"""Separation of duties, and membership of a plan, for recording an inspection."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date

from application.households import Households
from application.supervision.log import Facts
from application.supervision.plans import PlanStore
from domain.household import Household
from domain.supervision import (
    duty_conflict,
)


def separation_of_duties(
    household: Household, inspector: str, *, aliases: Iterable[str] = ()
) -> str | None:
    """The reason ``inspector`` may not record an inspection of ``household``, or None.

    They may not when they assessed it (``Assessed.recorded_by`` or ``.assessor``), recognised it
    (``Recognised.recorded_by`` or ``.signed_by``), or sponsor it (an active sponsorship whose
    ``sponsor["name"]`` is theirs). Names are compared without case, diacritics or punctuation;
    ``aliases`` are other names the same person goes by (e.g. the full name written on forms,
    when the account name is ``inspector.x``).
    """
    for name in (inspector, *aliases):
        reason = duty_conflict(household.facts, name, date.max)
        if reason is not None:
            return reason
    return None


def plan_membership(plans: PlanStore, plan_id: str, household_id: str) -> str | None:
    """Why an inspection may not be recorded against ``plan_id`` for this household, or None."""
    plan = plans.get(plan_id)
    if plan is None:
        return f"no inspection plan {plan_id!r}"
    if not any(h.household_id == str(household_id) for h in plan.households):
        return f"household {household_id} is not in inspection plan {plan_id}"
    return None


def histories_for(app: Households, ids: Iterable[str | uuid.UUID]) -> dict[uuid.UUID, Facts]:
    """The facts of a few households, loaded one by one (for small sets)."""
    return {app.household_id(str(i)): list(app.get(str(i)).facts) for i in ids}
