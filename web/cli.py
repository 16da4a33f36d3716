"""The ``chungtay`` command line, built on click (Flask's own CLI library).

Exit status: 0 success, 1 the requested thing failed or was not found, 2 usage error (click's
own usage errors already exit 2). Every command that prints a result takes ``--json``.
"""

from __future__ import annotations

import sys
import traceback
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click

from application import queries
from application.errors import HouseholdNotFound
from domain.standards import ClassificationInputError, UnknownStandardError, load_standards
from infrastructure.settings import Settings
from infrastructure.store import redact, redact_text
from web.bootstrap import build_audit, initialise_store
from web.cli_common import (
    DATE,
    MONEY,
    TIMESTAMP,
    current_settings,
    emit,
    fail,
    opened,
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="chungtay")
def cli() -> None:
    """chungtay — the household ledger of the Hạ Lang poverty-reduction campaign."""


@cli.command()
@click.option("--json", "as_json", is_flag=True)
def init(as_json: bool) -> None:
    """Create or upgrade the store (run the migrations) and the signing key.

    The signing key is created only for a store that has signed nothing yet: the key of a store
    with checkpoints is never replaced (restore its file, or rotate it with
    `chungtay audit rotate-key`).
    """
    from application.audit import AuditError

    s = current_settings()
    applied = initialise_store(s)
    try:
        key_id = build_audit(s).ensure_signing_key()
    except AuditError as e:
        fail(f"the store is ready, but {e}")
    emit(
        {
            "database_url": redact(s.database_url),
            "migrations_applied": applied,
            "signing_key": str(s.signing_key),
            "key_id": key_id,
        },
        as_json,
        lambda d: (
            f"store ready ({d['database_url']}); migrations applied now: "
            f"{', '.join(d['migrations_applied']) or 'none'}\nsigning key: {d['signing_key']} "
            f"(key id {d['key_id']})"
        ),
    )


@cli.command()
@click.option(
    "--households", "count", type=click.IntRange(1, 200_000), default=6000, show_default=True
)
@click.option("--seed", type=int, default=2017, show_default=True)
@click.option("--to-year", type=click.IntRange(2016, 2100), default=None, help="default: this year")
@click.option(
    "--if-empty",
    is_flag=True,
    help="complete an interrupted demo, else do nothing when the store holds facts",
)
@click.option("--json", "as_json", is_flag=True)
def demo(count: int, seed: int, to_year: int | None, if_empty: bool, as_json: bool) -> None:
    """Load a reproducible synthetic Hạ Lang history (2015 → Y) through the real write path.

    An interrupted run is completed by running it again (or by `--if-empty`, which never leaves
    a partial store).
    """
    from demo import StoreNotEmpty, generate_demo, store_is_empty

    with opened() as services:
        app, runs = services.households, services.demo_runs
        unfinished = runs.unfinished()
        if if_empty and unfinished is not None:
            count, seed, to_year = unfinished.households, unfinished.seed, unfinished.to_year
            click.echo(f"completing the unfinished demo run {unfinished.run_id}", err=True)
        elif if_empty and not store_is_empty(app):
            click.echo("the store already holds facts; demo not loaded", err=True)
            return
        with click.progressbar(length=count, label="households", file=sys.stderr) as bar:
            done = [0]

            def progress(n: int, _total: int) -> None:
                bar.update(n - done[0])
                done[0] = n

            try:
                summary = generate_demo(
                    app,
                    households=count,
                    seed=seed,
                    to_year=to_year,
                    progress=progress,
                    runs=runs,
                )
            except StoreNotEmpty as e:
                fail(f"{e} (use --if-empty to skip loading)")
        emit(summary.to_dict(), as_json, lambda _d: summary.to_text())


@cli.command()
@click.option("--workers", type=click.IntRange(1, 64), default=None, help="default: 2 × cores + 1")
@click.option(
    "--no-projections",
    is_flag=True,
    help="do not supervise `chungtay projections run` (run it yourself)",
)
def serve(workers: int | None, no_projections: bool) -> None:
    """Serve the API with gunicorn (one application per worker, created after fork).

    Also keeps `chungtay projections run` alive beside the workers, so reports stay current.
    """
    from web.server import run_server

    run_server(current_settings(), workers=workers, projections=not no_projections)


