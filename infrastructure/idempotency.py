"""Idempotency keys in SQL for both stores: reservations with a lease, answers fenced by token.

The account stores reserve, find and release keys; the event recorders write the answer of a
request in the transaction of its facts (:func:`complete_sqlite`, :func:`complete_postgres`),
and only while the request's reservation still holds the key.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from typing import Any

from psycopg import sql

from application.accounts import IdempotentAnswer, Reservation, StoredResponse


def utc_text(moment: datetime) -> str:
    """A fixed-width UTC form, so text comparison in SQLite orders like time."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _stored(row: Any, parse: bool) -> StoredResponse:
    lease = row[3]
    if parse and lease is not None:
        lease = datetime.fromisoformat(lease)
    return StoredResponse(row[0], row[1], row[2], lease)


_COLUMNS = "fingerprint, status_code, response_body, lease_until"

# -- SQLite ------------------------------------------------------------------------------------


def reserve_sqlite(
    c: sqlite3.Connection,
    reservation: Reservation,
    fingerprint: str,
    at: datetime,
    lease_until: datetime,
) -> StoredResponse | None:
    """Inside a write transaction: claim the key, or take over an ended lease."""
    key = (reservation.user_name, reservation.key)
    row = c.execute(
        f"SELECT {_COLUMNS} FROM idempotency_keys WHERE user_name = ? AND idempotency_key = ?",
        key,
    ).fetchone()
    held = (reservation.token, utc_text(lease_until), fingerprint, utc_text(at))
    if row is None:
        c.execute(
            "INSERT INTO idempotency_keys (lease_token, lease_until, fingerprint, created_at, "
            "user_name, idempotency_key) VALUES (?,?,?,?,?,?)",
            (*held, *key),
        )
        return None
    if row[1] is None and (row[3] is None or row[3] <= utc_text(at)):
        c.execute(
            "UPDATE idempotency_keys SET lease_token = ?, lease_until = ?, fingerprint = ?, "
            "created_at = ? WHERE user_name = ? AND idempotency_key = ? AND status_code IS NULL",
            (*held, *key),
        )
        return None
    return _stored(row, parse=True)


def find_sqlite(c: sqlite3.Connection, user_name: str, key: str) -> StoredResponse | None:
    """What is stored for a key."""
    row = c.execute(
        f"SELECT {_COLUMNS} FROM idempotency_keys WHERE user_name = ? AND idempotency_key = ?",
        (user_name, key),
    ).fetchone()
    return None if row is None else _stored(row, parse=True)


def complete_sqlite(cursor: Any, answer: IdempotentAnswer) -> bool:
    """Write the answer while the reservation holds the key; False if it no longer does."""
    r = answer.reservation
    assert answer.at is not None
    cursor.execute(
        "UPDATE idempotency_keys SET status_code = ?, response_body = ?, completed_at = ?, "
        "lease_until = NULL WHERE user_name = ? AND idempotency_key = ? AND lease_token = ? "
        "AND status_code IS NULL RETURNING 1",
        (answer.status, answer.body, utc_text(answer.at), r.user_name, r.key, r.token),
    )
    return cursor.fetchone() is not None


def release_sqlite(c: sqlite3.Connection, reservation: Reservation) -> None:
    """Forget a reservation whose request failed (never a completed key)."""
    c.execute(
        "DELETE FROM idempotency_keys WHERE user_name = ? AND idempotency_key = ? "
        "AND lease_token = ? AND status_code IS NULL",
        (reservation.user_name, reservation.key, reservation.token),
    )


# -- PostgreSQL --------------------------------------------------------------------------------


def reserve_postgres(
    c: Any,
    reservation: Reservation,
    fingerprint: str,
    at: datetime,
    lease_until: datetime,
) -> StoredResponse | None:
    """Claim the key, or take over an ended lease, in one statement."""
    key = (reservation.user_name, reservation.key)
    for _ in range(3):
        won = c.execute(
            "INSERT INTO idempotency_keys (user_name, idempotency_key, fingerprint, created_at, "
            "lease_token, lease_until) VALUES (%s,%s,%s,%s,%s,%s) "
            "ON CONFLICT (user_name, idempotency_key) DO UPDATE SET "
            "fingerprint = EXCLUDED.fingerprint, created_at = EXCLUDED.created_at, "
            "lease_token = EXCLUDED.lease_token, lease_until = EXCLUDED.lease_until "
            "WHERE idempotency_keys.status_code IS NULL AND (idempotency_keys.lease_until IS NULL "
            "OR idempotency_keys.lease_until <= EXCLUDED.created_at) RETURNING 1",
            (*key, fingerprint, at, reservation.token, lease_until),
        ).fetchone()
        if won is not None:
            return None
        stored = find_postgres(c, *key)
        if stored is not None:
            return stored
    return StoredResponse(fingerprint, None, None, lease_until)  # released meanwhile: busy


def find_postgres(c: Any, user_name: str, key: str) -> StoredResponse | None:
    """What is stored for a key."""
    row = c.execute(
        f"SELECT {_COLUMNS} FROM idempotency_keys WHERE user_name = %s AND idempotency_key = %s",
        (user_name, key),
    ).fetchone()
    return None if row is None else _stored(row, parse=False)


def complete_postgres(cursor: Any, table: sql.Composable, answer: IdempotentAnswer) -> bool:
    """Write the answer while the reservation holds the key; False if it no longer does."""
    r = answer.reservation
    cursor.execute(
        sql.SQL(
            "UPDATE {} SET status_code = %s, response_body = %s, completed_at = %s, "
            "lease_until = NULL WHERE user_name = %s AND idempotency_key = %s "
            "AND lease_token = %s AND status_code IS NULL RETURNING 1"
        ).format(table),
        (answer.status, answer.body, answer.at, r.user_name, r.key, r.token),
        prepare=False,
    )
    return cursor.fetchone() is not None


def release_postgres(c: Any, reservation: Reservation) -> None:
    """Forget a reservation whose request failed (never a completed key)."""
    c.execute(
        "DELETE FROM idempotency_keys WHERE user_name = %s AND idempotency_key = %s "
        "AND lease_token = %s AND status_code IS NULL",
        (reservation.user_name, reservation.key, reservation.token),
    )
