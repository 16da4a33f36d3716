"""Where ``chungtay demo`` keeps its runs (``migrations/*/0006_demo_runs.sql``), on either store.

What differs between SQLite and PostgreSQL is said by :class:`infrastructure.sql.Dialect`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from demo import DemoRun
from infrastructure.sql import Connections, Dialect
from infrastructure.store import StoreConfig

_COLUMNS = "run_id, households, seed, to_year, horizon, started_at"


def _run(d: Dialect, row: Sequence[Any]) -> DemoRun:
    return DemoRun(
        run_id=int(row[0]),
        households=int(row[1]),
        seed=int(row[2]),
        to_year=int(row[3]),
        horizon=d.read_time(row[4]),
        started_at=d.read_time(row[5]),
    )


class SqlDemoRuns:
    """Demo runs in the configured store (SQLite file or PostgreSQL schema)."""

    def __init__(self, config: StoreConfig) -> None:
        self.connections = Connections(config, pool_size=1, name="chungtay-demo-runs")
        self.dialect = self.connections.dialect

    def unfinished(self) -> DemoRun | None:
        """The last run that did not finish, if any."""
        with self.connections.transaction() as c:
            row = c.execute(
                f"SELECT {_COLUMNS} FROM demo_runs WHERE completed_at IS NULL "
                "ORDER BY run_id DESC LIMIT 1"
            ).fetchone()
        return None if row is None else _run(self.dialect, row)

    def start(self, households: int, seed: int, to_year: int, horizon: datetime) -> DemoRun:
        """Record that a run begins (before its first household is recorded)."""
        d = self.dialect
        started = datetime.now(UTC)
        with self.connections.transaction(write=True) as c:
            row = c.execute(
                d.sql(
                    "INSERT INTO demo_runs (households, seed, to_year, horizon, started_at) "
                    "VALUES (?, ?, ?, ?, ?) RETURNING run_id"
                ),
                (households, seed, to_year, d.time(horizon), d.time(started)),
            ).fetchone()
        return DemoRun(int(row[0]), households, seed, to_year, horizon, started)

    def finish(self, run: DemoRun) -> None:
        """Record that the run recorded every household."""
        d = self.dialect
        with self.connections.transaction(write=True) as c:
            c.execute(
                d.sql("UPDATE demo_runs SET completed_at = ? WHERE run_id = ?"),
                (d.time(datetime.now(UTC)), run.run_id),
            )

    def close(self) -> None:
        """Close the store's connections."""
        self.connections.close()
