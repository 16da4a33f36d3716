"""Marshmallow schemas of the HTTP API: what a request may carry and what an answer holds.

Requests are strict: unknown fields are refused (``recorded_by`` is never taken from a body),
dates are ISO ``YYYY-MM-DD`` only, money and years are JSON integers (not floats, not strings),
text is NFC-normalised, trimmed and length-limited, and closed vocabularies come from
:mod:`domain.vocabulary`. The same schemas generate the OpenAPI document.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

import marshmallow as ma
from marshmallow import RAISE, fields, validate

from domain import fields as rules
from domain.standards import load_standards
from domain.vocabulary import (
    AREA_TYPES,
    CLOSURE_REASONS,
    COMPLAINT_OUTCOMES,
    FINDING_SEVERITIES,
    INSPECTION_OUTCOMES,
    MEMBER_CHANGES,
    RELATIONS,
    REVIEW_KINDS,
    ROUTES,
    SEXES,
    SPONSOR_KINDS,
    STATUSES,
    SUPPORT_CATEGORIES,
    TRANSITIONS,
)

_STANDARDS = load_standards()
STANDARD_CODES = tuple(_STANDARDS.codes)
INDICATOR_CODES = tuple(
    sorted({c for code in STANDARD_CODES for c in _STANDARDS.get(code).indicator_codes})
)

SHORT = rules.SHORT_TEXT
LONG = rules.LONG_TEXT


# -- fields ----------------------------------------------------------------------------------


class ISODate(fields.Date):
    """A civil date written exactly ``YYYY-MM-DD``."""

    def __init__(self, **kw: Any) -> None:
        metadata = kw.setdefault("metadata", {})
        metadata.setdefault("pattern", f"^{rules.ISO_DATE_PATTERN}$")
        super().__init__(**kw)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> date:
        return _checked(rules.iso_date, value)


class Timestamp(fields.AwareDateTime):
    """An ISO 8601 timestamp with an offset (``2026-11-29T10:00:00+07:00`` or ``...Z``).

    A ``+`` that arrived as a space (an unencoded query string) is read as ``+``. A moment that
    has no UTC equivalent (``9999-12-31T23:59:59-23:59`` lies after year 9999 in UTC) is refused.
    """

    _SPACE_OFFSET = re.compile(r"(.*) ([0-9]{2}:?[0-9]{2})", re.DOTALL)
    default_error_messages = {  # noqa: RUF012
        "invalid": "Not a valid timestamp: use ISO 8601 with an offset, "
        "e.g. 2026-11-29T10:00:00+07:00.",
        "invalid_awareness": "The timestamp needs an offset (Z or +07:00).",
        "out_of_range": "The timestamp lies outside the years 0001–9999 in UTC.",
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="iso", **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> datetime:
        if not isinstance(value, str) or len(value) > 64:
            raise self.make_error("invalid")
        value = value.strip()
        if space := self._SPACE_OFFSET.fullmatch(value):
            value = f"{space.group(1)}+{space.group(2)}"
        moment = super()._deserialize(value, attr, data, **kwargs)
        try:
            moment.astimezone(UTC)
        except OverflowError:
            raise self.make_error("out_of_range") from None
        return moment


class StrictInteger(fields.Integer):
    """A JSON integer: ``1.0``, ``"1"`` and ``true`` are refused."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(strict=True, **kwargs)


def _checked(rule: Any, value: Any, **kw: Any) -> Any:
    """Apply a shared field rule; its refusal becomes this field's validation error."""
    try:
        return rule(value, "value", **kw)
    except rules.FieldRejected as e:
        raise ma.ValidationError(e.message[0].upper() + e.message[1:] + ".") from None


class Text(fields.String):
    """Free text: NFC-normalised, trimmed, without control or format characters, length-limited
    (the rule of :func:`domain.fields.text`)."""

    def __init__(
        self, *, max_length: int = SHORT, multiline: bool = False, blank: bool = False, **kw: Any
    ) -> None:
        validators = list(kw.pop("validate", []) or [])
        validators.append(validate.Length(min=0 if blank else 1, max=max_length))
        metadata = kw.setdefault("metadata", {})
        pattern = rules.MULTILINE_TEXT_PATTERN if multiline else rules.TEXT_PATTERN
        metadata.setdefault("pattern", f"^{pattern}$")
        super().__init__(validate=validators, **kw)
        self.max_length = max_length
        self.multiline = multiline
        self.blank = blank

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        raw = super()._deserialize(value, attr, data, **kwargs)
        return _checked(
            rules.text, raw, max_length=self.max_length, multiline=self.multiline, blank=self.blank
        )


