"""``chungtay report ...``, ``chungtay projections ...`` and ``chungtay units``.

Reports read the bitemporal read models by default (``--source read-models``), after applying
any facts the projection has not applied yet (``--no-refresh`` skips that); ``--source replay``
folds every household instead (slow; the reference the read models are tested against).

Exit status: 0 success, 1 the report could not be produced (unknown unit, unit not valid on the
date, store not initialised), 2 usage error.
"""

from __future__ import annotations

import json
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click

from application.reports import ReplaySource, ReportError, Reports
from infrastructure import exports
from web.cli_common import DATE, TIMESTAMP, current_settings, emit, fail
from web.report_text import report_text, units_text

FORMATS = ("table", "csv", "xlsx", "json")


YEAR = click.IntRange(1900, 9998)


@contextmanager
def _session(source: str, refresh: bool) -> Iterator[Reports]:
    """The application and a report source on the configured store."""
    from infrastructure.projections import build_projection
    from infrastructure.read_models import ReadModelSource
    from web.bootstrap import build_application, store_config

    settings = current_settings()
    app = build_application(settings)
    config = store_config(settings)
    closers: list[Callable[[], None]] = [app.close]
    try:
        if source == "replay":
            yield Reports(app, ReplaySource(app))
            return
        if refresh:
            projection = build_projection(app, config)
            closers.append(projection.close)
            try:
                projection.catch_up()
            except Exception as e:  # missing tables: the store predates this version
                fail(f"the read models cannot be updated ({e}); run `chungtay init` first")
        read_models = ReadModelSource(config)
        closers.append(read_models.close)
        yield Reports(app, read_models)
    finally:
        for close in reversed(closers):
            close()


def _common(fn: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed(
        [
            click.option(
                "--format",
                "fmt",
                type=click.Choice(FORMATS),
                default="table",
                show_default=True,
                help="output format (xlsx needs --out)",
            ),
            click.option("--out", type=click.Path(dir_okay=False), help="write to this file"),
            click.option("--json", "as_json", is_flag=True, help="same as --format json"),
            click.option(
                "--source",
                type=click.Choice(["read-models", "replay"]),
                default="read-models",
                show_default=True,
                help="read models (fast) or folding every household (reference)",
            ),
            click.option(
                "--no-refresh",
                is_flag=True,
                help="do not apply pending facts to the read models first",
            ),
        ]
    ):
        fn = option(fn)
    return fn


def _units_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--units",
        "units_mode",
        type=click.Choice(["historical", "current"]),
        default="historical",
        show_default=True,
        help="units valid on each date, or today's units through the crosswalk",
    )(fn)


def _output(report: dict[str, Any], fmt: str, out: str | None, as_json: bool) -> None:
    if as_json:
        fmt = "json"
    if fmt == "xlsx":
        if not out:
            raise click.UsageError("--format xlsx needs --out FILE.xlsx")
        exports.to_xlsx(report, out)
        click.echo(f"written {out}", err=True)
        return
    if fmt == "json":
        text = json.dumps(report, ensure_ascii=False, indent=2, sort_keys=True)
    elif fmt == "csv":
        if out:
            exports.write_csv(report, out)
            click.echo(f"written {out}", err=True)
            return
        text = exports.to_csv(report).rstrip("\n")
    else:
        text = report_text(report)
    if out:
        Path(out).write_text(text + "\n", encoding="utf-8")
        click.echo(f"written {out}", err=True)
    else:
        click.echo(text)


# -- report -------------------------------------------------------------------------------------


@click.group()
def report() -> None:
    """Reports: annual review, poverty as of a date, campaign, emulation."""


