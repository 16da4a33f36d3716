"""Who may read and record what (the four roles), decided on units and dates.

* ``admin`` may do everything except the auditor's own work (past ``known_at``, audit log).
* ``officer`` records facts (all but inspections) and reads households inside its units.
* ``inspector`` reads households in its units and records only inspections there.
* ``auditor`` reads every household, also as known at a past moment, and the access log;
  it records nothing.

A user's unit codes name units *as they are today* (codes are reused after the 2025 merger, so
``01561`` today is Hạ Lang commune, while until 2025-06-30 it was Vinh Quý commune). A household is
in scope on a date ``d`` when its unit on ``d`` lies inside one of the user's units: either the
user's unit already existed unchanged on ``d`` and contained it then, or the household's unit on
``d`` has become (through mergers) a unit inside the user's unit today.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Final

from application.accounts import User
from application.status import unit_on
from domain.situation import Situation
from domain.units import Unit, UnitCatalogue, UnknownUnitError

READ_ALL: Final = frozenset({"admin", "auditor"})


class Forbidden(Exception):
    """A known user asked for something its role or units do not allow: 403."""


class Policy:
    """Authorisation decisions over the unit catalogue (today from the application clock)."""

    def __init__(self, units: UnitCatalogue, today: Callable[[], date]) -> None:
        self.units = units
        self.today = today

    # -- scope -------------------------------------------------------------------------------

    def unit_in_scope(self, user: User, unit: Unit, on: date) -> bool:
        """Whether ``unit`` (the version valid on ``on``) lies inside one of the user's units."""
        if user.role in READ_ALL:
            return True
        today = self.today()
        for code in user.units:
            mine = self.units.find(code, today)
            if mine is None:
                continue
            if mine.is_valid_on(on) and self._contains(code, unit.code, on):
                return True
            if on <= today:
                try:
                    now = self.units.successor_on(unit.code, on, today)
                except UnknownUnitError:
                    continue
                if self._contains(code, now.code, today):
                    return True
        return False

    def household_in_scope(self, user: User, situation: Situation, on: date) -> bool:
        """Whether the household (folded on ``on``) is in the user's units on ``on``."""
        if user.role in READ_ALL:
            return True
        try:
            unit = unit_on(self.units, situation, on)
        except UnknownUnitError:
            return False
        return self.unit_in_scope(user, unit, on)

    def _contains(self, ancestor: str, code: str, on: date) -> bool:
        try:
            return self.units.contains(ancestor, code, on)
        except UnknownUnitError:
            return False

    # -- decisions ---------------------------------------------------------------------------

    @staticmethod
    def require_role(user: User, roles: Iterable[str]) -> None:
        """403 unless the user has one of ``roles``."""
        allowed = tuple(roles)
        if user.role not in allowed:
            raise Forbidden(f"role {user.role} may not do this (allowed: {', '.join(allowed)})")

    @staticmethod
    def may_record(user: User, kind: str) -> None:
        """403 unless the role may record this kind of fact at all."""
        allowed = {
            "admin": True,
            "officer": kind != "inspection",
            "inspector": kind == "inspection",
        }
        if allowed.get(user.role, False):
            return
        if user.role == "inspector":
            raise Forbidden("an inspector records only inspections")
        if user.role == "officer":
            raise Forbidden("inspections are recorded by inspectors, not by officers")
        raise Forbidden(f"role {user.role} records no facts")

    def require_household(self, user: User, situation: Situation, on: date, verb: str) -> None:
        """403 unless the household is in the user's units on ``on``."""
        if not self.household_in_scope(user, situation, on):
            raise Forbidden(
                f"household {situation.code} is not in your units ({', '.join(user.units)}) "
                f"on {on.isoformat()}; you may not {verb} it"
            )

    def require_record(
        self, user: User, on_date: Situation, today: Situation, on: date, verb: str
    ) -> None:
        """403 unless the user's units hold the household both on the fact's date ``on``
        (``on_date`` is the household folded on it) and today (``today``, folded today).

        So after a move, neither the old unit (for facts dated before it) nor the new one (for
        facts dated before it arrived) records alone: such late entries go through a unit that
        holds the household on both dates (the province, or an admin).
        """
        now = self.today()
        if not self.household_in_scope(user, on_date, on):
            self.require_household(user, on_date, on, verb)
        if not self.household_in_scope(user, today, now):
            where = self._unit_name(today, now)
            raise Forbidden(
                f"household {today.code} is in {where} today ({now.isoformat()}), outside your "
                f"units ({', '.join(user.units)}); a fact about it, even one dated "
                f"{on.isoformat()}, is recorded by a user whose units hold it both then and now"
            )

    def require_registration(self, user: User, unit: Unit, on: date, verb: str) -> None:
        """403 unless ``unit`` (valid on ``on``) is in the user's units both on ``on`` and, as
        the unit it has become, today."""
        self.require_unit(user, unit, on, verb)
        now = self.today()
        try:
            current = self.units.successor_on(unit.code, on, now) if on <= now else unit
        except UnknownUnitError:
            current = None
        if current is None or not self.unit_in_scope(user, current, now):
            raise Forbidden(
                f"unit {unit.code} ({unit.name}) of {on.isoformat()} is not in your units "
                f"({', '.join(user.units)}) today; you may not {verb} there"
            )

    def _unit_name(self, situation: Situation, on: date) -> str:
        try:
            unit = unit_on(self.units, situation, on)
        except UnknownUnitError:
            return "an unknown unit"
        return f"unit {unit.code} ({unit.name})"

    def require_unit(self, user: User, unit: Unit, on: date, verb: str) -> None:
        """403 unless ``unit`` is in the user's units on ``on``."""
        if not self.unit_in_scope(user, unit, on):
            raise Forbidden(
                f"unit {unit.code} ({unit.name}) is not in your units ({', '.join(user.units)}) "
                f"on {on.isoformat()}; you may not {verb} there"
            )

    @staticmethod
    def require_moment(user: User, known_at: datetime | None, now: datetime) -> None:
        """403 for a ``known_at`` before ``now`` unless the user is an auditor."""
        if known_at is not None and known_at < now and user.role != "auditor":
            raise Forbidden(
                "only an auditor may ask what the record said at a past moment (known_at); "
                "leave known_at out to read the record as it stands now"
            )

    @staticmethod
    def logs_reads(user: User) -> bool:
        """Reads of households by inspectors and auditors go to the access log."""
        return user.role in ("inspector", "auditor")
