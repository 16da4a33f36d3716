"""Rule ``poor_without_sponsor``: a poor household with no active sponsor for more than 90 days."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from domain.events import (
    Closed,
    Recognised,
    Retracted,
    SponsorshipEnded,
    SponsorshipStarted,
    fact_type,
)
from domain.situation import StatusPeriod
from domain.supervision.history import Anomaly, History
from domain.supervision.rules import Limits


@dataclass(frozen=True)
class Gap:
    """Days in valid time when the household was poor and had no active sponsor."""

    start: date
    end: date | None  # first day covered again (exclusive); None = still open
    opened_by: int | None
    closed_by: int | None

    def clipped(self, first: date) -> Gap | None:
        """The part of the gap from ``first`` on (None if it ended before)."""
        if self.start >= first:
            return self
        if self.end is not None and self.end <= first:
            return None
        return Gap(first, self.end, self.opened_by, self.closed_by)

    def days(self, until: date) -> int:
        """Days without a sponsor, the last one counted being ``until`` for an open gap."""
        last = until if self.end is None or self.end > until else self.end - timedelta(days=1)
        return (last - self.start).days + 1


def sponsor_gaps(timeline: Sequence[StatusPeriod], live: Sequence[Any]) -> list[Gap]:
    """Stretches when the fold's timeline says poor and no live sponsorship is active."""
    poor: list[list[Any]] = []  # [start, end, opening version, closing version]
    for p in timeline:
        if p.status == "poor":
            if poor and poor[-1][1] == p.valid_from:
                poor[-1][1] = p.valid_to
            else:
                poor.append([p.valid_from, p.valid_to, p.version, None])
        elif poor and poor[-1][1] == p.valid_from and poor[-1][3] is None:
            poor[-1][3] = p.version
    closures = [f.originator_version for f in live if type(f) is Closed]
    starts = {f.sponsorship_id: f for f in live if type(f) is SponsorshipStarted}
    ends = {f.sponsorship_id: f for f in live if type(f) is SponsorshipEnded}
    covered = sorted(
        (
            (s.effective_on, ends[k].effective_on if k in ends else None, s, ends.get(k))
            for k, s in starts.items()
            if k not in ends or ends[k].effective_on > s.effective_on
        ),
        key=lambda c: (c[0], c[2].originator_version),
    )
    gaps: list[Gap] = []
    for start, end, opened, closed in poor:
        if end is not None and closed is None and closures:
            closed = closures[-1]
        cursor, cursor_by = start, opened
        for c_start, c_end, c_fact, c_end_fact in covered:
            if end is not None and c_start >= end:
                break
            if c_end is not None and c_end <= cursor:
                continue
            if c_start > cursor:
                gaps.append(Gap(cursor, c_start, cursor_by, c_fact.originator_version))
            if c_end is None:
                cursor = None
                break
            if c_end > cursor:
                cursor = c_end
                cursor_by = c_end_fact.originator_version if c_end_fact is not None else None
        if cursor is not None and (end is None or cursor < end):
            gaps.append(Gap(cursor, end, cursor_by, closed if end is not None else None))
    return gaps


def _anomaly(
    h: History,
    found: Gap,
    gap: Gap,
    *,
    checkpoint: int,
    at_scan: bool,
    day: date,
    as_of: date,
    known_at: datetime,
    limits: Limits,
) -> Anomaly:
    """The anomaly of a gap longer than the limit, judged at ``checkpoint`` (or at the scan)."""
    still_open = gap.end is None or gap.end > day
    days = gap.days(day)
    versions = [x for x in (gap.opened_by, gap.closed_by) if x is not None]
    moment: int | datetime = known_at if at_scan or still_open else checkpoint
    until = None
    if still_open:
        span = f"from {gap.start.isoformat()} to {as_of.isoformat()} and still none"
    else:
        assert gap.end is not None
        until = gap.end - timedelta(days=1)
        span = f"from {gap.start.isoformat()} until {until.isoformat()}"
        if gap.closed_by is not None:
            span += f" (then {fact_type(h.fact(gap.closed_by))} v{gap.closed_by})"
    if gap is not found:
        span += f"; counted from {limits.sponsorship_from.isoformat()}, the campaign's start"
    return h.anomaly(
        "poor_without_sponsor",
        gap.start,
        versions or [1],
        f"poor with no active sponsor {span}: {days} days (limit {limits.sponsor_gap_days})",
        moment,
        details={
            "from": gap.start.isoformat(),
            "until": until.isoformat() if until else None,
            "days": days,
            "open": still_open,
        },
    )


def find(h: History, as_of: date, known_at: datetime, limits: Limits) -> list[Anomaly]:
    """Gaps longer than the limit, each judged when something can close it (a sponsorship
    starting, a decision out of poverty, a closure, a retraction), as known then, and at the
    scan for a gap still open; days count from the campaign's start (``limits.sponsorship_from``).
    """
    if not any(type(f) is Recognised and f.status == "poor" for f in h.facts):
        return []
    checkpoints = [
        f.originator_version
        for f in h.facts
        if type(f) in (SponsorshipStarted, Closed, Retracted)
        or (type(f) is Recognised and f.status != "poor")
    ]
    checkpoints.append(len(h.facts))
    out: list[Anomaly] = []
    reported: set[date] = set()
    for i, v in enumerate(checkpoints):
        at_scan = i == len(checkpoints) - 1
        day = as_of if at_scan else min(h.horizon(v), as_of)
        for found in sponsor_gaps(h.timeline_for(v, day), h.live_known_by(v)):
            gap = found.clipped(limits.sponsorship_from)
            if gap is None or gap.start > day or gap.start in reported:
                continue
            if (gap.end is None or gap.end > day) and not at_scan:
                continue  # an open gap is judged when it closes, or at the scan
            if gap.days(day) <= limits.sponsor_gap_days:
                continue
            reported.add(gap.start)
            out.append(
                _anomaly(
                    h,
                    found,
                    gap,
                    checkpoint=v,
                    at_scan=at_scan,
                    day=day,
                    as_of=as_of,
                    known_at=known_at,
                    limits=limits,
                )
            )
    return out
