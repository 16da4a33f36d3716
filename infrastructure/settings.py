"""Configuration from the environment (CONTRACT §2), read once at the composition root."""

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


@dataclass(frozen=True)
class Settings:
    """The four settings of the contract, with their defaults."""

    database_url: str = DEFAULT_DATABASE_URL
    signing_key: Path = Path(DEFAULT_SIGNING_KEY)
    bind: str = DEFAULT_BIND
    timezone: str = DEFAULT_TIMEZONE
    expensive_per_user: int = DEFAULT_EXPENSIVE_PER_USER
    """Expensive requests (lists, reports, audits) one user may run at once (more: 429)."""
    statement_timeout: float = DEFAULT_STATEMENT_TIMEOUT
    """Seconds one read statement may run on PostgreSQL before it is cancelled."""

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        """Read ``CHUNGTAY_*`` variables, falling back to the defaults."""
        env = os.environ if environ is None else environ
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
        )
        ZoneInfo(settings.timezone)  # fail early on an unknown zone
        return settings
