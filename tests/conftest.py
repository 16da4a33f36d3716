"""Shared fixtures: every store-level test runs on SQLite and on a real PostgreSQL.

PostgreSQL tests use a fresh schema per test in the ``test`` database and drop it afterwards.
Without a server they skip, unless ``CHUNGTAY_REQUIRE_POSTGRES=1`` (as ``.ci/run`` sets), when an
unreachable server is a failure.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from application.households import Households
from infrastructure.settings import Settings
from web.bootstrap import build_application, initialise_store

PG_HOST = os.environ.get("CHUNGTAY_TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("CHUNGTAY_TEST_PG_PORT", "5432"))
PG_USER = os.environ.get("CHUNGTAY_TEST_PG_USER", "postgres")
PG_DB = os.environ.get("CHUNGTAY_TEST_PG_DB", "test")
REQUIRE_PG = os.environ.get("CHUNGTAY_REQUIRE_POSTGRES") == "1"


def pg_conninfo() -> str:
    """Connection string of the test server (superuser, as the tampering tests need)."""
    return f"host={PG_HOST} port={PG_PORT} user={PG_USER} dbname={PG_DB} connect_timeout=3"


def _pg_available() -> str | None:
    try:
        with psycopg.connect(pg_conninfo()) as conn:
            conn.execute("SELECT 1")
        return None
    except psycopg.Error as e:
        return str(e)


_PG_PROBLEM: list[str | None] = []


def require_postgres() -> None:
    """Skip (or fail, when required) if no PostgreSQL server answers."""
    if not _PG_PROBLEM:
        _PG_PROBLEM.append(_pg_available())
    problem = _PG_PROBLEM[0]
    if problem is not None:
        if REQUIRE_PG:
            pytest.fail(
                f"PostgreSQL is required (CHUNGTAY_REQUIRE_POSTGRES=1) but unreachable: {problem}"
            )
        pytest.skip(f"PostgreSQL unreachable: {problem}")


@dataclass
class Store:
    """A migrated, empty store for one test."""

    backend: str
    url: str
    settings: Settings
    schema: str | None = None
    sqlite_path: Path | None = None

    def connect_sql(self) -> psycopg.Connection | object:
        """A raw connection to the store (psycopg for PostgreSQL, sqlite3 for SQLite)."""
        if self.backend == "postgres":
            conn = psycopg.connect(pg_conninfo(), autocommit=True)
            conn.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(self.schema)))
            return conn
        import sqlite3

        return sqlite3.connect(self.sqlite_path, isolation_level=None)


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """An initialised store of each backend."""
    if request.param == "sqlite":
        path = tmp_path / "store.sqlite"
        url = f"sqlite:///{path}"
        s = Store(
            "sqlite",
            url,
            Settings(database_url=url, signing_key=tmp_path / "k.key"),
            sqlite_path=path,
        )
        initialise_store(s.settings)
        yield s
        return
    require_postgres()
    schema = f"t_{uuid.uuid4().hex[:16]}"
    url = f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/{PG_DB}?schema={schema}"
    s = Store(
        "postgres", url, Settings(database_url=url, signing_key=tmp_path / "k.key"), schema=schema
    )
    initialise_store(s.settings)
    try:
        yield s
    finally:
        with psycopg.connect(pg_conninfo(), autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


class FakeClock:
    """A server clock the test moves by hand (UTC)."""

    def __init__(self, start: datetime) -> None:
        self.current = start

    def __call__(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> datetime:
        """Move forward and return the new time."""
        self.current += timedelta(**delta)
        return self.current


@pytest.fixture
def clock() -> FakeClock:
    """A clock at 2026-11-29 03:00 UTC (10:00 in Hà Nội)."""
    return FakeClock(datetime(2026, 11, 29, 3, 0, tzinfo=UTC))


@pytest.fixture
def make_app(store: Store) -> Iterator[Callable[..., Households]]:
    """Build applications on the test store (closed at teardown)."""
    apps: list[Households] = []

    def factory(clock: Callable[[], datetime] | None = None) -> Households:
        app = (
            build_application(store.settings, clock=clock)
            if clock
            else build_application(store.settings)
        )
        apps.append(app)
        return app

    yield factory
    for app in apps:
        app.close()


@pytest.fixture
def app(make_app: Callable[..., Households], clock: FakeClock) -> Households:
    """An application on the test store with the fake clock."""
    return make_app(clock)
