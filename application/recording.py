"""Recording facts on behalf of a signed-in user: who may record what, where and when.

The API and the pages call these use cases; each applies the rules of the write scope, then hands
the command to :class:`~application.households.Households`, which lets the aggregate decide.

* A fact is recorded only by a user whose units hold the household both on the fact's
  ``effective_on`` and today (admins everywhere).
* A retraction is checked on the date of the fact it voids.
* A registration is checked on the commune it names, as resolved on its date.
* An inspector who assessed, recognised or sponsors a household may not inspect it, and a plan
  named by an inspection must contain the household.
* A batch decision is checked on its unit and on every household it names.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TypeVar

from application import commands as c
from application.access import Forbidden, Policy
from application.accounts import User
from application.errors import HouseholdNotFound, InvalidInput
from application.households import Households
from application.recorded import (
    Assessed,
    BatchRecognised,
    ComplaintFiled,
    Recognised,
    Recorded,
    Registered,
    SponsorshipStarted,
)
from application.supervision import PlanStore, plan_membership, separation_of_duties

F = TypeVar("F", bound=c.FactCommand)
R = TypeVar("R", bound=Recorded)


class DutiesNotSeparated(Forbidden):
    """The inspector assessed, recognised or sponsors the household it would inspect (403);
    the message is the reason."""


class Recording:
    """The recording use cases of one process, over the ledger, the policy and the plans."""

    def __init__(
        self, households: Households, policy: Policy, plans: Callable[[], PlanStore]
    ) -> None:
        self.households = households
        self.policy = policy
        self._plans = plans

    # -- the write scope -----------------------------------------------------------------------

    def require_scope(self, user: User, household: c.HouseholdRef, on: date) -> None:
        """403 unless the user's units hold the household on ``on`` and today (404 first for
        an unknown household, for every role)."""
        app = self.households
        if user.role == "admin":
            app.get(household)
            return
        on_date, today = app.situation(household, on), app.situation(household, app.today())
        self.policy.require_record(user, on_date, today, on, "record facts for")

    def _scoped(self, user: User, command: F, record: Callable[[F], R]) -> R:
        self.require_scope(user, command.household, command.effective_on)
        return record(command)

    # -- facts -----------------------------------------------------------------------------------

    def register(self, user: User, command: c.RegisterHousehold) -> Registered:
        """Đăng ký hộ, in a commune (as resolved on the date) inside the user's units then and
        now; what cannot be resolved is refused before any scope is decided."""
        if user.role != "admin":
            unit = self.households.commune(command.unit, command.effective_on)
            self.policy.require_registration(
                user, unit, command.effective_on, "register households"
            )
        return self.households.register(command)

    def assess(self, user: User, command: c.Assess) -> Assessed:
        """Rà soát."""
        return self._scoped(user, command, self.households.assess)

    def recognise(self, user: User, command: c.Recognise) -> Recognised:
        """Quyết định công nhận."""
        return self._scoped(user, command, self.households.recognise)

    def deliver_support(self, user: User, command: c.DeliverSupport) -> Recorded:
        """Hỗ trợ."""
        return self._scoped(user, command, self.households.deliver_support)

    def start_sponsorship(self, user: User, command: c.StartSponsorship) -> SponsorshipStarted:
        """Phân công giúp đỡ."""
        return self._scoped(user, command, self.households.start_sponsorship)

    def end_sponsorship(self, user: User, command: c.EndSponsorship) -> Recorded:
        """The end of a sponsorship."""
        return self._scoped(user, command, self.households.end_sponsorship)

    def register_exit(self, user: User, command: c.RegisterExit) -> Recorded:
        """Đăng ký thoát nghèo."""
        return self._scoped(user, command, self.households.register_exit)

    def change_member(self, user: User, command: c.ChangeMember) -> Recorded:
        """Biến động nhân khẩu."""
        return self._scoped(user, command, self.households.change_member)

    def relocate(self, user: User, command: c.Relocate) -> Recorded:
        """Chuyển nơi ở (checked on the household's unit before the move)."""
        return self._scoped(user, command, self.households.relocate)

    def file_complaint(self, user: User, command: c.FileComplaint) -> ComplaintFiled:
        """Khiếu nại."""
        return self._scoped(user, command, self.households.file_complaint)

    def resolve_complaint(self, user: User, command: c.ResolveComplaint) -> Recorded:
        """The outcome of a complaint."""
        return self._scoped(user, command, self.households.resolve_complaint)

    def close_household(self, user: User, command: c.CloseHousehold) -> Recorded:
        """Đóng hồ sơ."""
        return self._scoped(user, command, self.households.close_household)

    def inspect(self, user: User, command: c.Inspect) -> Recorded:
        """Kiểm tra: separation of duties first (403 with the reason), then the plan named
        (422 unless it contains the household), then the write scope."""
        app = self.households
        reason = separation_of_duties(app.get(command.household), user.name)
        if reason:
            raise DutiesNotSeparated(reason)
        if command.plan_id:
            hid = str(app.household_id(command.household))
            why = plan_membership(self._plans(), command.plan_id, hid)
            if why:
                raise InvalidInput("plan_id", why)
        return self._scoped(user, command, app.inspect)

    def retract(self, user: User, command: c.Retract) -> Recorded:
        """Hủy bỏ, checked on the date of the fact it voids (today when no such fact, so the
        aggregate explains the bad version)."""
        app = self.households
        facts = app.facts(command.household)
        version = command.version
        on = facts[version - 1].effective_on if 1 <= version <= len(facts) else app.today()
        self.require_scope(user, command.household, on)
        return app.retract(command)

    def recognise_many(self, user: User, command: c.RecogniseMany) -> BatchRecognised:
        """One decision for many households: its unit must be valid on its date and, like
        every household it names, inside the user's units."""
        app = self.households
        on = command.effective_on
        unit = app.units.find(command.unit, on)
        if unit is None:
            raise InvalidInput("unit", f"unit {command.unit} is not valid on {on.isoformat()}")
        if user.role != "admin":
            self.policy.require_unit(user, unit, on, "record decisions")
        for i, item in enumerate(command.items):
            try:
                household = app.get(item.household)
            except HouseholdNotFound as e:
                raise InvalidInput(f"items.{i}.household_id", f"no household {e.ref}") from None
            if user.role != "admin":
                today = household.situation(app.today())
                self.policy.require_record(
                    user, household.situation(on), today, on, "record decisions"
                )
        return BatchRecognised(
            decision_number=command.decision_number,
            effective_on=on.isoformat(),
            items=app.recognise_many(command),
        )
