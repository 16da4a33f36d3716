"""The composition root: settings in, every adapter and use case of one process out.

Only here are the infrastructure's adapters built (the event store, the read side, the report
source, accounts and idempotency keys, sessions, inspection plans, the audit with its keys). The
app factory, the command line and the tests all go through :class:`Services`; tests may hand it
ready adapters (fakes, or an application on a fake clock) instead of the ones the settings name.

Adapters are built lazily, on first use in a process, so a gunicorn master can create the app
before forking its workers: a forked child drops what its parent built and builds its own
(connections are never shared across a fork); what a caller handed in is kept and never closed.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar, cast

from application.access import Policy
from application.accounts import Accounts, AccountStore
from application.audit import Audit
from application.household_list import HouseholdList
from application.households import Households, utc_now
from application.idempotency import IdempotentRecording
from application.inspection import Inspection
from application.reading import Reading
from application.recording import Recording
from application.replay_pack import ProofPrimitives
from application.reports import Reports, ReportSource
from application.sessions import Sessions, SessionStore
from application.supervision import PlanStore
from infrastructure.accounts import account_store
from infrastructure.audit import Proofs, audit_log_for
from infrastructure.household_list import SqlHouseholdList
from infrastructure.migrations import migrate
from infrastructure.projections import build_projection
from infrastructure.read_models import ReadModelSource
from infrastructure.read_side import ReadSide
from infrastructure.sessions import session_store
from infrastructure.settings import Settings
from infrastructure.sql_reader import SqlReader
from infrastructure.store import StoreConfig, parse_database_url
from infrastructure.supervision import plan_store

if TYPE_CHECKING:
    from demo import DemoRuns

TRANSCODER_TOPIC = "infrastructure.transcoding:MsgspecTranscoder"
"""The library's JSON format, written and read by msgspec (same bytes, about twice as fast)."""

READ_SIDE_CACHE = 1000
"""Households whose facts a request-side projection keeps between requests (memory bound)."""

T = TypeVar("T")

# -- builders: one per adapter ---------------------------------------------------------------


def store_config(settings: Settings) -> StoreConfig:
    """The parsed ``CHUNGTAY_DATABASE_URL``."""
    return parse_database_url(settings.database_url)


def initialise_store(settings: Settings) -> list[str]:
    """Create or upgrade the store's tables (``chungtay init``); returns migrations applied."""
    return migrate(store_config(settings))


def build_application(settings: Settings, *, clock: Callable[[], datetime] = utc_now) -> Households:
    """One ``Households`` application on the configured store (one per process)."""
    config = store_config(settings)
    env = {**config.eventsourcing_env(), "TRANSCODER_TOPIC": TRANSCODER_TOPIC}
    return Households(env=env, clock=clock, timezone=settings.timezone)


def build_read_side(settings: Settings, app: Households) -> ReadSide:
    """The household list and audit-diff source of one process, on ``app``'s store."""
    config = store_config(settings)
    reader = SqlReader(config, settings.statement_timeout)
    projection = build_projection(app, config, cache_size=READ_SIDE_CACHE)
    return ReadSide(SqlHouseholdList(reader), projection)


def build_report_source(settings: Settings) -> ReadModelSource:
    """The reports' figures from the bitemporal read models (connections open lazily)."""
    return ReadModelSource(store_config(settings), statement_timeout=settings.statement_timeout)


def build_accounts(settings: Settings, households: Households, store: AccountStore) -> Accounts:
    """Users, tokens, the access log and idempotency keys, on the application's clock."""
    return Accounts(
        store,
        units=households.units,
        clock=households.now,
        today=households.today,
        idempotency_lease=timedelta(seconds=settings.idempotency_lease),
    )


def build_audit(settings: Settings, *, clock: Callable[[], datetime] = utc_now) -> Audit:
    """Checkpoint, verify and export on the configured store, signing with the configured key."""
    log = audit_log_for(store_config(settings), settings.signing_key, settings.audit_public_key)
    return Audit(log, clock=clock)


def build_proofs() -> ProofPrimitives:
    """The hash, Merkle and signature primitives for offline pack verification (no store)."""
    return Proofs()


# -- the services of one process ---------------------------------------------------------------


