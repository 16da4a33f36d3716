"""The services a request uses, created lazily once per process (so after a gunicorn fork).

``create_app`` stores a :class:`Services` in ``app.extensions``; nothing connects to a database
until the first request in a process needs it. If the process was forked after the services were
created (a preloading master), the child builds its own instead of sharing connections.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import current_app

from application.access import Policy
from application.accounts import Accounts, AccountStore
from application.household_list import HouseholdList
from application.households import Households, utc_now
from application.idempotency import IdempotentRecording
from infrastructure.accounts import account_store
from infrastructure.read_side import ReadSide
from infrastructure.settings import Settings
from web.bootstrap import build_application, build_read_side, store_config

EXTENSION = "chungtay"


class Services:
    """The Households application, the accounts and the policy of one process."""

    def __init__(
        self,
        settings: Settings,
        *,
        application: Households | None = None,
        accounts_store: AccountStore | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self._lock = threading.RLock()
        self._pid = os.getpid()
        self._households = application
        self._owns_households = application is None
        self._store = accounts_store
        self._owns_store = accounts_store is None
        self._accounts: Accounts | None = None
        self._policy: Policy | None = None
        self._read_side: ReadSide | None = None

    def _check_fork(self) -> None:
        if os.getpid() != self._pid:
            # A forked child must not use its parent's connections: build its own.
            self._pid = os.getpid()
            if self._owns_households:
                self._households = None
            if self._owns_store:
                self._store = None
            self._accounts = None
            self._policy = None
            self._read_side = None

    @property
    def households(self) -> Households:
        """The one Households application of this process."""
        with self._lock:
            self._check_fork()
            if self._households is None:
                self._households = build_application(self.settings, clock=self.clock)
            return self._households

    @property
    def accounts(self) -> Accounts:
        """Users, tokens, access log and idempotency keys."""
        with self._lock:
            self._check_fork()
            if self._accounts is None:
                households = self.households
                if self._store is None:
                    self._store = account_store(store_config(self.settings))
                self._accounts = Accounts(
                    self._store,
                    units=households.units,
                    clock=households.now,
                    today=households.today,
                    idempotency_lease=timedelta(seconds=self.settings.idempotency_lease),
                )
            return self._accounts

    @property
    def idempotent(self) -> IdempotentRecording:
        """Recording under an ``Idempotency-Key``: exactly once, answer stored with the facts."""
        return IdempotentRecording(self.households, self.accounts)

    @property
    def policy(self) -> Policy:
        """Authorisation decisions."""
        with self._lock:
            if self._policy is None:
                households = self.households
                self._policy = Policy(households.units, households.today)
            return self._policy

    @property
    def read_side(self) -> ReadSide:
        """The read models (household list, audit-diff candidates), kept fresh per request."""
        with self._lock:
            self._check_fork()
            if self._read_side is None:
                self._read_side = build_read_side(self.settings, self.households)
            return self._read_side

    @property
    def household_list(self) -> HouseholdList:
        """The household list use case on the read models."""
        return HouseholdList(self.read_side, self.households.units)

    def close(self) -> None:
        """Close what this process opened."""
        with self._lock:
            if self._read_side is not None:
                self._read_side.close()
                self._read_side = None
            if self._owns_store and self._store is not None:
                self._store.close()
                self._store = None
            if self._owns_households and self._households is not None:
                self._households.close()
                self._households = None
            self._accounts = None
            self._policy = None


def services() -> Services:
    """The services of the current Flask app."""
    return current_app.extensions[EXTENSION]


def households() -> Households:
    """The Households application of this process."""
    return services().households
