"""One household's situations on many dates, folded once per date (for the campaign's dates)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from application.reports.scope import UnitScope
from application.reports.sources import resident
from domain.situation import Situation, fold
from domain.units import Unit


class HouseholdReplay:
    """Situations of one household, memoised by date."""

    def __init__(self, hid: uuid.UUID, facts: list[Any], known_at: datetime | None) -> None:
        self.hid = str(hid)
        self.facts = facts
        self.known_at = known_at
        self._memo: dict[date, Situation] = {}

    def on(self, day: date) -> Situation:
        """The fold on ``day`` as known at the replay's ``known_at``."""
        s = self._memo.get(day)
        if s is None:
            s = fold(self.hid, self.facts, day, self.known_at)
            self._memo[day] = s
        return s

    def latest(self) -> Situation:
        """The fold at the end of time (every period, every live fact)."""
        return self.on(date.max)

    def live(self) -> list[Any]:
        """The facts known and not voided, in version order."""
        versions = self.latest().live_versions
        return [f for f in self.facts if f.originator_version in versions]


def placed(r: HouseholdReplay, scope: UnitScope, day: date) -> tuple[Situation, Unit] | None:
    """The household's situation on ``day`` and its group, when it is resident in the scope."""
    s = r.on(day)
    if not resident(s, day):
        return None
    assert s.unit is not None and s.unit_named_on is not None
    group = scope.on(day).place(s.unit, s.unit_named_on)
    return None if group is None else (s, group)


def income(s: Situation) -> int | None:
    """Income per capita of the latest assessment (None without one)."""
    return s.classification["income_per_capita"] if s.classification else None


def add_years(day: date, years: int) -> date:
    """The same day ``years`` later (28 February for a 29 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)
