"""``GET /reports/poverty``, ``/reports/annual`` and ``/reports/campaign``.

Wiring (done by ``web/app.py``): register :data:`reports_blp`, and put a report source in
``app.extensions["chungtay.reports"]`` — normally
``infrastructure.read_models.ReadModelSource.from_settings(settings)`` (the bitemporal read models,
kept up to date by ``chungtay projections run``). Without it the views fold every household
(:class:`application.reports.ReplaySource`): correct, but slow on a large store. The Households
application comes from ``app.extensions["chungtay"]`` (the application itself, or the services
object holding it as ``.households``).

Who may read: every role. Admins and auditors any unit; officers and inspectors only units inside
their own (checked on the date the report refers to, as for households); a ``known_at`` in the
past is for auditors only.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import marshmallow as ma
from flask import current_app
from marshmallow import RAISE, fields, validate

from application.reports import ReplaySource, ReportError, Reports, ReportSource
from web.api.common import blueprint, problems
from web.auth import check_known_at, current_user, policy
from web.limits import expensive
from web.problems import Problem
from web.schemas import ISODate, Query, Timestamp, UnitCode

SOURCE_EXTENSION = "chungtay.reports"
"""``app.extensions`` key of the :class:`~application.reports.ReportSource` the views use."""

reports_blp = blueprint(
    "reports",
    "Aggregate reports: poverty as of a date, the annual review summary, the campaign's figures. "
    "Answered from the bitemporal read models; each answer says how current they are (`source`).",
)

UNITS_MODE = fields.String(
    load_default="historical",
    validate=validate.OneOf(["historical", "current"]),
    metadata={
        "description": "`historical`: group by the units valid on each date the figures refer "
        "to (the default); `current`: map every date onto today's units (the crosswalk)."
    },
)


# -- query schemas --------------------------------------------------------------------------------


class PovertyQuery(Query):
    """``unit``, ``as_of``, ``known_at``, ``units``."""

    unit = UnitCode(required=True)
    as_of = ISODate(metadata={"description": "Valid-time date (default: today)."})
    known_at = Timestamp(
        metadata={"description": "What the record said at this moment (default: now)."}
    )
    units = UNITS_MODE


class AnnualQuery(Query):
    """``unit``, ``year``, ``known_at``, ``units``."""

    unit = UnitCode(required=True)
    year = fields.Integer(required=True, validate=validate.Range(min=1900, max=2100))
    known_at = Timestamp(
        metadata={"description": "What the record said at this moment (default: now)."}
    )
    units = UNITS_MODE


class CampaignQuery(Query):
    """``unit``, ``from_year``, ``to_year``, ``known_at``, ``units``."""

    unit = UnitCode(required=True)
    from_year = fields.Integer(required=True, validate=validate.Range(min=1900, max=2100))
    to_year = fields.Integer(required=True, validate=validate.Range(min=1900, max=2100))
    known_at = Timestamp(
        metadata={"description": "What the record said at this moment (default: now)."}
    )
    units = UNITS_MODE

    @ma.validates_schema
    def _years(self, data: dict[str, Any], **_kw: Any) -> None:
        if data.get("from_year", 0) > data.get("to_year", 9999):
            raise ma.ValidationError("must not be after to_year", "from_year")
        if data.get("to_year", 0) - data.get("from_year", 0) > 30:
            raise ma.ValidationError("at most 30 years per report", "to_year")


# -- response schemas -----------------------------------------------------------------------------


class _Out(ma.Schema):
    class Meta:
        ordered = True
        unknown = RAISE


class ReportUnitSchema(_Out):
    """A unit version."""

    code = fields.String()
    name = fields.String()
    level = fields.String()
    area_type = fields.String()
    valid_from = fields.String(metadata={"format": "date"})
    valid_to = fields.String(allow_none=True, metadata={"format": "date"})
    especially_difficult = fields.Boolean(
        metadata={"description": "flagged especially difficult on the date judged"}
    )
    valid_on_date = fields.Boolean(
        metadata={
            "description": "false when the code names no unit on the report's date: the unit "
            "shown is its nearest version, and the notes say what the figures cover"
        }
    )


class SourceSchema(_Out):
    """Where the figures came from, and how current that is."""

    source = fields.String(metadata={"description": "`read_models` or `replay`"})
    position = fields.Integer(metadata={"description": "last notification applied"})
    log_head = fields.Integer(metadata={"description": "last notification recorded"})
    behind = fields.Integer(metadata={"description": "notifications not yet applied"})


def _pct(**kw: Any) -> fields.Float:
    return fields.Float(allow_none=True, metadata={"description": "percent, 2 decimals", **kw})


class CountsSchema(_Out):
    """Households, poor, near-poor and their rates."""

    households = fields.Integer()
    poor = fields.Integer()
    near_poor = fields.Integer()
    poor_rate = _pct()
    near_poor_rate = _pct()


class PovertyUnitSchema(CountsSchema):
    """One child unit."""

    unit = fields.Nested(ReportUnitSchema)
    ethnic_minority = fields.Nested(CountsSchema)


class ByEthnicMinoritySchema(_Out):
    """The same counts for ethnic-minority households and the others."""

    ethnic_minority = fields.Nested(CountsSchema)
    not_ethnic_minority = fields.Nested(CountsSchema)


class PovertyReportSchema(CountsSchema):
    """``GET /reports/poverty``."""

    report = fields.String()
    unit = fields.Nested(ReportUnitSchema)
    as_of = fields.String(metadata={"format": "date"})
    known_at = fields.String(metadata={"format": "date-time"})
    units = fields.String()
    by_ethnic_minority = fields.Nested(ByEthnicMinoritySchema)
    by_unit = fields.List(fields.Nested(PovertyUnitSchema))
    notes = fields.List(fields.String())
    source = fields.Nested(SourceSchema)


def _n(**kw: Any) -> fields.Integer:
    return fields.Integer(allow_none=True, **kw)


class AnnualFiguresSchema(_Out):
    """The annual figures of one group of households."""

    total_households_start = _n()
    total_households_end = _n()
    poor_start = _n()
    poor_end = _n()
    near_poor_start = _n()
    near_poor_end = _n()
    exited_poverty = _n()
    newly_poor = _n()
    re_poor = _n()
    exited_near_poverty = _n()
    newly_near_poor = _n()
    re_near_poor = _n()
    rate_start = _pct()
    rate_end = _pct()
    near_poor_rate_start = _pct()
    near_poor_rate_end = _pct()
    reduction_pp = fields.Float(
        allow_none=True,
        metadata={"description": "rate_start − rate_end; null when not comparable"},
    )
    near_poor_from_poor = _n(metadata={"description": "poor → near-poor (also an exit)"})
    poor_from_near_poor = _n(metadata={"description": "near-poor → poor (newly or re-poor)"})
    target_pp = fields.Integer()
    target_scope = fields.String(
        metadata={"description": "`campaign`, or `national` for the ethnic-minority target"}
    )
    target_met = fields.Boolean(allow_none=True)
    other_poor_changes = _n(
        metadata={
            "description": "net change of the poor list that no decision moving a household made: "
            "moves in and out, closures, lists established again under a new standard; null "
            "when not comparable. poor_end = poor_start − exited_poverty + newly_poor + re_poor "
            "+ other_poor_changes"
        }
    )
    other_near_poor_changes = _n(
        metadata={
            "description": "the same for the near-poor list: near_poor_end = near_poor_start − "
            "exited_near_poverty − poor_from_near_poor + near_poor_from_poor + newly_near_poor "
            "+ re_near_poor + other_near_poor_changes"
        }
    )
    comparable = fields.Boolean(
        metadata={
            "description": "one standard all year and the same communes at both ends: the "
            "identities hold and a reduction is presented"
        }
    )


class AnnualGroupSchema(AnnualFiguresSchema):
    """Annual figures with the ethnic-minority subset."""

    ethnic_minority = fields.Nested(AnnualFiguresSchema)


class AnnualUnitSchema(AnnualGroupSchema):
    """One child unit (figures are null for a date on which the unit did not exist)."""

    unit = fields.Nested(ReportUnitSchema)


class AnnualReportSchema(AnnualGroupSchema):
    """``GET /reports/annual``."""

    report = fields.String()
    unit = fields.Nested(ReportUnitSchema)
    year = fields.Integer()
    start = fields.String(metadata={"format": "date"})
    end = fields.String(metadata={"format": "date"})
    known_at = fields.String(metadata={"format": "date-time"})
    units = fields.String()
    standard_start = fields.String(allow_none=True)
    standard_end = fields.String(allow_none=True)
    standard_changed = fields.Boolean()
    reduction_note = fields.String(allow_none=True)
    by_unit = fields.List(fields.Nested(AnnualUnitSchema))
    notes = fields.List(fields.String())
    source = fields.Nested(SourceSchema)


class CampaignYearSchema(_Out):
    """One year of the campaign (``reduction`` from the annual report, the rest replayed)."""

    class Meta:
        ordered = True
        unknown = RAISE

    year = fields.Integer()
    standard_start = fields.String(allow_none=True)
    standard_end = fields.String(allow_none=True)
    reduction = fields.Dict()
    income = fields.Dict()
    top_deprivations = fields.List(fields.Dict())
    support = fields.Dict()
    sponsorship = fields.Dict()
    exit_registrations = fields.Dict()
    re_poverty = fields.Dict()
    by_unit = fields.List(fields.Dict())


class IncomeTargetSchema(_Out):
    """The baseline cohort's income: now ÷ then, against ×1.5 and ×2."""

    cohort_households = fields.Integer(metadata={"description": "poor, assessed, at the baseline"})
    compared_households = fields.Integer(metadata={"description": "of them, assessed at the end"})
    mean_income_baseline = _n()
    mean_income_end = _n()
    cohort_ratio = fields.Float(allow_none=True)
    target_min = fields.Float()
    target_max = fields.Float()
    met_min = fields.Boolean(allow_none=True)
    met_max = fields.Boolean(allow_none=True)


