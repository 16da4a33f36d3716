"""Users, bearer tokens, the access log and idempotency keys, as use cases on a port.

Nothing here knows SQL: :class:`AccountStore` is the port, implemented for SQLite and
PostgreSQL in :mod:`infrastructure.accounts`. A token is shown once, when it is issued, and only
its SHA-256 hash is ever stored, so a copy of the database does not let anyone in.
"""

from __future__ import annotations

import hashlib
import math
import re
import secrets
import unicodedata
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Final, Protocol

from domain.fields import FieldRejected, unit_code
from domain.text import nfc
from domain.units import UnitCatalogue

ROLES: Final = ("admin", "officer", "inspector", "auditor")
"""The roles: who may do what (see :mod:`application.access`)."""

SCOPED_ROLES: Final = ("officer", "inspector")
"""Roles whose reach is limited to their units (they need at least one)."""

_NAME = re.compile(r"[\w.@-]{1,64}")
_IDEMPOTENCY_KEY = re.compile(r"[\x21-\x7e]{1,255}")

DEFAULT_IDEMPOTENCY_LEASE = timedelta(seconds=30)
"""How long a reservation of an ``Idempotency-Key`` holds while its request runs: after that, a
retry takes the key over (the first request died, or it could not have stored anything)."""


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
    """Missing, unknown or revoked bearer token, or a disabled user: 401."""


class IdempotencyKeyReused(Exception):
    """The key was used before by the same user for a different request: 422."""


class IdempotencyInProgress(Exception):
    """The first request with this key has not finished yet: 409, retry after ``retry_after``
    seconds (when its lease ends)."""

    def __init__(self, key: str, retry_after: int = 1) -> None:
        super().__init__(key)
        self.retry_after = retry_after


class IdempotencyLeaseLost(Exception):
    """The reservation was taken over (its lease had ended) before this request stored its
    answer: the facts are not stored either, as they are written in one transaction."""


@dataclass(frozen=True)
class User:
    """An account: a name, one role and (for officers and inspectors) unit codes."""

    name: str
    role: str
    units: tuple[str, ...]
    created_at: datetime
    disabled_at: datetime | None = None

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form (for ``--json`` output)."""
        return {
            "name": self.name,
            "role": self.role,
            "units": list(self.units),
            "created_at": self.created_at.isoformat(),
            "disabled_at": self.disabled_at.isoformat() if self.disabled_at else None,
        }


@dataclass(frozen=True)
class TokenRecord:
    """What is stored about a token: never the token itself."""

    token_id: str
    user_name: str
    token_sha256: str
    created_at: datetime
    revoked_at: datetime | None = None

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form without the hash (``token list``)."""
        return {
            "token_id": self.token_id,
            "user": self.user_name,
            "created_at": self.created_at.isoformat(),
            "revoked_at": self.revoked_at.isoformat() if self.revoked_at else None,
        }


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
    """The first response to an idempotent request (``status`` None while it still runs,
    until ``lease_until``)."""

    fingerprint: str
    status: int | None
    body: str | None
    lease_until: datetime | None = None


@dataclass(frozen=True)
class Reservation:
    """A key held by one running request; ``token`` fences it against a later takeover."""

    user_name: str
    key: str
    token: str


@dataclass
class IdempotentAnswer:
    """The answer of a request, stored with the request's facts, in their transaction.

    The recorder writes it only while ``reservation`` still holds the key, else it raises
    :class:`IdempotencyLeaseLost` and the whole transaction (facts included) is rolled back.
    """

    reservation: Reservation
    status: int | None = None
    body: str | None = None
    at: datetime | None = None


