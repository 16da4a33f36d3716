"""The read-model projection: the fold's answers tabulated into bitemporal SQL tables.

For every household the projection keeps two tables (``migrations/*/0004_read_models.sql``):

* ``rm_status_periods`` — the fold's timeline (status periods in valid time), and
* ``rm_household_attributes`` — the fold's unit, village, area type and flags over valid time,

each row also carrying the knowledge interval ``[known_from, known_to)`` during which it was the
answer. On each event of household H (recorded at ``t``) the projection re-runs
:func:`domain.situation.fold` over H's facts up to that event, compares the result with H's rows
that are still the answer, closes (``known_to = t``) the rows that no longer are and inserts the
new ones (``known_from = t``). Rows are never rewritten for an earlier knowledge time, so "as
known at T" stays answerable for every T. The fold is the only interpretation of the facts; this
module only tabulates it.

Exactly once: the projection reads the application's notification log after the position kept in
``rm_tracking`` and writes the view rows *and* the new position in one transaction, guarded by the
position it started from (an optimistic check). A second projector, a rebuild running meanwhile,
or a retry of an already-applied batch therefore changes nothing: its commit finds another
position and is rolled back. Many notifications (``batch_size``, default 500) share one
transaction when catching up.

Which facts matter. Only registrations, relocations, recognitions, sponsorships, exit
registrations, closures and retractions change what is tabulated (assessments, support, member
changes, complaints and inspections do not enter the timeline or these attributes), so only those
are folded; the fold of that subset gives the same timeline and attributes as the fold of all
facts. A fact effective on date ``e`` cannot change the attributes before ``e`` (the fold reads only
facts effective on or before ``as_of``), so attribute segments that end by ``e`` are kept and the
fold is evaluated only at ``e`` and at the later dates where a fact takes effect. The equivalence
property test (``tests/store/test_read_models.py``) checks both shortcuts against folding every
household.
"""

from __future__ import annotations

import sqlite3
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, NamedTuple, Protocol

import psycopg
from eventsourcing.utils import resolve_topic
from psycopg import sql

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
from domain.situation import Situation, StatusPeriod, fold, timeline
from infrastructure.store import StoreConfig

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

DEFAULT_BATCH_SIZE = 500
DEFAULT_CACHE_SIZE = 20_000

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


# -- the stores -----------------------------------------------------------------------------------


class PositionMoved(Exception):
    """Another projector (or a rebuild) moved the tracking position: the batch is discarded."""


@dataclass
class _Insert:
    household_id: uuid.UUID
    row: PeriodRow | AttributeRow
    known_from: datetime
    notification_id: int
    known_to: datetime | None = None


@dataclass
class BatchWrite:
    """Everything one batch changes, written in one transaction with the new position."""

    expected_position: int
    new_position: int
    close_periods: list[tuple[int, datetime]] = field(default_factory=list)
    close_attributes: list[tuple[int, datetime]] = field(default_factory=list)
    insert_periods: list[_Insert] = field(default_factory=list)
    insert_attributes: list[_Insert] = field(default_factory=list)

    @property
    def row_changes(self) -> int:
        """How many rows the batch inserts or closes."""
        return (
            len(self.close_periods)
            + len(self.close_attributes)
            + len(self.insert_periods)
            + len(self.insert_attributes)
        )


OpenRows = dict[uuid.UUID, tuple[list[tuple[int, PeriodRow]], list[tuple[int, AttributeRow]]]]


class ViewStore(Protocol):
    """Dialect-specific access to the read-model tables (SQLite or PostgreSQL)."""

    def position(self, application_name: str) -> int:
        """The last notification id applied (0 = none)."""

    def open_rows(self, household_ids: Sequence[uuid.UUID]) -> OpenRows:
        """The rows that are still the answer (``known_to`` NULL) for these households."""

    def commit(self, application_name: str, batch: BatchWrite) -> None:
        """Write the batch and move the position, atomically; raise :class:`PositionMoved`."""

    def reset(self, application_name: str) -> None:
        """Empty the read-model tables and set the position to 0, atomically."""

    def close(self) -> None:
        """Release connections."""


