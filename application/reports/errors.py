"""The one error of the report use cases."""

from __future__ import annotations


class ReportError(ValueError):
    """A report cannot be produced as asked (unknown unit, unit not valid, bad year).

    ``field`` names the query argument at fault, so the API can answer 422 with a field path.
    """

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name
        self.message = message