class AccountStore(Protocol):
    """The port: persistence of users, tokens, the access log and idempotency keys."""

    def insert_user(self, user: User) -> None:
        """Add a user; raise :class:`DuplicateUser` if the name is taken."""

    def get_user(self, name: str) -> User | None:
        """The user with that name, if any."""

    def list_users(self) -> list[User]:
        """Every user, by name."""

    def disable_user(self, name: str, at: datetime) -> bool:
        """Mark a user disabled (the first time counts); False if there is no such user."""

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
        self, reservation: Reservation, fingerprint: str, at: datetime, lease_until: datetime
    ) -> StoredResponse | None:
        """Claim a key, or take over a reservation whose lease ended (its request died): None
        when the key is now held by ``reservation``, else what is stored for the key."""

    def find_idempotency(self, user_name: str, key: str) -> StoredResponse | None:
        """What is stored for a key, if anything."""

    def complete_idempotency(self, answer: IdempotentAnswer) -> bool:
        """Store the answer of a request that recorded no fact (False: the lease was lost)."""

    def release_idempotency(self, reservation: Reservation) -> None:
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
        idempotency_lease: timedelta = DEFAULT_IDEMPOTENCY_LEASE,
    ) -> None:
        self.store = store
        self.units = units
        self.clock = clock
        self.today = today
        self.idempotency_lease = idempotency_lease

    # -- users and tokens --------------------------------------------------------------------

    def add_user(self, name: str, role: str, units: Sequence[str] = ()) -> User:
        """Create a user; unit codes must name units valid today (any level)."""
        name = unicodedata.normalize("NFC", name)
        if not _NAME.fullmatch(name):
            raise AccountError(
                "name", "1–64 letters, digits, '.', '_', '@' or '-' (no spaces); got " + repr(name)
            )
        if role not in ROLES:
            raise AccountError("role", f"must be one of {', '.join(ROLES)}; got {role!r}")
        try:
            codes = tuple(dict.fromkeys(unit_code(u, "units") for u in units))
        except FieldRejected as e:
            raise AccountError("units", e.message) from None
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

    def disable_user(self, name: str) -> User:
        """Disable a user: every token of theirs is refused from now on (401). The user stays,
        as recorded facts name them; disabling twice keeps the first time."""
        if not self.store.disable_user(nfc(name), self.clock()):
            raise UnknownUser("name", f"no user {name!r}")
        return self.user(name)

    def tokens(self, name: str | None = None) -> list[TokenRecord]:
        """Stored tokens (never the tokens themselves), oldest first; one user's if named."""
        if name is not None:
            name = self.user(name).name
        return self.store.list_tokens(name)

    def issue_token(self, name: str) -> IssuedToken:
        """A new random token for a user; the caller shows ``token`` once."""
        user = self.user(name)
        if user.disabled_at is not None:
            raise AccountError("name", f"user {user.name!r} is disabled")
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
        if user.disabled_at is not None:
            raise Unauthenticated("the user of this token has been disabled")
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
        return bool(_IDEMPOTENCY_KEY.fullmatch(key))

    def begin_idempotent(
        self, user: User, key: str, fingerprint: str
    ) -> Reservation | StoredResponse:
        """Reserve ``key`` for this request (a :class:`Reservation`: go on), or return the
        stored first response (replay it).

        Raises :class:`IdempotencyKeyReused` when the key was used for another request and
        :class:`IdempotencyInProgress` while the first request with the key still holds it.
        A reservation whose lease has ended is taken over: its request died, and as answers are
        stored in the transaction of their facts, it stored nothing.
        """
        reservation = Reservation(user.name, key, uuid.uuid4().hex)
        now = self.clock()
        stored = self.store.reserve_idempotency(
            reservation, fingerprint, now, now + self.idempotency_lease
        )
        if stored is None:
            return reservation
        return self._stored(key, fingerprint, stored)

    def _stored(self, key: str, fingerprint: str, stored: StoredResponse) -> StoredResponse:
        if stored.fingerprint != fingerprint:
            raise IdempotencyKeyReused(key)
        if stored.status is None:
            left = (stored.lease_until - self.clock()).total_seconds() if stored.lease_until else 1
            raise IdempotencyInProgress(key, max(1, math.ceil(left)))
        return stored

    def stored_answer(self, user: User, key: str, fingerprint: str) -> StoredResponse | None:
        """The completed answer for a key (after a conflict or a lost lease), if any."""
        stored = self.store.find_idempotency(user.name, key)
        if stored is None or stored.status is None:
            return None
        return self._stored(key, fingerprint, stored)

    def finish_idempotent(self, answer: IdempotentAnswer) -> None:
        """Store the answer of a request that recorded no fact."""
        if not self.store.complete_idempotency(answer):
            raise IdempotencyLeaseLost(answer.reservation.key)

    def abandon_idempotent(self, reservation: Reservation) -> None:
        """Release the key of a request that failed (it stored nothing)."""
        self.store.release_idempotency(reservation)
