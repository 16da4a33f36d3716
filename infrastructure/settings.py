"""Configuration from the environment (``CHUNGTAY_*``), read once at the composition root."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

DEFAULT_DATABASE_URL = "sqlite:///var/chungtay.sqlite"
DEFAULT_SIGNING_KEY = "var/signing.key"
DEFAULT_BIND = "127.0.0.1:8000"
DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
DEFAULT_EXPENSIVE_PER_USER = 2
DEFAULT_STATEMENT_TIMEOUT = 30.0
DEFAULT_IDEMPOTENCY_LEASE = 30.0


class SettingsError(ValueError):
    """A setting holds a value that cannot be used."""


@dataclass(frozen=True)
class Settings:
    """The settings of the contract, with their defaults, and the operational ones.

    ``audit_public_key``: a PEM file with the public key ``audit verify`` trusts when the
    signing key is not on this machine (``CHUNGTAY_AUDIT_PUBLIC_KEY``).
    ``idempotency_lease``: seconds a reservation of an ``Idempotency-Key`` holds while its
    request runs (``CHUNGTAY_IDEMPOTENCY_LEASE``); a retry after that takes the key over.
    """

    database_url: str = DEFAULT_DATABASE_URL
    signing_key: Path = Path(DEFAULT_SIGNING_KEY)
    bind: str = DEFAULT_BIND
    timezone: str = DEFAULT_TIMEZONE
    expensive_per_user: int = DEFAULT_EXPENSIVE_PER_USER
    """Expensive requests (lists, reports, audits) one user may run at once (more: 429)."""
    statement_timeout: float = DEFAULT_STATEMENT_TIMEOUT
    """Seconds one read statement may run on PostgreSQL before it is cancelled."""
    audit_public_key: Path | None = None
    idempotency_lease: float = DEFAULT_IDEMPOTENCY_LEASE

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        """Read ``CHUNGTAY_*`` variables, falling back to the defaults."""
        env = os.environ if environ is None else environ
        public_key = env.get("CHUNGTAY_AUDIT_PUBLIC_KEY")
        settings = cls(
            database_url=env.get("CHUNGTAY_DATABASE_URL") or DEFAULT_DATABASE_URL,
            signing_key=Path(env.get("CHUNGTAY_SIGNING_KEY") or DEFAULT_SIGNING_KEY),
            bind=env.get("CHUNGTAY_BIND") or DEFAULT_BIND,
            timezone=env.get("CHUNGTAY_TIMEZONE") or DEFAULT_TIMEZONE,
            expensive_per_user=int(
                env.get("CHUNGTAY_EXPENSIVE_PER_USER") or DEFAULT_EXPENSIVE_PER_USER
            ),
            statement_timeout=float(
                env.get("CHUNGTAY_STATEMENT_TIMEOUT") or DEFAULT_STATEMENT_TIMEOUT
            ),
            audit_public_key=Path(public_key) if public_key else None,
            idempotency_lease=_seconds(env.get("CHUNGTAY_IDEMPOTENCY_LEASE")),
        )
        ZoneInfo(settings.timezone)  # fail early on an unknown zone
        return settings


def _seconds(text: str | None) -> float:
    if not text:
        return DEFAULT_IDEMPOTENCY_LEASE
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.1 <= value <= 3600:
        raise SettingsError(
            f"CHUNGTAY_IDEMPOTENCY_LEASE must be a number of seconds from 0.1 to 3600, not {text!r}"
        )
    return value
