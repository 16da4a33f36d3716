"""Event recorders that write each event's chained hash in the same transaction as the event.

Both stores get the same behaviour: the library inserts the stored events, and in the same
transaction we insert one ``event_hashes`` row per event (see :mod:`infrastructure.hashing`)
and, for a request made with an ``Idempotency-Key``, its answer (``idempotency=``, see
:mod:`application.idempotency`). If any of them fails, none is kept. Tables are created by
``migrations/``, never here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresFactory
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor, SQLiteFactory
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier

from application.accounts import IdempotencyLeaseLost, IdempotentAnswer
from infrastructure.hashing import GENESIS, event_hash
from infrastructure.idempotency import complete_postgres, complete_sqlite


def _uuid(value: UUID | str) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))


def _chain(
    stored_events: Sequence[StoredEvent], previous: dict[tuple[UUID, int], bytes]
) -> list[tuple[UUID, int, bytes, bytes]]:
    """Hash a batch in order, taking predecessors from the batch itself or from ``previous``."""
    rows: list[tuple[UUID, int, bytes, bytes]] = []
    heads: dict[UUID, bytes] = {}
    for s in stored_events:
        oid = _uuid(s.originator_id)
        if s.originator_version == 1:
            prev = GENESIS
        elif oid in heads:
            prev = heads[oid]
        else:
            prev = previous[(oid, s.originator_version - 1)]
        digest = event_hash(prev, oid, s.originator_version, s.topic, s.state)
        heads[oid] = digest
        rows.append((oid, s.originator_version, prev, digest))
    return rows


def _needed_predecessors(stored_events: Sequence[StoredEvent]) -> list[tuple[UUID, int]]:
    first: dict[UUID, int] = {}
    for s in stored_events:
        first.setdefault(_uuid(s.originator_id), s.originator_version)
    return [(oid, v - 1) for oid, v in first.items() if v > 1]


class ChainedSQLiteApplicationRecorder(SQLiteApplicationRecorder):
    """SQLite recorder that appends to ``event_hashes`` inside the event transaction."""

    def _insert_events(
        self,
        c: SQLiteCursor,
        stored_events: Sequence[StoredEvent],
        *,
        idempotency: IdempotentAnswer | None = None,
        **kwargs: Any,
    ) -> Sequence[int] | None:
        ids = super()._insert_events(c, stored_events, **kwargs)
        if idempotency is not None and not complete_sqlite(c, idempotency):
            raise IdempotencyLeaseLost(idempotency.reservation.key)
        previous: dict[tuple[UUID, int], bytes] = {}
        for oid, version in _needed_predecessors(stored_events):
            c.execute(
                "SELECT hash FROM event_hashes WHERE originator_id=? AND originator_version=?",
                (oid.hex, version),
            )
            row = c.fetchone()
            if row is None:
                raise LookupError(f"no hash for {oid} version {version}: the chain is broken")
            previous[(oid, version)] = bytes(row["hash"])
        c.executemany(
            "INSERT INTO event_hashes (originator_id, originator_version, prev_hash, hash) "
            "VALUES (?,?,?,?)",
            [(oid.hex, v, p, h) for oid, v, p, h in _chain(stored_events, previous)],
        )
        return ids

    def select_hashes(self, originator_id: UUID) -> dict[int, bytes]:
        """Map version → stored hash for one household."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                "SELECT originator_version, hash FROM event_hashes WHERE originator_id=?",
                (originator_id.hex,),
            )
            return {row["originator_version"]: bytes(row["hash"]) for row in c.fetchall()}


class ChainedPostgresApplicationRecorder(PostgresApplicationRecorder):
    """PostgreSQL recorder that appends to ``event_hashes`` inside the event transaction.

    It also inserts the events from four parallel arrays sent in binary, instead of the library's
    array of composite values sent as text (whose escaping dominated the write path); the table
    lock and the notification are the library's own, taken before anything else is written.
    """

    def __init__(self, datastore: Any, *, events_table_name: str = "stored_events") -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        self.insert_events_statement = SQL(
            "INSERT INTO {schema}.{table} (originator_id, originator_version, topic, state) "
            "SELECT * FROM unnest(%s::uuid[], %s::bigint[], %s::text[], %s::bytea[]) "
            "RETURNING notification_id"
        ).format(schema=Identifier(self.datastore.schema), table=Identifier(self.events_table_name))

    def _insert_stored_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **_: Any
    ) -> None:
        # The table lock and the notification were taken first, in _insert_events.
        curs.execute(
            self.insert_events_statement,
            (
                [UUID(str(e.originator_id)) for e in stored_events],
                [e.originator_version for e in stored_events],
                [e.topic for e in stored_events],
                [e.state for e in stored_events],
            ),
            binary=True,
            prepare=False,
        )

    def _insert_events(
        self,
        curs: Cursor[DictRow],
        stored_events: Sequence[StoredEvent],
        *,
        idempotency: IdempotentAnswer | None = None,
        **kwargs: Any,
    ) -> None:
        if not stored_events:
            return
        # Lock first: the library prepares the lock statement, and a statement of ours that
        # fails in the pipeline before it would leave psycopg believing it prepared.
        self._lock_table(curs)
        self._notify_channel(curs)
        schema = Identifier(self.datastore.schema)
        if idempotency is not None and not complete_postgres(
            curs, SQL("{}.idempotency_keys").format(schema), idempotency
        ):
            raise IdempotencyLeaseLost(idempotency.reservation.key)
        table = SQL("{}.event_hashes").format(schema)
        previous: dict[tuple[UUID, int], bytes] = {}
        needed = _needed_predecessors(stored_events)
        if needed:
            curs.execute(
                SQL(
                    "SELECT h.originator_id, h.originator_version, h.hash FROM {} h "
                    "JOIN unnest(%s::uuid[], %s::bigint[]) AS n(oid, v) "
                    "ON h.originator_id = n.oid AND h.originator_version = n.v"
                ).format(table),
                ([o for o, _ in needed], [v for _, v in needed]),
                prepare=False,
            )
            for row in curs.fetchall():
                previous[(_uuid(row["originator_id"]), row["originator_version"])] = bytes(
                    row["hash"]
                )
            missing = [n for n in needed if n not in previous]
            if missing:
                raise LookupError(f"no hash for {missing[0]}: the chain is broken")
        rows = _chain(stored_events, previous)
        curs.execute(
            SQL(
                "INSERT INTO {} (originator_id, originator_version, prev_hash, hash) "
                "SELECT * FROM unnest(%s::uuid[], %s::bigint[], %s::bytea[], %s::bytea[])"
            ).format(table),
            (
                [r[0] for r in rows],
                [r[1] for r in rows],
                [r[2] for r in rows],
                [r[3] for r in rows],
            ),
            binary=True,
            prepare=False,
        )

    def select_hashes(self, originator_id: UUID) -> dict[int, bytes]:
        """Map version → stored hash for one household."""
        table = SQL("{}.event_hashes").format(Identifier(self.datastore.schema))
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                SQL("SELECT originator_version, hash FROM {} WHERE originator_id = %s").format(
                    table
                ),
                (originator_id,),
            )
            return {row["originator_version"]: bytes(row["hash"]) for row in curs.fetchall()}


class ChainedSQLiteFactory(SQLiteFactory):
    """``PERSISTENCE_MODULE`` topic for the embedded SQLite store."""

    application_recorder_class = ChainedSQLiteApplicationRecorder


class ChainedPostgresFactory(PostgresFactory):
    """``PERSISTENCE_MODULE`` topic for PostgreSQL."""

    application_recorder_class = ChainedPostgresApplicationRecorder
