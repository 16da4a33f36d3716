"""SQL implementations of :class:`application.accounts.AccountStore` for SQLite and PostgreSQL.

The tables come from ``migrations/*/0002_accounts.sql`` (``chungtay init``); the access log is
append-only there (triggers refuse UPDATE and DELETE). Timestamps are written from the
application's clock, never the database's, so tests with a fake clock see consistent times.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import psycopg
from psycopg import sql
from psycopg_pool import ConnectionPool

from application.accounts import (
    AccessEntry,
    AccountStore,
    DuplicateUser,
    IdempotentAnswer,
    Reservation,
    StoredResponse,
    TokenRecord,
    User,
)
from infrastructure import idempotency
from infrastructure.hashing import GENESIS, access_entry_hash
from infrastructure.idempotency import utc_text
from infrastructure.store import StoreConfig


def account_store(config: StoreConfig) -> AccountStore:
    """The account store for the configured backend."""
    if config.is_postgres:
        return PostgresAccountStore(config)
    assert config.sqlite_path is not None
    return SQLiteAccountStore(str(config.sqlite_path))


_iso = utc_text

USER_COLUMNS = "name, role, units, created_at, disabled_at"


def chain_access(prev: bytes, entries: Sequence[AccessEntry]) -> list[tuple[bytes, bytes]]:
    """``(prev_hash, hash)`` for each new access-log row, continuing the chain from ``prev``."""
    out = []
    for e in entries:
        digest = access_entry_hash(prev, e.user_name, e.household_id, e.endpoint, _iso(e.at))
        out.append((prev, digest))
        prev = digest
    return out


def _from_iso(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _household_uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


class SQLiteAccountStore:
    """Accounts in the same SQLite file as the event store (one connection per thread)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._local = threading.local()
        self._lock = threading.Lock()
        self._all: list[sqlite3.Connection] = []

    def _connection(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(
                self.path, timeout=30, isolation_level=None, check_same_thread=False
            )
            conn.execute("PRAGMA foreign_keys=ON")
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    @contextmanager
    def _connect(self, *, write: bool = False) -> Iterator[sqlite3.Connection]:
        conn = self._connection()
        conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    @staticmethod
    def _user(row: Sequence[Any]) -> User:
        return User(
            name=row[0],
            role=row[1],
            units=tuple(json.loads(row[2])),
            created_at=datetime.fromisoformat(row[3]),
            disabled_at=_from_iso(row[4]),
        )

    def insert_user(self, user: User) -> None:
        """Add a user."""
        try:
            with self._connect(write=True) as c:
                c.execute(
                    "INSERT INTO users (name, role, units, created_at) VALUES (?,?,?,?)",
                    (user.name, user.role, json.dumps(list(user.units)), _iso(user.created_at)),
                )
        except sqlite3.IntegrityError:
            raise DuplicateUser("name", f"a user {user.name!r} exists already") from None

    def get_user(self, name: str) -> User | None:
        """The user with that name."""
        with self._connect() as c:
            row = c.execute(f"SELECT {USER_COLUMNS} FROM users WHERE name = ?", (name,)).fetchone()
        return self._user(row) if row else None

    def list_users(self) -> list[User]:
        """Every user."""
        with self._connect() as c:
            rows = c.execute(f"SELECT {USER_COLUMNS} FROM users ORDER BY name")
            return [self._user(r) for r in rows.fetchall()]

    def disable_user(self, name: str, at: datetime) -> bool:
        """Mark disabled (keeps the first time)."""
        with self._connect(write=True) as c:
            c.execute(
                "UPDATE users SET disabled_at = ? WHERE name = ? AND disabled_at IS NULL",
                (_iso(at), name),
            )
            return c.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone() is not None

    def insert_token(self, record: TokenRecord) -> None:
        """Store a token's hash."""
        with self._connect(write=True) as c:
            c.execute(
                "INSERT INTO tokens (token_id, user_name, token_sha256, created_at) "
                "VALUES (?,?,?,?)",
                (record.token_id, record.user_name, record.token_sha256, _iso(record.created_at)),
            )

    def revoke_token(self, token_id: str, at: datetime) -> bool:
        """Mark revoked (keeps the first revocation time)."""
        with self._connect(write=True) as c:
            c.execute(
                "UPDATE tokens SET revoked_at = ? WHERE token_id = ? AND revoked_at IS NULL",
                (_iso(at), token_id),
            )
            return (
                c.execute("SELECT 1 FROM tokens WHERE token_id = ?", (token_id,)).fetchone()
                is not None
            )

    def find_token(self, token_sha256: str) -> tuple[TokenRecord, User] | None:
        """The token with that hash and its user."""
        with self._connect() as c:
            row = c.execute(
                "SELECT t.token_id, t.user_name, t.token_sha256, t.created_at, t.revoked_at, "
                "u.name, u.role, u.units, u.created_at, u.disabled_at "
                "FROM tokens t JOIN users u ON u.name = t.user_name WHERE t.token_sha256 = ?",
                (token_sha256,),
            ).fetchone()
        if row is None:
            return None
        record = TokenRecord(
            row[0], row[1], row[2], datetime.fromisoformat(row[3]), _from_iso(row[4])
        )
        return record, self._user(row[5:])

    def list_tokens(self, user_name: str | None = None) -> list[TokenRecord]:
        """Stored tokens, oldest first."""
        query = "SELECT token_id, user_name, token_sha256, created_at, revoked_at FROM tokens"
        params: tuple[Any, ...] = ()
        if user_name is not None:
            query += " WHERE user_name = ?"
            params = (user_name,)
        with self._connect() as c:
            rows = c.execute(query + " ORDER BY created_at, token_id", params).fetchall()
        return [
            TokenRecord(r[0], r[1], r[2], datetime.fromisoformat(r[3]), _from_iso(r[4]))
            for r in rows
        ]

    def append_access(self, entries: Sequence[AccessEntry]) -> None:
        """Append rows to the access log."""
        if not entries:
            return
        with self._connect(write=True) as c:  # BEGIN IMMEDIATE: one writer extends the chain
            last = c.execute("SELECT hash FROM access_log ORDER BY id DESC LIMIT 1").fetchone()
            links = chain_access(bytes(last[0]) if last and last[0] else GENESIS, entries)
            c.executemany(
                "INSERT INTO access_log (user_name, household_id, endpoint, at, prev_hash, hash) "
                "VALUES (?,?,?,?,?,?)",
                [
                    (e.user_name, e.household_id, e.endpoint, _iso(e.at), prev, digest)
                    for e, (prev, digest) in zip(entries, links, strict=True)
                ],
            )

    def select_access(
        self,
        *,
        user_name: str | None,
        household_id: str | None,
        start: datetime | None,
        end: datetime | None,
        limit: int,
        offset: int,
    ) -> tuple[list[AccessEntry], int]:
        """Matching rows, oldest first, and their total."""
        where, params = [], []
        if user_name is not None:
            where.append("user_name = ?")
            params.append(user_name)
        if household_id is not None:
            where.append("household_id = ?")
            params.append(household_id)
        if start is not None:
            where.append("at >= ?")
            params.append(_iso(start))
        if end is not None:
            where.append("at <= ?")
            params.append(_iso(end))
        clause = (" WHERE " + " AND ".join(where)) if where else ""
        with self._connect() as c:
            total = c.execute(f"SELECT count(*) FROM access_log{clause}", params).fetchone()[0]
            rows = c.execute(
                f"SELECT id, user_name, household_id, endpoint, at FROM access_log{clause} "
                "ORDER BY id LIMIT ? OFFSET ?",
                [*params, limit, offset],
            ).fetchall()
        return (
            [AccessEntry(r[1], r[2], r[3], datetime.fromisoformat(r[4]), id=r[0]) for r in rows],
            total,
        )

    def reserve_idempotency(
        self, reservation: Reservation, fingerprint: str, at: datetime, lease_until: datetime
    ) -> StoredResponse | None:
        """Claim a key (or an ended lease) or return what is stored for it."""
        with self._connect(write=True) as c:
            return idempotency.reserve_sqlite(c, reservation, fingerprint, at, lease_until)

    def find_idempotency(self, user_name: str, key: str) -> StoredResponse | None:
        """What is stored for a key."""
        with self._connect() as c:
            return idempotency.find_sqlite(c, user_name, key)

    def complete_idempotency(self, answer: IdempotentAnswer) -> bool:
        """Store the answer of a request that recorded no fact."""
        with self._connect(write=True) as c:
            return idempotency.complete_sqlite(c.cursor(), answer)

    def release_idempotency(self, reservation: Reservation) -> None:
        """Forget a reservation whose request failed."""
        with self._connect(write=True) as c:
            idempotency.release_sqlite(c, reservation)

    def close(self) -> None:
        """Close every thread's connection."""
        with self._lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
        self._local = threading.local()


class PostgresAccountStore:
    """Accounts in the store's PostgreSQL schema, through a small connection pool."""

    def __init__(self, config: StoreConfig, *, max_size: int = 8) -> None:
        self.schema = config.schema
        self._lock = threading.Lock()
        self.pool = ConnectionPool(
            config.psycopg_conninfo(),
            min_size=1,
            max_size=max_size,
            configure=self._configure,
            check=ConnectionPool.check_connection,  # after a server restart, no dead ones
            open=True,
            name=f"chungtay-accounts-{config.schema}",
        )

    def _configure(self, conn: psycopg.Connection) -> None:
        conn.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(self.schema)))
        conn.commit()

    @contextmanager
    def _connect(self) -> Iterator[psycopg.Connection]:
        with self.pool.connection() as conn:
            yield conn

    @staticmethod
    def _user(row: Sequence[Any]) -> User:
        return User(
            name=row[0],
            role=row[1],
            units=tuple(row[2] or ()),
            created_at=row[3],
            disabled_at=row[4],
        )

    def insert_user(self, user: User) -> None:
        """Add a user."""
        try:
            with self._connect() as c:
                c.execute(
                    "INSERT INTO users (name, role, units, created_at) VALUES (%s,%s,%s,%s)",
                    (user.name, user.role, list(user.units), user.created_at),
                )
        except psycopg.errors.UniqueViolation:
            raise DuplicateUser("name", f"a user {user.name!r} exists already") from None

    def get_user(self, name: str) -> User | None:
        """The user with that name."""
        with self._connect() as c:
            row = c.execute(f"SELECT {USER_COLUMNS} FROM users WHERE name = %s", (name,)).fetchone()
        return self._user(row) if row else None

    def list_users(self) -> list[User]:
        """Every user."""
        with self._connect() as c:
            rows = c.execute(f"SELECT {USER_COLUMNS} FROM users ORDER BY name").fetchall()
        return [self._user(r) for r in rows]

    def disable_user(self, name: str, at: datetime) -> bool:
        """Mark disabled (keeps the first time)."""
        with self._connect() as c:
            c.execute(
                "UPDATE users SET disabled_at = %s WHERE name = %s AND disabled_at IS NULL",
                (at, name),
            )
            row = c.execute("SELECT 1 FROM users WHERE name = %s", (name,)).fetchone()
        return row is not None

    def insert_token(self, record: TokenRecord) -> None:
        """Store a token's hash."""
        with self._connect() as c:
            c.execute(
                "INSERT INTO tokens (token_id, user_name, token_sha256, created_at) "
                "VALUES (%s,%s,%s,%s)",
                (record.token_id, record.user_name, record.token_sha256, record.created_at),
            )

    def revoke_token(self, token_id: str, at: datetime) -> bool:
        """Mark revoked (keeps the first revocation time)."""
        with self._connect() as c:
            c.execute(
                "UPDATE tokens SET revoked_at = %s WHERE token_id = %s AND revoked_at IS NULL",
                (at, token_id),
            )
            row = c.execute("SELECT 1 FROM tokens WHERE token_id = %s", (token_id,)).fetchone()
        return row is not None

    def find_token(self, token_sha256: str) -> tuple[TokenRecord, User] | None:
        """The token with that hash and its user."""
        with self._connect() as c:
            row = c.execute(
                "SELECT t.token_id, t.user_name, t.token_sha256, t.created_at, t.revoked_at, "
                "u.name, u.role, u.units, u.created_at, u.disabled_at "
                "FROM tokens t JOIN users u ON u.name = t.user_name WHERE t.token_sha256 = %s",
                (token_sha256,),
            ).fetchone()
        if row is None:
            return None
        return TokenRecord(row[0], row[1], row[2], row[3], row[4]), self._user(row[5:])

    def list_tokens(self, user_name: str | None = None) -> list[TokenRecord]:
        """Stored tokens, oldest first."""
        query = "SELECT token_id, user_name, token_sha256, created_at, revoked_at FROM tokens"
        params: tuple[Any, ...] = ()
        if user_name is not None:
            query += " WHERE user_name = %s"
            params = (user_name,)
        with self._connect() as c:
            rows = c.execute(query + " ORDER BY created_at, token_id", params).fetchall()
        return [TokenRecord(*r) for r in rows]

    def append_access(self, entries: Sequence[AccessEntry]) -> None:
        """Append rows to the access log."""
        if not entries:
            return
        with self._connect() as c, c.cursor() as cur:
            # One writer at a time extends the chain; readers are not blocked.
            cur.execute("LOCK TABLE access_log IN SHARE ROW EXCLUSIVE MODE")
            last = cur.execute("SELECT hash FROM access_log ORDER BY id DESC LIMIT 1").fetchone()
            links = chain_access(bytes(last[0]) if last and last[0] else GENESIS, entries)
            cur.executemany(
                "INSERT INTO access_log (user_name, household_id, endpoint, at, prev_hash, hash) "
                "VALUES (%s,%s,%s,%s,%s,%s)",
                [
                    (e.user_name, uuid.UUID(e.household_id), e.endpoint, e.at, prev, digest)
                    for e, (prev, digest) in zip(entries, links, strict=True)
                ],
            )

    def select_access(
        self,
        *,
        user_name: str | None,
        household_id: str | None,
        start: datetime | None,
        end: datetime | None,
        limit: int,
        offset: int,
    ) -> tuple[list[AccessEntry], int]:
        """Matching rows, oldest first, and their total."""
        where: list[str] = []
        params: list[Any] = []
        if user_name is not None:
            where.append("user_name = %s")
            params.append(user_name)
        if household_id is not None:
            hid = _household_uuid(household_id)
            if hid is None:
                return [], 0
            where.append("household_id = %s")
            params.append(hid)
        if start is not None:
            where.append("at >= %s")
            params.append(start)
        if end is not None:
            where.append("at <= %s")
            params.append(end)
        clause = (" WHERE " + " AND ".join(where)) if where else ""
        with self._connect() as c:
            total = c.execute("SELECT count(*) FROM access_log" + clause, params).fetchone()[0]
            rows = c.execute(
                "SELECT id, user_name, household_id, endpoint, at FROM access_log"
                + clause
                + " ORDER BY id LIMIT %s OFFSET %s",
                [*params, limit, offset],
            ).fetchall()
        return (
            [AccessEntry(r[1], str(r[2]), r[3], r[4], id=r[0]) for r in rows],
            total,
        )

    def reserve_idempotency(
        self, reservation: Reservation, fingerprint: str, at: datetime, lease_until: datetime
    ) -> StoredResponse | None:
        """Claim a key (or an ended lease) or return what is stored for it."""
        with self._connect() as c:
            return idempotency.reserve_postgres(c, reservation, fingerprint, at, lease_until)

    def find_idempotency(self, user_name: str, key: str) -> StoredResponse | None:
        """What is stored for a key."""
        with self._connect() as c:
            return idempotency.find_postgres(c, user_name, key)

    def complete_idempotency(self, answer: IdempotentAnswer) -> bool:
        """Store the answer of a request that recorded no fact."""
        with self._connect() as c, c.cursor() as cur:
            return idempotency.complete_postgres(cur, sql.Identifier("idempotency_keys"), answer)

    def release_idempotency(self, reservation: Reservation) -> None:
        """Forget a reservation whose request failed."""
        with self._connect() as c:
            idempotency.release_postgres(c, reservation)

    def close(self) -> None:
        """Close the pool."""
        with self._lock:
            self.pool.close()
