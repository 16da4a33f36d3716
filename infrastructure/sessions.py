"""The web pages' sessions (:class:`application.sessions.SessionStore`) on SQLite or PostgreSQL.

One class for both stores: the SQL is the same but for placeholders, and timestamps are passed
as fixed-width UTC text to SQLite (so text order is time order) and as ``timestamptz`` values to
PostgreSQL. The table comes from ``migrations/*/0008_web_sessions.sql``.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from typing import Any

import psycopg
from psycopg import sql
from psycopg_pool import ConnectionPool

from application.sessions import SessionStore, WebSession
from infrastructure.store import StoreConfig

COLUMNS = (
    "session_sha256, token_sha256, user_name, csrf_token, created_at, last_seen_at, expires_at"
)
Connect = Callable[[], AbstractContextManager[Any]]


def session_store(config: StoreConfig) -> SessionStore:
    """The session store for the configured backend."""
    if config.is_postgres:
        return _postgres(config)
    assert config.sqlite_path is not None
    return _sqlite(str(config.sqlite_path))


class SQLSessionStore:
    """Sessions through a DB-API connection factory; ``?`` placeholders are rewritten for
    PostgreSQL, and ``to_db``/``from_db`` convert timestamps for the backend."""

    def __init__(
        self,
        connect: Connect,
        *,
        placeholder: str,
        to_db: Callable[[datetime], Any],
        from_db: Callable[[Any], datetime],
        close: Callable[[], None],
    ) -> None:
        self._connect = connect
        self._placeholder = placeholder
        self._to_db = to_db
        self._from_db = from_db
        self._close = close

    def _run(self, statement: str, params: Sequence[Any]) -> Any:
        with self._connect() as conn:
            return conn.execute(statement.replace("?", self._placeholder), tuple(params))

    def insert(self, session: WebSession) -> None:
        """Store a new session."""
        self._run(
            f"INSERT INTO web_sessions ({COLUMNS}) VALUES (?,?,?,?,?,?,?)",
            (
                session.session_sha256,
                session.token_sha256,
                session.user_name,
                session.csrf_token,
                self._to_db(session.created_at),
                self._to_db(session.last_seen_at),
                self._to_db(session.expires_at),
            ),
        )

    def get(self, session_sha256: str) -> WebSession | None:
        """The session with that hash."""
        with self._connect() as conn:
            row = conn.execute(
                f"SELECT {COLUMNS} FROM web_sessions WHERE session_sha256 = {self._placeholder}",
                (session_sha256,),
            ).fetchone()
        if row is None:
            return None
        return WebSession(*row[:4], *(self._from_db(v) for v in row[4:]))

    def touch(self, session_sha256: str, at: datetime) -> None:
        """Record activity."""
        self._run(
            "UPDATE web_sessions SET last_seen_at = ? WHERE session_sha256 = ?",
            (self._to_db(at), session_sha256),
        )

    def delete(self, session_sha256: str) -> None:
        """End one session."""
        self._run("DELETE FROM web_sessions WHERE session_sha256 = ?", (session_sha256,))

    def delete_for_token(self, token_sha256: str) -> int:
        """End every session of a token."""
        return int(
            self._run("DELETE FROM web_sessions WHERE token_sha256 = ?", (token_sha256,)).rowcount
        )

    def delete_expired(self, now: datetime, idle_since: datetime) -> int:
        """Remove sessions that can no longer be used."""
        return int(
            self._run(
                "DELETE FROM web_sessions WHERE expires_at <= ? OR last_seen_at <= ?",
                (self._to_db(now), self._to_db(idle_since)),
            ).rowcount
        )

    def close(self) -> None:
        """Release connections."""
        self._close()


def _utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _sqlite(path: str) -> SQLSessionStore:
    local = threading.local()
    opened: list[sqlite3.Connection] = []
    lock = threading.Lock()

    @contextmanager
    def connect() -> Iterator[sqlite3.Connection]:
        conn: sqlite3.Connection | None = getattr(local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(path, timeout=30, check_same_thread=False)
            local.conn = conn
            with lock:
                opened.append(conn)
        with conn:  # one transaction: committed, or rolled back on error
            yield conn

    def close() -> None:
        with lock:
            for conn in opened:
                conn.close()
            opened.clear()
        local.__dict__.clear()

    return SQLSessionStore(
        connect,
        placeholder="?",
        to_db=_utc_text,
        from_db=datetime.fromisoformat,
        close=close,
    )


def _postgres(config: StoreConfig) -> SQLSessionStore:
    def configure(conn: psycopg.Connection) -> None:
        conn.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(config.schema)))
        conn.commit()

    pool = ConnectionPool(
        config.psycopg_conninfo(),
        min_size=1,
        max_size=4,
        configure=configure,
        open=True,
        name=f"chungtay-sessions-{config.schema}",
    )
    return SQLSessionStore(
        pool.connection,
        placeholder="%s",
        to_db=lambda moment: moment,
        from_db=lambda value: value,
        close=pool.close,
    )