class _Code(fields.String):
    """A code matched whole by a shared rule; refused, never trimmed into a valid one."""

    rule: Any = None
    pattern: str = ""
    description: str = ""

    def __init__(self, **kw: Any) -> None:
        metadata = kw.setdefault("metadata", {})
        metadata.setdefault("description", self.description)
        metadata.setdefault("pattern", f"^{self.pattern}$")
        super().__init__(**kw)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        return _checked(type(self).rule, super()._deserialize(value, attr, data, **kwargs))


class UnitCode(_Code):
    """An administrative unit code (2 digits for a province, 3 for a district, 5 for a commune).

    Matched whole: ``"01537\\n"`` is refused, never trimmed into a valid code.
    """

    rule = staticmethod(rules.unit_code)
    pattern = rules.UNIT_CODE_PATTERN
    description = "Unit code: province `04`, district `048`, commune `01558`."


class HouseholdCode(_Code):
    """A household code (see :data:`domain.fields.HOUSEHOLD_CODE_PATTERN`)."""

    rule = staticmethod(rules.household_code)
    pattern = rules.HOUSEHOLD_CODE_PATTERN
    description = (
        "Unique household code: 1–40 letters of the Latin script (Vietnamese letters included, "
        "in NFC), digits, `-`, `.` or `/`, starting with a letter or digit; no white space, "
        "control, format (zero-width, right-to-left) or other-script characters "
        "(e.g. `01558-0042`)."
    )


def choice(values: tuple[str, ...], **kw: Any) -> fields.String:
    """A string from a closed vocabulary."""
    return fields.String(validate=validate.OneOf(values), **kw)


def year(**kw: Any) -> StrictInteger:
    """A calendar year as a JSON integer."""
    return StrictInteger(validate=validate.Range(min=rules.MIN_YEAR, max=rules.MAX_YEAR), **kw)


def money(**kw: Any) -> StrictInteger:
    """Integer VND, from 0 to :data:`domain.fields.MAX_MONEY`."""
    return StrictInteger(validate=validate.Range(min=0, max=rules.MAX_MONEY), **kw)


def _date_out(**kw: Any) -> fields.String:
    return fields.String(metadata={"format": "date", **kw.pop("metadata", {})}, **kw)


def _ts_out(**kw: Any) -> fields.String:
    return fields.String(metadata={"format": "date-time", **kw.pop("metadata", {})}, **kw)


class Strict(ma.Schema):
    """Base of request schemas: unknown fields are an error."""

    class Meta:
        unknown = RAISE


class Query(ma.Schema):
    """Base of query-string schemas: unknown parameters are an error too."""

    class Meta:
        unknown = RAISE


EFFECTIVE_ON = (
    "The civil date the fact took effect (YYYY-MM-DD); may be in the past (a late entry), "
    "never in the future."
)


def effective_on() -> ISODate:
    """The field every fact carries."""
    return ISODate(required=True, metadata={"description": EFFECTIVE_ON})


# -- requests ----------------------------------------------------------------------------------


class MemberSchema(Strict):
    """A household member."""

    name = Text(required=True)
    birth_year = StrictInteger(required=True, validate=validate.Range(min=1880, max=2100))
    sex = choice(SEXES, required=True)
    relation = choice(RELATIONS, required=True, metadata={"description": "Relation to the head."})


class MemberPatchSchema(Strict):
    """A member in a change: ``name`` identifies; other fields are required for ``added``."""

    name = Text(required=True)
    birth_year = StrictInteger(validate=validate.Range(min=1880, max=2100))
    sex = choice(SEXES)
    relation = choice(RELATIONS)


class RegisterSchema(Strict):
    """Đăng ký hộ: a new household in a commune."""

    code = HouseholdCode(required=True, metadata={"example": "01558-0042"})
    unit = UnitCode(required=True)
    village = Text(required=True)
    head_name = Text(required=True)
    ethnicity = Text(
        required=True,
        max_length=64,
        metadata={"description": "One of the 54 groups by Vietnamese name (Kinh, Tày, Nùng, ...)."},
    )
    members = fields.List(
        fields.Nested(MemberSchema), required=True, validate=validate.Length(min=1, max=60)
    )
    effective_on = effective_on()
    area_type = choice(
        AREA_TYPES,
        metadata={"description": "Follows the unit (rural/urban); a different value is 422."},
    )


