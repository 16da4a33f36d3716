"""``/inspection``: the inspection team's worklist.

Explained anomalies with the facts behind them (filtered by unit, date, rule and openness), the
inspection plans of the user's units with their progress, and a form to record an inspection.
The same use cases and gates as the API's ``/inspection/*`` and ``POST .../inspections``: the
role may record inspections, the household is in the user's units on the inspection's date, the
inspector did not assess, recognise or sponsor it (separation of duties, explained when refused),
and a plan named must contain the household. A refused form stores nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import Blueprint, Response, redirect, request, url_for
from marshmallow import ValidationError

from application.access import Forbidden
from application.commands import Inspect
from application.recorded import Recorded
from application.recording import DutiesNotSeparated
from domain.supervision import RULE_CODES
from domain.vocabulary import FINDING_SEVERITIES, INSPECTION_OUTCOMES
from web.api.common import log_reads
from web.api.inspection import SUPERVISORS
from web.auth import current_user, policy, requires
from web.context import households, inspection, recorder
from web.pages.frame import render, t
from web.pages.inputs import choice, optional_date, optional_int
from web.problems import Problem, flatten, from_exception
from web.schemas import InspectionSchema

blp = Blueprint("inspection", __name__)

SHOWN = 100
"""Anomalies listed per page (the counts cover them all)."""


@dataclass(frozen=True)
class AnomalyFilter:
    """The worklist's filters."""

    unit: str | None
    as_of: date | None
    kind: str | None
    open_only: bool
    page: int

    def args(self, **changes: Any) -> dict[str, Any]:
        """The query string for these filters (blank ones left out)."""
        values = {
            "unit": self.unit,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "kind": self.kind,
            "open": "1" if self.open_only else None,
            "page": self.page if self.page > 1 else None,
            **changes,
        }
        return {k: v for k, v in values.items() if v is not None}


def _filters() -> AnomalyFilter:
    return AnomalyFilter(
        unit=request.args.get("unit") or None,
        as_of=optional_date("as_of", request.args.get("as_of")),
        kind=choice("kind", request.args.get("kind"), RULE_CODES, "") or None,
        open_only=request.args.get("open") == "1",
        page=optional_int("page", request.args.get("page"), 1, 100_000) or 1,
    )


def _unit_choices() -> list[Any]:
    """Units to filter by: the user's own, or every unit valid today."""
    app = households()
    user = current_user()
    today = app.today()
    if user.role in ("admin", "auditor"):
        return app.units.valid_on(today)
    return [u for u in (app.units.find(c, today) for c in user.units) if u is not None]


def _plans_in_scope() -> list[dict[str, Any]]:
    """Every plan of a unit the user may read, with its progress totals."""
    return [
        {**plan.summary(), "unit_name": unit.name, "totals": totals}
        for plan, unit, totals in inspection().plans_in_scope(current_user())
    ]


def _page(status: int = 200, **context: Any) -> tuple[str, int]:
    user = current_user()
    form = context.pop("form", None) or {"effective_on": households().today().isoformat()}
    if request.args.get("household"):
        form.setdefault("household", request.args["household"])
    return render(
        "inspection.html",
        status,
        active="inspection",
        filters=_filters(),
        units=_unit_choices(),
        rules=RULE_CODES,
        plans=_plans_in_scope(),
        may_record=user.role in ("admin", "inspector"),
        outcomes=INSPECTION_OUTCOMES,
        severities=FINDING_SEVERITIES,
        form=form,
        recorded=request.args.get("recorded"),
        **context,
    )


@blp.route("/inspection", methods=["GET"], endpoint="page")
@requires(*SUPERVISORS)
def inspection_page() -> tuple[str, int]:
    """Filters, the anomalies panel (loaded separately), plans, and the recording form."""
    return _page()


@blp.route("/inspection/anomalies", methods=["GET"], endpoint="anomalies")
@requires(*SUPERVISORS)
def anomalies_panel() -> tuple[str, int]:
    """The explained anomalies for the filters, one page of them."""
    f = _filters()
    result = inspection().anomalies(
        current_user(),
        unit=f.unit,
        as_of=f.as_of,
        kinds=[f.kind] if f.kind else None,
        page=f.page,
        per_page=SHOWN,
        open_only=f.open_only,
    )
    shown = result["anomalies"]
    log_reads(dict.fromkeys(a["household_id"] for a in shown))
    return render(
        "inspection_anomalies.html",
        active="inspection",
        filters=f,
        result=result,
        found=result["matching"],
        shown=shown,
        more=result["matching"] > f.page * SHOWN,
    )


def _inspection_body() -> dict[str, Any]:
    """The form as the API's request body (one optional finding)."""
    form = request.form
    findings = []
    if form.get("finding_code", "").strip():
        findings.append(
            {
                "code": form["finding_code"],
                "severity": form.get("finding_severity", ""),
                "note": form.get("finding_note", ""),
            }
        )
    return {
        "effective_on": form.get("effective_on", ""),
        "team": form.get("team", ""),
        "outcome": form.get("outcome", ""),
        "findings": findings,
        "plan_id": form.get("plan_id") or None,
    }


def _record(code: str, body: dict[str, Any]) -> Recorded:
    """Record the inspection through the same use case, after the same gates, as the API."""
    user = current_user()
    policy().may_record(user, "inspection")
    try:
        data = InspectionSchema().load(body)
    except ValidationError as e:
        errors = flatten(e.messages)
        detail = "; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items())
        raise Problem(422, detail, errors=errors) from None
    command = Inspect(household=code, recorded_by=user.name, **data)
    try:
        return recorder().inspect(user, command)
    except DutiesNotSeparated as e:
        raise Forbidden(f"{t('inspection.separation')} {e}") from None


@blp.route("/inspection/record", methods=["POST"], endpoint="record")
@requires(*SUPERVISORS)
def record_inspection() -> Response | tuple[str, int]:
    """Record an inspection, then show the worklist again (303), or the form with the refusal."""
    code = request.form.get("household", "").strip()
    try:
        if not code:
            raise Problem(422, "household: required", errors={"household": ["required"]})
        recorded = _record(code, _inspection_body())
    except Exception as e:
        problem = from_exception(e)
        if problem is None:
            raise
        return _page(problem.status, form=request.form.to_dict(), refused=problem.detail)
    target = url_for(
        "pages.inspection.page",
        recorded=code,
        version=recorded.version,
        at=recorded.recorded_at.isoformat(),
    )
    return redirect(target + "#record", code=303)  # type: ignore[return-value]
