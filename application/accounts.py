"""Users, bearer tokens, the access log and idempotency keys, as use cases on a port.

Nothing here knows SQL: :class:`AccountStore` is the port, implemented for SQLite and
PostgreSQL in :mod:`infrastructure.accounts`. A token is shown once, when it is issued, and only
its SHA-256 hash is ever stored, so a copy of the database does not let anyone in.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final, Protocol

from domain.text import nfc
from domain.units import UnitCatalogue

ROLES: Final = ("admin", "officer", "inspector", "auditor")
"""CONTRACT §4: who may do what (see :mod:`application.access`)."""

SCOPED_ROLES: Final = ("officer", "inspector")
"""Roles whose reach is limited to their units (they need at least one)."""

_NAME = re.compile(r"^[\w.@-]{1,64}$")
_IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")


class AccountError(Exception):
    """A refused account operation, with the field it concerns (for 422 and the CLI)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class UnknownUser(AccountError):
    """No user with that name."""


class DuplicateUser(AccountError):
    """A user with that name exists already."""


class UnknownToken(AccountError):
    """No token with that id."""


class Unauthenticated(Exception):
    """Missing, unknown or revoked bearer token: 401."""


class IdempotencyKeyReused(Exception):
    """The key was used before by the same user for a different request: 422."""


class IdempotencyInProgress(Exception):
    """The first request with this key has not finished yet: 409."""


@dataclass(frozen=True)
class User:
    """An account: a name, one role and (for officers and inspectors) unit codes."""

    name: str
    role: str
    units: tuple[str, ...]
    created_at: datetime

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form (for ``--json`` output)."""
        return {
            "name": self.name,
            "role": self.role,
            "units": list(self.units),
            "created_at": self.created_at.isoformat(),
        }


@dataclass(frozen=True)
class TokenRecord:
    """What is stored about a token: never the token itself."""

    token_id: str
    user_name: str
    token_sha256: str
    created_at: datetime
    revoked_at: datetime | None = None


@dataclass(frozen=True)
class IssuedToken:
    """A newly issued token: ``token`` is shown once and never stored."""

    token_id: str
    token: str
    user: User


@dataclass(frozen=True)
class AccessEntry:
    """One row of the access log: who read which household, through which endpoint, when."""

    user_name: str
    household_id: str
    endpoint: str
    at: datetime
    id: int | None = None

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "id": self.id,
            "user": self.user_name,
            "household_id": self.household_id,
            "endpoint": self.endpoint,
            "at": self.at.isoformat(),
        }


@dataclass(frozen=True)
class StoredResponse:
    """The first response to an idempotent request (``status`` None while it still runs)."""

    fingerprint: str
    status: int | None
    body: str | None


class AccountStore(Protocol):
    """The port: persistence of users, tokens, the access log and idempotency keys."""

    def insert_user(self, user: User) -> None:
        """Add a user; raise :class:`DuplicateUser` if the name is taken."""

    def get_user(self, name: str) -> User | None:
        """The user with that name, if any."""

    def list_users(self) -> list[User]:
        """Every user, by name."""

    def insert_token(self, record: TokenRecord) -> None:
        """Store a token's hash."""

    def revoke_token(self, token_id: str, at: datetime) -> bool:
        """Mark a token revoked (idempotent); False if there is no such token."""

    def find_token(self, token_sha256: str) -> tuple[TokenRecord, User] | None:
        """The token with that hash and its user."""

    def list_tokens(self, user_name: str | None = None) -> list[TokenRecord]:
        """Stored tokens (hashes only), oldest first."""

    def append_access(self, entries: Sequence[AccessEntry]) -> None:
        """Append rows to the access log, in one transaction."""

    def select_access(
        self,
        *,
        user_name: str | None,
        household_id: str | None,
        start: datetime | None,
        end: datetime | None,
        limit: int,
        offset: int,
    ) -> tuple[list[AccessEntry], int]:
        """Access log rows matching the filters (``start`` ≤ at ≤ ``end``), oldest first,
        and how many match in all."""

    def reserve_idempotency(
        self, user_name: str, key: str, fingerprint: str, at: datetime
    ) -> StoredResponse | None:
        """Claim a key: None if it was free (now reserved), else what is stored for it."""

    def complete_idempotency(
        self, user_name: str, key: str, status: int, body: str, at: datetime
    ) -> None:
        """Store the first response for a reserved key."""

    def release_idempotency(self, user_name: str, key: str) -> None:
        """Give a reserved (not completed) key back: its request failed and stored nothing."""

    def close(self) -> None:
        """Release connections."""