class AssessmentSchema(Strict):
    """Rà soát: income and deprivations; the server classifies."""

    effective_on = effective_on()
    income_per_capita = money(
        required=True, metadata={"description": "Integer VND per person per month."}
    )
    deprivations = fields.List(
        choice(INDICATOR_CODES),
        required=True,
        validate=validate.Length(max=len(INDICATOR_CODES)),
        metadata={"description": "Indicator codes of the standard that applies."},
    )
    kind = choice(
        REVIEW_KINDS,
        metadata={
            "description": "Required when dated 1 September–31 December (periodic: the review "
            "for next year's list; regular: this year's); else defaults to regular."
        },
    )
    list_year = year(
        metadata={"description": "Default: the next year (periodic) or the same (regular)."}
    )
    standard = choice(
        STANDARD_CODES,
        metadata={
            "description": "Default: the one that applies to the list year; another one is 422."
        },
    )
    assessor = Text(required=True)
    form = Text(blank=True, load_default="")


class RecognitionSchema(Strict):
    """Quyết định công nhận: a commune decision on one household."""

    effective_on = effective_on()
    status = choice(STATUSES, required=True)
    decision_number = Text(required=True, max_length=64)
    list_year = year()
    signed_by = Text(required=True)


class BatchItemSchema(Strict):
    """One household in a batch decision."""

    household_id = Text(
        required=True, max_length=64, metadata={"description": "Household id or code."}
    )
    status = choice(STATUSES, required=True)


class BatchRecognitionSchema(Strict):
    """One commune decision for many households: all are recorded, or none."""

    effective_on = effective_on()
    decision_number = Text(required=True, max_length=64)
    unit = UnitCode(required=True)
    items = fields.List(
        fields.Nested(BatchItemSchema), required=True, validate=validate.Length(min=1, max=1000)
    )
    list_year = year()
    signed_by = Text(
        load_default="not stated",
        metadata={"description": "Who signed the decision (recorded as `not stated` if absent)."},
    )


class SupportSchema(Strict):
    """Hỗ trợ: support delivered."""

    effective_on = effective_on()
    category = choice(SUPPORT_CATEGORIES, required=True)
    programme = Text(required=True)
    funding_source = Text(required=True)
    amount_vnd = money(required=True)
    in_kind = Text(allow_none=True, load_default=None)
    provider = Text(required=True)


class SponsorSchema(Strict):
    """The agency, official or organisation that helps the household."""

    name = Text(required=True)
    kind = choice(SPONSOR_KINDS, required=True)
    unit = UnitCode()


class SponsorshipSchema(Strict):
    """Phân công giúp đỡ."""

    effective_on = effective_on()
    sponsor = fields.Nested(SponsorSchema, required=True)


class SponsorshipEndSchema(Strict):
    """The end of a sponsorship."""

    effective_on = effective_on()
    reason = Text(required=True, max_length=LONG, multiline=True)


class ExitRegistrationSchema(Strict):
    """Đăng ký thoát nghèo."""

    effective_on = effective_on()
    target_year = year(required=True)
    plan = Text(allow_none=True, load_default=None, max_length=LONG, multiline=True)


class MemberChangeSchema(Strict):
    """Biến động nhân khẩu."""

    effective_on = effective_on()
    change = choice(MEMBER_CHANGES, required=True)
    member = fields.Nested(MemberPatchSchema, required=True)
    reason = Text(required=True, max_length=LONG, multiline=True)


class RelocationSchema(Strict):
    """Chuyển nơi ở."""

    effective_on = effective_on()
    unit = UnitCode(required=True)
    village = Text(required=True)
    area_type = choice(
        AREA_TYPES,
        metadata={"description": "Follows the new unit (rural/urban); a different value is 422."},
    )


class ComplaintSchema(Strict):
    """Khiếu nại during public posting."""

    effective_on = effective_on()
    complainant = Text(required=True)
    subject = Text(required=True)
    text = Text(required=True, max_length=LONG, multiline=True)


