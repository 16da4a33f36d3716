"""Households: register, read (status, history, timeline, current facts, list) and record facts."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from flask import Response, jsonify, url_for
from marshmallow import RAISE

from application import queries
from application.access import Forbidden
from application.household_list import HouseholdListQuery, HouseholdPage
from application.households import Households, Recorded
from application.status import NotYetRegistered, require_registered, status_object
from domain.situation import Situation
from web import schemas as s
from web.api.common import (
    IDEMPOTENCY_HEADER,
    IF_MATCH_HEADER,
    blueprint,
    expected_version,
    log_reads,
    problems,
    recording,
)
from web.api.context import households, services
from web.auth import check_known_at, current_user, policy
from web.limits import expensive
from web.problems import Problem

blp = blueprint(
    "households",
    "Households (hộ gia đình): registration, the facts recorded about them, and what the record "
    "says about them on a date (`as_of`) as known at a moment (`known_at`).",
)

RECORD_HEADERS = [IDEMPOTENCY_HEADER, IF_MATCH_HEADER]
READ_ERRORS = (401, 403, 404, 422)
RECORD_ERRORS = (400, 401, 403, 404, 409, 412, 413, 415, 422, 503)
REF_DOC = "The household's id (UUID) or its code (e.g. `01558-0042`)."


# -- helpers ---------------------------------------------------------------------------------


def _readable(app: Households, ref: str, on: date, known_at: Any = None) -> Situation:
    """The situation on ``on``; 403 when the household lies outside the user's units."""
    situation = app.situation(ref, on, known_at)
    policy().require_household(current_user(), situation, on, "read")
    return situation


def _may_record_for(app: Households, ref: str, on: date) -> None:
    """403 unless the user's units hold the household on the fact's date and today."""
    user = current_user()
    if user.role == "admin":
        app.get(ref)  # 404 for an unknown household, as for everyone
        return
    on_date, today = app.situation(ref, on), app.situation(ref, app.today())
    policy().require_record(user, on_date, today, on, "record facts for")


def _fact(ref: str, data: dict[str, Any], method_name: str) -> dict[str, Any]:
    app = households()
    _may_record_for(app, ref, data["effective_on"])
    method = getattr(app, method_name)
    recorded: Recorded = method(
        ref, expected_version=expected_version(), recorded_by=current_user().name, **data
    )
    return recorded.to_dict()


def _exactly(doc: dict[str, Any], *, etag: bool = False) -> Response:
    """The query's answer as it is (not re-dumped through the documenting schema)."""
    resp = jsonify(doc)
    if etag:
        resp.set_etag(str(doc["version"]))
    return resp


# -- reading ---------------------------------------------------------------------------------


@blp.route("/households", methods=["GET"])
@expensive(blp)
@blp.arguments(s.HouseholdListQuery, location="query", unknown=RAISE)
@blp.response(200, s.HouseholdListSchema)
@problems(blp, 401, 403, 422)
def list_households(args: dict[str, Any]) -> HouseholdPage:
    """List households, filtered by unit, status and words on a date

    Households registered on or before `as_of` (default today) as the record stood at `known_at`
    (default now; a past moment is for auditors only), whose unit on `as_of` lies in `unit` (a
    code as valid on `as_of`), whose status on `as_of` is `status` and whose code, head's name or
    village contain every word of `q` (diacritics and case ignored), ordered by code and paged
    (`per_page` at most 500). Officers and inspectors see only households in their units. Each
    household listed to an inspector or auditor is written to the access log.
    """
    app = households()
    user = current_user()
    query = HouseholdListQuery(
        as_of=args.get("as_of") or app.today(),
        unit=args.get("unit"),
        status=args.get("status"),
        known_at=check_known_at(args.get("known_at")),
        q=args.get("q"),
        page=args["page"],
        per_page=args["per_page"],
    )
    page = services().household_list(
        query, allowed=lambda unit, on: policy().unit_in_scope(user, unit, on)
    )
    log_reads(item.household_id for item in page.items)
    return replace(page, known_at=page.known_at or app.now())


