"""The valid-time timeline of a household as bands, laid out for an inline SVG.

Pure geometry: the status periods of the fold (as known at the moment asked) become bands on
four rows — status, standard, transition, decision — over the span from registration to today,
with a line where the standard changes and one at the date being looked at. The template draws
what this computes; the same periods are listed in a table for screen readers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from domain.situation import StatusPeriod

WIDTH = 1000.0
"""Width of the drawing in SVG user units (it scales to the page)."""

LABEL_MIN_WIDTH = 70.0
"""Narrower bands carry no text (their title still says it)."""

ROWS = ("status", "standard", "transition", "decision")


@dataclass(frozen=True)
class Band:
    """One period on one row."""

    x: float
    width: float
    label: str
    title: str
    css: str

    @property
    def show_label(self) -> bool:
        """Whether the band is wide enough to carry its text."""
        return self.width >= LABEL_MIN_WIDTH


@dataclass(frozen=True)
class Marker:
    """A vertical line (or a tick) at a date."""

    x: float
    label: str
    day: date


@dataclass(frozen=True)
class Drawing:
    """Everything the template needs to draw the timeline."""

    rows: tuple[tuple[str, tuple[Band, ...]], ...]
    ticks: tuple[Marker, ...]
    standard_changes: tuple[Marker, ...]
    as_of: Marker | None
    start: date
    end: date


def _scale(start: date, end: date) -> Callable[[date], float]:
    days = max((end - start).days, 1)

    def x(day: date) -> float:
        clamped = min(max(day, start), end)
        return round(WIDTH * (clamped - start).days / days, 2)

    return x


def draw(
    periods: Sequence[StatusPeriod],
    *,
    start: date,
    today: date,
    as_of: date,
    word: Callable[[str, str | None], str],
    decision_label: Callable[[dict[str, object]], str],
) -> Drawing:
    """Lay out ``periods`` between ``start`` (registration) and the day after ``today``.

    ``word(kind, code)`` names a status, transition or standard in the page's language;
    ``decision_label`` names a decision.
    """
    end = max(today, *(p.valid_to or today for p in periods), as_of) + timedelta(days=1)
    x = _scale(start, end)
    rows: dict[str, list[Band]] = {name: [] for name in ROWS}
    changes: list[Marker] = []
    previous: StatusPeriod | None = None
    for p in periods:
        left, right = x(p.valid_from), x(p.valid_to or end)
        span = f"{p.valid_from.isoformat()} – {(p.valid_to or end).isoformat()}"
        status = word("status", p.status)
        rows["status"].append(Band(left, right - left, status, f"{status}: {span}", p.status))
        standard = p.standard or "—"
        rows["standard"].append(
            Band(
                left, right - left, standard, f"{standard}: {span}", "std-" + (p.standard or "none")
            )
        )
        if p.transition and p.transition != "unchanged":
            label = word("transition", p.transition)
            rows["transition"].append(
                Band(left, right - left, label, f"{label}: {span}", "tr-" + p.transition)
            )
        if p.decision:
            label = decision_label(p.decision)
            rows["decision"].append(Band(left, right - left, label, label, "decision"))
        if previous is not None and p.standard and previous.standard not in (None, p.standard):
            changes.append(Marker(left, p.standard, p.valid_from))
        previous = p
    ticks = tuple(
        Marker(x(date(year, 1, 1)), str(year), date(year, 1, 1))
        for year in range(start.year + 1, end.year + 1)
    )
    marker = Marker(x(as_of), as_of.isoformat(), as_of) if start <= as_of <= end else None
    return Drawing(
        rows=tuple((name, tuple(rows[name])) for name in ROWS),
        ticks=ticks,
        standard_changes=tuple(changes),
        as_of=marker,
        start=start,
        end=end,
    )
