"""What differs between the two stores in hand-written SQL, in one place, and the one way a
connection to the store is opened.

Statements are written once, with ``?`` placeholders (:meth:`Dialect.sql` turns them into ``%s``
for PostgreSQL). Values differ: SQLite keeps moments as fixed-width UTC text (so that text order
is time order), dates as ISO text, JSON and lists as JSON text and UUIDs as text, where
PostgreSQL has ``timestamptz``, ``date``, ``jsonb``, arrays and ``uuid``; the :class:`Dialect`
converts both ways. A unique or foreign key breach raises :attr:`Dialect.integrity_errors`.

:func:`connect` opens every connection chungtay makes itself (the event store's own are the
library's): SQLite with a busy timeout and foreign keys, PostgreSQL with the store's schema on the
search path. :class:`Connections` holds them for an adapter that works in short transactions:
one connection per thread on SQLite (in WAL mode readers never wait), a small pool on PostgreSQL.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any

import psycopg
from psycopg import sql
from psycopg_pool import ConnectionPool

from infrastructure.store import StoreConfig

BUSY_TIMEOUT = 30.0
"""Seconds an SQLite connection waits for another writer before giving up."""


def utc_text(moment: datetime) -> str:
    """A moment as fixed-width UTC text, so that SQLite's text order is time order."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


class Dialect:
    """The SQL and the values of one store's backend."""

    def __init__(self, *, postgres: bool) -> None:
        self.postgres = postgres
        self.integrity_errors: tuple[type[Exception], ...] = (
            (psycopg.errors.IntegrityError,) if self.postgres else (sqlite3.IntegrityError,)
        )
        self.missing_table_errors: tuple[type[Exception], ...] = (
            (psycopg.errors.UndefinedTable,) if self.postgres else (sqlite3.OperationalError,)
        )

    @classmethod
    def of(cls, config: StoreConfig) -> Dialect:
        """The dialect of the configured store."""
        return cls(postgres=config.is_postgres)

    def sql(self, text: str) -> str:
        """A statement written with ``?`` placeholders, in this backend's style."""
        return text.replace("?", "%s") if self.postgres else text

    def time(self, moment: datetime) -> Any:
        """A moment as the store keeps it."""
        return moment if self.postgres else utc_text(moment)

    def read_time(self, value: Any) -> datetime:
        """A stored moment."""
        return value if isinstance(value, datetime) else datetime.fromisoformat(value)

    def read_optional_time(self, value: Any) -> datetime | None:
        """A stored moment that may be absent."""
        return None if value is None else self.read_time(value)

    def day(self, value: date) -> Any:
        """A date as the store keeps it."""
        return value if self.postgres else value.isoformat()

    @staticmethod
    def read_day(value: Any) -> date:
        """A stored date."""
        return value if isinstance(value, date) else date.fromisoformat(value)

    @staticmethod
    def json(value: Any) -> str:
        """JSON text (cast with :meth:`json_mark` where PostgreSQL keeps ``jsonb``)."""
        return json.dumps(value, ensure_ascii=False, sort_keys=True)

    def json_mark(self) -> str:
        """The placeholder of a JSON value."""
        return "?::jsonb" if self.postgres else "?"

    @staticmethod
    def read_json(value: Any) -> Any:
        """A stored JSON value (already parsed by psycopg from ``jsonb``)."""
        return json.loads(value) if isinstance(value, str | bytes) else value

    def texts(self, values: Sequence[str]) -> Any:
        """A list of texts as the store keeps it (an array, or JSON text)."""
        return list(values) if self.postgres else json.dumps(list(values))

    def read_texts(self, value: Any) -> tuple[str, ...]:
        """A stored list of texts."""
        return tuple(self.read_json(value) or ())

    def uuid(self, value: str | uuid.UUID) -> Any:
        """A UUID as the store keeps it (``ValueError`` for text that is not one, on
        PostgreSQL, where the column refuses it)."""
        return uuid.UUID(str(value)) if self.postgres else str(value)

    def lock(self, table: str) -> str | None:
        """The statement that makes one writer at a time extend ``table`` inside a transaction
        (None on SQLite, where a write transaction already excludes other writers)."""
        return f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE" if self.postgres else None


def connect(config: StoreConfig, *, autocommit: bool = True, read_only: bool = False) -> Any:
    """A new connection to the store: the one way chungtay opens one.

    SQLite: autocommit mode (transactions are begun explicitly), a busy timeout, foreign keys
    on; ``read_only`` opens the file read-only (and never creates it). PostgreSQL: the store's
    schema on the search path; ``autocommit=False`` for psycopg's implicit transactions.
    """
    if config.is_postgres:
        conn = psycopg.connect(config.psycopg_conninfo(), autocommit=autocommit)
        conn.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(config.schema)))
        if not autocommit:
            conn.commit()
        return conn
    assert config.sqlite_path is not None
    target = f"file:{config.sqlite_path}?mode=ro" if read_only else str(config.sqlite_path)
    conn = sqlite3.connect(
        target,
        uri=read_only,
        isolation_level=None,
        timeout=BUSY_TIMEOUT,
        check_same_thread=False,
    )
    conn.execute("PRAGMA foreign_keys=ON")
    return conn


class Connections:
    """Connections of one adapter to the store, handed out inside short transactions."""

    def __init__(self, config: StoreConfig, *, pool_size: int = 4, name: str = "chungtay") -> None:
        self.config = config
        self.dialect = Dialect.of(config)
        self._local = threading.local()
        self._lock = threading.Lock()
        self._opened: list[sqlite3.Connection] = []
        self._pool: ConnectionPool | None = None
        if config.is_postgres:
            self._pool = ConnectionPool(
                config.psycopg_conninfo(),
                min_size=1,
                max_size=pool_size,
                configure=self._configure,
                check=ConnectionPool.check_connection,  # after a server restart, no dead ones
                open=True,
                name=f"{name}-{config.schema}",
            )

    def _configure(self, conn: psycopg.Connection) -> None:
        conn.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(self.config.schema)))
        conn.commit()

    def _sqlite(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = connect(self.config)
            self._local.conn = conn
            with self._lock:
                self._opened.append(conn)
        return conn

    @contextmanager
    def transaction(self, *, write: bool = False) -> Iterator[Any]:
        """A connection inside one transaction: committed at the end, rolled back on error.
        ``write`` takes SQLite's write lock at once (``BEGIN IMMEDIATE``)."""
        if self._pool is not None:
            with self._pool.connection() as conn:
                yield conn
            return
        conn = self._sqlite()
        conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def close(self) -> None:
        """Close every connection (each thread's, or the pool)."""
        if self._pool is not None:
            self._pool.close()
            return
        with self._lock:
            for conn in self._opened:
                conn.close()
            self._opened.clear()
        self._local = threading.local()