@blp.route(
    "/households/<ref>",
    methods=["GET"],
    parameters=[{"in": "path", "name": "ref", "description": REF_DOC, "example": "01558-0042"}],
)
@blp.response(200, s.HouseholdSchema, headers={"ETag": {"description": "The version, quoted."}})
@problems(blp, *READ_ERRORS)
def get_household(ref: str) -> Any:
    """Current facts of a household

    The status object (as of today, as known now) plus the head's name, the members, the
    ethnic group and the registration and closure details.
    """
    app = households()
    moment = app.now()
    situation = _readable(app, ref, app.today(), moment)
    doc = status_object(situation, app.units, moment)
    doc.update(
        head_name=situation.head_name,
        ethnicity=situation.ethnicity,
        members=situation.members,
        registered_on=situation.registered_on.isoformat() if situation.registered_on else None,
        exit_target_year=situation.exit_target_year,
        closed_on=situation.closed_on.isoformat() if situation.closed_on else None,
        closure_reason=situation.closure_reason,
    )
    log_reads([situation.household_id])
    return _exactly(doc, etag=True)


@blp.route(
    "/households/<ref>/status",
    methods=["GET"],
    parameters=[{"in": "path", "name": "ref", "description": REF_DOC, "example": "01558-0042"}],
)
@blp.arguments(s.StatusQuery, location="query", unknown=RAISE)
@blp.response(200, s.StatusSchema, headers={"ETag": {"description": "The version, quoted."}})
@problems(blp, *READ_ERRORS)
def get_status(args: dict[str, Any], ref: str) -> Any:
    """The status object of a household on a date, as known at a moment

    What the system, as it stood at `known_at` (default now), said the household's situation
    was on `as_of` (default today). Before the first recognition the status is `not_poor` and
    `recognised` is false. A household not yet known at `known_at` is 404. Only auditors may pass
    a `known_at` in the past.
    """
    app = households()
    known_at = check_known_at(args.get("known_at"))
    on: date = args.get("as_of") or app.today()
    moment = known_at or app.now()
    situation = _readable(app, ref, on, moment)  # one load and one fold serve both
    try:
        require_registered(situation)
    except NotYetRegistered as e:
        raise Problem(404, str(e), registered_on=e.registered_on.isoformat()) from None
    doc = status_object(situation, app.units, moment)
    log_reads([situation.household_id])
    return _exactly(doc, etag=True)


@blp.route(
    "/households/<ref>/history",
    methods=["GET"],
    parameters=[{"in": "path", "name": "ref", "description": REF_DOC, "example": "01558-0042"}],
)
@blp.arguments(s.KnownAtQuery, location="query", unknown=RAISE)
@blp.response(200, s.HistorySchema)
@problems(blp, *READ_ERRORS)
def get_history(args: dict[str, Any], ref: str) -> Response:
    """Every recorded fact, in recording order

    Each fact with its `version`, `type`, `effective_on`, `recorded_at`, `recorded_by`, `data`,
    the version of the retraction that voided it (`retracted_by`, or null) and its chained
    `hash`. Only auditors may pass a `known_at` in the past.
    """
    app = households()
    known_at = check_known_at(args.get("known_at"))
    situation = _readable(app, ref, app.today(), known_at)
    doc = queries.history(app, ref, known_at)
    log_reads([situation.household_id])
    return _exactly(doc)


@blp.route(
    "/households/<ref>/timeline",
    methods=["GET"],
    parameters=[{"in": "path", "name": "ref", "description": REF_DOC, "example": "01558-0042"}],
)
@blp.arguments(s.KnownAtQuery, location="query", unknown=RAISE)
@blp.response(200, s.TimelineSchema)
@problems(blp, *READ_ERRORS)
def get_timeline(args: dict[str, Any], ref: str) -> Response:
    """Valid-time status periods

    `[{status, valid_from, valid_to, standard, transition, decision}]` as known at `known_at`;
    `valid_to` is exclusive and null for the open period.
    """
    app = households()
    known_at = check_known_at(args.get("known_at"))
    situation = _readable(app, ref, app.today(), known_at)
    doc = queries.timeline(app, ref, known_at)
    log_reads([situation.household_id])
    return _exactly(doc)


# -- recording ---------------------------------------------------------------------------------


@blp.route("/households", methods=["POST"])
@recording("registration")
@blp.arguments(s.RegisterSchema)
@blp.response(
    201, s.RegisteredSchema, headers={"Location": {"description": "The household's URL."}}
)
@problems(blp, *RECORD_ERRORS)
@blp.doc(parameters=[IDEMPOTENCY_HEADER])
def register(data: dict[str, Any]) -> Any:
    """Register a household

    A household code registers once: a second registration of the same code is answered 409
    with the `existing_id`. `unit` is a commune code valid on `effective_on`; `area_type`
    defaults from the unit. `If-Match` does not apply (the household does not exist yet).
    """
    app = households()
    user = current_user()
    if user.role != "admin":
        # The scope check runs on the unit as resolved; what cannot be resolved is refused.
        unit = app.commune(data["unit"], data["effective_on"])
        policy().require_registration(user, unit, data["effective_on"], "register households")
    recorded = app.register(recorded_by=user.name, **data)
    doc = {**recorded.to_dict(), "code": app.get(recorded.household_id).facts[0].code}
    location = url_for("households.get_household", ref=recorded.household_id)
    return doc, 201, {"Location": location}