class ComplaintResolutionSchema(Strict):
    """The outcome of a complaint."""

    effective_on = effective_on()
    outcome = choice(COMPLAINT_OUTCOMES, required=True)
    note = Text(required=True, max_length=LONG, multiline=True)


class FindingSchema(Strict):
    """One finding of an inspection."""

    code = Text(required=True, max_length=64)
    severity = choice(FINDING_SEVERITIES, required=True)
    note = Text(blank=True, load_default="", max_length=LONG, multiline=True)


class InspectionSchema(Strict):
    """Kiểm tra."""

    effective_on = effective_on()
    team = Text(required=True)
    findings = fields.List(
        fields.Nested(FindingSchema), required=True, validate=validate.Length(max=100)
    )
    outcome = choice(INSPECTION_OUTCOMES, required=True)
    plan_id = Text(allow_none=True, load_default=None, max_length=64)


class RetractionSchema(Strict):
    """Hủy bỏ: void an earlier fact from now on."""

    version = StrictInteger(
        required=True,
        validate=validate.Range(min=1, max=2**31),
        metadata={"description": "The version of the fact to void."},
    )
    reason = Text(required=True, max_length=LONG, multiline=True)


class ClosureSchema(Strict):
    """Đóng hồ sơ."""

    effective_on = effective_on()
    reason = choice(CLOSURE_REASONS, required=True)


class ClassifySchema(Strict):
    """What-if classification: records nothing."""

    standard = choice(STANDARD_CODES, required=True)
    area_type = choice(AREA_TYPES, required=True)
    income_per_capita = money(required=True)
    deprivations = fields.List(
        choice(INDICATOR_CODES), required=True, validate=validate.Length(max=len(INDICATOR_CODES))
    )


# -- queries ---------------------------------------------------------------------------------


class AsOfQuery(Query):
    """``as_of``: the civil date asked about (default today)."""

    as_of = ISODate(metadata={"description": "Valid-time date (default: today)."})


class StatusQuery(AsOfQuery):
    """``as_of`` and ``known_at``."""

    known_at = Timestamp(
        metadata={
            "description": "What the record said at this moment (default: now); a past moment "
            "is for auditors only."
        }
    )


class KnownAtQuery(Query):
    """``known_at`` only."""

    known_at = Timestamp(
        metadata={"description": "What the record said at this moment (default: now)."}
    )


class PageQuery(Query):
    """Paging."""

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class HouseholdListQuery(PageQuery):
    """Filters of the household list."""

    unit = UnitCode(metadata={"description": "Only households whose unit lies in this unit."})
    status = choice(STATUSES)
    as_of = ISODate(metadata={"description": "Date the unit and status refer to (default today)."})
    known_at = Timestamp(
        metadata={
            "description": "What the record said at this moment (default: now); a past moment "
            "is for auditors only."
        }
    )
    q = Text(
        metadata={
            "description": "Words that must all occur in the code, the head's name or the "
            "village, without regard to diacritics or case (`Nong Van Tu` finds `Nông Văn Tư`)."
        }
    )


class AccessLogQuery(PageQuery):
    """Filters of the access log."""

    user = Text(max_length=64)
    household_id = Text(max_length=64, metadata={"description": "Household id or code."})
    from_ = Timestamp(data_key="from", metadata={"description": "Reads at or after this moment."})
    to = Timestamp(metadata={"description": "Reads at or before this moment."})


# -- answers -----------------------------------------------------------------------------------


class Out(ma.Schema):
    """Base of response schemas (documentation and dumping)."""


class ProblemSchema(Out):
    """An error (RFC 9457 problem details)."""

    type = fields.String(required=True, metadata={"description": "A URN naming the problem."})
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        required=True,
        metadata={"description": "Field path → messages (e.g. `members.0.sex`)."},
    )
    existing_id = fields.String(
        metadata={"description": "409 on a duplicate code: the registered household's id."}
    )
    current_version = fields.Integer(metadata={"description": "412: the household's version now."})
    registered_on = fields.String(
        metadata={
            "format": "date",
            "description": "404 for a date before the household's registration: when it began.",
        }
    )


class ThresholdsSchema(Out):
    """The lines and threshold a classification used."""

    poverty_line = fields.Integer(required=True)
    near_poverty_line = fields.Integer(allow_none=True, required=True)
    deprivation_threshold = fields.Integer(required=True)


