"""Bounded work per request: each user may run only a few expensive requests at once.

Lists, reports, audits and supervision read many households; one client running many of them in
parallel could take every worker thread and every database connection, and ``/health`` with them.
A view marked :func:`expensive` first takes one of the user's ``per_user`` slots; with none free
the answer is 429 with ``Retry-After`` and nothing else is done. A statement the database cancelled
(its ``statement_timeout``) is answered 503 with ``Retry-After``. The slots are advisory file locks
(``flock``) shared by every worker process of the server on this machine; the kernel releases
them when a request ends or its process dies, so a killed worker never leaks a slot.
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

from flask_smorest import Blueprint

from application.errors import QueryTooLong
from infrastructure.settings import Settings
from web.auth import current_user
from web.context import services
from web.problems import Problem
from web.schemas import ProblemSchema

F = TypeVar("F", bound=Callable[..., Any])

RETRY_AFTER_SECONDS = 2
"""What a refused client is told to wait before trying again."""

TOO_MANY_DOC = (
    "Too many expensive requests of this user are running at once; nothing was done. Retry "
    "after the number of seconds in `Retry-After`."
)


class TooManyRequests(Problem):
    """429: every slot of the user is taken."""

    def __init__(self, user: str, per_user: int) -> None:
        super().__init__(
            429,
            f"user {user} already runs {per_user} expensive request(s); retry after "
            f"{RETRY_AFTER_SECONDS} s",
            slug="too-many-requests",
            title="Too many requests",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )


class ConcurrencyLimit:
    """At most ``per_user`` concurrent expensive requests per user, across processes."""

    def __init__(self, directory: Path, per_user: int) -> None:
        if per_user < 1:
            raise ValueError("per_user must be at least 1")
        self.directory = directory
        self.per_user = per_user
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)

    @classmethod
    def for_settings(cls, settings: Settings) -> ConcurrencyLimit:
        """The limit shared by every process serving the store of ``settings``."""
        store = hashlib.sha256(settings.database_url.encode()).hexdigest()[:16]
        name = f"chungtay-slots-{os.getuid()}-{store}"
        return cls(Path(tempfile.gettempdir()) / name, settings.expensive_per_user)

    @contextmanager
    def slot(self, user: str) -> Iterator[None]:
        """Hold one of ``user``'s slots for the duration; :class:`TooManyRequests` if none."""
        key = hashlib.sha256(user.encode()).hexdigest()[:24]
        for i in range(self.per_user):
            fd = os.open(self.directory / f"{key}.{i}", os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            try:
                yield
            finally:
                os.close(fd)  # closing the descriptor releases the lock
            return
        raise TooManyRequests(user, self.per_user)


@functools.cache
def limit_for(settings: Settings) -> ConcurrencyLimit:
    """The one limit of this process for the store of ``settings``."""
    return ConcurrencyLimit.for_settings(settings)


def expensive(blp: Blueprint) -> Callable[[F], F]:
    """Mark a view as expensive: it runs in one of the user's slots (429 when none is free).

    Put it right under ``@blp.route`` so the slot covers the whole request.
    """

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with limit_for(services().settings).slot(current_user().name):
                try:
                    return view(*args, **kwargs)
                except QueryTooLong as e:
                    raise Problem(
                        503,
                        f"{e}; ask for less (a unit, a page) or retry later",
                        slug="query-too-long",
                        title="The query took too long",
                        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
                    ) from None

        documented = blp.alt_response(
            429,
            schema=ProblemSchema,
            description=TOO_MANY_DOC,
            content_type="application/problem+json",
            headers={
                "Retry-After": {
                    "description": "Seconds to wait before retrying.",
                    "schema": {"type": "integer"},
                }
            },
        )
        return documented(wrapper)  # type: ignore[return-value]

    return decorator