def _record_doc(view: Any) -> Any:
    return blp.doc(parameters=RECORD_HEADERS)(problems(blp, *RECORD_ERRORS)(view))


REF_PARAM = [{"in": "path", "name": "ref", "description": REF_DOC, "example": "01558-0042"}]


@blp.route("/households/<ref>/assessments", methods=["POST"], parameters=REF_PARAM)
@recording("assessment")
@blp.arguments(s.AssessmentSchema)
@blp.response(201, s.AssessedSchema)
@_record_doc
def assess(data: dict[str, Any], ref: str) -> dict[str, Any]:
    """Record an assessment (rà soát)

    Income per capita (integer VND per person per month) and deprivations (indicator codes of
    the standard that applies). The server classifies them under the standard in force for the
    list year and answers the `classification`. `kind` defaults to `periodic` for 1 September to
    31 December, else `regular`; `list_year` to the next year for a periodic review, the same
    year for a regular one.
    """
    return _fact(ref, data, "assess")


@blp.route("/households/<ref>/recognitions", methods=["POST"], parameters=REF_PARAM)
@recording("recognition")
@blp.arguments(s.RecognitionSchema)
@blp.response(201, s.RecognisedSchema)
@_record_doc
def recognise(data: dict[str, Any], ref: str) -> dict[str, Any]:
    """Record a commune decision (quyết định công nhận)

    The answer carries the `transition` the decision makes (newly_poor, re_poor,
    exited_poverty, ...), computed from the household's earlier recognitions in effective-date
    order, and flags a decision that contradicts the latest assessment.
    """
    return _fact(ref, data, "recognise")


@blp.route("/households/<ref>/support", methods=["POST"], parameters=REF_PARAM)
@recording("support")
@blp.arguments(s.SupportSchema)
@blp.response(201, s.RecordedSchema)
@_record_doc
def deliver_support(data: dict[str, Any], ref: str) -> dict[str, Any]:
    """Record support delivered (hỗ trợ)

    Money in integer VND (`amount_vnd` ≥ 0); `in_kind` describes goods when support was not
    (only) money.
    """
    return _fact(ref, data, "deliver_support")


@blp.route("/households/<ref>/sponsorships", methods=["POST"], parameters=REF_PARAM)
@recording("sponsorship")
@blp.arguments(s.SponsorshipSchema)
@blp.response(201, s.SponsorshipStartedSchema)
@_record_doc
def start_sponsorship(data: dict[str, Any], ref: str) -> dict[str, Any]:
    """Assign a sponsor (phân công giúp đỡ)

    The answer carries the new `sponsorship_id`, used to end it later.
    """
    return _fact(ref, data, "start_sponsorship")


@blp.route(
    "/households/<ref>/sponsorships/<sponsorship_id>/end",
    methods=["POST"],
    parameters=[*REF_PARAM, {"in": "path", "name": "sponsorship_id"}],
)
@recording("sponsorship_end")
@blp.arguments(s.SponsorshipEndSchema)
@blp.response(201, s.RecordedSchema)
@_record_doc
def end_sponsorship(data: dict[str, Any], ref: str, sponsorship_id: str) -> dict[str, Any]:
    """End a sponsorship

    `sponsorship_id` is the one answered when the sponsorship was recorded; a sponsorship ends
    once, not before it started.
    """
    return _fact(ref, {**data, "sponsorship_id": sponsorship_id}, "end_sponsorship")


@blp.route("/households/<ref>/exit-registrations", methods=["POST"], parameters=REF_PARAM)
@recording("exit_registration")
@blp.arguments(s.ExitRegistrationSchema)
@blp.response(201, s.RecordedSchema)
@_record_doc
def register_exit(data: dict[str, Any], ref: str) -> dict[str, Any]:
    """Register a commitment to exit poverty (đăng ký thoát nghèo)

    `target_year` is the year the household commits to leave poverty (not before the year of
    `effective_on`); `plan` is optional free text. Only a household poor or near-poor on
    `effective_on` may register (else 422).
    """
    return _fact(ref, data, "register_exit")


