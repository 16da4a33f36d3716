"""Application-level failures, each mapped to one HTTP status and one CLI exit code."""

from __future__ import annotations

from domain.errors import DomainError


class HouseholdNotFound(LookupError):
    """No household with that id or code (or not yet known at ``known_at``): 404."""

    def __init__(self, ref: str, detail: str | None = None) -> None:
        super().__init__(detail or f"no household {ref}")
        self.ref = ref


class DuplicateHousehold(Exception):
    """A household with that code is already registered: 409 with ``existing_id``."""

    def __init__(self, code: str, existing_id: str) -> None:
        super().__init__(f"a household with code {code!r} is already registered")
        self.code = code
        self.existing_id = existing_id


class StaleVersion(Exception):
    """``If-Match`` named a version that is no longer the household's latest: 412."""

    def __init__(self, expected: int, actual: int) -> None:
        super().__init__(f"the household is at version {actual}, not {expected}")
        self.expected = expected
        self.actual = actual


class WriteConflict(Exception):
    """Concurrent writers kept colliding and the retries ran out: 409."""


class InvalidInput(DomainError):
    """Input that the domain or the reference data refuses (unit, standard, indicator): 422."""


class QueryTooLong(Exception):
    """A read took longer than the store allows one statement (the request is refused, 503)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"the query took longer than {seconds:g} s and was cancelled")
        self.seconds = seconds
