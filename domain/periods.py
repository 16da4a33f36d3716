"""Status periods in valid time and the transitions between them, from a household's decisions.

A period is a stretch of valid time with one status; each period after the first starts with a
commune decision, whose transition (newly poor, re-poor, exit, …, or ``baseline`` under a new
standard) is judged against the decisions before it in effective-date order. The fold
(:mod:`domain.situation`) builds the timeline from the decisions that survive retraction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from domain.events import Closed, Recognised, Registered


@dataclass(frozen=True)
class StatusPeriod:
    """A stretch of valid time with one status; ``valid_to`` is exclusive (None = open)."""

    status: str
    valid_from: date
    valid_to: date | None
    recognised: bool
    standard: str | None
    transition: str | None
    decision: dict[str, Any] | None
    list_year: int | None
    version: int | None

    def covers(self, day: date) -> bool:
        """Whether ``day`` falls inside this period."""
        return self.valid_from <= day and (self.valid_to is None or day < self.valid_to)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, as the timeline endpoint returns it."""
        return {
            "status": self.status,
            "valid_from": self.valid_from.isoformat(),
            "valid_to": self.valid_to.isoformat() if self.valid_to else None,
            "recognised": self.recognised,
            "standard": self.standard,
            "transition": self.transition,
            "decision": self.decision,
            "list_year": self.list_year,
        }


def transition_between(previous: str | None, status: str, ever_poor: bool, ever_near: bool) -> str:
    """The transition a recognition of ``status`` makes after ``previous`` (None = never), under
    the same standard (``ever_poor``, ``ever_near``: poor, near-poor before under it)."""
    if status == "poor":
        if previous == "poor":
            return "unchanged"
        return "re_poor" if ever_poor else "newly_poor"
    if status == "near_poor":
        if previous == "poor":
            return "exited_poverty"
        if previous == "near_poor":
            return "unchanged"
        return "re_near_poor" if ever_near else "newly_near_poor"
    if previous == "poor":
        return "exited_poverty"
    if previous == "near_poor":
        return "exited_near_poverty"
    return "unchanged"


@dataclass(frozen=True)
class Prior:
    """What a recognition's transition is judged against: the previous recognition's status and
    standard, and whether the household was poor or near-poor before under that standard."""

    status: str | None = None
    standard: str | None = None
    ever_poor: bool = False
    ever_near: bool = False

    def after(self, status: str, standard: str) -> tuple[str, Prior]:
        """The transition of a recognition of ``status`` under ``standard``, and the path after.

        The first recognition under a standard other than the previous one's is the
        ``baseline`` of the new standard's lists (neither newly poor, re-poor nor an exit), and
        the history that ``re_poor`` and ``re_near_poor`` look back on starts again from it.
        """
        if self.standard is not None and standard != self.standard:
            return "baseline", Prior(status, standard, status == "poor", status == "near_poor")
        transition = transition_between(self.status, status, self.ever_poor, self.ever_near)
        return transition, Prior(
            status,
            standard,
            self.ever_poor or status == "poor",
            self.ever_near or status == "near_poor",
        )


def transitions(recognitions: Sequence[Any]) -> list[tuple[Any, str]]:
    """The recognitions that take effect (a later decision dated the same day supersedes the
    earlier one, which then never took effect), each with its transition.

    ``recognitions`` are in valid-time order and carry ``effective_on``, ``status`` and
    ``standard`` (the fold passes the live :class:`Recognised` facts).
    """
    taken: list[tuple[Any, str, Prior]] = []
    for r in recognitions:
        if taken and taken[-1][0].effective_on == r.effective_on:
            taken.pop()
        before = taken[-1][2] if taken else Prior()
        transition, path = before.after(r.status, r.standard)
        taken.append((r, transition, path))
    return [(r, t) for r, t, _ in taken]


def _decision(r: Recognised) -> dict[str, Any]:
    return {
        "number": r.decision_number,
        "effective_on": r.effective_on.isoformat(),
        "signed_by": r.signed_by,
        "version": r.originator_version,
    }


def timeline_of(
    registration: Registered, recognitions: Sequence[Recognised], closure: Closed | None
) -> tuple[StatusPeriod, ...]:
    """Status periods in valid time from the surviving recognitions (in valid-time order) and a
    closure (which ends the last period; decisions from its date on do not take effect)."""
    # (valid_from, recognition or None, transition); a decision dated on the registration day
    # starts the first period.
    starts: list[tuple[date, Recognised | None, str | None]] = [
        (registration.effective_on, None, None)
    ]
    for r, transition in transitions(recognitions):
        entry = (r.effective_on, r, transition)
        if starts[-1][0] == r.effective_on:
            starts[-1] = entry
        else:
            starts.append(entry)
    end: date | None = None
    if closure is not None:
        end = closure.effective_on
        starts = [e for e in starts if e[0] < end] or starts[:1]
    periods: list[StatusPeriod] = []
    for i, (valid_from, r, transition) in enumerate(starts):
        valid_to = starts[i + 1][0] if i + 1 < len(starts) else end
        if valid_to is not None and valid_to < valid_from:
            valid_to = valid_from
        if r is None:
            periods.append(
                StatusPeriod("not_poor", valid_from, valid_to, False, None, None, None, None, None)
            )
        else:
            periods.append(
                StatusPeriod(
                    r.status,
                    valid_from,
                    valid_to,
                    True,
                    r.standard,
                    transition,
                    _decision(r),
                    r.list_year,
                    r.originator_version,
                )
            )
    return tuple(periods)