@cli.command()
@click.option("--standard", required=True, help="2016-2020, 2021-2025 or 2026-2030")
@click.option("--area", "area_type", type=click.Choice(["rural", "urban"]), required=True)
@click.option("--income", type=MONEY, required=True, help="VND per person per month (integer)")
@click.option("--deprived", default="", help="comma-separated indicator codes")
@click.option("--json", "as_json", is_flag=True)
def classify(standard: str, area_type: str, income: int, deprived: str, as_json: bool) -> None:
    """What-if classification under a standard; records nothing."""
    codes = [c.strip() for c in deprived.split(",") if c.strip()]
    try:
        result = load_standards().classify(standard, area_type, income, codes)  # type: ignore[arg-type]
    except (ClassificationInputError, UnknownStandardError) as e:
        raise click.UsageError(str(e)) from None
    data = {
        "status": result.status,
        "route": result.route,
        "standard": result.standard,
        "income_per_capita": result.income_per_capita,
        "deprivations": list(result.deprivations),
        "deprivation_count": result.deprivation_count,
        "thresholds": dict(result.thresholds),
        "assessed_on": None,
    }
    emit(
        data,
        as_json,
        lambda d: (
            f"{d['status']} (route {d['route']}, standard {d['standard']}): income "
            f"{d['income_per_capita']:,} VND vs poverty line {d['thresholds']['poverty_line']:,}"
            + (
                f" / near-poverty line {d['thresholds']['near_poverty_line']:,}"
                if d["thresholds"]["near_poverty_line"]
                else ""
            )
            + f"; {d['deprivation_count']} deprivation(s)"
        ),
    )


def _status_text(d: dict[str, Any]) -> str:
    lines = [
        f"household {d['code']} ({d['household_id']})",
        f"  as of {d['as_of']}, as known at {d['known_at']} (version {d['version']})",
        f"  status: {d['status']}"
        + (
            f" since {d['since']} ({d['transition']})" if d["recognised"] else " (never recognised)"
        ),
        f"  standard: {d['standard'] or '-'}; decision: "
        + (
            f"{d['decision']['number']} of {d['decision']['effective_on']}"
            if d["decision"]
            else "-"
        ),
        f"  unit: {d['unit']['code']} {d['unit']['name']}, village {d['village']}"
        f" ({d['area_type']})",
    ]
    c = d["classification"]
    if c:
        lines.append(
            f"  last assessment {c['assessed_on']}: {c['status']} by {c['route']}, income "
            f"{c['income_per_capita']:,} VND, deprivations {', '.join(c['deprivations']) or 'none'}"
        )
    if d["flags"]:
        lines.append(f"  flags: {', '.join(d['flags'])}")
    extras = [
        "ever exited poverty" if d["ever_exited_poverty"] else "",
        "registered to exit" if d["exit_registered"] else "",
        "closed" if d["closed"] else "",
        f"sponsor: {d['sponsor']['name']}" if d["sponsor"] else "no sponsor",
    ]
    lines.append("  " + "; ".join(x for x in extras if x))
    return "\n".join(lines)


@cli.command()
@click.argument("household")
@click.option("--as-of", type=DATE, default=None, help="valid date (default today)")
@click.option("--known-at", type=TIMESTAMP, default=None, help="knowledge time (default now)")
@click.option("--json", "as_json", is_flag=True)
def status(household: str, as_of: date | None, known_at: datetime | None, as_json: bool) -> None:
    """The status object of a household (by id or code)."""
    with opened() as services:
        try:
            data = queries.status(services.households, household, as_of, known_at)
        except HouseholdNotFound as e:
            fail(str(e))
    emit(data, as_json, _status_text)


def _history_text(d: dict[str, Any]) -> str:
    lines = [f"household {d['code']} ({d['household_id']}), {len(d['facts'])} facts"]
    for f in d["facts"]:
        voided = f"  [retracted by v{f['retracted_by']}]" if f["retracted_by"] else ""
        lines.append(
            f"  v{f['version']:<3} {f['type']:<20} effective {f['effective_on']}  "
            f"recorded {f['recorded_at']} by {f['recorded_by']}{voided}"
        )
    return "\n".join(lines)


@cli.command()
@click.argument("household")
@click.option("--known-at", type=TIMESTAMP, default=None, help="knowledge time (default now)")
@click.option("--json", "as_json", is_flag=True)
def history(household: str, known_at: datetime | None, as_json: bool) -> None:
    """Every recorded fact of a household, in recording order."""
    with opened() as services:
        try:
            data = queries.history(services.households, household, known_at)
        except HouseholdNotFound as e:
            fail(str(e))
    emit(data, as_json, _history_text)


@cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--recorded-by",
    default="import",
    show_default=True,
    help="the name recorded as having entered these facts",
)
@click.option("--json", "as_json", is_flag=True)
def import_reviews_command(path: Path, recorded_by: str, as_json: bool) -> None:
    """Bulk import of review results from a CSV file; resumable, never duplicates.

    Columns: code, effective_on, income_per_capita, deprivations (codes separated by `;`),
    assessor, and optionally kind, list_year, standard, form, and a decision: status,
    decision_number, decision_on (default: effective_on), signed_by. Every row is checked before
    anything is recorded; rows already recorded are skipped, so the same file can be run again.
    """
    from application.review_import import ImportFileError, ImportStopped, import_reviews, parse_rows
    from infrastructure.importers import read_csv

    try:
        header, rows = read_csv(path)
        parsed = parse_rows(header, rows)
    except ImportFileError as e:
        for problem in e.problems:
            click.echo(f"error: {problem}", err=True)
        fail(f"{len(e.problems)} problem(s) in {path}; nothing was recorded")
    with opened() as services:
        try:
            with click.progressbar(length=len(parsed), label="rows", file=sys.stderr) as bar:
                summary = import_reviews(
                    services.households, parsed, recorded_by=recorded_by, progress=bar.update
                )
        except ImportStopped as e:
            fail(
                f"{e}; stopped there — {e.summary.assessments_recorded} assessment(s) and "
                f"{e.summary.decisions_recorded} decision(s) recorded before it. Fix the row and "
                "run the same file again: what is recorded is skipped."
            )
    emit(
        summary.to_dict(),
        as_json,
        lambda d: ", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in d.items()),
    )


def _diff_text(d: dict[str, Any]) -> str:
    lines = [
        f"unit {d['unit']}, status on {d['as_of']}: known at {d['from']} vs {d['to']}",
        f"  {d['households_changed']} of {d['households_examined']} households changed",
    ]
    for c in d["changes"]:
        before = c["before"]["status"] if c["before"] else "(not yet registered)"
        lines.append(
            f"  {c['code']}: {before} → {c['after']['status']} ({c['after']['transition']})"
        )
        for f in c["caused_by"]:
            lines.append(
                f"      v{f['version']} {f['type']} effective {f['effective_on']}, "
                f"recorded {f['recorded_at']} by {f['recorded_by']}"
            )
    return "\n".join(lines)


@click.command("diff")
@click.option("--unit", required=True, help="unit code (province, district or commune)")
@click.option("--as-of", type=DATE, required=True, help="the date whose status is compared")
@click.option("--from", "known_from", type=TIMESTAMP, required=True, help="earlier knowledge time")
@click.option("--to", "known_to", type=TIMESTAMP, required=True, help="later knowledge time")
@click.option("--json", "as_json", is_flag=True)
def audit_diff(
    unit: str, as_of: date, known_from: datetime, known_to: datetime, as_json: bool
) -> None:
    """Households whose status on a date changed between two moments, and the facts why."""
    from application.changes import status_diff
    from domain.units import UnknownUnitError

    with opened() as services:
        try:
            data = status_diff(
                services.households,
                unit=unit,
                as_of=as_of,
                known_from=known_from,
                known_to=known_to,
                read_models=services.read_side,
            )
        except UnknownUnitError as e:
            fail(str(e))
    emit(data, as_json, _diff_text)


def _register_commands() -> None:
    from web.cli_accounts import register_account_commands
    from web.cli_audit import register_audit_commands
    from web.cli_inspect import register_inspect_commands
    from web.cli_reports import register_report_commands

    register_account_commands(cli)
    register_report_commands(cli)
    register_inspect_commands(cli)
    register_audit_commands(cli)
    audit = cli.commands["audit"]
    assert isinstance(audit, click.Group)
    audit.add_command(audit_diff)


_register_commands()


def main() -> None:
    """Console-script entry point: an unexpected error is printed (with its traceback, the
    database password hidden) and exits 1."""
    try:
        cli(prog_name="chungtay", standalone_mode=True)
    except Exception:
        url = current_settings_or_default().database_url
        click.echo(redact_text(traceback.format_exc(), url), err=True)
        sys.exit(1)


def current_settings_or_default() -> Settings:
    """The settings of the environment, or the defaults when they cannot be read."""
    try:
        return Settings.from_env()
    except ValueError:
        return Settings()
