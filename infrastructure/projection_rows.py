"""What the read-model projection tabulates: rows computed from the fold's answers.

Three kinds of row, each over a valid-time interval ``[valid_from, valid_to)``:

* :class:`PeriodRow` — one status period of the fold's timeline;
* :class:`AttributeRow` — the fold's unit, village, area type and flags;
* :class:`ListRow` — what the household list shows and filters on (code, head, unit, village,
  status, since, closed) and the folded search key; it combines the two others the way the fold
  answers a date: the attribute segment covering it and the last period starting on or before it.

The projection (:mod:`infrastructure.projections`) gives each row its knowledge interval.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, NamedTuple

from eventsourcing.utils import resolve_topic

from domain.events import (
    Closed,
    ExitRegistered,
    Recognised,
    Registered,
    Relocated,
    Retracted,
    SponsorshipEnded,
    SponsorshipStarted,
)
from domain.search import search_key
from domain.situation import Situation, StatusPeriod, fold

#: The kinds of fact that can change a status period or a tabulated attribute.
RELEVANT_TYPES: tuple[type[Any], ...] = (
    Registered,
    Relocated,
    Recognised,
    SponsorshipStarted,
    SponsorshipEnded,
    ExitRegistered,
    Closed,
    Retracted,
)

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def to_micros(moment: datetime) -> int:
    """A timezone-aware moment as integer microseconds since the epoch (SQLite's knowledge axis)."""
    return (moment - _EPOCH) // _MICROSECOND


def from_micros(value: int) -> datetime:
    """Inverse of :func:`to_micros` (UTC)."""
    return _EPOCH + value * _MICROSECOND


# -- what is tabulated ----------------------------------------------------------------------------


class PeriodRow(NamedTuple):
    """One status period of the fold's timeline (``valid_to`` exclusive, None = open)."""

    valid_from: date
    valid_to: date | None
    status: str
    recognised: bool
    standard: str | None
    transition: str | None
    list_year: int | None
    decision_number: str | None
    decision_version: int | None


class AttributeRow(NamedTuple):
    """The household's tabulated attributes over ``[valid_from, valid_to)``."""

    valid_from: date
    valid_to: date | None
    code: str
    unit_code: str
    unit_named_on: date
    village: str | None
    area_type: str | None
    ethnic_minority: bool
    sponsor_active: bool
    exit_registered: bool
    closed: bool

    def same_values(self, other: AttributeRow) -> bool:
        """Equal apart from the valid-time interval (adjacent equal segments merge)."""
        return self[2:] == other[2:]


class ListRow(NamedTuple):
    """What the household list shows over ``[valid_from, valid_to)`` (None = open)."""

    valid_from: date
    valid_to: date | None
    code: str
    head_name: str
    search_key: str
    unit_code: str
    unit_named_on: date
    village: str | None
    status: str
    recognised: bool
    since: date | None
    ethnic_minority: bool
    closed: bool

    def same_values(self, other: ListRow) -> bool:
        """Equal apart from the valid-time interval (adjacent equal segments merge)."""
        return self[2:] == other[2:]


def period_rows(periods: Iterable[StatusPeriod]) -> list[PeriodRow]:
    """The fold's timeline as rows."""
    return [
        PeriodRow(
            p.valid_from,
            p.valid_to,
            p.status,
            p.recognised,
            p.standard,
            p.transition,
            p.list_year,
            p.decision["number"] if p.decision else None,
            p.version,
        )
        for p in periods
    ]


def attributes_on(situation: Situation, valid_to: date | None) -> AttributeRow:
    """The fold's attributes on ``situation.as_of``, as a segment up to ``valid_to``."""
    assert situation.unit is not None and situation.unit_named_on is not None
    assert situation.code is not None
    return AttributeRow(
        situation.as_of,
        valid_to,
        situation.code,
        situation.unit,
        situation.unit_named_on,
        situation.village,
        situation.area_type,
        situation.ethnic_minority,
        situation.sponsor is not None,
        situation.exit_registered,
        situation.closed,
    )


def _merge(rows: Iterable[AttributeRow]) -> list[AttributeRow]:
    merged: list[AttributeRow] = []
    for row in rows:
        if merged and merged[-1].valid_to == row.valid_from and merged[-1].same_values(row):
            last = merged[-1]
            merged[-1] = AttributeRow(last[0], row[1], *last[2:])
        else:
            merged.append(row)
    return merged


def household_rows(
    household_id: str,
    facts: Sequence[Any],
    *,
    impact: date | None = None,
    previous: Sequence[AttributeRow] = (),
) -> tuple[list[PeriodRow], list[AttributeRow]]:
    """Status periods and attribute segments of a household from its facts (all known).

    ``facts`` are the household's facts in version order (any subset that contains every fact of
    :data:`RELEVANT_TYPES`). With ``impact`` and ``previous`` (the segments before the newest
    fact), segments ending on or before ``impact`` are reused and the fold is evaluated only from
    ``impact`` on; without them every segment is recomputed.
    """
    registered_on: date = facts[0].effective_on
    start = registered_on if impact is None or not previous else max(impact, registered_on)
    head = fold(household_id, facts, start)
    periods = period_rows(head.timeline)
    live = head.live_versions
    dates = sorted(
        {
            f.effective_on
            for f in facts
            if f.originator_version in live and not isinstance(f, Retracted)
            if f.effective_on > start
        }
    )
    kept: list[AttributeRow] = []
    if start > registered_on:
        for row in previous:
            if row.valid_from >= start:
                continue
            if row.valid_to is None or row.valid_to > start:
                row = AttributeRow(row[0], start, *row[2:])
            kept.append(row)
    ends = [*dates, None]
    fresh = [attributes_on(head, ends[0])]
    for day, end in zip(dates, ends[1:], strict=True):
        fresh.append(attributes_on(fold(household_id, facts, day), end))
    return periods, _merge([*kept, *fresh])


_TOPIC_RELEVANCE: dict[str, bool] = {}


def is_relevant_topic(topic: str) -> bool:
    """Whether events stored under ``topic`` are of :data:`RELEVANT_TYPES` (memoised; topics of
    renamed classes resolve through the library's topic registry)."""
    relevant = _TOPIC_RELEVANCE.get(topic)
    if relevant is None:
        try:
            cls = resolve_topic(topic)
        except Exception:  # unknown topic: decode it and let the mapper say what is wrong
            return True
        relevant = isinstance(cls, type) and issubclass(cls, RELEVANT_TYPES)
        _TOPIC_RELEVANCE[topic] = relevant
    return relevant


def impact_date(event: Any, facts: Sequence[Any]) -> date | None:
    """The first valid date an event can change; None when it changes nothing tabulated."""
    if isinstance(event, Registered):
        return event.effective_on
    if isinstance(event, Retracted):
        target = next((f for f in facts if f.originator_version == event.version), None)
        return None if target is None else target.effective_on
    return event.effective_on


def list_rows(
    registration: Registered,
    periods: Sequence[PeriodRow],
    attributes: Sequence[AttributeRow],
) -> list[ListRow]:
    """The household list's segments from the fold's timeline and attribute segments.

    ``periods`` in timeline order (by ``valid_from``); ``attributes`` contiguous from the
    registration date. On each date the fold answers with the attribute segment covering it and
    the last period that starts on or before it, so a segment starts wherever either changes.
    """
    ordered = sorted(attributes, key=lambda a: a.valid_from)
    if not ordered:
        return []
    first = ordered[0].valid_from
    starts = sorted(
        {a.valid_from for a in ordered} | {p.valid_from for p in periods if p.valid_from > first}
    )
    head = registration.head_name
    rows: list[ListRow] = []
    a = 0
    p = -1
    for i, day in enumerate(starts):
        while a + 1 < len(ordered) and ordered[a + 1].valid_from <= day:
            a += 1
        while p + 1 < len(periods) and periods[p + 1].valid_from <= day:
            p += 1
        attribute = ordered[a]
        if p < 0:
            status, recognised, since = "not_poor", False, None
        else:
            period = periods[p]
            status, recognised = period.status, period.recognised
            since = period.valid_from if recognised else None
        values = (
            attribute.code,
            head,
            search_key(attribute.code, head, attribute.village),
            attribute.unit_code,
            attribute.unit_named_on,
            attribute.village,
            status,
            recognised,
            since,
            attribute.ethnic_minority,
            attribute.closed,
        )
        end = starts[i + 1] if i + 1 < len(starts) else None
        if rows and rows[-1][2:] == values:
            rows[-1] = ListRow(rows[-1].valid_from, end, *values)
        else:
            rows.append(ListRow(day, end, *values))
    return rows
