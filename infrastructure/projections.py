"""The read-model projection: the fold's answers tabulated into bitemporal SQL tables.

For every household the projection keeps three tables (``migrations/*/0004_read_models.sql``,
``0009_household_list.sql``):

* ``rm_status_periods`` — the fold's timeline (status periods in valid time),
* ``rm_household_attributes`` — the fold's unit, village, area type and flags over valid time,
* ``rm_household_list`` — what the household list shows and filters on, over valid time,

each row also carrying the knowledge interval ``[known_from, known_to)`` during which it was the
answer, and ``rm_household_versions``, the recording moment of every version (so the list can say
which version was known at a moment). On each event of household H (recorded at ``t``) the
projection re-runs :func:`domain.situation.fold` over H's facts up to that event, compares the
result with H's rows that are still the answer, closes (``known_to = t``) the rows that no longer
are and inserts the new ones (``known_from = t``). Rows are never rewritten for an earlier
knowledge time, so "as known at T" stays answerable for every T. The fold is the only
interpretation of the facts; this module only tabulates it (:mod:`infrastructure.projection_rows`).

Exactly once: the projection reads the notification log (through the one
:class:`application.log_reader.LogReader`) after the position kept in ``rm_tracking`` and writes
the view rows *and* the new position in one transaction, guarded by the position it started from
(an optimistic check). A second projector, a rebuild running meanwhile, or a retry of an
already-applied batch therefore changes nothing: its commit finds another position and is rolled
back. Many notifications (``batch_size``, default 500) share one transaction when catching up.

Following the log (:meth:`Projection.run`): on PostgreSQL the projection wakes on the library's
own ``NOTIFY`` (:mod:`infrastructure.log_wakeup`), on SQLite it polls.

Which facts matter. Only registrations, relocations, recognitions, sponsorships, exit
registrations, closures and retractions change what is tabulated (assessments, support, member
changes, complaints and inspections do not enter the timeline or these attributes), so only those
are decoded and folded; of the others only the recording moment is read. The fold of that subset
gives the same timeline and attributes as the fold of all facts. A fact effective on date ``e``
cannot change the attributes before ``e`` (the fold reads only facts effective on or before
``as_of``), so attribute segments that end by ``e`` are kept and the fold is evaluated only at
``e`` and at the later dates where a fact takes effect. The equivalence property tests
(``tests/store/test_read_models.py``, ``tests/store/test_household_list.py``) check both shortcuts
against folding every household.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from application.log_reader import LogReader
from domain.events import ExitRegistered, Recognised, Registered
from domain.situation import timeline
from infrastructure.log_wakeup import ListenWakeup, PollingWakeup, Wakeup
from infrastructure.projection_rows import (
    RELEVANT_TYPES,
    AttributeRow,
    ListRow,
    PeriodRow,
    from_micros,
    household_rows,
    impact_date,
    is_relevant_topic,
    list_rows,
    period_rows,
    to_micros,
)
from infrastructure.projection_views import (
    TABLES,
    BatchWrite,
    Insert,
    OpenRows,
    PositionMoved,
    TableChanges,
    ViewStore,
    open_views,
)
from infrastructure.store import StoreConfig
from infrastructure.transcoding import stamp_reader

__all__ = [
    "RELEVANT_TYPES",
    "AttributeRow",
    "BatchResult",
    "BatchWrite",
    "ListRow",
    "OpenRows",
    "PeriodRow",
    "PositionMoved",
    "Projection",
    "build_projection",
    "from_micros",
    "household_rows",
    "to_micros",
]

DEFAULT_BATCH_SIZE = 500
DEFAULT_CACHE_SIZE = 20_000

_Where = tuple[str, int]  # ("db", row id) | ("new", index into the batch's inserts)


@dataclass
class _Household:
    """A household's state while a batch is being computed."""

    facts: list[Any]
    rows: tuple[dict[Any, _Where], dict[Any, _Where], dict[Any, _Where]]
    exit_registrations: int = 0

    @property
    def attributes(self) -> dict[Any, _Where]:
        """The attribute segments that are the answer now."""
        return self.rows[1]


@dataclass(frozen=True)
class BatchResult:
    """What one call of :meth:`Projection.process_batch` did."""

    notifications: int
    relevant: int
    row_changes: int
    position: int
    head_reached: bool


