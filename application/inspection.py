"""Supervision asked by a signed-in user: the anomalies, the at-risk ranking and inspection plans,
limited to what the user may read.

The API and the pages call these use cases. A unit named must be valid on the date asked (422)
and inside the user's units (403); results are limited to the households in the user's units
(admins and auditors read every unit). The rules themselves live in :mod:`application.supervision`
and :mod:`domain.supervision`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from application.access import READ_ALL, Policy
from application.accounts import User
from application.errors import InvalidInput
from application.households import Households
from application.supervision import (
    InspectionPlan,
    PlanStore,
    Scope,
    at_risk,
    draw_plan,
    get_plan,
    plan_as_of,
    plan_progress,
    scan_anomalies,
)
from domain.situation import Situation
from domain.units import Unit


class Inspection:
    """The supervision use cases of one process."""

    def __init__(
        self, households: Households, policy: Policy, plans: Callable[[], PlanStore]
    ) -> None:
        self.households = households
        self.policy = policy
        self._plans = plans

    def scope(self, user: User | None) -> Scope | None:
        """The user's units as a filter (None: every household, for admins and auditors)."""
        if user is None or user.role in READ_ALL:
            return None
        policy = self.policy

        def in_scope(situation: Situation, on: date) -> bool:
            return policy.household_in_scope(user, situation, on)

        return in_scope

    def require_unit(self, user: User | None, unit: str, on: date, verb: str) -> Unit:
        """The unit ``unit`` names on ``on`` (422 when none), inside the user's units (403)."""
        version = self.households.units.find(unit, on)
        if version is None:
            raise InvalidInput("unit", f"unit {unit} is not valid on {on.isoformat()}")
        if user is not None:
            self.policy.require_unit(user, version, on, verb)
        return version

    def anomalies(
        self,
        user: User | None,
        *,
        unit: str | None,
        as_of: date | None,
        kinds: Sequence[str] | None,
        page: int,
        per_page: int,
        open_only: bool = False,
    ) -> dict[str, Any]:
        """One page of the explained anomalies (only the open ones with ``open_only``); the
        counts cover every page, ``matching`` counts those the page is cut from."""
        on = as_of or self.households.today()
        if unit:
            self.require_unit(user, unit, on, "inspect")
        result = scan_anomalies(
            self.households, unit=unit, as_of=on, kinds=kinds or None, in_scope=self.scope(user)
        )
        found = [a for a in result["anomalies"] if a["open"] or not open_only]
        shown = found[(page - 1) * per_page : page * per_page]
        return {
            **result,
            "page": page,
            "per_page": per_page,
            "matching": len(found),
            "anomalies": shown,
        }

    def at_risk(
        self, user: User | None, *, unit: str | None, as_of: date | None, limit: int
    ) -> dict[str, Any]:
        """The households that exited poverty, ranked by the early-warning score."""
        on = as_of or self.households.today()
        if unit:
            self.require_unit(user, unit, on, "inspect")
        return at_risk(self.households, unit=unit, as_of=on, limit=limit, in_scope=self.scope(user))

    def draw_plan(
        self, user: User | None, *, unit: str, year: int, size: int, seed: int | None
    ) -> InspectionPlan:
        """Draw and record a plan for a unit inside the user's units."""
        app = self.households
        self.require_unit(user, unit, plan_as_of(app, year), "draw an inspection plan for")
        return draw_plan(
            app,
            self._plans(),
            unit=unit,
            year=year,
            size=size,
            seed=seed,
            drawn_by=user.name if user is not None else "api",
            in_scope=self.scope(user),
        )

    def plan(self, user: User | None, plan_id: str) -> InspectionPlan:
        """A recorded plan of a unit inside the user's units (404 when there is none)."""
        plan = get_plan(self._plans(), plan_id)
        self.require_unit(user, plan.unit, plan.as_of, "read inspection plans of")
        return plan

    def plans_in_scope(self, user: User) -> list[tuple[InspectionPlan, Unit, dict[str, int]]]:
        """Every recorded plan of a unit the user may read, with that unit and the plan's
        progress totals."""
        app, plans = self.households, self._plans()
        shown = []
        for plan in plans.list():
            version = app.units.find(plan.unit, plan.as_of)
            if version is None or not self.policy.unit_in_scope(user, version, plan.as_of):
                continue
            shown.append((plan, version, plan_progress(app, plans, plan.plan_id)["totals"]))
        return shown

    def progress(self, user: User | None, plan_id: str) -> dict[str, Any]:
        """What became of a plan's households."""
        self.plan(user, plan_id)
        return plan_progress(self.households, self._plans(), plan_id)
