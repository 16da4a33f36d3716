"""The read-model tables as the projection writes them, in SQLite and in PostgreSQL.

A :class:`BatchWrite` is everything one batch of notifications changes: rows whose knowledge
interval ends (``known_to`` set), new rows, and the recording moments appended to each household's
versions. :meth:`ViewStore.commit` writes it and moves the tracking position in one transaction,
guarded by the position the batch started from, so each notification is applied exactly once.
"""

from __future__ import annotations

import sqlite3
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NamedTuple, Protocol

import psycopg
from psycopg import sql

from infrastructure.projection_rows import AttributeRow, ListRow, PeriodRow, to_micros
from infrastructure.sql import connect
from infrastructure.store import StoreConfig

TABLES = ("rm_status_periods", "rm_household_attributes", "rm_household_list")
"""The tabulated row kinds, in the order of :class:`OpenRows` and of a batch's changes."""

VERSION_WIDTH = 16
"""Hex digits per recording moment in ``rm_household_versions.recorded`` (microseconds)."""


class PositionMoved(Exception):
    """Another projector (or a rebuild) moved the tracking position: the batch is discarded."""


@dataclass
class Insert:
    """A new row: the household, its values and its knowledge interval."""

    household_id: uuid.UUID
    row: PeriodRow | AttributeRow | ListRow
    known_from: datetime
    notification_id: int
    known_to: datetime | None = None


@dataclass
class TableChanges:
    """Rows of one table whose knowledge ends (by id) and rows to insert."""

    closes: list[tuple[int, datetime]] = field(default_factory=list)
    inserts: list[Insert] = field(default_factory=list)


@dataclass
class BatchWrite:
    """Everything one batch changes, written in one transaction with the new position."""

    expected_position: int
    new_position: int
    tables: dict[str, TableChanges] = field(
        default_factory=lambda: {t: TableChanges() for t in TABLES}
    )
    recorded: dict[uuid.UUID, list[datetime]] = field(default_factory=dict)
    first_notification: dict[uuid.UUID, int] = field(default_factory=dict)

    def record(self, household_id: uuid.UUID, notification_id: int, moment: datetime) -> None:
        """Note the recording moment of the household's next version."""
        self.recorded.setdefault(household_id, []).append(moment)
        self.first_notification.setdefault(household_id, notification_id)

    @property
    def row_changes(self) -> int:
        """How many rows the batch inserts or closes."""
        return sum(len(c.closes) + len(c.inserts) for c in self.tables.values())

    def version_rows(self) -> list[tuple[uuid.UUID, int, str, int]]:
        """(household, versions added, their moments as fixed-width hex, first notification)."""
        return [
            (
                hid,
                len(moments),
                "".join(f"{to_micros(m):0{VERSION_WIDTH}x}" for m in moments),
                self.first_notification[hid],
            )
            for hid, moments in self.recorded.items()
        ]


class OpenRow(NamedTuple):
    """A row that is still the answer, with its id."""

    id: int
    row: Any


OpenRows = dict[uuid.UUID, tuple[list[OpenRow], list[OpenRow], list[OpenRow]]]
"""Per household: open status periods, attribute segments and list segments."""


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

    def optimise(self) -> None:
        """Refresh the planner's statistics (and PostgreSQL's visibility map) after bulk work."""

    def close(self) -> None:
        """Release connections."""


COLUMNS = {
    "rm_status_periods": (
        "valid_from, valid_to, status, recognised, standard, transition, list_year, "
        "decision_number, decision_version"
    ),
    "rm_household_attributes": (
        "valid_from, valid_to, code, unit_code, unit_named_on, village, area_type, "
        "ethnic_minority, sponsor_active, exit_registered, closed"
    ),
    "rm_household_list": (
        "valid_from, valid_to, code, head_name, search_key, unit_code, unit_named_on, village, "
        "status, recognised, since, ethnic_minority, closed"
    ),
}
ROW_TYPES: dict[str, Callable[..., Any]] = {
    "rm_status_periods": PeriodRow,
    "rm_household_attributes": AttributeRow,
    "rm_household_list": ListRow,
}
_BOOLEANS = {
    "rm_status_periods": {3},
    "rm_household_attributes": {7, 8, 9, 10},
    "rm_household_list": {9, 11, 12},
}
_DATES = {
    "rm_status_periods": {0, 1},
    "rm_household_attributes": {0, 1, 4},
    "rm_household_list": {0, 1, 6, 10},
}


def _insert_columns(table: str) -> str:
    return f"household_id, {COLUMNS[table]}, known_from, known_to, notification_id"


def _select_open(table: str, where: str) -> str:
    return f"SELECT id, household_id, {COLUMNS[table]} FROM {table} WHERE known_to IS NULL AND household_id {where}"


def _row_from(table: str, values: Sequence[Any]) -> Any:
    """A stored row back as its row type (SQLite gives text dates and integer flags)."""
    booleans, dates = _BOOLEANS[table], _DATES[table]
    out = []
    for i, v in enumerate(values):
        if i in booleans:
            v = bool(v)
        elif i in dates and isinstance(v, str):
            v = date.fromisoformat(v)
        out.append(v)
    return ROW_TYPES[table](*out)