class Services:
    """Every adapter and use case one process needs, built from the settings on first use.

    Keyword arguments hand in ready adapters (``households``, ``account_store``, ``plans``,
    ``session_store``, ``report_source``); those are used as they are and never closed here.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Callable[[], datetime] = utc_now,
        households: Households | None = None,
        account_store: AccountStore | None = None,
        plans: PlanStore | None = None,
        session_store: SessionStore | None = None,
        report_source: ReportSource | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock
        given = {
            "households": households,
            "account_store": account_store,
            "plans": plans,
            "session_store": session_store,
            "report_source": report_source,
        }
        self._given: dict[str, Any] = {k: v for k, v in given.items() if v is not None}
        self._built: dict[str, Any] = {}
        self._lock = threading.RLock()
        self._pid = os.getpid()

    def _adapter(self, name: str, build: Callable[[], T]) -> T:
        """The adapter ``name`` of this process: handed in, built before, or built now."""
        with self._lock:
            if os.getpid() != self._pid:  # a forked child: its parent's connections are not its
                self._pid = os.getpid()
                self._built.clear()
            if name in self._given:
                return cast(T, self._given[name])
            if name not in self._built:
                self._built[name] = build()
            return cast(T, self._built[name])

    # -- adapters ---------------------------------------------------------------------------

    @property
    def households(self) -> Households:
        """The one Households application of this process."""
        return self._adapter(
            "households", lambda: build_application(self.settings, clock=self.clock)
        )

    @property
    def read_side(self) -> ReadSide:
        """The read models (household list, audit-diff candidates), kept fresh per request."""
        return self._adapter("read_side", lambda: build_read_side(self.settings, self.households))

    @property
    def report_source(self) -> ReportSource:
        """Where reports take their figures: the bitemporal read models."""
        return self._adapter("report_source", lambda: build_report_source(self.settings))

    @property
    def account_store(self) -> AccountStore:
        """Where users, tokens, the access log and idempotency keys are kept."""
        return self._adapter("account_store", lambda: account_store(store_config(self.settings)))

    @property
    def plans(self) -> PlanStore:
        """The inspection plans (append-only)."""
        return self._adapter("plans", lambda: plan_store(store_config(self.settings)))

    @property
    def session_store(self) -> SessionStore:
        """The pages' sign-in sessions."""
        return self._adapter("session_store", lambda: session_store(store_config(self.settings)))

    @property
    def demo_runs(self) -> DemoRuns:
        """Where ``chungtay demo`` keeps its runs (so an interrupted one is completed)."""
        from infrastructure.demo_runs import SqlDemoRuns  # the demo is a tool: loaded on use

        return self._adapter("demo_runs", lambda: SqlDemoRuns(store_config(self.settings)))

    @property
    def audit(self) -> Audit:
        """Checkpoints, verification and replay packs on this store and its keys (read afresh
        for each use: a key rotated meanwhile by the command line is the one used)."""
        return build_audit(self.settings)

    # -- use cases --------------------------------------------------------------------------

    @property
    def accounts(self) -> Accounts:
        """Users, tokens, access log and idempotency keys."""
        return self._adapter(
            "accounts", lambda: build_accounts(self.settings, self.households, self.account_store)
        )

    @property
    def policy(self) -> Policy:
        """Authorisation decisions over today's unit catalogue."""
        return self._adapter("policy", lambda: Policy(self.households.units, self.households.today))

    @property
    def idempotent(self) -> IdempotentRecording:
        """Recording under an ``Idempotency-Key``: exactly once, answer stored with the facts."""
        return IdempotentRecording(self.households, self.accounts)

    @property
    def recording(self) -> Recording:
        """The recording use cases (write scope, separation of duties, plans)."""
        return Recording(self.households, self.policy, lambda: self.plans)

    @property
    def inspection(self) -> Inspection:
        """The supervision use cases (anomalies, at-risk ranking, plans), limited to a user."""
        return Inspection(self.households, self.policy, lambda: self.plans)

    @property
    def household_list(self) -> HouseholdList:
        """The household list on the read models."""
        return HouseholdList(self.read_side, self.households.units)

    @property
    def reading(self) -> Reading:
        """Reading one household, or a page of the list, within a user's units."""
        return Reading(self.households, self.policy, lambda: self.household_list)

    @property
    def reports(self) -> Reports:
        """The reports on the read models."""
        return Reports(self.households, self.report_source)

    @property
    def sessions(self) -> Sessions:
        """Sign-in sessions over the accounts."""
        return Sessions(self.session_store, self.accounts, clock=self.households.now)

    def close(self) -> None:
        """Close what this process built (never what was handed in)."""
        with self._lock:
            built, self._built = self._built, {}
        for adapter in reversed(list(built.values())):
            close = getattr(adapter, "close", None)
            if callable(close):
                close()


@contextmanager
def bootstrap(settings: Settings, **given: Any) -> Iterator[Services]:
    """The services of a short-lived process (a command, a test), closed at the end."""
    services = Services(settings, **given)
    try:
        yield services
    finally:
        services.close()
