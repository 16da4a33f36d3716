"""The audit port on each store: snapshots of the SQLite file and of the PostgreSQL schema."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
from psycopg import sql

from application.audit import AuditError, Checkpoint, KeyRotation
from infrastructure import signing
from infrastructure.audit import PAGE, _SQLAuditLog
from infrastructure.sql import Dialect, connect, utc_text
from infrastructure.store import StoreConfig

# -- SQLite ------------------------------------------------------------------------------------


CHECKPOINT_COLUMNS = (
    "id, tree_size, root_hash, signed_at, signature, public_key, key_id, "
    "access_log_size, access_log_head"
)
ROTATION_COLUMNS = (
    "id, after_checkpoint, rotated_at, old_public_key, old_key_id, new_public_key, new_key_id, "
    "old_signature, new_signature"
)
ACCESS_COLUMNS = "id, user_name, household_id, endpoint, at, prev_hash, hash"


def _checkpoint(r: Any, signed_at: str) -> Checkpoint:
    return Checkpoint(
        id=r[0],
        tree_size=r[1],
        root_hash=bytes(r[2]),
        signed_at=signed_at,
        signature=bytes(r[4]),
        public_key=r[5],
        key_id=r[6],
        access_log_size=r[7],
        access_log_head=_b(r[8]),
    )


def _rotation(r: Any) -> KeyRotation:
    return KeyRotation(
        id=r[0],
        after_checkpoint=r[1],
        rotated_at=r[2],
        old_public_key=r[3],
        old_key_id=r[4],
        new_public_key=r[5],
        new_key_id=r[6],
        old_signature=bytes(r[7]),
        new_signature=bytes(r[8]),
    )


def _rotation_values(rotation: KeyRotation) -> tuple[Any, ...]:
    return (
        rotation.after_checkpoint,
        rotation.rotated_at,
        rotation.old_public_key,
        rotation.old_key_id,
        rotation.new_public_key,
        rotation.new_key_id,
        rotation.old_signature,
        rotation.new_signature,
    )


def _checkpoint_values(checkpoint: Checkpoint, signed_at: Any) -> tuple[Any, ...]:
    return (
        checkpoint.tree_size,
        checkpoint.root_hash,
        signed_at,
        checkpoint.signature,
        checkpoint.public_key,
        checkpoint.key_id,
        checkpoint.access_log_size,
        checkpoint.access_log_head,
    )


class _SQLiteSnapshot:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def pages(self) -> Iterator[list[tuple[Any, ...]]]:
        cur = self.conn.execute(
            "SELECT e.rowid, e.originator_id, e.originator_version, e.topic, e.state, "
            "h.prev_hash, h.hash FROM stored_events e LEFT JOIN event_hashes h "
            "ON h.originator_id = e.originator_id AND h.originator_version = e.originator_version "
            "ORDER BY e.rowid"
        )
        while page := cur.fetchmany(PAGE):
            yield page

    def hash_pages(self, limit: int) -> Iterator[list[tuple[Any, ...]]]:
        cur = self.conn.execute(
            "SELECT h.hash FROM stored_events e LEFT JOIN event_hashes h "
            "ON h.originator_id = e.originator_id AND h.originator_version = e.originator_version "
            "ORDER BY e.rowid LIMIT ?",
            (limit,),
        )
        while page := cur.fetchmany(PAGE):
            yield page

    def hash_row_count(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM event_hashes").fetchone()[0])

    def orphan_households(self) -> list[Any]:
        rows = self.conn.execute(
            "SELECT DISTINCT h.originator_id FROM event_hashes h WHERE NOT EXISTS "
            "(SELECT 1 FROM stored_events e WHERE e.originator_id = h.originator_id "
            "AND e.originator_version = h.originator_version)"
        ).fetchall()
        return [r[0] for r in rows]

    def household_detail(
        self, key: Any
    ) -> tuple[list[tuple[int, int, bytes | None, bytes | None]], dict[int, tuple[bytes, bytes]]]:
        events = self.conn.execute(
            "SELECT e.rowid, e.originator_version, h.prev_hash, h.hash FROM stored_events e "
            "LEFT JOIN event_hashes h ON h.originator_id = e.originator_id "
            "AND h.originator_version = e.originator_version "
            "WHERE e.originator_id = ? ORDER BY e.rowid",
            (key,),
        ).fetchall()
        hashes = self.conn.execute(
            "SELECT originator_version, prev_hash, hash FROM event_hashes WHERE originator_id = ?",
            (key,),
        ).fetchall()
        return (
            [tuple(r) for r in events if isinstance(r[1], int)],
            {v: (p, h) for v, p, h in hashes if isinstance(v, int)},
        )

    def checkpoints(self) -> list[Checkpoint]:
        rows = self.conn.execute(
            f"SELECT {CHECKPOINT_COLUMNS} FROM checkpoints ORDER BY id"
        ).fetchall()
        return [_checkpoint(r, r[3]) for r in rows]

    def rotations(self) -> list[KeyRotation]:
        rows = self.conn.execute(f"SELECT {ROTATION_COLUMNS} FROM key_rotations ORDER BY id")
        return [_rotation(r) for r in rows.fetchall()]

    def access_rows(self) -> Iterator[tuple[Any, ...]]:
        cur = self.conn.execute(f"SELECT {ACCESS_COLUMNS} FROM access_log ORDER BY id")
        while page := cur.fetchmany(PAGE):
            yield from page

    def household_events(self, household_id: UUID) -> list[tuple[Any, ...]]:
        return self.conn.execute(
            "SELECT e.originator_id, e.originator_version, e.topic, e.state, e.rowid, x.leaf, "
            "h.prev_hash, h.hash FROM (SELECT rowid AS nid, originator_id, "
            "row_number() OVER (ORDER BY rowid) - 1 AS leaf FROM stored_events) x "
            "JOIN stored_events e ON e.rowid = x.nid "
            "LEFT JOIN event_hashes h ON h.originator_id = e.originator_id "
            "AND h.originator_version = e.originator_version "
            "WHERE x.originator_id = ? ORDER BY e.originator_version",
            (household_id.hex,),
        ).fetchall()


def _insert(config: StoreConfig, table: str, columns: str, values: tuple[Any, ...]) -> int:
    """Append one row to an append-only table (autocommit); its id."""
    names = columns.removeprefix("id, ")
    dialect = Dialect.of(config)
    statement = (
        f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(values))}) RETURNING id"
    )
    try:
        conn = connect(config)
    except psycopg.OperationalError as e:
        raise AuditError(f"cannot connect to PostgreSQL: {e}") from None
    try:
        row = conn.execute(dialect.sql(statement), values).fetchone()
    except dialect.missing_table_errors as e:
        raise AuditError(f"the store is not ready ({e}): run `chungtay init`") from None
    finally:
        conn.close()
    return int(row[0])


class SQLiteAuditLog(_SQLAuditLog):
    """The audit port on the embedded SQLite store."""

    def __init__(
        self, config: StoreConfig, signing_key: Path, public_key_file: Path | None = None
    ) -> None:
        super().__init__(signing_key, public_key_file)
        assert config.sqlite_path is not None
        self.config = config
        self.path = config.sqlite_path

    def _connect(self) -> sqlite3.Connection:
        if not self.path.exists():
            raise AuditError(f"no store at {self.path}: run `chungtay init`")
        return connect(self.config)

    @contextmanager
    def _snapshot(self) -> Iterator[_SQLiteSnapshot]:
        conn = self._connect()
        try:
            conn.execute("BEGIN")  # one read transaction: one consistent snapshot (WAL)
            try:
                yield _SQLiteSnapshot(conn)
            except sqlite3.OperationalError as e:
                raise AuditError(f"the store is not ready ({e}): run `chungtay init`") from None
            finally:
                conn.execute("ROLLBACK")
        finally:
            conn.close()

    def append_checkpoint(self, checkpoint: Checkpoint) -> Checkpoint:
        """Store a checkpoint (append-only table)."""
        values = _checkpoint_values(checkpoint, checkpoint.signed_at)
        self._connect().close()  # "no store": said before anything is written
        row_id = _insert(self.config, "checkpoints", CHECKPOINT_COLUMNS, values)
        return replace(checkpoint, id=row_id)

    def append_rotation(self, rotation: KeyRotation) -> KeyRotation:
        """Store a key rotation (append-only table)."""
        values = _rotation_values(rotation)
        self._connect().close()
        return replace(rotation, id=_insert(self.config, "key_rotations", ROTATION_COLUMNS, values))


# -- PostgreSQL ------------------------------------------------------------------------------


class _PostgresSnapshot:
    def __init__(self, conn: psycopg.Connection[Any], schema: str) -> None:
        self.conn = conn
        s = sql.Identifier(schema)
        self.events = sql.SQL("{}.households_events").format(s)
        self.hashes = sql.SQL("{}.event_hashes").format(s)
        self.checkpoint_table = sql.SQL("{}.checkpoints").format(s)
        self.rotation_table = sql.SQL("{}.key_rotations").format(s)
        self.access_table = sql.SQL("{}.access_log").format(s)

    def _stream(self, query: sql.Composable, params: tuple[Any, ...] = ()) -> Iterator[list[Any]]:
        with self.conn.cursor(name="chungtay_audit", binary=True) as cur:
            cur.itersize = PAGE
            cur.execute(query, params)
            while page := cur.fetchmany(PAGE):
                yield page

    def pages(self) -> Iterator[list[tuple[Any, ...]]]:
        return self._stream(
            sql.SQL(
                "SELECT e.notification_id, uuid_send(e.originator_id), e.originator_version, "
                "coalesce(e.topic, ''), coalesce(e.state, ''::bytea), h.prev_hash, h.hash "
                "FROM {} e LEFT JOIN {} h ON h.originator_id = e.originator_id "
                "AND h.originator_version = e.originator_version ORDER BY e.notification_id"
            ).format(self.events, self.hashes)
        )

    def hash_pages(self, limit: int) -> Iterator[list[tuple[Any, ...]]]:
        return self._stream(
            sql.SQL(
                "SELECT h.hash FROM {} e LEFT JOIN {} h ON h.originator_id = e.originator_id "
                "AND h.originator_version = e.originator_version "
                "ORDER BY e.notification_id LIMIT %s"
            ).format(self.events, self.hashes),
            (limit,),
        )

    def hash_row_count(self) -> int:
        row = self.conn.execute(sql.SQL("SELECT count(*) FROM {}").format(self.hashes)).fetchone()
        return int(row[0]) if row else 0

    def orphan_households(self) -> list[Any]:
        rows = self.conn.execute(
            sql.SQL(
                "SELECT DISTINCT uuid_send(h.originator_id) FROM {} h WHERE NOT EXISTS "
                "(SELECT 1 FROM {} e WHERE e.originator_id = h.originator_id "
                "AND e.originator_version = h.originator_version)"
            ).format(self.hashes, self.events)
        ).fetchall()
        return [bytes(r[0]) for r in rows]

    def household_detail(
        self, key: Any
    ) -> tuple[list[tuple[int, int, bytes | None, bytes | None]], dict[int, tuple[bytes, bytes]]]:
        oid = UUID(bytes=bytes(key))
        events = self.conn.execute(
            sql.SQL(
                "SELECT e.notification_id, e.originator_version, h.prev_hash, h.hash FROM {} e "
                "LEFT JOIN {} h ON h.originator_id = e.originator_id "
                "AND h.originator_version = e.originator_version "
                "WHERE e.originator_id = %s ORDER BY e.notification_id"
            ).format(self.events, self.hashes),
            (oid,),
        ).fetchall()
        hashes = self.conn.execute(
            sql.SQL(
                "SELECT originator_version, prev_hash, hash FROM {} WHERE originator_id = %s"
            ).format(self.hashes),
            (oid,),
        ).fetchall()
        return (
            [(r[0], r[1], _b(r[2]), _b(r[3])) for r in events],
            {r[0]: (bytes(r[1]), bytes(r[2])) for r in hashes},
        )

    def checkpoints(self) -> list[Checkpoint]:
        rows = self.conn.execute(
            sql.SQL(f"SELECT {CHECKPOINT_COLUMNS} FROM {{}} ORDER BY id").format(
                self.checkpoint_table
            )
        ).fetchall()
        return [_checkpoint(r, signing.format_signed_at(r[3])) for r in rows]

    def rotations(self) -> list[KeyRotation]:
        rows = self.conn.execute(
            sql.SQL(f"SELECT {ROTATION_COLUMNS} FROM {{}} ORDER BY id").format(self.rotation_table)
        ).fetchall()
        return [_rotation(r) for r in rows]

    def access_rows(self) -> Iterator[tuple[Any, ...]]:
        query = sql.SQL(f"SELECT {ACCESS_COLUMNS} FROM {{}} ORDER BY id").format(self.access_table)
        for page in self._stream(query):
            for r in page:
                yield (r[0], r[1], str(r[2]), r[3], utc_text(r[4]), r[5], r[6])

    def household_events(self, household_id: UUID) -> list[tuple[Any, ...]]:
        return self.conn.execute(
            sql.SQL(
                "SELECT e.originator_id, e.originator_version, e.topic, e.state, "
                "e.notification_id, x.leaf, h.prev_hash, h.hash FROM "
                "(SELECT notification_id, originator_id, "
                "row_number() OVER (ORDER BY notification_id) - 1 AS leaf FROM {}) x "
                "JOIN {} e ON e.notification_id = x.notification_id "
                "LEFT JOIN {} h ON h.originator_id = e.originator_id "
                "AND h.originator_version = e.originator_version "
                "WHERE x.originator_id = %s ORDER BY e.originator_version"
            ).format(self.events, self.events, self.hashes),
            (household_id,),
        ).fetchall()


def _b(value: Any) -> bytes | None:
    return None if value is None else bytes(value)


class PostgresAuditLog(_SQLAuditLog):
    """The audit port on PostgreSQL (``<schema>.households_events``)."""

    read_ahead = True  # the server joins and sorts while this process hashes

    def __init__(
        self, config: StoreConfig, signing_key: Path, public_key_file: Path | None = None
    ) -> None:
        super().__init__(signing_key, public_key_file)
        self.config = config

    def _connect(self) -> psycopg.Connection[Any]:
        try:
            return connect(self.config, autocommit=False)
        except psycopg.OperationalError as e:
            raise AuditError(f"cannot connect to PostgreSQL: {e}") from None

    @contextmanager
    def _snapshot(self) -> Iterator[_PostgresSnapshot]:
        conn = self._connect()
        try:
            conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            conn.read_only = True
            # A cursor is read to the end: plan for all rows, not the first few.
            conn.execute("SET cursor_tuple_fraction = 1.0")
            try:
                yield _PostgresSnapshot(conn, self.config.schema)
            except psycopg.errors.UndefinedTable as e:
                raise AuditError(f"the store is not ready ({e}): run `chungtay init`") from None
        finally:
            conn.rollback()
            conn.close()

    def append_checkpoint(self, checkpoint: Checkpoint) -> Checkpoint:
        """Store a checkpoint (append-only table)."""
        values = _checkpoint_values(checkpoint, datetime.fromisoformat(checkpoint.signed_at))
        row_id = _insert(self.config, "checkpoints", CHECKPOINT_COLUMNS, values)
        return replace(checkpoint, id=row_id)

    def append_rotation(self, rotation: KeyRotation) -> KeyRotation:
        """Store a key rotation (append-only table)."""
        values = _rotation_values(rotation)
        return replace(rotation, id=_insert(self.config, "key_rotations", ROTATION_COLUMNS, values))
