"""Reading the pages' query strings and form fields into typed values (422 when malformed).

The same formats as the API: dates are ``YYYY-MM-DD``; moments are ISO 8601. A browser's
date-time field sends a moment without an offset, which is read in the configured time zone.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo

from web.problems import Problem


def _refuse(field: str, message: str) -> Problem:
    return Problem(422, f"{field}: {message}", errors={field: [message]})


def optional_date(field: str, raw: str | None) -> date | None:
    """A date, or None when the field is absent or blank."""
    if raw is None or not raw.strip():
        return None
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise _refuse(field, f"not a date (YYYY-MM-DD): {raw!r}") from None


def optional_moment(field: str, raw: str | None, zone: tzinfo) -> datetime | None:
    """A moment, or None when blank; without an offset it is local time in ``zone``."""
    if raw is None or not raw.strip():
        return None
    try:
        moment = datetime.fromisoformat(raw.strip())
    except ValueError:
        raise _refuse(field, f"not a moment (ISO 8601): {raw!r}") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)


def optional_int(field: str, raw: str | None, low: int, high: int) -> int | None:
    """A whole number within [low, high], or None when blank."""
    if raw is None or not raw.strip():
        return None
    try:
        value = int(raw.strip())
    except ValueError:
        raise _refuse(field, f"not a whole number: {raw!r}") from None
    if not low <= value <= high:
        raise _refuse(field, f"must be between {low} and {high}")
    return value


def choice(field: str, raw: str | None, allowed: tuple[str, ...], default: str) -> str:
    """One of ``allowed`` (``default`` when blank)."""
    if raw is None or not raw.strip():
        return default
    if raw not in allowed:
        raise _refuse(field, f"must be one of {', '.join(allowed)}")
    return raw
