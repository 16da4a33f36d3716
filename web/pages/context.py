"""What the pages use besides the API's services: sessions, reports, plans and the audit.

Built lazily, once per process (after a gunicorn fork), like :mod:`web.api.context`; the
adapters come from the same settings, through the composition root's builders.
"""

from __future__ import annotations

import os
import threading

from flask import current_app

from application.audit import Audit
from application.households import Households
from application.reports import ReplaySource, Reports, ReportSource
from application.sessions import Sessions, SessionStore
from application.supervision import PlanStore
from infrastructure.sessions import session_store
from web.api.context import Services, services
from web.api.inspection import current_plans
from web.api.reports import SOURCE_EXTENSION
from web.audit_bootstrap import build_audit
from web.bootstrap import store_config

EXTENSION = "chungtay.pages"


class PageServices:
    """The session store of one process (rebuilt in a forked child)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pid = os.getpid()
        self._store: SessionStore | None = None

    def sessions(self, api: Services) -> Sessions:
        """Sign-in sessions over the API's accounts."""
        with self._lock:
            if os.getpid() != self._pid:
                self._pid, self._store = os.getpid(), None
            if self._store is None:
                self._store = session_store(store_config(api.settings))
            return Sessions(self._store, api.accounts, clock=api.households.now)

    def close(self) -> None:
        """Close the session store's connections."""
        with self._lock:
            if self._store is not None:
                self._store.close()
                self._store = None


def sessions() -> Sessions:
    """The sessions use cases of this app."""
    return current_app.extensions[EXTENSION].sessions(services())


def households() -> Households:
    """The Households application."""
    return services().households


def reports() -> Reports:
    """The report use cases on the read models (as the API's reports use them)."""
    source: ReportSource | None = current_app.extensions.get(SOURCE_EXTENSION)
    app = households()
    return Reports(app, source if source is not None else ReplaySource(app))


def plans() -> PlanStore:
    """The inspection plans."""
    return current_plans()


def audit() -> Audit:
    """The audit use cases on the configured store and key."""
    return build_audit(services().settings)