class ClassificationSchema(Out):
    """The result of classifying income and deprivations under a standard."""

    status = choice(STATUSES, required=True)
    route = choice(ROUTES, required=True)
    standard = fields.String(required=True)
    area_type = choice(AREA_TYPES, required=True)
    income_per_capita = fields.Integer(required=True)
    deprivations = fields.List(fields.String(), required=True)
    deprivation_count = fields.Integer(required=True)
    thresholds = fields.Nested(ThresholdsSchema, required=True)


class StatusClassificationSchema(Out):
    """The latest assessment's classification, in the status object."""

    status = choice(STATUSES, required=True)
    route = choice(ROUTES, required=True)
    standard = fields.String(required=True)
    income_per_capita = fields.Integer(required=True)
    deprivations = fields.List(fields.String(), required=True)
    deprivation_count = fields.Integer(required=True)
    thresholds = fields.Nested(ThresholdsSchema, required=True)
    assessed_on = _date_out(required=True)


class DecisionRefSchema(Out):
    """The decision a status rests on."""

    number = fields.String(required=True)
    effective_on = _date_out(required=True)


class UnitRefSchema(Out):
    """The household's unit on ``as_of`` (mergers followed forward)."""

    code = fields.String(required=True)
    name = fields.String(required=True)
    valid_from = _date_out(required=True)
    valid_to = _date_out(required=True, allow_none=True)


class SponsorOutSchema(Out):
    """The current sponsor."""

    name = fields.String(required=True)
    kind = choice(SPONSOR_KINDS, required=True)
    unit = fields.String()
    sponsorship_id = fields.String(required=True)
    since = _date_out(required=True)


class StatusSchema(Out):
    """The status object: what the record, as known at a moment, said about a household on a date."""

    household_id = fields.String(required=True, metadata={"format": "uuid"})
    code = fields.String(required=True)
    as_of = _date_out(required=True)
    known_at = _ts_out(required=True)
    registered_on = _date_out(required=True, metadata={"description": "When the household began."})
    status = choice(STATUSES, required=True)
    recognised = fields.Boolean(required=True)
    since = _date_out(required=True, allow_none=True)
    standard = fields.String(required=True, allow_none=True)
    list_year = fields.Integer(required=True, allow_none=True)
    transition = choice(TRANSITIONS, required=True, allow_none=True)
    decision = fields.Nested(DecisionRefSchema, required=True, allow_none=True)
    classification = fields.Nested(StatusClassificationSchema, required=True, allow_none=True)
    flags = fields.List(fields.String(), required=True)
    ever_exited_poverty = fields.Boolean(required=True)
    unit = fields.Nested(UnitRefSchema, required=True)
    village = fields.String(required=True)
    area_type = choice(AREA_TYPES, required=True)
    ethnic_minority = fields.Boolean(required=True)
    sponsor = fields.Nested(SponsorOutSchema, required=True, allow_none=True)
    exit_registered = fields.Boolean(required=True)
    closed = fields.Boolean(required=True)
    version = fields.Integer(required=True)


class MemberOutSchema(Out):
    """A member as the record has it."""

    name = fields.String(required=True)
    birth_year = fields.Integer()
    sex = fields.String()
    relation = fields.String()


class HouseholdSchema(StatusSchema):
    """Current facts: the status object plus head, members and ethnicity."""

    head_name = fields.String(required=True)
    ethnicity = fields.String(required=True)
    members = fields.List(fields.Nested(MemberOutSchema), required=True)
    exit_target_year = fields.Integer(required=True, allow_none=True)
    closed_on = _date_out(required=True, allow_none=True)
    closure_reason = fields.String(required=True, allow_none=True)


class FactSchema(Out):
    """One recorded fact."""

    version = fields.Integer(required=True)
    type = fields.String(required=True)
    effective_on = _date_out(required=True)
    recorded_at = _ts_out(required=True)
    recorded_by = fields.String(required=True)
    data = fields.Dict(required=True)
    retracted_by = fields.Integer(required=True, allow_none=True)
    hash = fields.String(required=True, allow_none=True, metadata={"description": "Hex SHA-256."})