@report.command()
@click.option("--unit", required=True, help="unit code (province, district or commune)")
@click.option("--year", type=YEAR, required=True)
@click.option("--known-at", type=TIMESTAMP, default=None, help="knowledge time (default now)")
@click.option("--chart", type=click.Path(dir_okay=False), help="also draw FILE.png")
@_units_option
@_common
def annual(
    unit: str,
    year: int,
    known_at: datetime | None,
    chart: str | None,
    units_mode: str,
    fmt: str,
    out: str | None,
    as_json: bool,
    source: str,
    no_refresh: bool,
) -> None:
    """The annual review summary; XLSX in the official summary-form layout."""
    with _session(source, not no_refresh) as reports:
        try:
            data = reports.annual(unit, year, known_at, units_mode)
            if chart:
                series = reports.rate_series(unit, min(2016, year), year, known_at, units_mode)
                exports.rate_chart(series, chart)
                click.echo(f"written {chart}", err=True)
        except ReportError as e:
            fail(e.message)
    _output(data, fmt, out, as_json)


@report.command()
@click.option("--unit", required=True)
@click.option("--as-of", type=DATE, default=None, help="valid date (default today)")
@click.option("--known-at", type=TIMESTAMP, default=None, help="knowledge time (default now)")
@_units_option
@_common
def poverty(
    unit: str,
    as_of: date | None,
    known_at: datetime | None,
    units_mode: str,
    fmt: str,
    out: str | None,
    as_json: bool,
    source: str,
    no_refresh: bool,
) -> None:
    """Households, poor and near-poor with rates, by child unit and ethnic-minority flag."""
    with _session(source, not no_refresh) as reports:
        try:
            data = reports.poverty(unit, as_of, known_at, units_mode)
        except ReportError as e:
            fail(e.message)
    _output(data, fmt, out, as_json)


@report.command()
@click.option("--unit", required=True)
@click.option("--from-year", type=YEAR, required=True)
@click.option("--to-year", type=YEAR, required=True)
@click.option("--known-at", type=TIMESTAMP, default=None, help="knowledge time (default now)")
@_units_option
@_common
def campaign(
    unit: str,
    from_year: int,
    to_year: int,
    known_at: datetime | None,
    units_mode: str,
    fmt: str,
    out: str | None,
    as_json: bool,
    source: str,
    no_refresh: bool,
) -> None:
    """The campaign's figures per unit and year (reduction, income, support, sponsors, exits)."""
    if from_year > to_year:
        raise click.UsageError("--from-year must not be after --to-year")
    with _session(source, not no_refresh) as reports:
        try:
            data = reports.campaign(unit, from_year, to_year, known_at, units_mode)
        except ReportError as e:
            fail(e.message)
    _output(data, fmt, out, as_json)


@report.command()
@click.option("--year", type=YEAR, required=True)
@click.option("--unit", default=None, help="default: the province")
@click.option("--known-at", type=TIMESTAMP, default=None, help="knowledge time (default now)")
@_common
def emulation(
    year: int,
    unit: str | None,
    known_at: datetime | None,
    fmt: str,
    out: str | None,
    as_json: bool,
    source: str,
    no_refresh: bool,
) -> None:
    """Communes ranked on the campaign's criteria, with reasons, and exemplary households."""
    with _session(source, not no_refresh) as reports:
        try:
            data = reports.emulation(year, unit, known_at)
        except ReportError as e:
            fail(e.message)
    _output(data, fmt, out, as_json)


# -- projections ----------------------------------------------------------------------------------


@click.group()
def projections() -> None:
    """Keep the read models up to date, or rebuild them from the events."""


@contextmanager
def _projection(batch: int) -> Iterator[Any]:
    from infrastructure.projections import build_projection
    from web.bootstrap import build_application, store_config

    settings = current_settings()
    app = build_application(settings)
    projection = build_projection(app, store_config(settings), batch_size=batch)
    try:
        yield projection
    finally:
        projection.close()
        app.close()


_BATCH = click.option(
    "--batch",
    type=click.IntRange(1, 100_000),
    default=500,
    show_default=True,
    help="notifications per transaction",
)


