"""The web pages' sessions (:class:`application.sessions.SessionStore`) on either store.

The table comes from ``migrations/*/0008_web_sessions.sql``; what differs between SQLite and
PostgreSQL is said by :class:`infrastructure.sql.Dialect`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from application.sessions import SessionStore, WebSession
from infrastructure.sql import Connections
from infrastructure.store import StoreConfig

COLUMNS = (
    "session_sha256, token_sha256, user_name, csrf_token, created_at, last_seen_at, expires_at"
)


def session_store(config: StoreConfig) -> SessionStore:
    """The session store of the configured store."""
    return SQLSessionStore(config)


class SQLSessionStore:
    """Sessions in the store's own database."""

    def __init__(self, config: StoreConfig) -> None:
        self.connections = Connections(config, pool_size=4, name="chungtay-sessions")
        self.dialect = self.connections.dialect

    def _run(self, statement: str, params: Sequence[Any]) -> int:
        """One statement in its own transaction; the rows it changed."""
        with self.connections.transaction(write=True) as conn:
            return int(conn.execute(self.dialect.sql(statement), tuple(params)).rowcount)

    def insert(self, session: WebSession) -> None:
        """Store a new session."""
        t = self.dialect.time
        self._run(
            f"INSERT INTO web_sessions ({COLUMNS}) VALUES (?,?,?,?,?,?,?)",
            (
                session.session_sha256,
                session.token_sha256,
                session.user_name,
                session.csrf_token,
                t(session.created_at),
                t(session.last_seen_at),
                t(session.expires_at),
            ),
        )

    def get(self, session_sha256: str) -> WebSession | None:
        """The session with that hash."""
        with self.connections.transaction() as conn:
            row = conn.execute(
                self.dialect.sql(f"SELECT {COLUMNS} FROM web_sessions WHERE session_sha256 = ?"),
                (session_sha256,),
            ).fetchone()
        if row is None:
            return None
        return WebSession(*row[:4], *(self.dialect.read_time(v) for v in row[4:]))

    def touch(self, session_sha256: str, at: datetime) -> None:
        """Record activity."""
        self._run(
            "UPDATE web_sessions SET last_seen_at = ? WHERE session_sha256 = ?",
            (self.dialect.time(at), session_sha256),
        )

    def delete(self, session_sha256: str) -> None:
        """End one session."""
        self._run("DELETE FROM web_sessions WHERE session_sha256 = ?", (session_sha256,))

    def delete_for_token(self, token_sha256: str) -> int:
        """End every session of a token."""
        return self._run("DELETE FROM web_sessions WHERE token_sha256 = ?", (token_sha256,))

    def delete_expired(self, now: datetime, idle_since: datetime) -> int:
        """Remove sessions that can no longer be used."""
        return self._run(
            "DELETE FROM web_sessions WHERE expires_at <= ? OR last_seen_at <= ?",
            (self.dialect.time(now), self.dialect.time(idle_since)),
        )

    def close(self) -> None:
        """Release connections."""
        self.connections.close()
