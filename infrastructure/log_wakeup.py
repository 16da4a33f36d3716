"""How a log follower learns that new events were recorded: LISTEN on PostgreSQL, polling on SQLite.

The library's PostgreSQL recorder sends ``NOTIFY <channel>`` inside every write transaction (the
channel is named after the events table), so the notification arrives when the events commit.
:class:`ListenWakeup` listens on that channel on a connection of its own and wakes its follower at
once; it still wakes after ``timeout`` without a notification, so a lost one (a dropped
connection) delays the follower by one timeout, never forever. SQLite has no such channel:
:class:`PollingWakeup` sleeps, longer while the log is idle.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Protocol

import psycopg
from psycopg import sql

from infrastructure.sql import connect
from infrastructure.store import StoreConfig

log = logging.getLogger("chungtay.projections")

STOP_CHECK_SECONDS = 0.25
"""How often a waiting follower looks whether it was asked to stop."""


class Wakeup(Protocol):
    """Blocks a follower until new events may have been recorded."""

    def wait(self, timeout: float) -> bool:
        """Return True when woken by a notification, False after ``timeout`` seconds."""

    def close(self) -> None:
        """Release what the wakeup holds."""


class PollingWakeup:
    """No notifications: every wait lasts its timeout (the follower then polls the log)."""

    def __init__(self, stop: Any) -> None:
        self.stop = stop

    def wait(self, timeout: float) -> bool:
        self.stop.wait(timeout)
        return False

    def close(self) -> None:
        return None


class ListenWakeup:
    """LISTEN on the library's notification channel, on a dedicated autocommit connection."""

    def __init__(self, config: StoreConfig, channel: str, stop: Any = None) -> None:
        self.config = config
        self.channel = channel
        self.stop = stop
        self._conn: psycopg.Connection[Any] | None = None
        self._connect()

    def _connect(self) -> None:
        try:
            conn = connect(self.config)
            conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self.channel)))
        except psycopg.Error as e:
            log.warning("cannot LISTEN on %s (%s); polling until it can", self.channel, e)
            self._conn = None
            return
        self._conn = conn

    def wait(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            if self.stop is not None and self.stop.is_set():
                return False
            if self._wait_once(min(left, STOP_CHECK_SECONDS)):
                return True
        return False

    def _wait_once(self, timeout: float) -> bool:
        if self._conn is None or self._conn.closed:
            self._connect()
            if self._conn is None:
                time.sleep(timeout)
                return False
        try:
            woken = any(True for _ in self._conn.notifies(timeout=timeout, stop_after=1))
            if woken:  # one pass over the log serves every notification already queued
                for _ in self._conn.notifies(timeout=0.001):
                    pass
            return woken
        except psycopg.Error as e:
            log.warning("LISTEN connection lost (%s); reconnecting", e)
            self.close()
            return False

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