class Projection:
    """Keeps the read models up to date from the ``Households`` notification log.

    ``app`` is the ``Households`` application (notification log, mapper, event loading) and
    ``views`` the read-model tables of the same store (:func:`open_views`); ``wakeup`` makes the
    :meth:`run` loop's waiting object (default: polling).
    """

    def __init__(
        self,
        app: Any,
        views: ViewStore,
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        cache_size: int = DEFAULT_CACHE_SIZE,
        reader: LogReader | None = None,
        wakeup: Callable[[threading.Event], Wakeup] = PollingWakeup,
    ) -> None:
        self.app = app
        self.views = views
        self.batch_size = batch_size
        self.cache_size = cache_size
        self.reader = reader or LogReader(app, batch_size)
        self.make_wakeup = wakeup
        self.name: str = app.name
        # household -> (last version seen, relevant facts up to it)
        self._cache: OrderedDict[uuid.UUID, tuple[int, list[Any]]] = OrderedDict()

    # -- positions ----------------------------------------------------------------------------

    def position(self) -> int:
        """The last notification id applied to the read models."""
        return self.views.position(self.name)

    def head(self) -> int:
        """The last notification id in the log (0 when empty)."""
        return self.reader.head()

    # -- processing ---------------------------------------------------------------------------

    def process_batch(self) -> BatchResult:
        """Apply the next batch of notifications (at most ``batch_size``) in one transaction.

        A batch whose position moved meanwhile (another projector, a rebuild) is discarded and
        reported as 0 notifications; calling again continues from the new position.
        """
        start = self.views.position(self.name)
        notifications = self.reader.page(start, self.batch_size)
        if not notifications:
            return BatchResult(0, 0, 0, start, True)
        batch = BatchWrite(expected_position=start, new_position=notifications[-1].id)
        # Only facts that can change a row are decoded; of the others only the moment is read.
        events: list[tuple[int, Any]] = []
        for n in notifications:
            hid = (
                n.originator_id
                if isinstance(n.originator_id, uuid.UUID)
                else uuid.UUID(str(n.originator_id))
            )
            if is_relevant_topic(n.topic):
                event = self.reader.decode(n)
                events.append((n.id, event))
                moment = event.timestamp
            else:
                moment = self.reader.recorded_at(n)
            batch.record(hid, n.id, moment)
        households = self._prepare(events)
        for nid, event in events:
            self._apply(event.originator_id, households[event.originator_id], nid, event, batch)
        try:
            self.views.commit(self.name, batch)
        except PositionMoved:
            return BatchResult(0, 0, 0, self.views.position(self.name), False)
        self._remember(notifications, households)
        return BatchResult(
            len(notifications),
            len(events),
            batch.row_changes,
            batch.new_position,
            len(notifications) < self.batch_size,
        )

    def _prepare(self, events: Sequence[tuple[int, Any]]) -> dict[uuid.UUID, _Household]:
        """Load the facts and open rows of every household with a relevant fact in the batch."""
        first: dict[uuid.UUID, int] = {}
        for _, e in events:
            first.setdefault(e.originator_id, e.originator_version)
        existing = [hid for hid, v in first.items() if v > 1]
        stored = self.views.open_rows(existing)
        states: dict[uuid.UUID, _Household] = {}
        for hid, version in first.items():
            facts = self._facts_before(hid, version) if version > 1 else []
            open_rows = stored.get(hid, ([], [], []))
            states[hid] = _Household(
                facts=facts,
                rows=(
                    {r.row: ("db", r.id) for r in open_rows[0]},
                    {r.row: ("db", r.id) for r in open_rows[1]},
                    {r.row: ("db", r.id) for r in open_rows[2]},
                ),
                exit_registrations=sum(1 for f in facts if type(f) is ExitRegistered),
            )
        return states

    def _facts_before(self, hid: uuid.UUID, version: int) -> list[Any]:
        cached = self._cache.get(hid)
        if cached is not None and cached[0] >= version - 1:
            self._cache.move_to_end(hid)
            return [f for f in cached[1] if f.originator_version < version]
        stored = self.app.recorder.select_events(hid, lte=version - 1)
        return [self.reader.decode(s) for s in stored if is_relevant_topic(s.topic)]

    def _apply(
        self, hid: uuid.UUID, state: _Household, nid: int, event: Any, batch: BatchWrite
    ) -> None:
        state.facts.append(event)
        kind = type(event)
        if kind is ExitRegistered:
            state.exit_registrations += 1
        impact = impact_date(event, state.facts)
        if impact is None:
            return
        if kind is Recognised and not state.exit_registrations:
            # Without an exit registration a decision changes no attribute (only the fold's
            # exit flag reads decisions): only the status periods are computed, with the
            # fold's own timeline function.
            periods = period_rows(timeline(state.facts))
            attributes: Sequence[AttributeRow] = list(state.attributes)
        else:
            previous = sorted(state.attributes, key=lambda r: r.valid_from)
            periods, attributes = household_rows(
                str(hid), state.facts, impact=impact, previous=previous
            )
        registration = state.facts[0]
        assert isinstance(registration, Registered)
        wanted = (periods, attributes, list_rows(registration, periods, attributes))
        for table, current, rows in zip(TABLES, state.rows, wanted, strict=True):
            self._diff(hid, nid, event.timestamp, current, rows, batch.tables[table])

    @staticmethod
    def _diff(
        hid: uuid.UUID,
        nid: int,
        moment: datetime,
        current: dict[Any, _Where],
        wanted: Sequence[Any],
        changes: TableChanges,
    ) -> None:
        wanted_set = set(wanted)
        for row in [r for r in current if r not in wanted_set]:
            where, ref = current.pop(row)
            if where == "db":
                changes.closes.append((ref, moment))
            else:
                changes.inserts[ref].known_to = moment
        for row in wanted:
            if row not in current:
                current[row] = ("new", len(changes.inserts))
                changes.inserts.append(Insert(hid, row, moment, nid))

    def _remember(
        self, notifications: Sequence[Any], households: dict[uuid.UUID, _Household]
    ) -> None:
        """Keep each household's relevant facts for the next batches (LRU, bounded).

        An entry ``(v, facts)`` holds every relevant fact of versions up to ``v``; a household
        whose entry cannot be extended without a gap is dropped (and read again when needed).
        """
        if self.cache_size <= 0:
            return
        first: dict[uuid.UUID, int] = {}
        last: dict[uuid.UUID, int] = {}
        for n in notifications:
            hid = n.originator_id
            first.setdefault(hid, n.originator_version)
            last[hid] = n.originator_version
        for hid, version in last.items():
            state = households.get(hid)
            if state is not None:
                self._cache[hid] = (version, state.facts)
            else:
                cached = self._cache.get(hid)
                if cached is not None and cached[0] >= first[hid] - 1:
                    self._cache[hid] = (version, cached[1])
                else:
                    self._cache.pop(hid, None)
                    continue
            self._cache.move_to_end(hid)
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)

    # -- loops ----------------------------------------------------------------------------------

    def catch_up(
        self,
        progress: Callable[[int, int], None] | None = None,
        *,
        stop: threading.Event | None = None,
        limit: int | None = None,
    ) -> int:
        """Apply every pending notification (or about ``limit`` of them); return how many.

        ``progress(position, head)`` is called after each batch.
        """
        applied = 0
        head = self.head()
        while stop is None or not stop.is_set():
            result = self.process_batch()
            applied += result.notifications
            if progress is not None:
                progress(result.position, max(head, result.position))
            if result.head_reached or (limit is not None and applied >= limit):
                break
        return applied

    def run(
        self,
        stop: threading.Event,
        *,
        min_sleep: float = 0.02,
        max_sleep: float = 0.5,
        on_batch: Callable[[BatchResult], None] | None = None,
    ) -> None:
        """Follow the log until ``stop`` is set: apply new notifications as they are recorded.

        After downtime the first batches catch up (``batch_size`` each). Then, on PostgreSQL,
        the loop sleeps until the library's NOTIFY of the next write (at most ``max_sleep``);
        on SQLite it polls, every ``min_sleep`` .. ``max_sleep`` seconds (the sleep doubles
        while idle and drops back to ``min_sleep`` as soon as something arrives).
        """
        wakeup = self.make_wakeup(stop)
        sleep = min_sleep
        try:
            while not stop.is_set():
                result = self.process_batch()
                if on_batch is not None and result.notifications:
                    on_batch(result)
                if result.notifications and not result.head_reached:
                    sleep = min_sleep
                    continue
                if result.notifications:
                    sleep = min_sleep
                else:
                    sleep = min(max_sleep, sleep * 2) if sleep else min_sleep
                if isinstance(wakeup, PollingWakeup):
                    wakeup.wait(sleep)
                else:
                    wakeup.wait(max_sleep)
        finally:
            wakeup.close()

    def rebuild(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Empty the read models and replay the whole log into them; return notifications."""
        self.views.reset(self.name)
        self._cache.clear()
        applied = self.catch_up(progress)
        self.views.optimise()
        return applied

    def wait_for(self, notification_id: int, timeout: float = 5.0) -> bool:
        """Block until the read models include ``notification_id`` (read-your-writes)."""
        deadline = time.monotonic() + timeout
        delay = 0.002
        while self.position() < notification_id:
            if time.monotonic() > deadline:
                return False
            time.sleep(delay)
            delay = min(delay * 2, 0.05)
        return True

    def close(self) -> None:
        """Release the read-model connections."""
        self.views.close()


def build_projection(app: Any, config: StoreConfig, **kw: Any) -> Projection:
    """A projection of ``app``'s log into the read models of the store ``config`` describes.

    On PostgreSQL its run loop wakes on the library's notifications of new events.
    """
    batch_size = kw.get("batch_size", DEFAULT_BATCH_SIZE)
    reader = LogReader(app, batch_size, stamps=stamp_reader(app.mapper))
    if config.is_postgres:
        channel = app.recorder.channel_name
        kw.setdefault("wakeup", lambda stop: ListenWakeup(config, channel, stop))
    return Projection(app, open_views(config), reader=reader, **kw)
