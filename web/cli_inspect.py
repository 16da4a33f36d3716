"""``chungtay inspect ...``: supervision from the command line.

* ``inspect anomalies [--unit U] [--as-of D] [--kind K ...] [--json]`` — explained anomalies;
* ``inspect plan --unit U --year Y --size N [--seed S] [--by NAME] [--json]`` — draw and
  record an inspection plan;
* ``inspect progress [--plan ID] [--json]`` — one plan's progress, or every plan's totals;
* ``inspect at-risk [--unit U] [--as-of D] [--limit N] [--json]`` — the early-warning ranking;
* ``inspect evaluate --from-year A --to-year B [--json]`` — how well the score ranked the
  households that fell back, as known at each year's end.

Exit status: 0 success, 1 the requested thing failed or was not found (unknown plan, nothing
to draw from, store not initialised), 2 usage error (bad option, unknown unit or rule).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import click

from application.errors import InvalidInput
from application.households import Households
from application.supervision import (
    PlanNotFound,
    PlanStore,
    at_risk,
    draw_plan,
    early_warning_quality,
    plan_progress,
    plans_overview,
    scan_anomalies,
)
from domain.supervision import RULE_CODES
from web.bootstrap import bootstrap
from web.cli_common import DATE, current_settings, emit, fail

UNIT = click.STRING


@contextmanager
def _session() -> Iterator[tuple[Households, PlanStore]]:
    with bootstrap(current_settings()) as services:
        yield services.households, services.plans


@contextmanager
def _usage_errors() -> Iterator[None]:
    """Input the application refuses (unknown unit, bad size) is a usage error: exit 2."""
    try:
        yield
    except InvalidInput as e:
        raise click.UsageError(str(e)) from None


# -- text renderings ---------------------------------------------------------------------------


def _anomalies_text(d: dict[str, Any]) -> str:
    lines = [
        f"anomalies in {d['unit'] or 'every unit'} on or before {d['as_of']} "
        f"(record as of {d['known_at']}): {d['count']} ({d['open']} open) in "
        f"{d['households_with_anomalies']} of {d['households_examined']} households",
        "  by severity: "
        + ", ".join(f"{k} {v}" for k, v in reversed(list(d["by_severity"].items())) if v),
        "  by rule: " + ", ".join(f"{k} {v}" for k, v in d["by_rule"].items() if v),
    ]
    for a in d["anomalies"]:
        state = "" if a["open"] else f"  [corrected by v{', v'.join(map(str, a['corrected_by']))}]"
        lines.append(
            f"{a['severity']:<8} {a['rule']:<35} {a['code'] or a['household_id']}  {a['on']}  "
            f"facts v{', v'.join(map(str, a['versions']))}{state}"
        )
        lines.append(f"         {a['explanation']}")
        lines.append(f"         (evaluated as known at {a['evaluated_as_known_at']})")
    return "\n".join(lines)


def _plan_text(d: dict[str, Any]) -> str:
    lines = [
        f"plan {d['plan_id']}: {d['drawn']} of {d['population']} households of unit {d['unit']} "
        f"for {d['year']} (as of {d['as_of']}), seed {d['seed']}, drawn {d['drawn_at']} by "
        f"{d['drawn_by']}",
        "  strata: "
        + ", ".join(
            f"{code} {s['name'] or ''} {s['drawn']}/{s['households']}"
            for code, s in d["strata"].items()
        ),
    ]
    for h in d["households"]:
        reasons = ", ".join(h["anomalies"]) or "-"
        score = "-" if h["score"] is None else f"{h['score']:.1f}"
        lines.append(
            f"  {h['position']:>4}. {h['code'] or h['household_id']}  commune {h['commune']}  "
            f"weight {h['weight']:.2f}  score {score}  anomalies: {reasons}"
        )
    return "\n".join(lines)


def _progress_text(d: dict[str, Any]) -> str:
    p, t = d["plan"], d["totals"]
    lines = [
        f"plan {p['plan_id']} ({p['unit']}, {p['year']}): {t['visited']}/{t['planned']} visited, "
        f"{t['with_findings']} with findings, {t['followed_up']} followed by a correcting fact, "
        f"{t['awaiting_follow_up']} awaiting one"
    ]
    for h in d["households"]:
        if not h["visited"]:
            state = "not visited"
        elif not h["needs_follow_up"]:
            state = "visited, confirmed"
        elif h["followed_up"]:
            fixes = ", ".join(f"{f['type']} v{f['version']}" for f in h["followed_by"])
            state = f"visited, findings followed by {fixes}"
        else:
            state = "visited, findings awaiting a correcting fact"
        findings = "; ".join(
            f"{x['code']} ({x['severity']})" for i in h["inspections"] for x in i["findings"]
        )
        lines.append(
            f"  {h['position']:>4}. {h['code'] or h['household_id']}: {state}"
            + (f" — {findings}" if findings else "")
        )
    return "\n".join(lines)


def _overview_text(d: dict[str, Any]) -> str:
    if not d["plans"]:
        return "no inspection plan recorded"
    return "\n".join(
        f"{p['plan_id']}: unit {p['unit']}, {p['year']}, {p['totals']['visited']}/"
        f"{p['totals']['planned']} visited, {p['totals']['with_findings']} with findings, "
        f"{p['totals']['followed_up']} followed up"
        for p in d["plans"]
    )


def _at_risk_text(d: dict[str, Any]) -> str:
    lines = [
        f"households that exited poverty, in {d['unit'] or 'every unit'} on {d['as_of']}: "
        f"{d['count']} scored (highest risk first)"
    ]
    for h in d["households"]:
        lines.append(
            f"  {h['rank']:>4}. {h['code'] or h['household_id']}  score {h['score']:.1f}  "
            f"({h['status']}, exited {h['exited_on']})"
        )
        for c in h["components"]:
            lines.append(
                f"        {c['name']:<18} {c['points']:>5.1f}/{c['max_points']:<4g} "
                f"{c['explanation']}"
            )
    return "\n".join(lines)


def _evaluation_text(d: dict[str, Any]) -> str:
    lines = [f"re-poverty within {d['horizon_months']} months of each year's end"]
    for y in d["years"]:
        lines.append(
            f"  {y['year']}: {y['scored']} scored, {y['fell_back']} fell back "
            f"(base rate {y['base_rate']}), AUC {y['auc']}, precision@k {y['precision_at_k']}"
            + ("  [a new standard took over]" if y["standard_change_in_horizon"] else "")
        )
    m = d["summary"]
    lines.append(
        f"  mean over years without a change of standard: AUC {m['mean_auc']}, precision@k "
        f"{m['mean_precision_at_k']} (base rate {m['mean_base_rate']}); pooled AUC "
        f"{m['pooled_auc']}; all years: mean AUC {m['mean_auc_all_years']}"
    )
    lines.append(
        "  component AUC (mean): "
        + ", ".join(f"{k} {v}" for k, v in m["mean_component_auc"].items())
    )
    return "\n".join(lines)


# -- commands ----------------------------------------------------------------------------------


def register_inspect_commands(cli: click.Group) -> None:
    """Add the ``inspect`` group to the ``chungtay`` command line."""

    @cli.group()
    def inspect() -> None:
        """Supervision: anomalies, inspection plans and their progress, re-poverty risk."""

    @inspect.command()
    @click.option("--unit", type=UNIT, default=None, help="unit code (default: every household)")
    @click.option("--as-of", type=DATE, default=None, help="anomalies on or before (default today)")
    @click.option(
        "--kind",
        "kinds",
        type=click.Choice(RULE_CODES),
        multiple=True,
        help="only these rules (repeatable; default all)",
    )
    @click.option("--json", "as_json", is_flag=True)
    def anomalies(
        unit: str | None, as_of: date | None, kinds: tuple[str, ...], as_json: bool
    ) -> None:
        """Explained anomalies, each with the facts that trigger it, evaluated as known then."""
        with _session() as (app, _plans), _usage_errors():
            data = scan_anomalies(app, unit=unit, as_of=as_of, kinds=kinds or None)
        emit(data, as_json, _anomalies_text)

    @inspect.command()
    @click.option("--unit", type=UNIT, required=True, help="unit code the plan covers")
    @click.option("--year", type=click.IntRange(2000, 2100), required=True)
    @click.option("--size", type=click.IntRange(1, 10_000), required=True, help="households")
    @click.option(
        "--seed", type=click.IntRange(0, 2**63 - 1), default=None, help="default: random, recorded"
    )
    @click.option("--by", "drawn_by", default="cli", show_default=True, help="who draws the plan")
    @click.option("--json", "as_json", is_flag=True)
    def plan(
        unit: str, year: int, size: int, seed: int | None, drawn_by: str, as_json: bool
    ) -> None:
        """Draw a reproducible, commune-stratified, risk-weighted sample and record it."""
        with _session() as (app, plans), _usage_errors():
            try:
                drawn = draw_plan(
                    app, plans, unit=unit, year=year, size=size, seed=seed, drawn_by=drawn_by
                )
            except InvalidInput as e:
                if e.field == "unit" and e.message.startswith("no resident household"):
                    fail(e.message)
                raise
        emit(drawn.to_dict(), as_json, _plan_text)

    @inspect.command()
    @click.option("--plan", "plan_id", default=None, help="plan id (default: every plan)")
    @click.option("--json", "as_json", is_flag=True)
    def progress(plan_id: str | None, as_json: bool) -> None:
        """Which planned households were visited, what was found, what was corrected since."""
        with _session() as (app, plans):
            if plan_id is None:
                emit(plans_overview(app, plans), as_json, _overview_text)
                return
            try:
                data = plan_progress(app, plans, plan_id)
            except PlanNotFound as e:
                fail(str(e))
        emit(data, as_json, _progress_text)

    @inspect.command("at-risk")
    @click.option("--unit", type=UNIT, default=None, help="unit code (default: every household)")
    @click.option("--as-of", type=DATE, default=None, help="default today")
    @click.option("--limit", type=click.IntRange(1, 100_000), default=50, show_default=True)
    @click.option("--json", "as_json", is_flag=True)
    def at_risk_command(unit: str | None, as_of: date | None, limit: int, as_json: bool) -> None:
        """Households that exited poverty, ranked by the explained re-poverty score."""
        with _session() as (app, _plans), _usage_errors():
            data = at_risk(app, unit=unit, as_of=as_of, limit=limit)
        emit(data, as_json, _at_risk_text)

    @inspect.command()
    @click.option("--from-year", type=click.IntRange(2016, 2100), required=True)
    @click.option("--to-year", type=click.IntRange(2016, 2100), required=True)
    @click.option("--horizon", type=click.IntRange(1, 60), default=12, show_default=True)
    @click.option("--json", "as_json", is_flag=True)
    def evaluate(from_year: int, to_year: int, horizon: int, as_json: bool) -> None:
        """How well the score ranked the households that fell back (as known at year ends)."""
        if to_year < from_year:
            raise click.UsageError("--to-year must not be before --from-year")
        with _session() as (app, _plans), _usage_errors():
            data = early_warning_quality(
                app, years=range(from_year, to_year + 1), horizon_months=horizon
            )
        emit(data, as_json, _evaluation_text)