class ReductionSummarySchema(_Out):
    """The average annual reduction over the span against its target."""

    rate_baseline = _pct()
    rate_end = _pct()
    average_reduction_pp = fields.Float(
        allow_none=True, metadata={"description": "(rate_baseline − rate_end) ÷ years"}
    )
    target_pp = fields.Integer()
    target_scope = fields.String()
    target_met = fields.Boolean(allow_none=True)


class CampaignSummarySchema(ReductionSummarySchema):
    """The campaign's summary over its span (the total, or one unit)."""

    baseline_date = fields.String(metadata={"format": "date"})
    end_date = fields.String(metadata={"format": "date"})
    years = fields.Integer()
    comparable = fields.Boolean()
    ethnic_minority = fields.Nested(ReductionSummarySchema)
    income = fields.Nested(IncomeTargetSchema)


class CampaignUnitSummarySchema(_Out):
    """One unit valid at the end of the span, with its summary."""

    unit = fields.Nested(ReportUnitSchema)
    summary = fields.Nested(CampaignSummarySchema)


class CampaignReportSchema(_Out):
    """``GET /reports/campaign``."""

    report = fields.String()
    unit = fields.Nested(ReportUnitSchema)
    from_year = fields.Integer()
    to_year = fields.Integer()
    known_at = fields.String(metadata={"format": "date-time"})
    units = fields.String()
    baseline = fields.Dict()
    targets = fields.Dict()
    summary = fields.Nested(CampaignSummarySchema)
    by_unit = fields.List(fields.Nested(CampaignUnitSummarySchema))
    years = fields.List(fields.Nested(CampaignYearSchema))
    notes = fields.List(fields.String())
    source = fields.Nested(SourceSchema)


