"""What every ``chungtay`` command shares: date and timestamp options, output, failure, settings."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any, NoReturn

import click

from domain import fields
from infrastructure.settings import Settings


class DateParam(click.ParamType):
    """An ISO date option (``YYYY-MM-DD``); anything else is a usage error (exit 2)."""

    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: Any, ctx: Any) -> date:
        """Parse the option's text."""
        if isinstance(value, date):
            return value
        try:
            return fields.iso_date(value, param.name if param else "date")
        except fields.FieldRejected:
            self.fail(f"{value!r} is not an ISO date (YYYY-MM-DD)", param, ctx)


class TimestampParam(click.ParamType):
    """An ISO 8601 timestamp with its UTC offset (knowledge time is never ambiguous)."""

    name = "ISO-8601 timestamp with offset"

    def convert(self, value: Any, param: Any, ctx: Any) -> datetime:
        """Parse the option's text."""
        if isinstance(value, datetime):
            return value
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            self.fail(f"{value!r} is not an ISO 8601 timestamp", param, ctx)
        if moment.tzinfo is None:
            self.fail(f"{value!r} needs a UTC offset (e.g. 2024-01-01T00:00:00+07:00)", param, ctx)
        try:
            moment.astimezone(UTC)
        except OverflowError:
            self.fail(f"{value!r} lies outside the years 0001-9999 in UTC", param, ctx)
        return moment


class MoneyParam(click.ParamType):
    """Whole VND, digits only, within the same cap as the API and the import."""

    name = "VND"

    def convert(self, value: Any, param: Any, ctx: Any) -> int:
        """Parse the option's text."""
        if isinstance(value, int) and not isinstance(value, bool):
            return fields.money(value, param.name if param else "amount")
        try:
            return fields.parse_money(str(value), param.name if param else "amount")
        except fields.FieldRejected as e:
            self.fail(e.message, param, ctx)


DATE = DateParam()
TIMESTAMP = TimestampParam()
MONEY = MoneyParam()


def fail(message: str) -> NoReturn:
    """Print the reason on standard error and exit 1 (the requested thing failed)."""
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


def emit(data: Any, as_json: bool, human: Callable[[Any], str]) -> None:
    """Print ``data`` as JSON (``--json``) or as text for a person."""
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True))
    else:
        click.echo(human(data))


def current_settings() -> Settings:
    """Settings given to the command group (tests pass them as ``obj``), else the environment."""
    ctx = click.get_current_context(silent=True)
    obj = ctx.find_root().obj if ctx is not None else None
    if isinstance(obj, Settings):
        return obj
    found = getattr(obj, "settings", None) or (
        obj.get("settings") if isinstance(obj, dict) else None
    )
    return found if isinstance(found, Settings) else Settings.from_env()
