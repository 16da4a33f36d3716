"""Sign-in sessions of the web pages: a token pasted once, then a server-side session.

A person signs in with a bearer token (from ``chungtay token issue``); the server answers with a
random session secret that the browser keeps in a cookie. Only the secret's SHA-256 is stored,
beside the SHA-256 of the token it was opened with, so every request re-checks the token through
:meth:`application.accounts.Accounts.authenticate_digest`: a revoked token or a disabled user ends
the session at its next request. A session also ends on sign-out, after :data:`IDLE_TIMEOUT`
without a request, and :data:`LIFETIME` after sign-in whatever happens.

Each session carries its own CSRF token, which every form of the pages must send back.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final, Protocol

from application.accounts import Accounts, Unauthenticated, User, token_hash

LIFETIME: Final = timedelta(hours=12)
"""A session ends this long after sign-in (a working day), however active it is."""

IDLE_TIMEOUT: Final = timedelta(hours=1)
"""A session left without a request this long ends (a shared computer at the commune office)."""

TOUCH_EVERY: Final = timedelta(minutes=1)
"""``last_seen_at`` is written at most this often (not one write per page view)."""


@dataclass(frozen=True)
class WebSession:
    """What is stored about a session: hashes, never the secret or the token."""

    session_sha256: str
    token_sha256: str
    user_name: str
    csrf_token: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class ActiveSession:
    """A session that is valid now, and its user as the token resolves today."""

    session: WebSession
    user: User

    @property
    def csrf_token(self) -> str:
        """The token every form of this session must carry."""
        return self.session.csrf_token

    def csrf_matches(self, sent: str | None) -> bool:
        """Whether a form's CSRF field is this session's (constant-time comparison)."""
        return bool(sent) and hmac.compare_digest(sent.encode(), self.csrf_token.encode())


@dataclass(frozen=True)
class OpenedSession(ActiveSession):
    """A new session: ``secret`` goes into the cookie once and is never stored."""

    secret: str = ""


class SessionStore(Protocol):
    """The port: persistence of sessions (SQLite and PostgreSQL in ``infrastructure``)."""

    def insert(self, session: WebSession) -> None:
        """Store a new session."""

    def get(self, session_sha256: str) -> WebSession | None:
        """The session with that hash, if any."""

    def touch(self, session_sha256: str, at: datetime) -> None:
        """Record activity on a session."""

    def delete(self, session_sha256: str) -> None:
        """End one session."""

    def delete_for_token(self, token_sha256: str) -> int:
        """End every session opened with a token; how many ended."""

    def delete_expired(self, now: datetime, idle_since: datetime) -> int:
        """Remove sessions past their expiry or idle since before ``idle_since``."""

    def close(self) -> None:
        """Release connections."""


def secret_hash(secret: str) -> str:
    """The stored form of a session secret: hex SHA-256 of its text."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


class Sessions:
    """Use cases of the pages' sign-in: open, resolve on each request, end."""

    def __init__(
        self,
        store: SessionStore,
        accounts: Accounts,
        *,
        clock: Callable[[], datetime],
        lifetime: timedelta = LIFETIME,
        idle_timeout: timedelta = IDLE_TIMEOUT,
    ) -> None:
        self.store = store
        self.accounts = accounts
        self.clock = clock
        self.lifetime = lifetime
        self.idle_timeout = idle_timeout

    def sign_in(self, token: str) -> OpenedSession:
        """Open a session for the token's user; :class:`Unauthenticated` for a bad token."""
        token = token.strip()
        user = self.accounts.authenticate(token)
        now = self.clock()
        self.store.delete_expired(now, now - self.idle_timeout)
        secret = secrets.token_urlsafe(32)
        session = WebSession(
            session_sha256=secret_hash(secret),
            token_sha256=token_hash(token),
            user_name=user.name,
            csrf_token=secrets.token_urlsafe(32),
            created_at=now,
            last_seen_at=now,
            expires_at=now + self.lifetime,
        )
        self.store.insert(session)
        return OpenedSession(session=session, user=user, secret=secret)

    def resolve(self, secret: str | None) -> ActiveSession | None:
        """The active session a cookie names, or None (ending it if it is no longer valid)."""
        if not secret:
            return None
        key = secret_hash(secret)
        session = self.store.get(key)
        if session is None:
            return None
        now = self.clock()
        if now >= session.expires_at or now - session.last_seen_at >= self.idle_timeout:
            self.store.delete(key)
            return None
        try:
            user = self.accounts.authenticate_digest(session.token_sha256)
        except Unauthenticated:
            self.store.delete_for_token(session.token_sha256)
            return None
        if now - session.last_seen_at >= TOUCH_EVERY:
            self.store.touch(key, now)
        return ActiveSession(session=session, user=user)

    def sign_out(self, secret: str | None) -> None:
        """End the session a cookie names (nothing to do when there is none)."""
        if secret:
            self.store.delete(secret_hash(secret))
