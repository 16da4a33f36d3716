"""Run the SQL migrations in ``migrations/<backend>/`` in order, each once, each in a transaction.

The event tables, the hash chain and the append-only triggers are created here (by
``chungtay init``), never by the library at start-up. Applied versions are kept in
``schema_migrations`` so re-running is a no-op and a new file upgrades an existing store.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from psycopg import sql

from infrastructure.sql import connect
from infrastructure.store import StoreConfig

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


@dataclass(frozen=True)
class Migration:
    """One numbered SQL file."""

    version: str
    path: Path

    @property
    def sql(self) -> str:
        """The file's SQL text."""
        return self.path.read_text(encoding="utf-8")


def available(backend: str, directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """The migrations shipped for ``backend`` (``sqlite`` or ``postgres``), in order."""
    return [Migration(p.stem, p) for p in sorted((directory / backend).glob("*.sql"))]


def pending(config: StoreConfig) -> list[str]:
    """The migrations not yet applied to the store (all of them when it does not exist)."""
    wanted = [m.version for m in available("postgres" if config.is_postgres else "sqlite")]
    if config.is_postgres:
        with connect(config) as conn:
            exists = conn.execute(
                "SELECT to_regclass(%s)", (f"{config.schema}.schema_migrations",)
            ).fetchone()
            if exists is None or exists[0] is None:
                return wanted
            done = {
                r[0]
                for r in conn.execute(
                    sql.SQL("SELECT version FROM {}.schema_migrations").format(
                        sql.Identifier(config.schema)
                    )
                )
            }
    else:
        assert config.sqlite_path is not None
        if not config.sqlite_path.exists():
            return wanted
        conn = connect(config, read_only=True)
        try:
            table = conn.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name='schema_migrations'"
            ).fetchone()
            done = (
                {r[0] for r in conn.execute("SELECT version FROM schema_migrations")}
                if table
                else set()
            )
        finally:
            conn.close()
    return [v for v in wanted if v not in done]


def migrate(config: StoreConfig) -> list[str]:
    """Apply every migration not yet applied; return the versions applied now."""
    if config.is_postgres:
        return _migrate_postgres(config)
    return _migrate_sqlite(config)


def _migrate_sqlite(config: StoreConfig) -> list[str]:
    assert config.sqlite_path is not None
    config.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    applied_now: list[str] = []
    conn = connect(config)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations "
            "(version TEXT PRIMARY KEY, applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)"
        )
        done = {r[0] for r in conn.execute("SELECT version FROM schema_migrations")}
        for m in available("sqlite"):
            if m.version in done:
                continue
            conn.execute("BEGIN IMMEDIATE")
            try:
                for statement in _split_sqlite(m.sql):
                    conn.execute(statement)
                conn.execute("INSERT INTO schema_migrations (version) VALUES (?)", (m.version,))
                conn.execute("COMMIT")
            except Exception:
                conn.execute("ROLLBACK")
                raise
            applied_now.append(m.version)
    finally:
        conn.close()
    return applied_now


def _split_sqlite(script: str) -> list[str]:
    """Split a script into complete statements (triggers contain ``;`` inside BEGIN…END)."""
    statements: list[str] = []
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                statements.append(buffer.strip())
            buffer = ""
    if buffer.strip() and not buffer.strip().startswith("--"):
        statements.append(buffer.strip())
    return [
        s
        for s in statements
        if any(not ln.strip().startswith("--") and ln.strip() for ln in s.splitlines())
    ]


def _migrate_postgres(config: StoreConfig) -> list[str]:
    applied_now: list[str] = []
    with connect(config) as conn:
        schema = sql.Identifier(config.schema)
        conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(schema))
        # One runner at a time per schema: concurrent `chungtay init` calls wait here.
        conn.execute(
            "SELECT pg_advisory_lock(hashtext(%s))", (f"chungtay-migrate:{config.schema}",)
        )
        try:
            conn.execute(
                sql.SQL(
                    "CREATE TABLE IF NOT EXISTS {}.schema_migrations "
                    "(version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
                ).format(schema)
            )
            done = {
                r[0]
                for r in conn.execute(
                    sql.SQL("SELECT version FROM {}.schema_migrations").format(schema)
                )
            }
            for m in available("postgres"):
                if m.version in done:
                    continue
                with conn.transaction():
                    conn.execute(sql.SQL("SET LOCAL search_path TO {}").format(schema))
                    conn.execute(m.sql.encode("utf-8"))
                    conn.execute(
                        sql.SQL("INSERT INTO {}.schema_migrations (version) VALUES (%s)").format(
                            schema
                        ),
                        (m.version,),
                    )
                applied_now.append(m.version)
        finally:
            conn.execute(
                "SELECT pg_advisory_unlock(hashtext(%s))", (f"chungtay-migrate:{config.schema}",)
            )
    return applied_now
