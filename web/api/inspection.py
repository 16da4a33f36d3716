"""Supervision for inspection teams.

* ``GET /inspection/anomalies?unit=&as_of=&kind=`` — explained anomalies, each with the facts
  (versions) that trigger it, evaluated as known when those facts were recorded;
* ``GET /inspection/at-risk?unit=`` — households that exited poverty, ranked by the explained
  re-poverty early-warning score;
* ``POST /inspection/plans`` — draw and record an inspection plan (reproducible for its seed);
* ``GET /inspection/plans/{plan_id}`` and ``GET /inspection/plans/{plan_id}/progress``.

Roles: reads of anomalies, plans and progress by admins, inspectors and auditors
(:data:`SUPERVISORS`), the at-risk ranking also by officers; drawing a plan goes through
:func:`web.api.common.recording` (``inspection``: inspectors and admins, with
``Idempotency-Key``). The use cases (:class:`application.inspection.Inspection`) limit results to
the caller's units (admins and auditors see every unit); every household shown to an inspector
or an auditor is written to the access log.
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import g
from marshmallow import RAISE, fields, validate

from application.accounts import User
from application.errors import InvalidInput
from application.supervision import MAX_PLAN_SIZE
from domain.supervision import RULE_CODES
from web.api.common import (
    IDEMPOTENCY_HEADER,
    REPLAYED_HEADER,
    blueprint,
    log_reads,
    problems,
    recording,
)
from web.auth import requires
from web.context import inspection
from web.limits import expensive
from web.problems import Problem
from web.schemas import ISODate, Query, Strict, StrictInteger, UnitCode

SUPERVISORS = ("admin", "inspector", "auditor")
"""Who reads anomalies, plans and progress; officers also read the at-risk ranking (their units),
since acting on it is their work. Drawing a plan is for inspectors and admins (``recording``)."""

inspection_blp = blueprint(
    "inspection",
    "Supervision for inspection teams: explained anomalies, the re-poverty early warning, "
    "risk-based inspection plans and their follow-up.",
)

# -- schemas -----------------------------------------------------------------------------------


class AnomalyQuery(Query):
    """``unit``, ``as_of``, ``kind`` and paging."""

    unit = UnitCode(metadata={"description": "Only households whose unit on as_of lies in it."})
    as_of = ISODate(metadata={"description": "Anomalies dated on or before (default: today)."})
    kind = fields.List(
        fields.String(validate=validate.OneOf(RULE_CODES)),
        metadata={"description": "Only these rules (repeat the parameter; default: all)."},
    )
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    per_page = fields.Integer(load_default=200, validate=validate.Range(min=1, max=5000))


class AtRiskQuery(Query):
    """``unit``, ``as_of``, ``limit``."""

    unit = UnitCode(metadata={"description": "Only households whose unit on as_of lies in it."})
    as_of = ISODate(metadata={"description": "Score as of this date (default: today)."})
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=100_000))


class PlanRequestSchema(Strict):
    """Draw a plan."""

    unit = UnitCode(required=True)
    year = StrictInteger(required=True, validate=validate.Range(min=2000, max=2100))
    size = StrictInteger(required=True, validate=validate.Range(min=1, max=MAX_PLAN_SIZE))
    seed = StrictInteger(
        validate=validate.Range(min=0, max=2**63 - 1),
        metadata={"description": "Default: a random seed, recorded with the plan."},
    )


class _Out(ma.Schema):
    class Meta:
        ordered = True


class FactRefSchema(_Out):
    """A fact an anomaly or a follow-up names."""

    version = fields.Integer()
    type = fields.String()
    effective_on = fields.String(metadata={"format": "date"})
    recorded_at = fields.String(metadata={"format": "date-time"})
    recorded_by = fields.String()


class RuleSchema(_Out):
    """An anomaly rule."""

    code = fields.String()
    severity = fields.String()
    title = fields.String()
    description = fields.String()


class AnomalySchema(_Out):
    """One explained anomaly."""

    rule = fields.String()
    title = fields.String()
    severity = fields.String(metadata={"description": "info < minor < major < critical"})
    household_id = fields.String()
    code = fields.String(allow_none=True)
    on = fields.String(metadata={"format": "date", "description": "the date it concerns"})
    versions = fields.List(fields.Integer(), metadata={"description": "the facts that trigger it"})
    facts = fields.List(fields.Nested(FactRefSchema))
    explanation = fields.String()
    evaluated_as_known_at = fields.String(metadata={"format": "date-time"})
    details = fields.Dict()
    corrected_by = fields.List(
        fields.Integer(), metadata={"description": "retractions that voided its facts since"}
    )
    open = fields.Boolean()


class AnomalyListSchema(_Out):
    """``GET /inspection/anomalies``."""

    unit = fields.String(allow_none=True)
    as_of = fields.String(metadata={"format": "date"})
    known_at = fields.String(metadata={"format": "date-time"})
    kinds = fields.List(fields.String())
    rules = fields.List(fields.Nested(RuleSchema))
    programmes_data_version = fields.String()
    households_examined = fields.Integer()
    households_with_anomalies = fields.Integer()
    count = fields.Integer()
    open = fields.Integer()
    by_rule = fields.Dict(keys=fields.String(), values=fields.Integer())
    by_severity = fields.Dict(keys=fields.String(), values=fields.Integer())
    page = fields.Integer()
    per_page = fields.Integer()
    anomalies = fields.List(fields.Nested(AnomalySchema))


class ComponentSchema(_Out):
    """One term of the early-warning score."""

    name = fields.String()
    value = fields.Raw(allow_none=True)
    points = fields.Float()
    max_points = fields.Float()
    explanation = fields.String()


class RiskSchema(_Out):
    """A scored household."""

    rank = fields.Integer()
    household_id = fields.String()
    code = fields.String(allow_none=True)
    as_of = fields.String(metadata={"format": "date"})
    known_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    status = fields.String()
    exited_on = fields.String(metadata={"format": "date"})
    score = fields.Float(metadata={"description": "0-100, the sum of the components' points"})
    components = fields.List(fields.Nested(ComponentSchema))


class AtRiskSchema(_Out):
    """``GET /inspection/at-risk``."""

    unit = fields.String(allow_none=True)
    as_of = fields.String(metadata={"format": "date"})
    known_at = fields.String(metadata={"format": "date-time"})
    weights = fields.Dict(keys=fields.String(), values=fields.Float())
    households_examined = fields.Integer()
    count = fields.Integer()
    households = fields.List(fields.Nested(RiskSchema))


class PlannedSchema(_Out):
    """A household of a plan."""

    position = fields.Integer()
    household_id = fields.String()
    code = fields.String(allow_none=True)
    commune = fields.String()
    weight = fields.Float()
    score = fields.Float(allow_none=True)
    anomalies = fields.List(fields.String())


class PlanSchema(_Out):
    """A recorded inspection plan."""

    plan_id = fields.String()
    unit = fields.String()
    year = fields.Integer()
    size = fields.Integer()
    drawn = fields.Integer()
    seed = fields.Integer()
    as_of = fields.String(metadata={"format": "date"})
    drawn_at = fields.String(metadata={"format": "date-time"})
    drawn_by = fields.String()
    population = fields.Integer()
    strata = fields.Dict(keys=fields.String(), values=fields.Dict())
    method = fields.Dict()
    households = fields.List(fields.Nested(PlannedSchema))


class InspectionRefSchema(FactRefSchema):
    """An inspection recorded against the plan."""

    team = fields.String()
    outcome = fields.String()
    findings = fields.List(fields.Dict())


class FollowUpSchema(FactRefSchema):
    """A correcting fact recorded after the inspection."""

    retracted_version = fields.Integer()


class ProgressRowSchema(PlannedSchema):
    """A planned household and what became of it."""

    visited = fields.Boolean()
    inspections = fields.List(fields.Nested(InspectionRefSchema))
    needs_follow_up = fields.Boolean()
    followed_by = fields.List(fields.Nested(FollowUpSchema))
    followed_up = fields.Boolean()


class ProgressSchema(_Out):
    """``GET /inspection/plans/{plan_id}/progress``."""

    plan = fields.Dict()
    known_at = fields.String(metadata={"format": "date-time"})
    totals = fields.Dict(keys=fields.String(), values=fields.Integer())
    by_commune = fields.Dict(keys=fields.String(), values=fields.Dict())
    households = fields.List(fields.Nested(ProgressRowSchema))


# -- helpers -----------------------------------------------------------------------------------


def _user() -> User | None:
    return g.get("user")


def _log(household_ids: list[str]) -> None:
    if _user() is not None and household_ids:
        log_reads(dict.fromkeys(household_ids))


def _invalid(e: InvalidInput, where: str) -> Problem:
    return Problem(422, e.message, errors={f"{where}.{e.field}": [e.message]})


# -- views -------------------------------------------------------------------------------------


@inspection_blp.route("/inspection/anomalies", methods=["GET"])
@expensive(inspection_blp)
@requires(*SUPERVISORS)
@inspection_blp.arguments(AnomalyQuery, location="query", unknown=RAISE)
@inspection_blp.response(200, AnomalyListSchema)
@problems(inspection_blp, 401, 403, 422)
def anomalies(args: dict[str, Any]) -> dict[str, Any]:
    """Explained anomalies

    Every anomaly dated on or before `as_of` (default today) of the households whose unit on
    `as_of` lies in `unit` (default: all the caller may read), each with its rule, severity, the
    facts (versions) that trigger it and why, evaluated as the record stood when those facts were
    recorded (`evaluated_as_known_at`), never with hindsight. A trigger voided since by a
    retraction is listed with `corrected_by` and `open: false`. Sorted by severity (critical
    first), then household code and date; counts cover every page.
    """
    try:
        result = inspection().anomalies(
            _user(),
            unit=args.get("unit"),
            as_of=args.get("as_of"),
            kinds=args.get("kind"),
            page=args["page"],
            per_page=args["per_page"],
        )
    except InvalidInput as e:
        raise _invalid(e, "query") from None
    _log([a["household_id"] for a in result["anomalies"]])
    return result


@inspection_blp.route("/inspection/at-risk", methods=["GET"])
@expensive(inspection_blp)
@requires(*SUPERVISORS, "officer")
@inspection_blp.arguments(AtRiskQuery, location="query", unknown=RAISE)
@inspection_blp.response(200, AtRiskSchema)
@problems(inspection_blp, 401, 403, 422)
def at_risk_households(args: dict[str, Any]) -> dict[str, Any]:
    """Households at risk of falling back into poverty

    Every household that exited poverty and is not poor on `as_of` (default today), in `unit`,
    ranked by the early-warning score (0-100, highest first), each with its components:
    `recent_exit` (20 points, falling to 0 over 36 months), `income_margin` (35: the last
    assessment's income against the poverty line it was judged by; 0 from +50 %),
    `deprivations_left` (20: deprivations ÷ the standard's threshold), `support_gap` (10: months
    since the last support ÷ 24), `no_sponsor` (15).
    """
    try:
        result = inspection().at_risk(
            _user(), unit=args.get("unit"), as_of=args.get("as_of"), limit=args["limit"]
        )
    except InvalidInput as e:
        raise _invalid(e, "query") from None
    _log([h["household_id"] for h in result["households"]])
    return result


@inspection_blp.route("/inspection/plans", methods=["POST"])
@expensive(inspection_blp)
@recording("inspection")
@inspection_blp.arguments(PlanRequestSchema)
@inspection_blp.response(201, PlanSchema, headers=REPLAYED_HEADER)
@problems(inspection_blp, 400, 401, 403, 409, 413, 415, 422)
@inspection_blp.doc(parameters=[IDEMPOTENCY_HEADER])
def create_plan(data: dict[str, Any]) -> dict[str, Any]:
    """Draw and record an inspection plan

    A sample of `size` households of `unit` for `year`, stratified by commune and weighted by
    risk (open anomalies of the year and the two before, and the re-poverty score), drawn from
    the record as it stands now; reproducible from its `seed` (recorded with the plan, random
    when not given). Inspections recorded with this `plan_id` show up in its progress. Drawn by
    inspectors (in their units) and admins. A retry with the same `Idempotency-Key` returns the
    first plan and draws nothing new. `If-Match` does not apply.
    """
    try:
        plan = inspection().draw_plan(
            _user(), unit=data["unit"], year=data["year"], size=data["size"], seed=data.get("seed")
        )
    except InvalidInput as e:
        raise _invalid(e, "body") from None
    _log([h.household_id for h in plan.households])
    return plan.to_dict()


@inspection_blp.route("/inspection/plans/<plan_id>", methods=["GET"])
@requires(*SUPERVISORS)
@inspection_blp.response(200, PlanSchema)
@problems(inspection_blp, 401, 403, 404)
def read_plan(plan_id: str) -> dict[str, Any]:
    """An inspection plan

    The plan as recorded: its unit, year, seed, the moment it was drawn, its strata and the
    drawn households with their weights and the anomalies that weighed on them.
    """
    plan = inspection().plan(_user(), plan_id)
    _log([h.household_id for h in plan.households])
    return plan.to_dict()


@inspection_blp.route("/inspection/plans/<plan_id>/progress", methods=["GET"])
@expensive(inspection_blp)
@requires(*SUPERVISORS)
@inspection_blp.response(200, ProgressSchema)
@problems(inspection_blp, 401, 403, 404)
def progress(plan_id: str) -> dict[str, Any]:
    """Progress of an inspection plan

    For each planned household: whether an inspection was recorded against the plan (visited),
    its findings, and the correcting facts recorded after an inspection that found something
    (a retraction, a new assessment or a new decision). Totals overall and by commune.
    """
    result = inspection().progress(_user(), plan_id)
    _log([h["household_id"] for h in result["households"]])
    return result