# -- views ----------------------------------------------------------------------------------------


def _households() -> Any:
    found = current_app.extensions["chungtay"]
    return getattr(found, "households", found)


def _reports() -> Reports:
    app = _households()
    source: ReportSource | None = current_app.extensions.get(SOURCE_EXTENSION)
    return Reports(app, source if source is not None else ReplaySource(app))


def _authorise(unit: str, on: date, mode: str, known_at: datetime | None) -> None:
    """403 unless the user may read reports of ``unit`` (on ``on``, or today for current)."""
    check_known_at(known_at)
    app = _households()
    units = app.units
    day = app.today() if mode == "current" else on
    version = units.find(unit, day)
    if version is None:
        versions = units.versions(unit)
        if not versions:
            raise Problem(
                422, f"unknown unit code {unit!r}", errors={"query.unit": ["Unknown unit."]}
            )
        earlier = [v for v in versions if v.valid_from <= day]
        version = earlier[-1] if earlier else versions[0]
        day = (version.valid_to or version.valid_from) if earlier else version.valid_from
    policy().require_unit(current_user(), version, day, "read reports of")


def _refused(e: ReportError) -> Problem:
    return Problem(422, e.message, errors={f"query.{e.field}": [e.message]})


@reports_blp.route("/reports/poverty", methods=["GET"])
@expensive(reports_blp)
@reports_blp.arguments(PovertyQuery, location="query", unknown=RAISE)
@reports_blp.response(200, PovertyReportSchema)
@problems(reports_blp, 401, 403, 422)
def poverty_report(args: dict[str, Any]) -> dict[str, Any]:
    """Poverty as of a date

    Resident households (registered by `as_of`, not closed), poor and near-poor households and
    their rates (percent, 2 decimals) in `unit` on `as_of`, as the record stood at `known_at`;
    by child unit (units resolved in the catalogue valid on `as_of`, or today's units with
    `units=current`) and by ethnic-minority flag.
    """
    app = _households()
    as_of = args.get("as_of") or app.today()
    _authorise(args["unit"], as_of, args["units"], args.get("known_at"))
    try:
        return _reports().poverty(args["unit"], as_of, args.get("known_at"), args["units"])
    except ReportError as e:
        raise _refused(e) from None


