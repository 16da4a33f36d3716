"""The write path after a failed transaction: the same connection keeps working (both stores).

On PostgreSQL the events are inserted in pipeline mode. A statement queued after one that fails
is skipped together with its PREPARE; the driver used to count it as prepared, so the next write
on that connection failed with "prepared statement _pg3_N does not exist" (a 500 under
concurrent writers). The recorder now takes the table lock, its only prepared statement, before
anything that can fail, and prepares nothing implicitly.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from eventsourcing.persistence import IntegrityError

from application.households import Households
from tests.factories import register
from web.bootstrap import store_config

SUPPORT = {
    "recorded_by": "o",
    "category": "production",
    "programme": "135",
    "funding_source": "central",
    "amount_vnd": 1_000_000,
    "in_kind": None,
    "provider": "xã",
}


def _support(household: Any, app: Households, day: int) -> None:
    household.deliver_support(
        now=app.now(),
        today=app.today(),
        effective_on=date(2018, 1, day),
        **SUPPORT,
    )


def test_a_connection_keeps_writing_after_a_conflict(store: Any, clock: Any) -> None:
    env = {**store_config(store.settings).eventsourcing_env()}
    env.update(POSTGRES_POOL_SIZE="1", POSTGRES_MAX_OVERFLOW="0")  # one connection: reused
    first = Households(env=env, clock=clock)
    second = Households(env=env, clock=clock)
    try:
        register(first, code="01564-0001")
        for attempt in range(1, 8):
            stale = second.get("01564-0001")  # second reads, then first writes
            clock.advance(seconds=1)
            first.deliver_support("01564-0001", effective_on=date(2018, 1, attempt), **SUPPORT)
            _support(stale, second, attempt)
            with pytest.raises(IntegrityError):
                second.save(stale)  # the same version: refused, rolled back
            fresh = second.get("01564-0001")
            _support(fresh, second, attempt)
            second.save(fresh)  # and the same connection writes the next one
        facts = first.get("01564-0001").facts
        assert [f.originator_version for f in facts] == list(range(1, 16))
    finally:
        first.close()
        second.close()
