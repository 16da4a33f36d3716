"""One household's life as planned facts: the helpers every kind of fact uses."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from demo.reference import (
    ETHNICITIES,
    FEMALE_NAMES,
    MALE_NAMES,
    SURNAMES,
    TAY_NUNG_SURNAMES,
)
from demo.world import Spec, World, weekday
from domain.units import Unit

# A planned fact: (recorded_at, sequence, method, keyword arguments, key, dependencies).
# ``key`` names the answer for later facts; ``dependencies`` maps an argument to (key, attribute)
# of an earlier answer (a sponsorship or complaint id, or the version a retraction voids).
Fact = tuple[datetime, int, str, dict[str, Any], str | None, tuple[tuple[str, str, str], ...]]


@dataclass
class Plan:
    """One household's planned facts."""

    code: str
    facts: list[Fact]


class LifeBase:
    """One household's life, year by year, as a list of planned facts."""

    def __init__(self, world: World, spec: Spec) -> None:
        self.w = world
        self.spec = spec
        self.rng = random.Random(f"{world.seed}/household/{spec.code}")
        self.facts: list[Fact] = []
        self.seq = 0
        self.keys = 0
        rng = self.rng
        self.unit = spec.unit
        self.named_on = spec.registered_on
        self.ethnicity = rng.choices([e for e, _ in ETHNICITIES], [w for _, w in ETHNICITIES])[0]
        self.closing_year: int | None = None
        if world.to_year > spec.registered_on.year and rng.random() < 0.035:
            self.closing_year = rng.randint(spec.registered_on.year + 1, world.to_year)
        # Late entries and corrections only where nothing is recorded after them (no closure).
        self.mistakes = self.closing_year is None
        self.status = "not_poor"
        self.status_since = spec.registered_on
        self.status_recorded_at = datetime.min.replace(tzinfo=UTC)
        self.exited_year: int | None = None
        self.exit_registered = False
        self.sponsorship: tuple[str, str, date, datetime] | None = None  # key, unit, start, at
        self.end_sponsorship_next_year = False
        self.last_standard: str | None = None
        self.indicators: tuple[str, ...] = ()
        self.deprived: dict[str, bool] = {}
        self.members: list[dict[str, Any]] = []
        self.names: set[str] = set()
        self.surname = ""

    def key(self) -> str:
        self.keys += 1
        return f"k{self.keys}"

    def at(self, day: date, lo: int = 0, hi: int = 5) -> datetime:
        """A recording moment ``lo``-``hi`` days after ``day``, in office hours (UTC+7)."""
        draw = self.rng.random
        d = weekday(day + timedelta(days=lo + int(draw() * (hi - lo + 1))))
        # 08:00-17:00 in Hà Nội is 01:00-10:00 UTC, so the local date is the UTC date.
        return datetime(d.year, d.month, d.day, tzinfo=UTC) + timedelta(
            seconds=3600 + 32400 * draw()
        )

    def late(self, day: date) -> datetime:
        """A late entry: recorded 4-14 months after the fact took effect."""
        return self.at(day, 122, 425)

    def add(
        self,
        at: datetime,
        method: str,
        kwargs: dict[str, Any],
        key: str | None = None,
        deps: tuple[tuple[str, str, str], ...] = (),
    ) -> datetime:
        if self.facts:  # nothing is recorded before the registration
            at = max(at, self.facts[0][0] + timedelta(seconds=1))
        self.seq += 1
        self.facts.append((at, self.seq, method, kwargs, key, deps))
        return at

    def commune(self, on: date) -> Unit:
        return self.w.commune_on(self.unit, self.named_on, on)

    def common(self, day: date) -> dict[str, Any]:
        return {"effective_on": day, "recorded_by": self.w.officer(self.commune(day))}

    def day_in(self, first: date, last: date) -> date:
        span = (last - first).days
        return first + timedelta(days=self.rng.randint(0, span)) if span > 0 else first

    def unique_name(self, sex: str, surname: str | None = None) -> str:
        rng = self.rng
        pool = MALE_NAMES if sex == "male" else FEMALE_NAMES
        middle = "Văn" if sex == "male" else "Thị"
        surname = surname or rng.choice(SURNAMES.get(self.ethnicity, TAY_NUNG_SURNAMES))
        for attempt in range(40):
            given = rng.choice(pool)
            if attempt >= 20:
                given = f"{rng.choice(pool)} {given}"
            name = f"{surname} {middle} {given}"
            if name not in self.names:
                self.names.add(name)
                return name
        name = f"{surname} {middle} {rng.choice(pool)} {len(self.names)}"
        self.names.add(name)
        return name
