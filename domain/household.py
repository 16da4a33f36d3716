"""The household aggregate (hộ gia đình): the consistency boundary for its facts.

The aggregate decides whether a new fact may be recorded (its invariants) and records it as an
event. It keeps no derived state of its own: everything it knows about the household's
situation comes from :func:`domain.situation.fold` over its facts, the same function every query
uses. Commands take ``now`` (the server clock, which becomes ``recorded_at``) and ``today`` (the
civil date in the configured time zone) from the caller, so the domain never reads a clock.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from eventsourcing.domain import Aggregate

from domain import events as ev
from domain.errors import FactRejected
from domain.fields import household_code, money
from domain.situation import Situation, fold, retractions
from domain.text import nfc, normalise
from domain.vocabulary import (
    AREA_TYPES,
    CLOSURE_REASONS,
    COMPLAINT_OUTCOMES,
    FINDING_SEVERITIES,
    INSPECTION_OUTCOMES,
    MEMBER_CHANGES,
    RELATIONS,
    REVIEW_KINDS,
    SEXES,
    SPONSOR_KINDS,
    STATUSES,
    SUPPORT_CATEGORIES,
)

HOUSEHOLD_NAMESPACE = uuid.UUID("6f1f5c1e-4b1e-5b7a-9c1d-0c4a2d7e8b10")
"""Namespace of household ids: the id is derived from the code, so a code registers once."""

ONE_MICROSECOND = timedelta(microseconds=1)


def household_id_for(code: str) -> uuid.UUID:
    """The household id that the (NFC-normalised) code ``code`` maps to."""
    return uuid.uuid5(HOUSEHOLD_NAMESPACE, nfc(code))


def _choice(field: str, value: str, allowed: Sequence[str]) -> None:
    if value not in allowed:
        raise FactRejected(field, f"must be one of {', '.join(allowed)}; got {value!r}")


def _money(field: str, value: Any) -> None:
    money(value, field)


def _text(field: str, value: Any, *, required: bool = True) -> None:
    if value is None and not required:
        return
    if not isinstance(value, str) or (required and not value.strip()):
        raise FactRejected(field, "must be non-empty text")


def _member(field: str, m: dict[str, Any], *, partial: bool = False) -> None:
    _text(f"{field}.name", m.get("name"))
    if "sex" in m or not partial:
        _choice(f"{field}.sex", m.get("sex", ""), SEXES)
    if "relation" in m or not partial:
        _choice(f"{field}.relation", m.get("relation", ""), RELATIONS)
    if "birth_year" in m or not partial:
        year = m.get("birth_year")
        if isinstance(year, bool) or not isinstance(year, int) or not 1880 <= year <= 2100:
            raise FactRejected(f"{field}.birth_year", "must be a plausible year")


class Household(Aggregate):
    """A household's ledger: registration first, then facts, never edited, only retracted."""

    def __init__(self) -> None:
        self.facts: list[Any] = []

    # -- reading -----------------------------------------------------------------------------

    def situation(self, as_of: date, known_at: datetime | None = None) -> Situation:
        """The fold of this household's facts (see :func:`domain.situation.fold`)."""
        return fold(str(self.id), self.facts, as_of, known_at)

    @property
    def registered_on(self) -> date:
        """The registration's effective date: no fact may take effect before it."""
        return self.facts[0].effective_on

    # -- registration ------------------------------------------------------------------------

    @classmethod
    def register(
        cls,
        *,
        now: datetime,
        today: date,
        recorded_by: str,
        effective_on: date,
        code: str,
        unit: str,
        village: str,
        head_name: str,
        ethnicity: str,
        ethnic_minority: bool,
        members: list[dict[str, Any]],
        area_type: str,
    ) -> Household:
        """Đăng ký: a new household in a commune (unit already checked by the caller)."""
        _not_future(effective_on, today)
        household_code(code)
        _text("unit", unit)
        _text("village", village)
        _text("head_name", head_name)
        _choice("area_type", area_type, AREA_TYPES)
        if not members:
            raise FactRejected("members", "a household has at least one member")
        for i, m in enumerate(members):
            _member(f"members.{i}", m)
        if sum(1 for m in members if m.get("relation") == "head") != 1:
            raise FactRejected("members", "exactly one member must have relation 'head'")
        payload = normalise(
            {
                "code": code,
                "unit": unit,
                "village": village,
                "head_name": head_name,
                "ethnicity": ethnicity,
                "members": members,
                "area_type": area_type,
            }
        )
        return cls._create(
            ev.Registered,
            id=household_id_for(code),
            timestamp=now,
            effective_on=effective_on,
            recorded_by=nfc(recorded_by),
            ethnic_minority=ethnic_minority,
            **payload,
        )

    # -- facts ---------------------------------------------------------------------------------

    def change_member(
        self, *, change: str, member: dict[str, Any], reason: str, **common: Any
    ) -> None:
        """Biến động nhân khẩu."""
        _choice("change", change, MEMBER_CHANGES)
        _member("member", member, partial=change != "added")
        _text("reason", reason)
        current = self.situation(common["effective_on"])
        names = {m.get("name") for m in current.members}
        name = nfc(member["name"])
        if change == "added" and name in names:
            raise FactRejected("member.name", f"{name!r} is already a member")
        if change != "added" and name not in names:
            raise FactRejected("member.name", f"{name!r} is not a member on that date")
        self._record(ev.MemberChanged, common, change=change, member=member, reason=reason)

    def relocate(self, *, unit: str, village: str, area_type: str, **common: Any) -> None:
        """Chuyển nơi ở (unit already checked against the catalogue by the caller)."""
        _text("unit", unit)
        _text("village", village)
        _choice("area_type", area_type, AREA_TYPES)
        self._record(ev.Relocated, common, unit=unit, village=village, area_type=area_type)

    def assess(
        self,
        *,
        kind: str,
        list_year: int,
        standard: str,
        area_type: str,
        income_per_capita: int,
        deprivations: list[str],
        classification: dict[str, Any],
        assessor: str,
        form: str,
        standards_version: str,
        **common: Any,
    ) -> None:
        """Rà soát: record an assessment and the classification computed for it."""
        _choice("kind", kind, REVIEW_KINDS)
        _choice("area_type", area_type, AREA_TYPES)
        _money("income_per_capita", income_per_capita)
        _text("assessor", assessor)
        self._record(
            ev.Assessed,
            common,
            kind=kind,
            list_year=list_year,
            standard=standard,
            area_type=area_type,
            income_per_capita=income_per_capita,
            deprivations=sorted(set(deprivations)),
            classification=classification,
            assessor=assessor,
            form=form,
            standards_version=standards_version,
        )

    def recognise(
        self,
        *,
        status: str,
        decision_number: str,
        list_year: int,
        standard: str,
        signed_by: str,
        **common: Any,
    ) -> None:
        """Quyết định công nhận: the commune decides; a contradiction is flagged, not refused."""
        _choice("status", status, STATUSES)
        _text("decision_number", decision_number)
        _text("signed_by", signed_by)
        self._record(
            ev.Recognised,
            common,
            status=status,
            decision_number=decision_number,
            list_year=list_year,
            standard=standard,
            signed_by=signed_by,
        )

    def deliver_support(
        self,
        *,
        category: str,
        programme: str,
        funding_source: str,
        amount_vnd: int,
        in_kind: str | None,
        provider: str,
        **common: Any,
    ) -> None:
        """Hỗ trợ: support delivered to the household."""
        _choice("category", category, SUPPORT_CATEGORIES)
        _text("programme", programme)
        _text("funding_source", funding_source)
        _money("amount_vnd", amount_vnd)
        _text("in_kind", in_kind, required=False)
        _text("provider", provider)
        self._record(
            ev.SupportDelivered,
            common,
            category=category,
            programme=programme,
            funding_source=funding_source,
            amount_vnd=amount_vnd,
            in_kind=in_kind,
            provider=provider,
        )

    def start_sponsorship(
        self, *, sponsorship_id: str, sponsor: dict[str, Any], **common: Any
    ) -> None:
        """Phân công giúp đỡ: a sponsor takes on the household."""
        _text("sponsor.name", sponsor.get("name"))
        _choice("sponsor.kind", sponsor.get("kind", ""), SPONSOR_KINDS)
        self._record(ev.SponsorshipStarted, common, sponsorship_id=sponsorship_id, sponsor=sponsor)

    def end_sponsorship(self, *, sponsorship_id: str, reason: str, **common: Any) -> None:
        """End an active sponsorship."""
        _text("reason", reason)
        started = [
            f
            for f in self._live()
            if isinstance(f, ev.SponsorshipStarted) and f.sponsorship_id == sponsorship_id
        ]
        if not started:
            raise FactRejected(
                "sponsorship_id", f"no sponsorship {sponsorship_id} on this household"
            )
        if any(
            isinstance(f, ev.SponsorshipEnded) and f.sponsorship_id == sponsorship_id
            for f in self._live()
        ):
            raise FactRejected("sponsorship_id", "this sponsorship has already ended")
        if common["effective_on"] < started[0].effective_on:
            raise FactRejected("effective_on", "a sponsorship cannot end before it started")
        self._record(ev.SponsorshipEnded, common, sponsorship_id=sponsorship_id, reason=reason)

    def register_exit(self, *, target_year: int, plan: str | None, **common: Any) -> None:
        """Đăng ký thoát nghèo."""
        if isinstance(target_year, bool) or not isinstance(target_year, int):
            raise FactRejected("target_year", "must be a year")
        if target_year < common["effective_on"].year:
            raise FactRejected("target_year", "must not lie before the registration's year")
        _text("plan", plan, required=False)
        self._record(ev.ExitRegistered, common, target_year=target_year, plan=plan)

    def file_complaint(
        self, *, complaint_id: str, complainant: str, subject: str, text: str, **common: Any
    ) -> None:
        """Khiếu nại during public posting."""
        _text("complainant", complainant)
        _text("subject", subject)
        _text("text", text)
        self._record(
            ev.ComplaintFiled,
            common,
            complaint_id=complaint_id,
            complainant=complainant,
            subject=subject,
            text=text,
        )

    def resolve_complaint(
        self, *, complaint_id: str, outcome: str, note: str, **common: Any
    ) -> None:
        """The outcome of a complaint filed earlier."""
        _choice("outcome", outcome, COMPLAINT_OUTCOMES)
        _text("note", note)
        live = self._live()
        if not any(
            isinstance(f, ev.ComplaintFiled) and f.complaint_id == complaint_id for f in live
        ):
            raise FactRejected("complaint_id", f"no complaint {complaint_id} on this household")
        if any(
            isinstance(f, ev.ComplaintResolved) and f.complaint_id == complaint_id for f in live
        ):
            raise FactRejected("complaint_id", "this complaint is already resolved")
        self._record(
            ev.ComplaintResolved, common, complaint_id=complaint_id, outcome=outcome, note=note
        )

    def inspect(
        self,
        *,
        team: str,
        findings: list[dict[str, Any]],
        outcome: str,
        plan_id: str | None,
        **common: Any,
    ) -> None:
        """Kiểm tra: an inspection's findings."""
        _text("team", team)
        _choice("outcome", outcome, INSPECTION_OUTCOMES)
        for i, f in enumerate(findings):
            _text(f"findings.{i}.code", f.get("code"))
            _choice(f"findings.{i}.severity", f.get("severity", ""), FINDING_SEVERITIES)
        self._record(
            ev.Inspected, common, team=team, findings=findings, outcome=outcome, plan_id=plan_id
        )

    def retract(
        self, *, version: int, reason: str, now: datetime, today: date, recorded_by: str
    ) -> None:
        """Hủy bỏ: void an earlier fact; the only fact allowed after closure."""
        _text("reason", reason)
        if (
            isinstance(version, bool)
            or not isinstance(version, int)
            or not 1 <= version <= self.version
        ):
            raise FactRejected("version", f"no fact with version {version} on this household")
        target = self.facts[version - 1]
        if isinstance(target, ev.Registered):
            raise FactRejected("version", "a registration cannot be retracted; close the household")
        if isinstance(target, ev.Retracted):
            raise FactRejected("version", "a retraction cannot be retracted; record the fact again")
        if version in retractions(self.facts):
            raise FactRejected("version", f"version {version} is already retracted")
        self._trigger(
            ev.Retracted,
            now,
            effective_on=today,
            recorded_by=recorded_by,
            version=version,
            reason=reason,
        )

    def close(self, *, reason: str, **common: Any) -> None:
        """Đóng hồ sơ."""
        _choice("reason", reason, CLOSURE_REASONS)
        self._record(ev.Closed, common, reason=reason)

    # -- internals -------------------------------------------------------------------------------

    def _live(self) -> list[Any]:
        """The facts no retraction has voided (the fold's own notion of retraction)."""
        voided = retractions(self.facts)
        return [f for f in self.facts if f.originator_version not in voided]

    def _record(self, event_class: type[Any], common: dict[str, Any], **payload: Any) -> None:
        """Check the invariants every fact shares, then trigger the event."""
        effective_on: date = common["effective_on"]
        today: date = common["today"]
        _not_future(effective_on, today)
        if effective_on < self.registered_on:
            raise FactRejected(
                "effective_on",
                f"the household was registered on {self.registered_on.isoformat()}; "
                "no fact can take effect before that",
            )
        if any(type(f) is ev.Closed for f in self._live()):
            raise FactRejected("household", "the household is closed; only a retraction is allowed")
        self._trigger(
            event_class,
            common["now"],
            effective_on=effective_on,
            recorded_by=common["recorded_by"],
            **payload,
        )

    def _trigger(self, event_class: type[Any], now: datetime, **fields: Any) -> None:
        last = self.facts[-1].timestamp
        timestamp = now if now > last else last + ONE_MICROSECOND
        fields = {k: v if k == "effective_on" else normalise(v) for k, v in fields.items()}
        self.trigger_event(event_class, timestamp=timestamp, **fields)


def _not_future(effective_on: date, today: date) -> None:
    if not isinstance(effective_on, date) or isinstance(effective_on, datetime):
        raise FactRejected("effective_on", "must be a date (YYYY-MM-DD)")
    if effective_on > today:
        raise FactRejected(
            "effective_on", f"must not lie in the future (today is {today.isoformat()})"
        )