@reports_blp.route("/reports/annual", methods=["GET"])
@expensive(reports_blp)
@reports_blp.arguments(AnnualQuery, location="query", unknown=RAISE)
@reports_blp.response(200, AnnualReportSchema)
@problems(reports_blp, 401, 403, 422)
def annual_report(args: dict[str, Any]) -> dict[str, Any]:
    """The annual review summary

    For `unit` and `year`: resident households, poor and near-poor on 31 December of the year
    before (`_start`) and of the year (`_end`); the transitions that took effect during the year
    (exited, newly poor, re-poor and the near-poor counterparts); rates, the reduction in
    percentage points against the target (4, or 5 for units flagged especially difficult in the
    year; 3 for ethnic-minority households, a national target); the near-poor flows
    (`near_poor_from_poor`, `poor_from_near_poor`) and the other changes of each list (moves,
    closures, lists established again), so that in every comparable year
    `poor_end = poor_start − exited_poverty + newly_poor + re_poor + other_poor_changes` and
    `near_poor_end = near_poor_start − exited_near_poverty − poor_from_near_poor +
    near_poor_from_poor + newly_near_poor + re_near_poor + other_near_poor_changes`. A change of
    standard within the year establishes the lists again (a baseline, not movements): the
    flows and `reduction_pp` are null and `reduction_note` says why. `by_unit` has the same
    figures for each child unit (units of the catalogue valid on the date each figure refers to).
    """
    year = args["year"]
    _authorise(args["unit"], date(year, 12, 31), args["units"], args.get("known_at"))
    try:
        return _reports().annual(args["unit"], year, args.get("known_at"), args["units"])
    except ReportError as e:
        raise _refused(e) from None


@reports_blp.route("/reports/campaign", methods=["GET"])
@expensive(reports_blp)
@reports_blp.arguments(CampaignQuery, location="query", unknown=RAISE)
@reports_blp.response(200, CampaignReportSchema)
@problems(reports_blp, 401, 403, 422)
def campaign_report(args: dict[str, Any]) -> dict[str, Any]:
    """The campaign's figures

    `summary` (and `by_unit[].summary`, per unit valid at the end of the span): the poverty rate
    on 31 December of `from_year − 1` (for 2016–2020 the end-2015 list) and at the end, the
    average annual reduction ((rate_baseline − rate_end) ÷ years) against its target (4, or 5
    where the commune was flagged especially difficult; 3 for ethnic-minority households, a
    national target, not the campaign's), and the income of the households poor at the baseline,
    now ÷ then, against ×1.5 and ×2. Then per year and child unit: the reduction against target
    (from the annual report); the income of poor households against the baseline; the
    deprivations most often lacking; support by category, programme and funding source, and the
    share addressing the household's own deprivations; the share of poor households with an
    active sponsor; exit registrations and how many exited; exits followed by re-poverty (under
    the same standard) within two years — each with the ethnic-minority figure beside it.
    """
    to_year = args["to_year"]
    _authorise(args["unit"], date(to_year, 12, 31), args["units"], args.get("known_at"))
    try:
        return _reports().campaign(
            args["unit"], args["from_year"], to_year, args.get("known_at"), args["units"]
        )
    except ReportError as e:
        raise _refused(e) from None
