"""The facts recorded about a household, one event class per kind of fact.

Every fact carries ``effective_on`` (the civil date it took effect in the world) and
``recorded_by`` (the authenticated user); the library's ``timestamp`` is ``recorded_at``, set by
the server. Events are immutable and append-only: a mistake is voided by a :class:`Retracted`.

Field values are JSON-friendly (str, int, bool, date, lists and dicts of them) so that the stored
bytes are plain, stable JSON that an auditor can read without this code.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from eventsourcing.domain import AggregateCreated, AggregateEvent


class HouseholdFact(AggregateEvent):
    """Base of every fact after registration: when it took effect and who recorded it."""

    effective_on: date
    recorded_by: str

    def apply(self, aggregate: Any) -> None:
        """Append the fact to the household's list; the state is always derived by the fold."""
        aggregate.facts.append(self)


class Registered(AggregateCreated):
    """Đăng ký hộ: the household enters the ledger in a commune on a date."""

    effective_on: date
    recorded_by: str
    code: str
    unit: str
    village: str
    head_name: str
    ethnicity: str
    ethnic_minority: bool
    members: list[dict[str, Any]]
    area_type: str

    def apply(self, aggregate: Any) -> None:
        """Start the household's list of facts with its registration."""
        aggregate.facts.append(self)


class MemberChanged(HouseholdFact):
    """Biến động nhân khẩu: a member added, removed or updated."""

    change: str
    member: dict[str, Any]
    reason: str


class Relocated(HouseholdFact):
    """Chuyển nơi ở: the household moved to another commune or village."""

    unit: str
    village: str
    area_type: str


class Assessed(HouseholdFact):
    """Rà soát: a survey of income and deprivations, classified under a standard.

    The classification computed when the fact was recorded is stored with it (and the standards
    data version), so a later correction of the standards data never rewrites what was said.
    """

    kind: str
    list_year: int
    standard: str
    area_type: str
    income_per_capita: int
    deprivations: list[str]
    classification: dict[str, Any]
    assessor: str
    form: str
    standards_version: str


class Recognised(HouseholdFact):
    """Quyết định công nhận: the commune decision that sets the household's status."""

    status: str
    decision_number: str
    list_year: int
    standard: str
    signed_by: str


class SupportDelivered(HouseholdFact):
    """Hỗ trợ: support delivered to the household (money in integer VND)."""

    category: str
    programme: str
    funding_source: str
    amount_vnd: int
    in_kind: str | None
    provider: str


class SponsorshipStarted(HouseholdFact):
    """Phân công giúp đỡ: an agency, official or organisation takes on the household."""

    sponsorship_id: str
    sponsor: dict[str, Any]


class SponsorshipEnded(HouseholdFact):
    """The end of a sponsorship."""

    sponsorship_id: str
    reason: str


class ExitRegistered(HouseholdFact):
    """Đăng ký thoát nghèo: the household commits to exit poverty by a target year."""

    target_year: int
    plan: str | None


class ComplaintFiled(HouseholdFact):
    """Khiếu nại: a complaint during public posting of the review results."""

    complaint_id: str
    complainant: str
    subject: str
    text: str


class ComplaintResolved(HouseholdFact):
    """The outcome of a complaint."""

    complaint_id: str
    outcome: str
    note: str


class Inspected(HouseholdFact):
    """Kiểm tra: an inspection team's visit and findings."""

    team: str
    findings: list[dict[str, Any]]
    outcome: str
    plan_id: str | None


class Retracted(HouseholdFact):
    """Hủy bỏ: voids an earlier fact (by version) from this fact's own recording time on."""

    version: int
    reason: str


class Closed(HouseholdFact):
    """Đóng hồ sơ: the household ceased to exist as such (dissolved, merged, moved, deceased)."""

    reason: str


FACT_TYPES: dict[str, type[Any]] = {
    "registration": Registered,
    "member_change": MemberChanged,
    "relocation": Relocated,
    "assessment": Assessed,
    "recognition": Recognised,
    "support": SupportDelivered,
    "sponsorship_start": SponsorshipStarted,
    "sponsorship_end": SponsorshipEnded,
    "exit_registration": ExitRegistered,
    "complaint": ComplaintFiled,
    "complaint_resolution": ComplaintResolved,
    "inspection": Inspected,
    "retraction": Retracted,
    "closure": Closed,
}
"""The public name of each kind of fact, as the history shows it."""

TYPE_NAMES: dict[type[Any], str] = {cls: name for name, cls in FACT_TYPES.items()}

_BASE_FIELDS = frozenset({"originator_id", "originator_version", "timestamp", "originator_topic"})
_COMMON_FIELDS = frozenset({"effective_on", "recorded_by"})


def fact_type(event: Any) -> str:
    """The public name of an event's kind of fact (``assessment``, ``recognition``, ...)."""
    return TYPE_NAMES[type(event)]


def fact_data(event: Any) -> dict[str, Any]:
    """The fact's own fields, without the bookkeeping every fact shares."""
    return {
        k: v for k, v in event.__dict__.items() if k not in _BASE_FIELDS and k not in _COMMON_FIELDS
    }
