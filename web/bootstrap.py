"""The composition root: settings in, a wired application out (cosmicpython's bootstrap)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from application.households import Households, utc_now
from infrastructure.migrations import migrate
from infrastructure.settings import Settings
from infrastructure.store import StoreConfig, parse_database_url


def store_config(settings: Settings) -> StoreConfig:
    """The parsed ``CHUNGTAY_DATABASE_URL``."""
    return parse_database_url(settings.database_url)


def initialise_store(settings: Settings) -> list[str]:
    """Create or upgrade the store's tables (``chungtay init``); returns migrations applied."""
    return migrate(store_config(settings))


def build_application(settings: Settings, *, clock: Callable[[], datetime] = utc_now) -> Households:
    """One ``Households`` application on the configured store (one per process)."""
    config = store_config(settings)
    return Households(env=config.eventsourcing_env(), clock=clock, timezone=settings.timezone)