@blp.route("/households/<ref>/members", methods=["POST"], parameters=REF_PARAM)
@recording("member_change")
@blp.arguments(s.MemberChangeSchema)
@blp.response(201, s.RecordedSchema)
@_record_doc
def change_member(data: dict[str, Any], ref: str) -> dict[str, Any]:
    """Record a change of members (biến động nhân khẩu)

    `change` is `added` (the member needs `name`, `birth_year`, `sex`, `relation`), `removed`
    or `updated` (the member is named by `name`; other fields are changed).
    """
    return _fact(ref, data, "change_member")


@blp.route("/households/<ref>/relocations", methods=["POST"], parameters=REF_PARAM)
@recording("relocation")
@blp.arguments(s.RelocationSchema)
@blp.response(201, s.RecordedSchema)
@_record_doc
def relocate(data: dict[str, Any], ref: str) -> dict[str, Any]:
    """Record a move (chuyển nơi ở)

    `unit` is a commune code valid on `effective_on`. The household must be in the recording
    officer's units before the move.
    """
    return _fact(ref, data, "relocate")


@blp.route("/households/<ref>/complaints", methods=["POST"], parameters=REF_PARAM)
@recording("complaint")
@blp.arguments(s.ComplaintSchema)
@blp.response(201, s.ComplaintFiledSchema)
@_record_doc
def file_complaint(data: dict[str, Any], ref: str) -> dict[str, Any]:
    """Record a complaint during public posting (khiếu nại)

    The answer carries the new `complaint_id`, used to record its resolution.
    """
    return _fact(ref, data, "file_complaint")


@blp.route(
    "/households/<ref>/complaints/<complaint_id>/resolution",
    methods=["POST"],
    parameters=[*REF_PARAM, {"in": "path", "name": "complaint_id"}],
)
@recording("complaint_resolution")
@blp.arguments(s.ComplaintResolutionSchema)
@blp.response(201, s.RecordedSchema)
@_record_doc
def resolve_complaint(data: dict[str, Any], ref: str, complaint_id: str) -> dict[str, Any]:
    """Record the outcome of a complaint

    `outcome` is upheld, rejected or withdrawn; a complaint is resolved once.
    """
    return _fact(ref, {**data, "complaint_id": complaint_id}, "resolve_complaint")


@blp.route("/households/<ref>/inspections", methods=["POST"], parameters=REF_PARAM)
@recording("inspection")
@blp.arguments(s.InspectionSchema)
@blp.response(201, s.RecordedSchema)
@_record_doc
def inspect(data: dict[str, Any], ref: str) -> dict[str, Any]:
    """Record an inspection (kiểm tra)

    Recorded by inspectors (for households in their units) and admins; not by officers, whose
    work the inspection checks. Separation of duties: an inspector who assessed, recognised or
    sponsors the household may not inspect it (403 with the reason). A `plan_id` must name an
    inspection plan that contains the household (422 otherwise).
    """
    from application.supervision import plan_membership, separation_of_duties
    from web.api.inspection import current_plans

    app = households()
    reason = separation_of_duties(app.get(ref), current_user().name)
    if reason:
        raise Forbidden(reason)
    if data.get("plan_id"):
        why = plan_membership(current_plans(), data["plan_id"], str(app.household_id(ref)))
        if why:
            raise Problem(422, why, errors={"plan_id": [why]})
    return _fact(ref, data, "inspect")


@blp.route("/households/<ref>/retractions", methods=["POST"], parameters=REF_PARAM)
@recording("retraction")
@blp.arguments(s.RetractionSchema)
@blp.response(201, s.RecordedSchema)
@_record_doc
def retract(data: dict[str, Any], ref: str) -> dict[str, Any]:
    """Retract an earlier fact (hủy bỏ)

    Voids the fact with that `version` from this retraction's own `recorded_at` on: answers
    given for an earlier `known_at` do not change. A correction is a retraction plus the right
    fact. The household must be in the officer's units on the retracted fact's `effective_on`.
    """
    app = households()
    user = current_user()
    facts = app.facts(ref)
    version = data["version"]
    on = facts[version - 1].effective_on if 1 <= version <= len(facts) else app.today()
    _may_record_for(app, ref, on)
    recorded = app.retract(ref, expected_version=expected_version(), recorded_by=user.name, **data)
    return recorded.to_dict()


@blp.route("/households/<ref>/closure", methods=["POST"], parameters=REF_PARAM)
@recording("closure")
@blp.arguments(s.ClosureSchema)
@blp.response(201, s.RecordedSchema)
@_record_doc
def close(data: dict[str, Any], ref: str) -> dict[str, Any]:
    """Close the household's record (đóng hồ sơ)

    `reason`: dissolved, merged, moved_away or deceased. After closure only a retraction may
    be recorded.
    """
    return _fact(ref, data, "close_household")