_PERIOD_COLUMNS = (
    "household_id, valid_from, valid_to, known_from, known_to, status, recognised, standard, "
    "transition, list_year, decision_number, decision_version, notification_id"
)
_ATTRIBUTE_COLUMNS = (
    "household_id, valid_from, valid_to, known_from, known_to, code, unit_code, unit_named_on, "
    "village, area_type, ethnic_minority, sponsor_active, exit_registered, closed, notification_id"
)


def _period_values(i: _Insert) -> tuple[Any, ...]:
    return (i.household_id, *i.row[:2], i.known_from, i.known_to, *i.row[2:], i.notification_id)


_attribute_values_of = _period_values


def _sqlite_row(i: _Insert) -> tuple[Any, ...]:
    """An insert's values for SQLite: text ids and dates, integer moments and flags."""
    r = i.row
    valid_to = r[1]
    return (
        str(i.household_id),
        r[0].isoformat(),
        valid_to.isoformat() if valid_to is not None else None,
        to_micros(i.known_from),
        None if i.known_to is None else to_micros(i.known_to),
        *(v.isoformat() if type(v) is date else v for v in r[2:]),
        i.notification_id,
    )


def _d(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def _period_from(row: Any) -> PeriodRow:
    return PeriodRow(
        valid_from=_d(row[0]),  # type: ignore[arg-type]
        valid_to=_d(row[1]),
        status=row[2],
        recognised=bool(row[3]),
        standard=row[4],
        transition=row[5],
        list_year=row[6],
        decision_number=row[7],
        decision_version=row[8],
    )


def _attribute_from(row: Any) -> AttributeRow:
    return AttributeRow(
        valid_from=_d(row[0]),  # type: ignore[arg-type]
        valid_to=_d(row[1]),
        code=row[2],
        unit_code=row[3],
        unit_named_on=_d(row[4]),  # type: ignore[arg-type]
        village=row[5],
        area_type=row[6],
        ethnic_minority=bool(row[7]),
        sponsor_active=bool(row[8]),
        exit_registered=bool(row[9]),
        closed=bool(row[10]),
    )


_SELECT_OPEN_PERIODS = (
    "SELECT id, household_id, valid_from, valid_to, status, recognised, standard, transition, "
    "list_year, decision_number, decision_version FROM rm_status_periods "
    "WHERE known_to IS NULL AND household_id IN ({})"
)
_SELECT_OPEN_ATTRIBUTES = (
    "SELECT id, household_id, valid_from, valid_to, code, unit_code, unit_named_on, village, "
    "area_type, ethnic_minority, sponsor_active, exit_registered, closed "
    "FROM rm_household_attributes WHERE known_to IS NULL AND household_id IN ({})"
)


class SQLiteViews:
    """The read-model tables in the SQLite store (dates as ISO text, moments as microseconds)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._local = threading.local()

    def connection(self) -> sqlite3.Connection:
        """This thread's connection (autocommit; explicit transactions)."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, isolation_level=None, timeout=30)
            conn.execute("PRAGMA journal_mode=WAL")
            # As on PostgreSQL: rows and position commit together, so losing the last commits
            # in a power cut only means applying them again (WAL stays consistent).
            conn.execute("PRAGMA synchronous=NORMAL")
            self._local.conn = conn
        return conn

    def position(self, application_name: str) -> int:
        row = (
            self.connection()
            .execute(
                "SELECT notification_id FROM rm_tracking WHERE application_name = ?",
                (application_name,),
            )
            .fetchone()
        )
        return int(row[0]) if row else 0

    def open_rows(self, household_ids: Sequence[uuid.UUID]) -> OpenRows:
        result: OpenRows = {}
        if not household_ids:
            return result
        conn = self.connection()
        by_text = {str(h): h for h in household_ids}
        keys = list(by_text)
        for i in range(0, len(keys), 500):
            chunk = keys[i : i + 500]
            marks = ",".join("?" * len(chunk))
            for row in conn.execute(_SELECT_OPEN_PERIODS.format(marks), chunk):
                hid = by_text[row[1]]
                result.setdefault(hid, ([], []))[0].append((row[0], _period_from(row[2:])))
            for row in conn.execute(_SELECT_OPEN_ATTRIBUTES.format(marks), chunk):
                hid = by_text[row[1]]
                result.setdefault(hid, ([], []))[1].append((row[0], _attribute_from(row[2:])))
        return result

    def commit(self, application_name: str, batch: BatchWrite) -> None:
        conn = self.connection()
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute(
                "INSERT OR IGNORE INTO rm_tracking (application_name, notification_id) VALUES (?, 0)",
                (application_name,),
            )
            moved = conn.execute(
                "UPDATE rm_tracking SET notification_id = ?, updated_at = CURRENT_TIMESTAMP "
                "WHERE application_name = ? AND notification_id = ?",
                (batch.new_position, application_name, batch.expected_position),
            ).rowcount
            if moved != 1:
                raise PositionMoved(application_name)
            conn.executemany(
                "UPDATE rm_status_periods SET known_to = ? WHERE id = ?",
                [(to_micros(t), i) for i, t in batch.close_periods],
            )
            conn.executemany(
                "UPDATE rm_household_attributes SET known_to = ? WHERE id = ?",
                [(to_micros(t), i) for i, t in batch.close_attributes],
            )
            conn.executemany(
                f"INSERT INTO rm_status_periods ({_PERIOD_COLUMNS}) VALUES ({','.join('?' * 13)})",
                [_sqlite_row(i) for i in batch.insert_periods],
            )
            conn.executemany(
                f"INSERT INTO rm_household_attributes ({_ATTRIBUTE_COLUMNS}) "
                f"VALUES ({','.join('?' * 15)})",
                [_sqlite_row(i) for i in batch.insert_attributes],
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def reset(self, application_name: str) -> None:
        conn = self.connection()
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute("DELETE FROM rm_status_periods")
            conn.execute("DELETE FROM rm_household_attributes")
            conn.execute("DELETE FROM rm_tracking WHERE application_name = ?", (application_name,))
            conn.execute(
                "INSERT INTO rm_tracking (application_name, notification_id) VALUES (?, 0)",
                (application_name,),
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None


class PostgresViews:
    """The read-model tables in the PostgreSQL store's schema."""

    def __init__(self, config: StoreConfig) -> None:
        self.config = config
        self._local = threading.local()

    def connection(self) -> psycopg.Connection[Any]:
        """This thread's connection (autocommit; explicit transactions), search_path set."""
        conn = getattr(self._local, "conn", None)
        if conn is None or conn.closed:
            conn = psycopg.connect(self.config.psycopg_conninfo(), autocommit=True)
            conn.execute(
                sql.SQL("SET search_path TO {}").format(sql.Identifier(self.config.schema))
            )
            self._local.conn = conn
        return conn

    def position(self, application_name: str) -> int:
        row = (
            self.connection()
            .execute(
                "SELECT notification_id FROM rm_tracking WHERE application_name = %s",
                (application_name,),
            )
            .fetchone()
        )
        return int(row[0]) if row else 0

    def open_rows(self, household_ids: Sequence[uuid.UUID]) -> OpenRows:
        result: OpenRows = {}
        if not household_ids:
            return result
        conn = self.connection()
        ids = list(household_ids)
        where = "= ANY(%s)"
        for row in conn.execute(
            _SELECT_OPEN_PERIODS.replace("IN ({})", where), (ids,), prepare=True
        ):
            result.setdefault(row[1], ([], []))[0].append((row[0], _period_from(row[2:])))
        for row in conn.execute(
            _SELECT_OPEN_ATTRIBUTES.replace("IN ({})", where), (ids,), prepare=True
        ):
            result.setdefault(row[1], ([], []))[1].append((row[0], _attribute_from(row[2:])))
        return result

    def commit(self, application_name: str, batch: BatchWrite) -> None:
        conn = self.connection()
        with conn.transaction(), conn.cursor() as cur:
            # Derived rows and their position commit together, so a crash that loses the last
            # commits (asynchronous commit) only makes the projection apply them again.
            cur.execute("SET LOCAL synchronous_commit TO off")
            cur.execute(
                "INSERT INTO rm_tracking (application_name, notification_id) VALUES (%s, 0) "
                "ON CONFLICT (application_name) DO NOTHING",
                (application_name,),
            )
            cur.execute(
                "UPDATE rm_tracking SET notification_id = %s, updated_at = now() "
                "WHERE application_name = %s AND notification_id = %s",
                (batch.new_position, application_name, batch.expected_position),
            )
            if cur.rowcount != 1:
                raise PositionMoved(application_name)
            for table, closes in (
                ("rm_status_periods", batch.close_periods),
                ("rm_household_attributes", batch.close_attributes),
            ):
                if closes:
                    cur.execute(
                        sql.SQL(
                            "UPDATE {} AS t SET known_to = v.known_to "
                            "FROM unnest(%s::bigint[], %s::timestamptz[]) AS v(id, known_to) "
                            "WHERE t.id = v.id"
                        ).format(sql.Identifier(table)),
                        ([i for i, _ in closes], [t for _, t in closes]),
                    )
            if batch.insert_periods:
                with cur.copy(f"COPY rm_status_periods ({_PERIOD_COLUMNS}) FROM STDIN") as copy:
                    for i in batch.insert_periods:
                        copy.write_row(_period_values(i))
            if batch.insert_attributes:
                with cur.copy(
                    f"COPY rm_household_attributes ({_ATTRIBUTE_COLUMNS}) FROM STDIN"
                ) as copy:
                    for i in batch.insert_attributes:
                        copy.write_row(_attribute_values_of(i))

    def reset(self, application_name: str) -> None:
        conn = self.connection()
        with conn.transaction():
            conn.execute("TRUNCATE rm_status_periods, rm_household_attributes RESTART IDENTITY")
            conn.execute(
                "INSERT INTO rm_tracking (application_name, notification_id) VALUES (%s, 0) "
                "ON CONFLICT (application_name) DO UPDATE SET notification_id = 0, "
                "updated_at = now()",
                (application_name,),
            )

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None


def open_views(config: StoreConfig) -> ViewStore:
    """The read-model tables of the configured store."""
    if config.is_postgres:
        return PostgresViews(config)
    assert config.sqlite_path is not None
    return SQLiteViews(str(config.sqlite_path))


# -- the projection -------------------------------------------------------------------------------


@dataclass
class _Household:
    """A household's state while a batch is being computed."""

    facts: list[Any]
    periods: dict[PeriodRow, tuple[str, int]]  # row -> ("db", id) | ("new", index)
    attributes: dict[AttributeRow, tuple[str, int]]
    exit_registrations: int = 0


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
    ``views`` the read-model tables of the same store (:func:`open_views`).
    """

    def __init__(
        self,
        app: Any,
        views: ViewStore,
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        cache_size: int = DEFAULT_CACHE_SIZE,
    ) -> None:
        self.app = app
        self.views = views
        self.batch_size = batch_size
        self.cache_size = cache_size
        self.name: str = app.name
        # household -> (last version seen, relevant facts up to it)
        self._cache: OrderedDict[uuid.UUID, tuple[int, list[Any]]] = OrderedDict()

    # -- positions ----------------------------------------------------------------------------

    def position(self) -> int:
        """The last notification id applied to the read models."""
        return self.views.position(self.name)

    def head(self) -> int:
        """The last notification id in the log (0 when empty)."""
        return int(self.app.recorder.max_notification_id() or 0)

    # -- processing ---------------------------------------------------------------------------

    def process_batch(self) -> BatchResult:
        """Apply the next batch of notifications (at most ``batch_size``) in one transaction.

        A batch whose position moved meanwhile (another projector, a rebuild) is discarded and
        reported as 0 notifications; calling again continues from the new position.
        """
        start = self.views.position(self.name)
        notifications = self.app.recorder.select_notifications(
            start, self.batch_size, inclusive_of_start=False
        )
        if not notifications:
            return BatchResult(0, 0, 0, start, True)
        mapper = self.app.mapper
        # Only facts that can change a row are decoded; the others just move the position.
        events = [
            (n.id, mapper.to_domain_event(n)) for n in notifications if is_relevant_topic(n.topic)
        ]
        batch = BatchWrite(expected_position=start, new_position=notifications[-1].id)
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
        rows = self.views.open_rows(existing)
        states: dict[uuid.UUID, _Household] = {}
        for hid, version in first.items():
            facts = self._facts_before(hid, version) if version > 1 else []
            periods, attributes = rows.get(hid, ([], []))
            states[hid] = _Household(
                facts=facts,
                periods={row: ("db", i) for i, row in periods},
                attributes={row: ("db", i) for i, row in attributes},
                exit_registrations=sum(1 for f in facts if type(f) is ExitRegistered),
            )
        return states

    def _facts_before(self, hid: uuid.UUID, version: int) -> list[Any]:
        cached = self._cache.get(hid)
        if cached is not None and cached[0] >= version - 1:
            self._cache.move_to_end(hid)
            return [f for f in cached[1] if f.originator_version < version]
        stored = self.app.recorder.select_events(hid, lte=version - 1)
        mapper = self.app.mapper
        return [mapper.to_domain_event(s) for s in stored if is_relevant_topic(s.topic)]

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
        moment = event.timestamp
        self._diff(
            hid, nid, moment, state.periods, periods, batch.close_periods, batch.insert_periods
        )
        self._diff(
            hid,
            nid,
            moment,
            state.attributes,
            attributes,
            batch.close_attributes,
            batch.insert_attributes,
        )

    @staticmethod
    def _diff(
        hid: uuid.UUID,
        nid: int,
        moment: datetime,
        current: dict[Any, tuple[str, int]],
        wanted: Sequence[Any],
        closes: list[tuple[int, datetime]],
        inserts: list[_Insert],
    ) -> None:
        wanted_set = set(wanted)
        for row in [r for r in current if r not in wanted_set]:
            where, ref = current.pop(row)
            if where == "db":
                closes.append((ref, moment))
            else:
                inserts[ref].known_to = moment
        for row in wanted:
            if row not in current:
                current[row] = ("new", len(inserts))
                inserts.append(_Insert(hid, row, moment, nid))

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
    ) -> int:
        """Apply every pending notification; return how many were applied.

        ``progress(position, head)`` is called after each batch.
        """
        applied = 0
        head = self.head()
        while stop is None or not stop.is_set():
            result = self.process_batch()
            applied += result.notifications
            if progress is not None:
                progress(result.position, max(head, result.position))
            if result.head_reached:
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
        """Poll the log until ``stop`` is set: apply new notifications, back off when idle.

        After downtime the first polls catch up (batches of ``batch_size``); then each new write
        is picked up within ``min_sleep`` .. ``max_sleep`` seconds (the sleep doubles while idle
        and drops back to ``min_sleep`` as soon as something arrives).
        """
        sleep = min_sleep
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
            stop.wait(sleep)

    def rebuild(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Empty the read models and replay the whole log into them; return notifications."""
        self.views.reset(self.name)
        self._cache.clear()
        return self.catch_up(progress)

    def wait_for(self, notification_id: int, timeout: float = 5.0) -> bool:
        """Block until the read models include ``notification_id`` (read-your-writes)."""
        deadline = time.monotonic() + timeout
        delay = 0.005
        while self.position() < notification_id:
            if time.monotonic() > deadline:
                return False
            time.sleep(delay)
            delay = min(delay * 2, 0.2)
        return True

    def close(self) -> None:
        """Release the read-model connections."""
        self.views.close()


def build_projection(app: Any, config: StoreConfig, **kw: Any) -> Projection:
    """A projection of ``app``'s log into the read models of the store ``config`` describes."""
    return Projection(app, open_views(config), **kw)
