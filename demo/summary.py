"""What a demo run recorded: year-end counts of the facts actually recorded, and the summary."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from demo.reference import (
    BASELINE_YEAR,
)
from domain.situation import Situation


@dataclass(frozen=True)
class DemoSummary:
    """What a demo run recorded: counts, the year-end picture it generated, and how long it took."""

    households: int
    events: int
    seconds: float
    seed: int
    to_year: int
    resident: dict[int, int] = field(default_factory=dict)
    poor: dict[int, int] = field(default_factory=dict)
    near_poor: dict[int, int] = field(default_factory=dict)
    transitions: dict[str, int] = field(default_factory=dict)

    @property
    def events_per_second(self) -> float:
        """Throughput of the run."""
        return self.events / self.seconds if self.seconds > 0 else 0.0

    def poor_rate(self, year: int) -> float:
        """Percent of resident households poor on 31 December of ``year``."""
        resident = self.resident.get(year, 0)
        return 100.0 * self.poor.get(year, 0) / resident if resident else 0.0

    def near_poor_rate(self, year: int) -> float:
        """Percent of resident households near-poor on 31 December of ``year``."""
        resident = self.resident.get(year, 0)
        return 100.0 * self.near_poor.get(year, 0) / resident if resident else 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (``chungtay demo --json``)."""
        return {
            "households": self.households,
            "events": self.events,
            "seconds": round(self.seconds, 3),
            "events_per_second": round(self.events_per_second, 1),
            "seed": self.seed,
            "to_year": self.to_year,
            "transitions": dict(self.transitions),
            "year_end": [
                {
                    "year": y,
                    "resident": self.resident[y],
                    "poor": self.poor.get(y, 0),
                    "near_poor": self.near_poor.get(y, 0),
                    "poor_rate": round(self.poor_rate(y), 2),
                    "near_poor_rate": round(self.near_poor_rate(y), 2),
                }
                for y in sorted(self.resident)
            ],
        }

    def to_text(self) -> str:
        """A short human-readable report: totals, then one line per year-end."""
        lines = [
            f"households: {self.households}",
            f"events: {self.events}",
            f"seconds: {self.seconds:.1f} ({self.events_per_second:.0f} events/s)",
            f"seed: {self.seed}, to_year: {self.to_year}",
            "year  resident  poor   rate   near-poor  rate",
        ]
        lines.extend(
            f"{y}  {self.resident[y]:8d}  {self.poor.get(y, 0):5d}  {self.poor_rate(y):5.1f}%"
            f"  {self.near_poor.get(y, 0):9d}  {self.near_poor_rate(y):4.1f}%"
            for y in sorted(self.resident)
        )
        lines.append(
            "transitions: " + ", ".join(f"{k} {v}" for k, v in sorted(self.transitions.items()))
        )
        return "\n".join(lines)


class YearEndTally:
    """Year-end statuses of the facts actually recorded (the summary's figures)."""

    def __init__(self, to_year: int) -> None:
        self.years = range(BASELINE_YEAR, to_year + 1)
        self.households = 0
        self.resident = dict.fromkeys(self.years, 0)
        self.poor = dict.fromkeys(self.years, 0)
        self.near_poor = dict.fromkeys(self.years, 0)
        self.transitions: dict[str, int] = {}

    def add(self, situation: Situation) -> None:
        """Count one household from its fold at the end of time (every period it will have)."""
        self.households += 1
        for p in situation.timeline:
            if p.recognised and p.transition is not None:
                self.transitions[p.transition] = self.transitions.get(p.transition, 0) + 1
        registered = situation.registered_on
        closed = situation.closed_on
        assert registered is not None
        for y in self.years:
            end = date(y, 12, 31)
            if registered > end or (closed is not None and closed <= end):
                continue
            self.resident[y] += 1
            period = next((p for p in reversed(situation.timeline) if p.valid_from <= end), None)
            status = period.status if period is not None else "not_poor"
            if status == "poor":
                self.poor[y] += 1
            elif status == "near_poor":
                self.near_poor[y] += 1
