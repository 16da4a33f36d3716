"""Domain errors: why a fact was refused, in words a clerk can act on.

Each carries the field path it concerns, so the API can answer 422 with ``errors`` per field
and the command line can print the same message.
"""

from __future__ import annotations


class DomainError(ValueError):
    """Base of every refusal raised by the domain."""

    field: str = "_schema"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class FactRejected(DomainError):
    """A fact breaks an invariant of the household (dates, vocabulary, money, retraction)."""
