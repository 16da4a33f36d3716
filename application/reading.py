"""Reading one household on behalf of a signed-in user: what it may see, and as of when.

The API and the pages call these use cases. A household is read only by a user whose units hold
it on the date asked (admins and auditors everywhere); only an auditor may ask what the record
said at a past moment (``known_at``); a household not yet known then, or a date before its
registration, is 404.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from application import queries
from application.access import Policy
from application.accounts import User
from application.commands import HouseholdRef
from application.household_list import HouseholdList, HouseholdListQuery, HouseholdPage
from application.households import Households
from application.status import require_registered, status_object
from domain.situation import Situation


class Reading:
    """The reading use cases of one process, over the ledger and the policy."""

    def __init__(
        self, households: Households, policy: Policy, listing: Callable[[], HouseholdList]
    ) -> None:
        self.households = households
        self.policy = policy
        self._listing = listing

    def moment(self, user: User, known_at: datetime | None) -> datetime | None:
        """``known_at`` as asked: a moment before now is for auditors only (403)."""
        self.policy.require_moment(user, known_at, self.households.now())
        return known_at

    def situation(
        self, user: User, ref: HouseholdRef, on: date, known_at: datetime | None
    ) -> Situation:
        """The household folded on ``on`` as known at ``known_at``, if the user may read it."""
        return self._fold(user, ref, on, self.moment(user, known_at))

    def _fold(self, user: User, ref: HouseholdRef, on: date, moment: datetime | None) -> Situation:
        situation = self.households.situation(ref, on, moment)
        self.policy.require_household(user, situation, on, "read")
        return situation

    def status(
        self, user: User, ref: HouseholdRef, as_of: date | None, known_at: datetime | None
    ) -> dict[str, Any]:
        """The status object on ``as_of`` (default today) as known at ``known_at`` (default
        now); 404 for a date before the household's registration."""
        app = self.households
        moment = self.moment(user, known_at) or app.now()
        situation = self._fold(user, ref, as_of or app.today(), moment)
        require_registered(situation)
        return status_object(situation, app.units, moment)

    def household(self, user: User, ref: HouseholdRef) -> dict[str, Any]:
        """The status object today, with the household's current facts (head, members, ...)."""
        app = self.households
        moment = app.now()
        situation = self._fold(user, ref, app.today(), moment)
        return {
            **status_object(situation, app.units, moment),
            "head_name": situation.head_name,
            "ethnicity": situation.ethnicity,
            "members": situation.members,
            "registered_on": (
                situation.registered_on.isoformat() if situation.registered_on else None
            ),
            "exit_target_year": situation.exit_target_year,
            "closed_on": situation.closed_on.isoformat() if situation.closed_on else None,
            "closure_reason": situation.closure_reason,
        }

    def history(self, user: User, ref: HouseholdRef, known_at: datetime | None) -> dict[str, Any]:
        """Every fact recorded by ``known_at``, with who recorded it, its hash and retraction."""
        self.situation(user, ref, self.households.today(), known_at)
        return queries.history(self.households, str(ref), known_at)

    def timeline(self, user: User, ref: HouseholdRef, known_at: datetime | None) -> dict[str, Any]:
        """The valid-time status periods as known at ``known_at``."""
        self.situation(user, ref, self.households.today(), known_at)
        return queries.timeline(self.households, str(ref), known_at)

    def page(self, user: User, query: HouseholdListQuery) -> HouseholdPage:
        """A page of the household list, limited to the user's units, answered for a moment."""
        page = self._listing()(
            replace(query, known_at=self.moment(user, query.known_at)),
            allowed=lambda unit, on: self.policy.unit_in_scope(user, unit, on),
        )
        return replace(page, known_at=page.known_at or self.households.now())
