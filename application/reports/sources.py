"""Where report figures come from: the port, and the reference source that folds every household.

The poverty and annual reports are computed from two kinds of figure — a **census** (how many
resident households, by unit as named, ethnic-minority flag and status, on a date as known at a
moment) and **flows** (how many status transitions took effect in a date range) — that come from a
:class:`ReportSource`. There are two sources with the same answers:

* :class:`ReplaySource` (here) folds every household's events with :func:`domain.situation.fold`;
* ``infrastructure.read_models.ReadModelSource`` answers the same questions in SQL from the
  bitemporal read models kept by ``infrastructure.projections``.

``tests/store/test_read_models.py`` proves on random histories, on both stores, that every figure
of both reports is the same from either source.
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from domain.events import Closed, Relocated
from domain.situation import Situation, fold

ONE_DAY = timedelta(days=1)

FLOW_TRANSITIONS: tuple[str, ...] = (
    "exited_poverty",
    "newly_poor",
    "re_poor",
    "exited_near_poverty",
    "newly_near_poor",
    "re_near_poor",
)
"""The transitions the annual report counts as movements."""

REPORTED_TRANSITIONS: tuple[str, ...] = (*FLOW_TRANSITIONS, "baseline")
"""The transitions the sources report (a baseline re-establishes a list: not a movement)."""

MOVEMENTS: tuple[str, ...] = ("moved_out", "moved_in", "closed")
"""How a household leaves or enters a unit other than by a decision: a move out of one unit and
into another (both on the move's date), or a closure."""


@dataclass(frozen=True, slots=True)
class CensusRow:
    """Resident households on a date with the same unit (as named), flags and status."""

    unit_code: str
    unit_named_on: date
    ethnic_minority: bool
    sponsor_active: bool
    exit_registered: bool
    status: str
    households: int


@dataclass(frozen=True, slots=True)
class FlowRow:
    """Changes that took effect on ``on`` for households of a unit (as named then): a transition
    (:data:`REPORTED_TRANSITIONS`) from the status ``previous`` to ``status``, or a movement
    (:data:`MOVEMENTS`) of households whose status was ``previous`` (leaving) or ``status``
    (arriving) on the day before."""

    unit_code: str
    unit_named_on: date
    ethnic_minority: bool
    transition: str
    on: date
    previous: str | None
    status: str | None
    households: int


class ReportSource(Protocol):
    """Where report figures come from: the read models or the replay of every household."""

    name: str

    def census(self, on: date, known_at: datetime | None) -> list[CensusRow]:
        """Resident (registered by ``on``, not closed) households on ``on`` as known at
        ``known_at`` (None = everything recorded), grouped."""

    def flows(self, first: date, last: date, known_at: datetime | None) -> list[FlowRow]:
        """Transitions and movements effective from ``first`` to ``last`` inclusive, with the
        household's unit on their date (a move: the unit left, then the unit entered)."""

    def freshness(self) -> dict[str, Any]:
        """How current the source is (read models: position vs log head)."""


def resident(s: Situation, on: date) -> bool:
    """Whether a household counts as resident on ``on``: known, registered by then, not closed."""
    return s.known and s.registered_on is not None and s.registered_on <= on and not s.closed


def load_histories(app: Any, page: int = 1000) -> dict[uuid.UUID, list[Any]]:
    """Every household's events, grouped, in version order, by one scan of the log."""
    histories: dict[uuid.UUID, list[Any]] = defaultdict(list)
    start = 0
    mapper = app.mapper
    while True:
        notifications = app.recorder.select_notifications(start, page, inclusive_of_start=False)
        if not notifications:
            break
        for n in notifications:
            e = mapper.to_domain_event(n)
            histories[e.originator_id].append(e)
        start = notifications[-1].id
    for facts in histories.values():
        facts.sort(key=lambda f: f.originator_version)
    return dict(histories)


def _group_census(rows: Iterable[tuple[Any, ...]]) -> list[CensusRow]:
    return [CensusRow(*key, households=n) for key, n in Counter(rows).items()]


class ReplaySource:
    """Figures by folding every household's facts (the reference; slow on a large store).

    Loads the whole log once (scan and decode) on first use and keeps it: make one per report, or
    call :meth:`refresh`.
    """

    name = "replay"

    def __init__(self, app: Any) -> None:
        self.app = app
        self._histories: dict[uuid.UUID, list[Any]] | None = None

    def refresh(self) -> None:
        """Forget the loaded facts (the next call reads the log again)."""
        self._histories = None

    def histories(self) -> dict[uuid.UUID, list[Any]]:
        """Every household's facts in version order (read once, in log order)."""
        if self._histories is None:
            self._histories = load_histories(self.app)
        return self._histories

    def census(self, on: date, known_at: datetime | None) -> list[CensusRow]:
        """See :meth:`ReportSource.census`."""
        keys = []
        for hid, facts in self.histories().items():
            s = fold(str(hid), facts, on, known_at)
            if resident(s, on):
                keys.append(
                    (
                        s.unit,
                        s.unit_named_on,
                        s.ethnic_minority,
                        s.sponsor is not None,
                        s.exit_registered,
                        s.status,
                    )
                )
        return _group_census(keys)

    def flows(self, first: date, last: date, known_at: datetime | None) -> list[FlowRow]:
        """See :meth:`ReportSource.flows`."""
        keys: Counter[tuple[Any, ...]] = Counter()
        for hid, facts in self.histories().items():
            s = fold(str(hid), facts, last, known_at)
            if s.known:
                keys.update(household_flows(str(hid), facts, s, first, last, known_at))
        return [FlowRow(*key, households=n) for key, n in keys.items()]

    def freshness(self) -> dict[str, Any]:
        """The replay is always current."""
        return {"source": self.name}


FlowKey = tuple[str | None, date | None, bool, str, date, str | None, str | None]


def household_flows(
    hid: str,
    facts: Sequence[Any],
    latest: Situation,
    first: date,
    last: date,
    known_at: datetime | None,
) -> Iterator[FlowKey]:
    """One household's transitions and movements effective in ``[first, last]`` (``latest``: its
    fold on ``last``)."""
    em = latest.ethnic_minority
    previous = "not_poor"
    for p in latest.timeline:
        empty = p.valid_to is not None and p.valid_to <= p.valid_from
        if first <= p.valid_from <= last and p.transition in REPORTED_TRANSITIONS and not empty:
            then = fold(hid, facts, p.valid_from, known_at)
            yield (
                then.unit,
                then.unit_named_on,
                em,
                p.transition,
                p.valid_from,
                previous,
                p.status,
            )
        previous = p.status
    days = {
        f.effective_on
        for f in facts
        if type(f) in (Relocated, Closed)
        and f.originator_version in latest.live_versions
        and first <= f.effective_on <= last
    }
    for day in sorted(days):
        before = fold(hid, facts, day - ONE_DAY, known_at)
        if not resident(before, day - ONE_DAY):
            continue
        after = fold(hid, facts, day, known_at)
        status = before.status
        if (after.unit, after.unit_named_on) != (before.unit, before.unit_named_on):
            yield (before.unit, before.unit_named_on, em, "moved_out", day, status, None)
            yield (after.unit, after.unit_named_on, em, "moved_in", day, None, status)
        if after.closed:
            yield (after.unit, after.unit_named_on, em, "closed", day, status, None)
