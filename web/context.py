"""How a view finds what it uses: the :class:`~web.bootstrap.Services` of the current app.

``create_app`` puts one :class:`~web.bootstrap.Services` in ``app.extensions``; every view, of
the API and of the pages, reaches the application, the adapters and the use cases through
:func:`services` (the other functions here are its most used parts, named).
"""

from __future__ import annotations

from flask import current_app

from application.audit import Audit
from application.households import Households
from application.inspection import Inspection
from application.reading import Reading
from application.recording import Recording
from application.reports import Reports
from application.sessions import Sessions
from application.supervision import PlanStore
from web.bootstrap import Services

EXTENSION = "chungtay"


def services() -> Services:
    """The services of the current Flask app."""
    return current_app.extensions[EXTENSION]


def households() -> Households:
    """The Households application of this process."""
    return services().households


def reader() -> Reading:
    """The reading use cases of this process."""
    return services().reading


def recorder() -> Recording:
    """The recording use cases of this process."""
    return services().recording


def inspection() -> Inspection:
    """The supervision use cases of this process."""
    return services().inspection


def reports() -> Reports:
    """The reports on the read models."""
    return services().reports


def plans() -> PlanStore:
    """The inspection plans."""
    return services().plans


def sessions() -> Sessions:
    """The pages' sign-in sessions."""
    return services().sessions


def audit() -> Audit:
    """The audit use cases on the configured store and key."""
    return services().audit