def token_hash(token: str) -> str:
    """The stored form of a token: hex SHA-256 of its UTF-8 text."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class Accounts:
    """Use cases on users and tokens, the access log and idempotency keys."""

    def __init__(
        self,
        store: AccountStore,
        *,
        units: UnitCatalogue,
        clock: Callable[[], datetime],
        today: Callable[[], date],
    ) -> None:
        self.store = store
        self.units = units
        self.clock = clock
        self.today = today

    # -- users and tokens --------------------------------------------------------------------

    def add_user(self, name: str, role: str, units: Sequence[str] = ()) -> User:
        """Create a user; unit codes must name units valid today (any level)."""
        name = nfc(name)
        if not _NAME.match(name):
            raise AccountError(
                "name", "1–64 letters, digits, '.', '_', '@' or '-' (no spaces); got " + repr(name)
            )
        if role not in ROLES:
            raise AccountError("role", f"must be one of {', '.join(ROLES)}; got {role!r}")
        codes = tuple(dict.fromkeys(nfc(u) for u in units))
        today = self.today()
        for code in codes:
            if self.units.find(code, today) is None:
                versions = self.units.versions(code)
                detail = (
                    f"it is not valid today ({today.isoformat()}); it was valid "
                    f"{versions[-1].period()}"
                    if versions
                    else "no such unit code"
                )
                raise AccountError("units", f"{code}: {detail}")
        if role in SCOPED_ROLES and not codes:
            raise AccountError("units", f"an {role} needs at least one unit (--unit CODE)")
        user = User(name=name, role=role, units=codes, created_at=self.clock())
        self.store.insert_user(user)
        return user

    def user(self, name: str) -> User:
        """The user with that name."""
        user = self.store.get_user(nfc(name))
        if user is None:
            raise UnknownUser("name", f"no user {name!r}")
        return user

    def issue_token(self, name: str) -> IssuedToken:
        """A new random token for a user; the caller shows ``token`` once."""
        user = self.user(name)
        token = secrets.token_urlsafe(32)
        token_id = "tok_" + uuid.uuid4().hex[:16]
        self.store.insert_token(
            TokenRecord(
                token_id=token_id,
                user_name=user.name,
                token_sha256=token_hash(token),
                created_at=self.clock(),
            )
        )
        return IssuedToken(token_id=token_id, token=token, user=user)

    def revoke_token(self, token_id: str) -> None:
        """Revoke a token by its id (revoking twice is harmless)."""
        if not self.store.revoke_token(token_id.strip(), self.clock()):
            raise UnknownToken("token_id", f"no token {token_id!r}")

    def authenticate(self, token: str | None) -> User:
        """The user a bearer token belongs to; :class:`Unauthenticated` otherwise."""
        if not token:
            raise Unauthenticated("missing bearer token")
        return self.authenticate_digest(token_hash(token))

    def authenticate_digest(self, token_sha256: str) -> User:
        """The user of the token with this hash (a web session keeps only the hash), with the
        same checks as :meth:`authenticate`; :class:`Unauthenticated` otherwise."""
        found = self.store.find_token(token_sha256)
        if found is None:
            raise Unauthenticated("unknown token")
        record, user = found
        if record.revoked_at is not None:
            raise Unauthenticated("this token has been revoked")
        return user

    # -- access log ------------------------------------------------------------------------------

    def record_access(self, user: User, household_ids: Sequence[str], endpoint: str) -> None:
        """Append one access-log row per household read."""
        at = self.clock()
        self.store.append_access(
            [AccessEntry(user.name, str(h), endpoint, at) for h in dict.fromkeys(household_ids)]
        )

    def access_log(
        self,
        *,
        user_name: str | None = None,
        household_id: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> tuple[list[AccessEntry], int]:
        """Rows of the access log matching the filters, oldest first, and the total."""
        return self.store.select_access(
            user_name=user_name,
            household_id=household_id,
            start=start,
            end=end,
            limit=limit,
            offset=offset,
        )

    # -- idempotency -------------------------------------------------------------------------

    @staticmethod
    def valid_idempotency_key(key: str) -> bool:
        """1–255 visible ASCII characters."""
        return bool(_IDEMPOTENCY_KEY.match(key))

    def begin_idempotent(self, user: User, key: str, fingerprint: str) -> StoredResponse | None:
        """Reserve ``key`` for this request, or return the stored first response.

        Raises :class:`IdempotencyKeyReused` when the key was used for another request and
        :class:`IdempotencyInProgress` while the first request with the key is still running.
        """
        stored = self.store.reserve_idempotency(user.name, key, fingerprint, self.clock())
        if stored is None:
            return None
        if stored.fingerprint != fingerprint:
            raise IdempotencyKeyReused(key)
        if stored.status is None:
            raise IdempotencyInProgress(key)
        return stored

    def finish_idempotent(self, user: User, key: str, status: int, body: str) -> None:
        """Store the response of a request that succeeded."""
        self.store.complete_idempotency(user.name, key, status, body, self.clock())

    def abandon_idempotent(self, user: User, key: str) -> None:
        """Release the key of a request that failed (it stored nothing)."""
        self.store.release_idempotency(user.name, key)