def _values(i: Insert) -> tuple[Any, ...]:
    return (i.household_id, *i.row, i.known_from, i.known_to, i.notification_id)


def _sqlite_values(i: Insert) -> tuple[Any, ...]:
    """An insert's values for SQLite: text ids and dates, integer moments and flags."""
    return (
        str(i.household_id),
        *(v.isoformat() if type(v) is date else v for v in i.row),
        to_micros(i.known_from),
        None if i.known_to is None else to_micros(i.known_to),
        i.notification_id,
    )


class SQLiteViews:
    """The read-model tables in the SQLite store (dates as ISO text, moments as microseconds)."""

    def __init__(self, config: StoreConfig) -> None:
        self.config = config
        self._local = threading.local()

    def connection(self) -> sqlite3.Connection:
        """This thread's connection (autocommit; explicit transactions)."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = connect(self.config)
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
        conn = self.connection()
        by_text = {str(h): h for h in household_ids}
        keys = list(by_text)
        for i in range(0, len(keys), 500):
            chunk = keys[i : i + 500]
            where = f"IN ({','.join('?' * len(chunk))})"
            for t, table in enumerate(TABLES):
                for row in conn.execute(_select_open(table, where), chunk):
                    hid = by_text[row[1]]
                    found = result.setdefault(hid, ([], [], []))
                    found[t].append(OpenRow(row[0], _row_from(table, row[2:])))
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
            for table, changes in batch.tables.items():
                conn.executemany(
                    f"UPDATE {table} SET known_to = ? WHERE id = ?",
                    [(to_micros(t), i) for i, t in changes.closes],
                )
                marks = ",".join("?" * (len(ROW_TYPES[table]._fields) + 4))  # type: ignore[attr-defined]
                conn.executemany(
                    f"INSERT INTO {table} ({_insert_columns(table)}) VALUES ({marks})",
                    [_sqlite_values(i) for i in changes.inserts],
                )
            conn.executemany(
                "INSERT INTO rm_household_versions "
                "(household_id, version, recorded, first_notification) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (household_id) DO UPDATE SET "
                "version = version + excluded.version, recorded = recorded || excluded.recorded",
                [(str(h), n, r, f) for h, n, r, f in batch.version_rows()],
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def reset(self, application_name: str) -> None:
        conn = self.connection()
        conn.execute("BEGIN IMMEDIATE")
        try:
            for table in (*TABLES, "rm_household_versions"):
                conn.execute(f"DELETE FROM {table}")
            conn.execute("DELETE FROM rm_tracking WHERE application_name = ?", (application_name,))
            conn.execute(
                "INSERT INTO rm_tracking (application_name, notification_id) VALUES (?, 0)",
                (application_name,),
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def optimise(self) -> None:
        self.connection().execute("ANALYZE")

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
            conn = connect(self.config)
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
        for t, table in enumerate(TABLES):
            for row in conn.execute(_select_open(table, "= ANY(%s)"), (ids,), prepare=True):
                found = result.setdefault(row[1], ([], [], []))
                found[t].append(OpenRow(row[0], _row_from(table, row[2:])))
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
            for table, changes in batch.tables.items():
                if changes.closes:
                    cur.execute(
                        sql.SQL(
                            "UPDATE {} AS t SET known_to = v.known_to "
                            "FROM unnest(%s::bigint[], %s::timestamptz[]) AS v(id, known_to) "
                            "WHERE t.id = v.id"
                        ).format(sql.Identifier(table)),
                        ([i for i, _ in changes.closes], [t for _, t in changes.closes]),
                    )
                if changes.inserts:
                    with cur.copy(f"COPY {table} ({_insert_columns(table)}) FROM STDIN") as copy:
                        for i in changes.inserts:
                            copy.write_row(_values(i))
            rows = batch.version_rows()
            if rows:
                cur.execute(
                    "INSERT INTO rm_household_versions "
                    "(household_id, version, recorded, first_notification) "
                    "SELECT * FROM unnest(%s::uuid[], %s::int[], %s::text[], %s::bigint[]) "
                    "ON CONFLICT (household_id) DO UPDATE SET "
                    "version = rm_household_versions.version + excluded.version, "
                    "recorded = rm_household_versions.recorded || excluded.recorded",
                    tuple([r[i] for r in rows] for i in range(4)),
                )

    def reset(self, application_name: str) -> None:
        conn = self.connection()
        with conn.transaction():
            conn.execute(f"TRUNCATE {', '.join(TABLES)}, rm_household_versions RESTART IDENTITY")
            conn.execute(
                "INSERT INTO rm_tracking (application_name, notification_id) VALUES (%s, 0) "
                "ON CONFLICT (application_name) DO UPDATE SET notification_id = 0, "
                "updated_at = now()",
                (application_name,),
            )

    def optimise(self) -> None:
        # Index-only scans of the list need the visibility map that VACUUM keeps.
        self.connection().execute(f"VACUUM (ANALYZE) {', '.join(TABLES)}, rm_household_versions")

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
    return SQLiteViews(config)
