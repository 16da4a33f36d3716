"""Where ``chungtay demo`` keeps its runs (``migrations/*/0006_demo_runs.sql``), both stores.

A run is rare, so each operation opens its own connection and holds nothing open.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import psycopg
from psycopg import sql

from demo import DemoRun
from infrastructure.store import StoreConfig

_COLUMNS = "run_id, households, seed, to_year, horizon, started_at"


def _moment(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def _run(row: Sequence[Any]) -> DemoRun:
    return DemoRun(
        run_id=int(row[0]),
        households=int(row[1]),
        seed=int(row[2]),
        to_year=int(row[3]),
        horizon=_moment(row[4]),
        started_at=_moment(row[5]),
    )


class SqlDemoRuns:
    """Demo runs in the configured store (SQLite file or PostgreSQL schema)."""

    def __init__(self, config: StoreConfig) -> None:
        self.config = config

    @contextmanager
    def _cursor(self) -> Iterator[Any]:
        if self.config.is_postgres:
            with psycopg.connect(self.config.psycopg_conninfo()) as conn:
                conn.execute(
                    sql.SQL("SET search_path TO {}").format(sql.Identifier(self.config.schema))
                )
                yield conn.cursor()
            return
        conn = sqlite3.connect(str(self.config.sqlite_path), timeout=30)
        try:
            with conn:
                yield conn.cursor()
        finally:
            conn.close()

    def _mark(self) -> str:
        return "%s" if self.config.is_postgres else "?"

    def _stamp(self, moment: datetime) -> Any:
        utc = moment.astimezone(UTC)
        return utc if self.config.is_postgres else utc.isoformat(timespec="microseconds")

    def unfinished(self) -> DemoRun | None:
        """The last run that did not finish, if any."""
        with self._cursor() as cur:
            cur.execute(
                f"SELECT {_COLUMNS} FROM demo_runs WHERE completed_at IS NULL "
                "ORDER BY run_id DESC LIMIT 1"
            )
            row = cur.fetchone()
        return None if row is None else _run(row)

    def start(self, households: int, seed: int, to_year: int, horizon: datetime) -> DemoRun:
        """Record that a run begins (before its first household is recorded)."""
        m = self._mark()
        started = datetime.now(UTC)
        with self._cursor() as cur:
            cur.execute(
                "INSERT INTO demo_runs (households, seed, to_year, horizon, started_at) "
                f"VALUES ({m}, {m}, {m}, {m}, {m}) RETURNING run_id",
                (households, seed, to_year, self._stamp(horizon), self._stamp(started)),
            )
            run_id = int(cur.fetchone()[0])
        return DemoRun(run_id, households, seed, to_year, horizon, started)

    def finish(self, run: DemoRun) -> None:
        """Record that the run recorded every household."""
        m = self._mark()
        with self._cursor() as cur:
            cur.execute(
                f"UPDATE demo_runs SET completed_at = {m} WHERE run_id = {m}",
                (self._stamp(datetime.now(UTC)), run.run_id),
            )