@projections.command()
@_BATCH
@click.option("--min-sleep", type=click.FloatRange(0.001, 60), default=0.02, show_default=True)
@click.option("--max-sleep", type=click.FloatRange(0.001, 600), default=0.5, show_default=True)
@click.option("--once", is_flag=True, help="catch up and exit")
@click.option("--json", "as_json", is_flag=True)
def run(batch: int, min_sleep: float, max_sleep: float, once: bool, as_json: bool) -> None:
    """Follow the event log and apply new facts to the read models (until SIGTERM/SIGINT)."""
    stop = threading.Event()
    applied = [0]
    with _projection(batch) as projection:
        if once:
            applied[0] = projection.catch_up()
        else:

            def _stop(_signum: int, _frame: Any) -> None:
                stop.set()

            previous = {s: signal.signal(s, _stop) for s in (signal.SIGTERM, signal.SIGINT)}
            click.echo(
                f"following the log from position {projection.position()} "
                f"(head {projection.head()}); stop with Ctrl-C or SIGTERM",
                err=True,
            )

            def _progress(result: Any) -> None:
                applied[0] += result.notifications
                click.echo(
                    f"applied {result.notifications} notification(s) up to {result.position}",
                    err=True,
                )

            try:
                projection.run(stop, min_sleep=min_sleep, max_sleep=max_sleep, on_batch=_progress)
            finally:
                for s, handler in previous.items():
                    signal.signal(s, handler)
        summary = {
            "applied": applied[0],
            "position": projection.position(),
            "head": projection.head(),
        }
    if as_json:
        click.echo(json.dumps(summary, indent=2, sort_keys=True))
    else:
        click.echo(
            f"applied {summary['applied']} notification(s); position {summary['position']} "
            f"of {summary['head']}"
        )


@projections.command()
@click.option(
    "--batch",
    type=click.IntRange(1, 100_000),
    default=2000,
    show_default=True,
    help="notifications per transaction",
)
@click.option("--json", "as_json", is_flag=True)
def rebuild(batch: int, as_json: bool) -> None:
    """Empty the read models and rebuild them from every recorded fact (with a progress bar)."""
    import time

    with _projection(batch) as projection:
        head = projection.head()
        started = time.perf_counter()
        with click.progressbar(length=max(head, 1), label="notifications", file=sys.stderr) as bar:
            done = [0]

            def progress(position: int, _head: int) -> None:
                bar.update(max(0, position - done[0]))
                done[0] = position

            applied = projection.rebuild(progress)
        seconds = time.perf_counter() - started
        summary = {
            "applied": applied,
            "position": projection.position(),
            "seconds": round(seconds, 3),
            "events_per_second": round(applied / seconds, 1) if seconds else None,
        }
    if as_json:
        click.echo(json.dumps(summary, indent=2, sort_keys=True))
    else:
        click.echo(
            f"rebuilt from {applied} notification(s) in {summary['seconds']} s "
            f"({summary['events_per_second']} events/s)"
        )


@projections.command()
@click.option("--json", "as_json", is_flag=True)
def status(as_json: bool) -> None:
    """The read models' position against the head of the event log."""
    with _projection(500) as projection:
        position, head = projection.position(), projection.head()
    summary = {"position": position, "head": head, "behind": max(0, head - position)}
    if as_json:
        click.echo(json.dumps(summary, indent=2, sort_keys=True))
    else:
        click.echo(f"position {position} of {head} ({summary['behind']} behind)")


@click.command()
@click.option("--as-of", type=DATE, default=None, help="the date (default today)")
@click.option("--json", "as_json", is_flag=True)
def units(as_of: date | None, as_json: bool) -> None:
    """The administrative units valid on a date: codes, names, levels, parents and flags."""
    from zoneinfo import ZoneInfo

    from domain.units import load_units

    on = as_of or datetime.now(ZoneInfo(current_settings().timezone)).date()
    emit(load_units().listing(on), as_json, units_text)


def register_report_commands(cli: click.Group) -> None:
    """Add ``report``, ``projections`` and ``units`` to the ``chungtay`` command group."""
    cli.add_command(report)
    cli.add_command(projections)
    cli.add_command(units)


__all__ = ["register_report_commands"]