class HistorySchema(Out):
    """Every fact recorded by ``known_at``, in recording order."""

    household_id = fields.String(required=True)
    code = fields.String(required=True)
    known_at = _ts_out(required=True)
    version = fields.Integer(required=True)
    facts = fields.List(fields.Nested(FactSchema), required=True)


class PeriodDecisionSchema(Out):
    """The decision that opened a period."""

    number = fields.String(required=True)
    effective_on = _date_out(required=True)
    signed_by = fields.String(required=True)
    version = fields.Integer(required=True)


class PeriodSchema(Out):
    """A stretch of valid time with one status (``valid_to`` exclusive; null = open)."""

    status = choice(STATUSES, required=True)
    valid_from = _date_out(required=True)
    valid_to = _date_out(required=True, allow_none=True)
    recognised = fields.Boolean(required=True)
    standard = fields.String(required=True, allow_none=True)
    transition = choice(TRANSITIONS, required=True, allow_none=True)
    decision = fields.Nested(PeriodDecisionSchema, required=True, allow_none=True)
    list_year = fields.Integer(required=True, allow_none=True)


class TimelineSchema(Out):
    """Valid-time status periods as known at ``known_at``."""

    household_id = fields.String(required=True)
    code = fields.String(required=True)
    known_at = _ts_out(required=True)
    version = fields.Integer(required=True)
    periods = fields.List(fields.Nested(PeriodSchema), required=True)


class HouseholdSummarySchema(Out):
    """One household in a list."""

    household_id = fields.String(required=True)
    code = fields.String(required=True)
    unit = fields.Nested(UnitRefSchema, required=True)
    village = fields.String(required=True)
    head_name = fields.String(required=True)
    status = choice(STATUSES, required=True)
    recognised = fields.Boolean(required=True)
    since = fields.Date(required=True, allow_none=True)
    ethnic_minority = fields.Boolean(required=True)
    closed = fields.Boolean(required=True)
    version = fields.Integer(required=True)


class HouseholdListSchema(Out):
    """A page of households."""

    as_of = fields.Date(required=True)
    known_at = fields.DateTime(
        format="iso", required=True, metadata={"description": "The moment answered for."}
    )
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True)
    items = fields.List(fields.Nested(HouseholdSummarySchema), required=True)


class RecordedSchema(Out):
    """A recorded fact (201)."""

    household_id = fields.String(required=True, metadata={"format": "uuid"})
    version = fields.Integer(required=True, metadata={"description": "Use it in If-Match."})
    recorded_at = fields.DateTime(
        format="iso", required=True, metadata={"description": "Set by the server (UTC)."}
    )


class RegisteredSchema(RecordedSchema):
    """A registered household."""

    code = fields.String(required=True)


class AssessedSchema(RecordedSchema):
    """A recorded assessment with its classification."""

    classification = fields.Nested(ClassificationSchema, required=True)
    kind = choice(REVIEW_KINDS, required=True)
    list_year = fields.Integer(required=True)
    standard = fields.String(required=True)


class RecognisedSchema(RecordedSchema):
    """A recorded decision and the transition it makes."""

    transition = choice(TRANSITIONS, required=True, allow_none=True)
    status = choice(STATUSES, required=True)
    contradicts_assessment = fields.Boolean(required=True)


class BatchRecognisedSchema(Out):
    """The households a batch decision was recorded for."""

    decision_number = fields.String(required=True)
    effective_on = _date_out(required=True)
    items = fields.List(fields.Nested(RecognisedSchema), required=True)


class SponsorshipStartedSchema(RecordedSchema):
    """A new sponsorship."""

    sponsorship_id = fields.String(required=True)


class ComplaintFiledSchema(RecordedSchema):
    """A new complaint."""

    complaint_id = fields.String(required=True)


class UnitFlagsSchema(Out):
    """Targeting flags in force on the date asked, with the period they hold for (unverified)."""

    valid_from = _date_out(required=True)
    valid_to = _date_out(required=True, allow_none=True)
    especially_difficult = fields.Boolean(required=True)
    difficult = fields.Boolean(required=True)
    border = fields.Boolean(required=True)
    verified = fields.Boolean(required=True)
    basis = fields.String(required=True)


