"""``chungtay report ...`` and ``chungtay projections ...`` (CONTRACT §6, issue 5).

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
from web.cli_common import DATE, TIMESTAMP, current_settings, fail

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
        text = _text(report)
    if out:
        Path(out).write_text(text + "\n", encoding="utf-8")
        click.echo(f"written {out}", err=True)
    else:
        click.echo(text)


def _fmt(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return f"{v:.2f}"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


def _grid(header: list[str], rows: list[list[Any]]) -> str:
    cells = [header] + [[_fmt(v) for v in r] for r in rows]
    widths = [max(len(str(r[i])) for r in cells) for i in range(len(header))]
    lines = []
    for n, r in enumerate(cells):
        lines.append(
            "  ".join(
                str(v).ljust(w) if i < 2 else str(v).rjust(w)
                for i, (v, w) in enumerate(zip(r, widths, strict=True))
            )
        )
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _text(report: dict[str, Any]) -> str:
    kind = report["report"]
    unit = report["unit"]
    title = f"{unit.get('name', unit.get('code'))} ({unit.get('code')})"
    lines: list[str] = []
    if kind == "poverty":
        lines.append(
            f"Poverty report, {title}, as of {report['as_of']}, known at {report['known_at']} "
            f"({report['units']} units)"
        )
        header, rows = exports.table(report)
        lines.append(
            _grid(
                ["unit", "name", *header[3:8], "em_poor_rate"],
                [[*r[:2], *r[3:8], r[11]] for r in rows],
            )
        )
    elif kind == "annual":
        lines.append(
            f"Annual review {report['year']}, {title}: {report['start']} → {report['end']}, "
            f"standard {report['standard_start']} → {report['standard_end']}"
        )
        lines.append(
            f"  poor {_fmt(report['poor_start'])} ({_fmt(report['rate_start'])}%) → "
            f"{_fmt(report['poor_end'])} ({_fmt(report['rate_end'])}%); exited "
            f"{report['exited_poverty']}, re-poor {report['re_poor']}, newly poor "
            f"{report['newly_poor']}"
        )
        lines.append(
            f"  reduction {_fmt(report['reduction_pp'])} pp against a target of "
            f"{report['target_pp']} pp: "
            + ({True: "met", False: "not met", None: "not assessed"}[report["target_met"]])
        )
        em = report["ethnic_minority"]
        lines.append(
            f"  ethnic minority: {_fmt(em['rate_start'])}% → {_fmt(em['rate_end'])}%, reduction "
            f"{_fmt(em['reduction_pp'])} pp (target {em['target_pp']})"
        )
        if report["reduction_note"]:
            lines.append(f"  note: {report['reduction_note']}")
        header = [
            "unit",
            "name",
            "households",
            "poor_start",
            "exited",
            "re_poor",
            "newly",
            "poor_end",
            "rate_start",
            "rate_end",
            "reduction_pp",
            "target_met",
        ]
        rows = [
            [
                u["unit"]["code"],
                u["unit"]["name"],
                u["total_households_end"],
                u["poor_start"],
                u["exited_poverty"],
                u["re_poor"],
                u["newly_poor"],
                u["poor_end"],
                u["rate_start"],
                u["rate_end"],
                u["reduction_pp"],
                u["target_met"],
            ]
            for u in report["by_unit"]
        ]
        lines.append(_grid(header, rows))
    elif kind == "campaign":
        lines.append(f"Campaign {report['from_year']}–{report['to_year']}, {title}")
        b = report["baseline"]
        lines.append(
            f"  income baseline {b['date']}: {b['households']} poor households, mean "
            f"{_fmt(b['mean_income'])} VND/person/month" + (f" ({b['note']})" if b["note"] else "")
        )
        header = [
            "year",
            "unit",
            "reduction_pp",
            "target_met",
            "income_ratio",
            "sponsor_%",
            "exit_reg",
            "exited",
            "re_poor_2y_%",
            "support_vnd",
        ]
        rows = []
        for y in report["years"]:
            for name, blk in [(unit.get("name"), y)] + [
                (u["unit"]["name"], u) for u in y["by_unit"]
            ]:
                r = blk["reduction"] or {}
                rows.append(
                    [
                        str(y["year"]),
                        name,
                        r.get("reduction_pp"),
                        r.get("target_met"),
                        blk["income"]["poor_ratio_to_baseline"],
                        blk["sponsorship"]["share"],
                        blk["exit_registrations"]["registered"],
                        blk["exit_registrations"]["exited"],
                        blk["re_poverty"]["share"],
                        blk["support"]["amount_vnd"],
                    ]
                )
        lines.append(_grid(header, rows))
    else:
        lines.append(f"Emulation {report['year']}, {title}: {report['method']}")
        for r in report["ranking"]:
            lines.append(
                f"{r['rank']:>3}. {r['unit']['name']} ({r['unit']['code']}), score {r['score']}"
            )
            lines.extend(f"       - {reason}" for reason in r["reasons"])
        lines.append(f"exemplary households: {len(report['exemplary_households'])}")
        lines.extend(
            f"  {h['code']} ({h['unit']['name']}): registered {h['exit_registered_on']}, exited "
            f"{h['exited_on']}" + ("" if h["window_complete"] else " (two-year window still open)")
            for h in report["exemplary_households"]
        )
    for note in report.get("notes", []):
        lines.append(f"note: {note}")
    src = report.get("source", {})
    if src.get("behind"):
        lines.append(f"note: the read models are {src['behind']} notification(s) behind the log")
    return "\n".join(lines)


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
    """The annual review summary (CONTRACT §5); XLSX in the official summary-form layout."""
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


def register_report_commands(cli: click.Group) -> None:
    """Add ``report`` and ``projections`` to the ``chungtay`` command group."""
    cli.add_command(report)
    cli.add_command(projections)


__all__ = ["register_report_commands"]
