"""Read-only SQL on the store for the read side: one connection per thread, time-limited.

A request that reads the read models gets its own connection (per thread, opened lazily, so after
a gunicorn fork), with the schema on the search path and, on PostgreSQL, a ``statement_timeout``:
no single statement of a request can hold the database longer than that. A cancelled statement
surfaces as :class:`application.errors.QueryTooLong`; a dropped connection is reopened once.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import psycopg
from psycopg import sql

from application.errors import QueryTooLong
from infrastructure.settings import DEFAULT_STATEMENT_TIMEOUT
from infrastructure.sql import connect
from infrastructure.store import StoreConfig


class SqlReader:
    """Thread-local read connections to one store (SQLite file or PostgreSQL schema)."""

    def __init__(
        self, config: StoreConfig, statement_timeout: float = DEFAULT_STATEMENT_TIMEOUT
    ) -> None:
        self.config = config
        self.statement_timeout = statement_timeout
        self._local = threading.local()

    @property
    def is_postgres(self) -> bool:
        """Whether the store is PostgreSQL (placeholders ``%s``) or SQLite (``?``)."""
        return self.config.is_postgres

    @property
    def mark(self) -> str:
        """The parameter placeholder of the dialect."""
        return "%s" if self.config.is_postgres else "?"

    def connection(self) -> Any:
        """This thread's connection, opened on first use."""
        conn = getattr(self._local, "conn", None)
        if conn is not None and not (self.config.is_postgres and conn.closed):
            return conn
        conn = connect(self.config)
        if self.config.is_postgres:
            milliseconds = int(self.statement_timeout * 1000)
            conn.execute(sql.SQL("SET statement_timeout = {}").format(sql.Literal(milliseconds)))
        self._local.conn = conn
        return conn

    def query(self, text: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """The rows of one read statement."""
        if not self.config.is_postgres:
            return list(self.connection().execute(text, params))
        try:
            return self._pg(text, params)
        except psycopg.errors.QueryCanceled:
            raise QueryTooLong(self.statement_timeout) from None
        except psycopg.OperationalError:
            self.close()
            return self._pg(text, params)

    def _pg(self, text: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        return list(self.connection().execute(text, params))

    def close(self) -> None:
        """Close this thread's connection."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
