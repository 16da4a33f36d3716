"""Idempotency keys in SQL, the same statements on both stores: reservations with a lease, answers
fenced by the reservation's token.

The account store reserves, finds and releases keys; the event recorders write the answer of a
request in the transaction of its facts (:func:`complete`), and only while the request's
reservation still holds the key.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from application.accounts import IdempotentAnswer, Reservation, StoredResponse
from infrastructure.sql import Dialect

_COLUMNS = "fingerprint, status_code, response_body, lease_until"

_CLAIM = (
    "INSERT INTO idempotency_keys (user_name, idempotency_key, fingerprint, created_at, "
    "lease_token, lease_until) VALUES (?,?,?,?,?,?) "
    "ON CONFLICT (user_name, idempotency_key) DO UPDATE SET "
    "fingerprint = excluded.fingerprint, created_at = excluded.created_at, "
    "lease_token = excluded.lease_token, lease_until = excluded.lease_until "
    "WHERE idempotency_keys.status_code IS NULL AND (idempotency_keys.lease_until IS NULL "
    "OR idempotency_keys.lease_until <= excluded.created_at) RETURNING 1"
)
"""Claim a new key, or take over one whose request died (no answer, lease ended)."""

_COMPLETE = (
    "UPDATE {table} SET status_code = ?, response_body = ?, completed_at = ?, "
    "lease_until = NULL WHERE user_name = ? AND idempotency_key = ? AND lease_token = ? "
    "AND status_code IS NULL RETURNING 1"
)


def reserve(
    dialect: Dialect,
    conn: Any,
    reservation: Reservation,
    fingerprint: str,
    at: datetime,
    lease_until: datetime,
) -> StoredResponse | None:
    """Inside a write transaction: claim the key (None), or return what holds it."""
    key = (reservation.user_name, reservation.key)
    values = (*key, fingerprint, dialect.time(at), reservation.token, dialect.time(lease_until))
    for _ in range(3):
        if conn.execute(dialect.sql(_CLAIM), values).fetchone() is not None:
            return None
        stored = find(dialect, conn, *key)
        if stored is not None:
            return stored
    return StoredResponse(fingerprint, None, None, lease_until)  # released meanwhile: busy


def find(dialect: Dialect, conn: Any, user_name: str, key: str) -> StoredResponse | None:
    """What is stored for a key."""
    row = conn.execute(
        dialect.sql(
            f"SELECT {_COLUMNS} FROM idempotency_keys WHERE user_name = ? AND idempotency_key = ?"
        ),
        (user_name, key),
    ).fetchone()
    if row is None:
        return None
    return StoredResponse(row[0], row[1], row[2], dialect.read_optional_time(row[3]))


def complete(
    dialect: Dialect,
    cursor: Any,
    answer: IdempotentAnswer,
    table: str = "idempotency_keys",
) -> bool:
    """Write the answer while the reservation holds the key; False if it no longer does.

    On PostgreSQL the statement is never prepared: it runs inside the recorder's pipeline, where
    a failed statement must not leave a prepared one behind.
    """
    r = answer.reservation
    assert answer.at is not None
    values = (answer.status, answer.body, dialect.time(answer.at), r.user_name, r.key, r.token)
    statement = dialect.sql(_COMPLETE.format(table=table))
    if dialect.postgres:
        cursor.execute(statement, values, prepare=False)
    else:
        cursor.execute(statement, values)
    return cursor.fetchone() is not None


def release(dialect: Dialect, conn: Any, reservation: Reservation) -> None:
    """Forget a reservation whose request failed (never a completed key)."""
    conn.execute(
        dialect.sql(
            "DELETE FROM idempotency_keys WHERE user_name = ? AND idempotency_key = ? "
            "AND lease_token = ? AND status_code IS NULL"
        ),
        (reservation.user_name, reservation.key, reservation.token),
    )
