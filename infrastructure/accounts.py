"""The SQL implementation of :class:`application.accounts.AccountStore`, on either store.

The tables come from ``migrations/*/0002_accounts.sql`` (``chungtay init``); the access log is
append-only there (triggers refuse UPDATE and DELETE). Timestamps are written from the
application's clock, never the database's, so tests with a fake clock see consistent times.
What differs between SQLite and PostgreSQL is said by :class:`infrastructure.sql.Dialect`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

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
from infrastructure.sql import Connections, utc_text
from infrastructure.store import StoreConfig


def account_store(config: StoreConfig) -> AccountStore:
    """The account store of the configured store."""
    return SqlAccountStore(config)


USER_COLUMNS = "name, role, units, created_at, disabled_at"


def chain_access(prev: bytes, entries: Sequence[AccessEntry]) -> list[tuple[bytes, bytes]]:
    """``(prev_hash, hash)`` for each new access-log row, continuing the chain from ``prev``."""
    out = []
    for e in entries:
        digest = access_entry_hash(prev, e.user_name, e.household_id, e.endpoint, utc_text(e.at))
        out.append((prev, digest))
        prev = digest
    return out


class SqlAccountStore:
    """Users, tokens, the access log and idempotency keys in the store's own database."""

    def __init__(self, config: StoreConfig, *, pool_size: int = 8) -> None:
        self.connections = Connections(config, pool_size=pool_size, name="chungtay-accounts")
        self.dialect = self.connections.dialect

    def _run(self, statement: str, params: Sequence[Any] = (), *, write: bool = False) -> Any:
        """One statement in its own transaction; its rows."""
        with self.connections.transaction(write=write) as c:
            return c.execute(self.dialect.sql(statement), tuple(params)).fetchall()

    def _user(self, row: Sequence[Any]) -> User:
        d = self.dialect
        return User(
            name=row[0],
            role=row[1],
            units=d.read_texts(row[2]),
            created_at=d.read_time(row[3]),
            disabled_at=d.read_optional_time(row[4]),
        )

    def _token(self, row: Sequence[Any]) -> TokenRecord:
        d = self.dialect
        return TokenRecord(
            row[0], row[1], row[2], d.read_time(row[3]), d.read_optional_time(row[4])
        )

    def insert_user(self, user: User) -> None:
        """Add a user."""
        d = self.dialect
        try:
            self._run(
                "INSERT INTO users (name, role, units, created_at) VALUES (?,?,?,?) RETURNING 1",
                (user.name, user.role, d.texts(user.units), d.time(user.created_at)),
                write=True,
            )
        except d.integrity_errors:
            raise DuplicateUser("name", f"a user {user.name!r} exists already") from None

    def get_user(self, name: str) -> User | None:
        """The user with that name."""
        rows = self._run(f"SELECT {USER_COLUMNS} FROM users WHERE name = ?", (name,))
        return self._user(rows[0]) if rows else None

    def list_users(self) -> list[User]:
        """Every user."""
        return [self._user(r) for r in self._run(f"SELECT {USER_COLUMNS} FROM users ORDER BY name")]

    def disable_user(self, name: str, at: datetime) -> bool:
        """Mark disabled (keeps the first time); False when there is no such user."""
        with self.connections.transaction(write=True) as c:
            c.execute(
                self.dialect.sql(
                    "UPDATE users SET disabled_at = ? WHERE name = ? AND disabled_at IS NULL"
                ),
                (self.dialect.time(at), name),
            )
            found = c.execute(self.dialect.sql("SELECT 1 FROM users WHERE name = ?"), (name,))
            return found.fetchone() is not None

    def insert_token(self, record: TokenRecord) -> None:
        """Store a token's hash."""
        self._run(
            "INSERT INTO tokens (token_id, user_name, token_sha256, created_at) "
            "VALUES (?,?,?,?) RETURNING 1",
            (
                record.token_id,
                record.user_name,
                record.token_sha256,
                self.dialect.time(record.created_at),
            ),
            write=True,
        )

    def revoke_token(self, token_id: str, at: datetime) -> bool:
        """Mark revoked (keeps the first revocation time); False when there is no such token."""
        with self.connections.transaction(write=True) as c:
            c.execute(
                self.dialect.sql(
                    "UPDATE tokens SET revoked_at = ? WHERE token_id = ? AND revoked_at IS NULL"
                ),
                (self.dialect.time(at), token_id),
            )
            found = c.execute(
                self.dialect.sql("SELECT 1 FROM tokens WHERE token_id = ?"), (token_id,)
            )
            return found.fetchone() is not None

    def find_token(self, token_sha256: str) -> tuple[TokenRecord, User] | None:
        """The token with that hash and its user."""
        rows = self._run(
            "SELECT t.token_id, t.user_name, t.token_sha256, t.created_at, t.revoked_at, "
            "u.name, u.role, u.units, u.created_at, u.disabled_at "
            "FROM tokens t JOIN users u ON u.name = t.user_name WHERE t.token_sha256 = ?",
            (token_sha256,),
        )
        return (self._token(rows[0]), self._user(rows[0][5:])) if rows else None

    def list_tokens(self, user_name: str | None = None) -> list[TokenRecord]:
        """Stored tokens, oldest first."""
        query = "SELECT token_id, user_name, token_sha256, created_at, revoked_at FROM tokens"
        params: tuple[Any, ...] = ()
        if user_name is not None:
            query += " WHERE user_name = ?"
            params = (user_name,)
        rows = self._run(query + " ORDER BY created_at, token_id", params)
        return [self._token(r) for r in rows]

    def append_access(self, entries: Sequence[AccessEntry]) -> None:
        """Append rows to the access log, extending its hash chain (one writer at a time)."""
        if not entries:
            return
        d = self.dialect
        with self.connections.transaction(write=True) as c:
            lock = d.lock("access_log")
            if lock is not None:
                c.execute(lock)
            last = c.execute("SELECT hash FROM access_log ORDER BY id DESC LIMIT 1").fetchone()
            links = chain_access(bytes(last[0]) if last and last[0] else GENESIS, entries)
            c.cursor().executemany(
                d.sql(
                    "INSERT INTO access_log (user_name, household_id, endpoint, at, prev_hash, "
                    "hash) VALUES (?,?,?,?,?,?)"
                ),
                [
                    (e.user_name, d.uuid(e.household_id), e.endpoint, d.time(e.at), prev, digest)
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
        d = self.dialect
        where: list[str] = []
        params: list[Any] = []
        if user_name is not None:
            where.append("user_name = ?")
            params.append(user_name)
        if household_id is not None:
            try:
                params.append(d.uuid(household_id))
            except ValueError:  # not a household id: nothing was read under it
                return [], 0
            where.append("household_id = ?")
        if start is not None:
            where.append("at >= ?")
            params.append(d.time(start))
        if end is not None:
            where.append("at <= ?")
            params.append(d.time(end))
        clause = (" WHERE " + " AND ".join(where)) if where else ""
        with self.connections.transaction() as c:
            total = c.execute(d.sql(f"SELECT count(*) FROM access_log{clause}"), params)
            count = total.fetchone()[0]
            rows = c.execute(
                d.sql(
                    f"SELECT id, user_name, household_id, endpoint, at FROM access_log{clause} "
                    "ORDER BY id LIMIT ? OFFSET ?"
                ),
                [*params, limit, offset],
            ).fetchall()
        return (
            [AccessEntry(r[1], str(r[2]), r[3], d.read_time(r[4]), id=r[0]) for r in rows],
            count,
        )

    def reserve_idempotency(
        self, reservation: Reservation, fingerprint: str, at: datetime, lease_until: datetime
    ) -> StoredResponse | None:
        """Claim a key (or an ended lease) or return what is stored for it."""
        with self.connections.transaction(write=True) as c:
            return idempotency.reserve(self.dialect, c, reservation, fingerprint, at, lease_until)

    def find_idempotency(self, user_name: str, key: str) -> StoredResponse | None:
        """What is stored for a key."""
        with self.connections.transaction() as c:
            return idempotency.find(self.dialect, c, user_name, key)

    def complete_idempotency(self, answer: IdempotentAnswer) -> bool:
        """Store the answer of a request that recorded no fact."""
        with self.connections.transaction(write=True) as c:
            return idempotency.complete(self.dialect, c.cursor(), answer)

    def release_idempotency(self, reservation: Reservation) -> None:
        """Forget a reservation whose request failed."""
        with self.connections.transaction(write=True) as c:
            idempotency.release(self.dialect, c, reservation)

    def close(self) -> None:
        """Close the store's connections."""
        self.connections.close()
