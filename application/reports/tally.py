"""Counting: rates, the census tally of a group of households, and flows by group."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from application.reports.scope import DateScope
from application.reports.sources import FLOW_TRANSITIONS, CensusRow, FlowRow
from domain.units import Unit


def percent(part: int | None, whole: int | None) -> float | None:
    """``part ÷ whole × 100`` rounded half-up to 2 decimals; None when undefined."""
    if part is None or not whole:
        return None
    value = (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return float(value)


def points(a: float | None, b: float | None) -> float | None:
    """``a − b`` in percentage points, 2 decimals; None when either is unknown."""
    if a is None or b is None:
        return None
    return float((Decimal(str(a)) - Decimal(str(b))).quantize(Decimal("0.01"), ROUND_HALF_UP))


@dataclass
class Tally:
    """Counts of resident households, poor and near-poor, all and ethnic-minority."""

    households: int = 0
    poor: int = 0
    near_poor: int = 0
    em_households: int = 0
    em_poor: int = 0
    em_near_poor: int = 0
    poor_sponsored: int = 0
    em_poor_sponsored: int = 0
    exit_registered: int = 0

    def add(self, row: CensusRow) -> None:
        """Count a census row."""
        n = row.households
        self.households += n
        poor = row.status == "poor"
        near = row.status == "near_poor"
        self.poor += n if poor else 0
        self.near_poor += n if near else 0
        self.exit_registered += n if row.exit_registered else 0
        if poor and row.sponsor_active:
            self.poor_sponsored += n
        if row.ethnic_minority:
            self.em_households += n
            self.em_poor += n if poor else 0
            self.em_near_poor += n if near else 0
            if poor and row.sponsor_active:
                self.em_poor_sponsored += n

    def figures(self, em: bool = False) -> dict[str, Any]:
        """Households, poor, near-poor and their rates (all, or ethnic-minority only)."""
        if em:
            return counts(self.em_households, self.em_poor, self.em_near_poor)
        return counts(self.households, self.poor, self.near_poor)

    def others(self) -> dict[str, Any]:
        """The same figures for the households that are not ethnic-minority."""
        return counts(
            self.households - self.em_households,
            self.poor - self.em_poor,
            self.near_poor - self.em_near_poor,
        )


def counts(households: int, poor: int, near_poor: int) -> dict[str, Any]:
    """Households, poor, near-poor and the two rates."""
    return {
        "households": households,
        "poor": poor,
        "near_poor": near_poor,
        "poor_rate": percent(poor, households),
        "near_poor_rate": percent(near_poor, households),
    }


Groups = dict[str, tuple[Unit, Tally]]
"""Tallies by group (unit key → the unit and its tally)."""


def tally_by_group(rows: Iterable[CensusRow], scope: DateScope) -> tuple[Tally, Groups]:
    """The census of the report's unit: its total and one tally per group."""
    total = Tally()
    groups: Groups = {}
    for row in rows:
        group = scope.place(row.unit_code, row.unit_named_on)
        if group is None:
            continue
        total.add(row)
        groups.setdefault(group.key, (group, Tally()))[1].add(row)
    return total, groups


CROSS_FLOWS: tuple[str, ...] = ("near_poor_from_poor", "poor_from_near_poor")
"""Moves between the two lists: poor → near-poor (an exit) and near-poor → poor."""

OTHER_CHANGES: tuple[str, ...] = ("other_poor_changes", "other_near_poor_changes")
"""Net changes of each list that are not decisions moving a household: moves in and out,
closures, and lists re-established under a new standard (baselines)."""


def flow_figures(row: FlowRow) -> dict[str, int]:
    """What one household's change adds to each flow figure of the annual report."""
    t = row.transition
    if t in FLOW_TRANSITIONS:
        out = {t: 1}
        if t == "exited_poverty" and row.status == "near_poor":
            out["near_poor_from_poor"] = 1
        elif t in ("newly_poor", "re_poor") and row.previous == "near_poor":
            out["poor_from_near_poor"] = 1
        return out
    return {
        "other_poor_changes": (row.status == "poor") - (row.previous == "poor"),
        "other_near_poor_changes": (row.status == "near_poor") - (row.previous == "near_poor"),
    }


def flows_by_group(
    rows: Iterable[FlowRow], scope_for: Callable[[date], DateScope]
) -> tuple[Counter[str], dict[str, tuple[Unit, Counter[str]]]]:
    """Flow figures (``em_`` prefixed for ethnic-minority households) in total and by group,
    each change placed in the group of its own date."""
    total: Counter[str] = Counter()
    groups: dict[str, tuple[Unit, Counter[str]]] = {}
    for row in rows:
        group = scope_for(row.on).place(row.unit_code, row.unit_named_on)
        if group is None:
            continue
        counter = groups.setdefault(group.key, (group, Counter()))[1]
        for k, v in flow_figures(row).items():
            for key in (k, f"em_{k}") if row.ethnic_minority else (k,):
                total[key] += v * row.households
                counter[key] += v * row.households
    return total, groups