class UnitSchema(Out):
    """One administrative unit version."""

    code = fields.String(required=True)
    code_verified = fields.Boolean(required=True)
    name = fields.String(required=True)
    level = fields.String(required=True)
    kind = fields.String(required=True)
    area_type = choice(AREA_TYPES, required=True)
    parent = fields.String(required=True, allow_none=True)
    valid_from = _date_out(required=True)
    valid_to = _date_out(required=True, allow_none=True)
    flags = fields.Nested(UnitFlagsSchema, required=True)
    successor = fields.String(required=True, allow_none=True)
    notes = fields.String(required=True)


class UnitsSchema(Out):
    """The units valid on a date."""

    as_of = _date_out(required=True)
    data_version = fields.String(required=True)
    units = fields.List(fields.Nested(UnitSchema), required=True)


class AccessEntrySchema(Out):
    """One read of one household."""

    id = fields.Integer(required=True)
    user = fields.String(required=True)
    household_id = fields.String(required=True)
    endpoint = fields.String(required=True)
    at = _ts_out(required=True)


class AccessLogSchema(Out):
    """A page of the access log, oldest first."""

    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True)
    items = fields.List(fields.Nested(AccessEntrySchema), required=True)


class AuditDiffQuery(Query):
    """Which unit, date and two moments of knowledge to compare."""

    unit = UnitCode(required=True)
    as_of = ISODate(required=True, metadata={"description": "The date whose status is compared."})
    from_ = Timestamp(data_key="from", required=True, metadata={"description": "Earlier moment."})
    to = Timestamp(required=True, metadata={"description": "Later moment."})


class StatusAnswerSchema(Out):
    """The compared part of a status answer."""

    status = fields.String(required=True)
    recognised = fields.Boolean(required=True)
    since = fields.String(required=True, allow_none=True)
    standard = fields.String(required=True, allow_none=True)
    transition = fields.String(required=True, allow_none=True)


class CauseSchema(Out):
    """A fact recorded between the two moments that bears on the date."""

    version = fields.Integer(required=True)
    type = fields.String(required=True)
    effective_on = fields.String(required=True)
    recorded_at = fields.String(required=True)
    recorded_by = fields.String(required=True)
    data = fields.Dict(required=True)


class ChangeSchema(Out):
    """One household whose answer changed."""

    household_id = fields.String(required=True)
    code = fields.String(required=True)
    before = fields.Nested(StatusAnswerSchema, required=True, allow_none=True)
    after = fields.Nested(StatusAnswerSchema, required=True)
    changed_fields = fields.List(fields.String(), required=True)
    caused_by = fields.List(fields.Nested(CauseSchema), required=True)


class AuditDiffSchema(Out):
    """What late entries and corrections changed in the status on a date."""

    unit = fields.String(required=True)
    as_of = fields.String(required=True)
    from_ = fields.String(data_key="from", required=True)
    to = fields.String(required=True)
    households_examined = fields.Integer(required=True)
    households_changed = fields.Integer(required=True)
    changes = fields.List(fields.Nested(ChangeSchema), required=True)


class VerifyReportSchema(Out):
    """The result of recomputing every chain, sequence, Merkle root and signature."""

    ok = fields.Boolean(required=True)
    first_problem = fields.String(required=True, allow_none=True)
    problem_count = fields.Integer(required=True)
    problems = fields.List(fields.Dict(), required=True)
    events = fields.Integer(required=True)
    households = fields.Integer(required=True)
    hash_rows = fields.Integer(required=True)
    tree_size = fields.Integer(required=True, allow_none=True)
    root_hash = fields.String(required=True, allow_none=True)
    checkpoints = fields.List(fields.Dict(), required=True)
    external_checkpoint = fields.Dict(required=True, allow_none=True)
    trusted_key_id = fields.String(required=True, allow_none=True)
    trust = fields.String(required=True)
    key_chain = fields.List(
        fields.String(),
        required=True,
        metadata={"description": "Ids of the store's signing keys, oldest first (rotations)."},
    )
    access_log_rows = fields.Integer(required=True)
    access_log_unchained = fields.Integer(
        required=True, metadata={"description": "Rows written before the log was chained."}
    )
    access_log_head = fields.String(required=True, allow_none=True)
    seconds = fields.Float(required=True)
    events_per_second = fields.Integer(required=True, allow_none=True)


class HealthSchema(Out):
    """Liveness."""

    status = fields.String(required=True, metadata={"example": "ok"})
    version = fields.String(required=True)
