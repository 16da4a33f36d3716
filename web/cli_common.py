"""What every ``chungtay`` command shares: date and timestamp options, output, failure, settings."""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, NoReturn

import click

from domain import fields
from infrastructure.settings import Settings
from infrastructure.store import redact_text
from web.bootstrap import Services, bootstrap


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
    """Print the reason on standard error (never the database password) and exit 1 (the
    requested thing failed)."""
    with contextlib.suppress(ValueError):  # settings that cannot be read: nothing to hide
        message = redact_text(message, current_settings().database_url)
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


def write_new_file(path: Path, text: str) -> None:
    """Write ``path`` whole or not at all: through a new temporary file beside it (created
    exclusively, with a random name, so a link planted there is never followed), then renamed
    over ``path`` (which replaces a link at ``path`` itself, never its target)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    mask = os.umask(0)
    os.umask(mask)
    try:
        os.fchmod(fd, 0o666 & ~mask)  # as an ordinary new file, not mkstemp's 0600
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def require_store(settings: Settings) -> None:
    """Exit 1 (quickly, with the reason) unless the configured store answers and is up to date."""
    from infrastructure.migrations import pending
    from infrastructure.store import parse_database_url, redact

    try:
        missing = pending(parse_database_url(settings.database_url))
    except Exception as e:
        fail(f"cannot open the store {redact(settings.database_url)}: {e}")
    if missing:
        fail(
            f"the store {redact(settings.database_url)} is not initialised or not up to date "
            f"(missing migrations: {', '.join(missing)}); run `chungtay init`"
        )


@contextlib.contextmanager
def opened() -> Iterator[Services]:
    """The services of a command on the configured store (closed at the end); exit 1 when the
    store is not initialised."""
    settings = current_settings()
    require_store(settings)
    with bootstrap(settings) as services:
        yield services
