"""Bearer-token authentication and the role gates of the HTTP API.

Every request under ``/api/v1/`` except ``GET /api/v1/health`` must carry
``Authorization: Bearer <token>``; a missing, unknown or revoked token is answered 401 before any
view runs. What a known user may then do is decided by :class:`application.access.Policy`
(403 when not allowed).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, g, request

from application.access import Policy
from application.accounts import Unauthenticated, User
from web.context import services

API_PREFIX = "/api/v1/"
PUBLIC_PATHS = frozenset({"/api/v1/health"})

F = TypeVar("F", bound=Callable[..., Any])


def bearer_token() -> str | None:
    """The token of the ``Authorization: Bearer`` header, if any."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


def authenticate() -> None:
    """``before_request``: resolve the user of an API request, or answer 401."""
    if not request.path.startswith(API_PREFIX) or request.path in PUBLIC_PATHS:
        return
    if request.method == "OPTIONS":
        return
    token = bearer_token()
    if token is None:
        raise Unauthenticated("this request needs an Authorization: Bearer <token> header")
    g.user = services().accounts.authenticate(token)


def current_user() -> User:
    """The authenticated user of this request."""
    user = g.get("user")
    if user is None:  # pragma: no cover - authenticate() runs first for every API path
        raise Unauthenticated("not authenticated")
    return user


def policy() -> Policy:
    """The authorisation policy of this process."""
    return services().policy


def requires(*roles: str) -> Callable[[F], F]:
    """A view only these roles may call (403 for others), checked before the body is read."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            Policy.require_role(current_user(), roles)
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator


def check_known_at(known_at: datetime | None) -> datetime | None:
    """A ``known_at`` before now is for auditors only (403 for anyone else)."""
    policy().require_moment(current_user(), known_at, services().households.now())
    return known_at


def install(app: Flask) -> None:
    """Authenticate every API request."""
    app.before_request(authenticate)
