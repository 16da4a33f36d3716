"""The one fold: a household's situation on a date, as the record stood at a moment.

``fold(facts, as_of, known_at)`` is the only place where facts become state. The aggregate's own
invariants, every query, the reports' replay and the offline replay pack all call it, so there is
never a second interpretation of the same facts.

Two time axes:

* knowledge time — a fact counts only if it was recorded (``timestamp``) at or before
  ``known_at``; a retraction voids its target only if the retraction itself was recorded by then;
* valid time — the surviving facts are ordered by ``effective_on`` (ties by recording order) and
  evaluated at ``as_of``.

Transitions (newly poor, re-poor, exit, ...) are recomputed from the surviving recognitions in
effective-date order every time, so a late-entered earlier exit turns a later ``newly_poor`` into
``re_poor`` for every ``known_at`` after the late entry, and for no earlier one.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from domain.events import (
    Assessed,
    Closed,
    ExitRegistered,
    MemberChanged,
    Recognised,
    Registered,
    Relocated,
    Retracted,
    SponsorshipEnded,
    SponsorshipStarted,
)
from domain.periods import (
    Prior,
    StatusPeriod,
    timeline_of,
    transition_between,
    transitions,
)
from domain.units import Unit, UnitCatalogue

__all__ = [
    "Prior",
    "Situation",
    "StatusPeriod",
    "address",
    "area_type_on",
    "contradicts_assessment",
    "fold",
    "known_by",
    "known_facts",
    "known_prefix",
    "live_facts",
    "recorded_between",
    "recorded_by",
    "retractions",
    "timeline",
    "transition_between",
    "transitions",
    "unit_on",
    "unvoided",
]


@dataclass(frozen=True)
class Situation:
    """What the record, as it stood at ``known_at``, says about the household on ``as_of``."""

    household_id: str
    as_of: date
    known_at: datetime | None
    known: bool
    version: int
    code: str | None = None
    registered_on: date | None = None
    status: str = "not_poor"
    recognised: bool = False
    since: date | None = None
    standard: str | None = None
    transition: str | None = None
    decision: dict[str, Any] | None = None
    list_year: int | None = None
    classification: dict[str, Any] | None = None
    contradicts_assessment: bool = False
    ever_exited_poverty: bool = False
    unit: str | None = None
    unit_named_on: date | None = None
    village: str | None = None
    area_type: str | None = None
    ethnicity: str | None = None
    ethnic_minority: bool = False
    head_name: str | None = None
    members: list[dict[str, Any]] = field(default_factory=list)
    sponsor: dict[str, Any] | None = None
    exit_registered: bool = False
    exit_target_year: int | None = None
    closed: bool = False
    closed_on: date | None = None
    closure_reason: str | None = None
    timeline: tuple[StatusPeriod, ...] = ()
    retracted: dict[int, int] = field(default_factory=dict)
    live_versions: frozenset[int] = frozenset()


def recorded_by(fact: Any, known_at: datetime | None) -> bool:
    """Whether ``fact`` had been recorded at ``known_at`` (None = now: every fact has)."""
    return known_at is None or fact.timestamp <= known_at


def known_facts(facts: Iterable[Any], known_at: datetime | None) -> list[Any]:
    """The facts recorded at or before ``known_at`` (all of them when it is None)."""
    if known_at is None:
        return list(facts)
    return [f for f in facts if f.timestamp <= known_at]


def known_by(facts: Sequence[Any], known_at: datetime | None) -> bool:
    """Whether the household (its facts in version order) was known at ``known_at``."""
    return bool(facts) and recorded_by(facts[0], known_at)


def known_prefix(facts: Sequence[Any], known_at: datetime) -> int:
    """How many of the facts (in version order, so in recording order) were recorded by
    ``known_at``: the facts known then are ``facts[:n]``."""
    return bisect_right(facts, known_at, key=lambda f: f.timestamp)


def recorded_between(
    facts: Iterable[Any], after: datetime | None, until: datetime | None
) -> list[Any]:
    """The facts recorded after ``after`` (None = from the start) and by ``until`` (None = now)."""
    return [
        f
        for f in facts
        if (after is None or f.timestamp > after) and (until is None or f.timestamp <= until)
    ]


def retractions(facts: Iterable[Any]) -> dict[int, int]:
    """Map each retracted version to the version of the retraction that voided it."""
    voided: dict[int, int] = {}
    for f in facts:
        if type(f) is Retracted and f.version not in voided:
            voided[f.version] = f.originator_version
    return voided


def unvoided(known: Sequence[Any]) -> list[Any]:
    """The facts (other than retractions) that no retraction among ``known`` voided, in the
    order given."""
    voided = retractions(known)
    return [f for f in known if type(f) is not Retracted and f.originator_version not in voided]


def live_facts(known: Sequence[Any]) -> list[Any]:
    """The known facts no known retraction voided, in valid-time order (date, then version)."""
    return _valid_order(unvoided(known))


def timeline(facts: Sequence[Any], known_at: datetime | None = None) -> tuple[StatusPeriod, ...]:
    """Only the status periods of the fold (cheaper when nothing else is needed)."""
    known = known_facts(facts, known_at)
    if not known:
        return ()
    live = live_facts(known)
    closures = [f for f in live if type(f) is Closed]
    return timeline_of(
        known[0], [f for f in live if type(f) is Recognised], closures[-1] if closures else None
    )


def address(facts: Sequence[Any], on: date) -> tuple[str, date, str, str]:
    """The household's (unit, date the unit was named, village, area type) on ``on``.

    The same step the fold takes for registrations and relocations, for callers that need only
    the address (the fold itself uses this function).
    """
    registration = facts[0]
    found = (
        registration.unit,
        registration.effective_on,
        registration.village,
        registration.area_type,
    )
    for f in facts:
        if type(f) is Relocated:
            if f.effective_on > on:
                break
            found = (f.unit, f.effective_on, f.village, f.area_type)
    return found


def contradicts_assessment(live: Sequence[Any], period: StatusPeriod) -> bool:
    """Whether a recognised period's status differs from the latest assessment before it."""
    if not period.recognised:
        return False
    latest = None
    for f in live:
        if f.effective_on > period.valid_from:
            break
        if type(f) is Assessed:
            latest = f
    return latest is not None and latest.classification["status"] != period.status


def _valid_order(facts: Iterable[Any]) -> list[Any]:
    return sorted(facts, key=lambda f: (f.effective_on, f.originator_version))


def _classification(a: Assessed) -> dict[str, Any]:
    c = dict(a.classification)
    return {
        "status": c["status"],
        "route": c["route"],
        "standard": a.standard,
        "area_type": a.area_type,
        "income_per_capita": a.income_per_capita,
        "deprivations": list(a.deprivations),
        "deprivation_count": len(a.deprivations),
        "thresholds": c["thresholds"],
        "assessed_on": a.effective_on.isoformat(),
        "kind": a.kind,
        "list_year": a.list_year,
        "version": a.originator_version,
    }


def _apply_member_change(members: list[dict[str, Any]], m: MemberChanged) -> list[dict[str, Any]]:
    name = m.member.get("name")
    others = [x for x in members if x.get("name") != name]
    if m.change == "removed":
        return others
    if m.change == "updated":
        current = next((x for x in members if x.get("name") == name), {})
        return [*others, {**current, **m.member}]
    return [*members, dict(m.member)]


@dataclass
class _Walk:
    """What the facts up to ``as_of`` leave behind (one pass, in valid-time order)."""

    members: list[dict[str, Any]]
    exits: frozenset[int]
    latest_assessment: Assessed | None = None
    sponsors: dict[str, dict[str, Any]] = field(default_factory=dict)
    exit_target: int | None = None
    closure: Closed | None = None
    upto: list[Any] = field(default_factory=list)

    def take(self, f: Any) -> None:
        """Apply one fact."""
        self.upto.append(f)
        kind = type(f)
        if kind is Assessed:
            self.latest_assessment = f
        elif kind is Recognised:
            if f.originator_version in self.exits:
                self.exit_target = None
        elif kind is SponsorshipStarted:
            self.sponsors[f.sponsorship_id] = {
                **f.sponsor,
                "sponsorship_id": f.sponsorship_id,
                "since": f.effective_on.isoformat(),
            }
        elif kind is SponsorshipEnded:
            self.sponsors.pop(f.sponsorship_id, None)
        elif kind is ExitRegistered:
            self.exit_target = f.target_year
        elif kind is MemberChanged:
            self.members = _apply_member_change(self.members, f)
        elif kind is Closed:
            self.closure = f


def _walk(
    registration: Registered,
    live: Sequence[Any],
    timeline: Sequence[StatusPeriod],
    as_of: date,
) -> _Walk:
    exits = frozenset(p.version for p in timeline if p.transition == "exited_poverty")
    walk = _Walk([dict(m) for m in registration.members], exits)  # type: ignore[arg-type]
    for f in live:
        if f.effective_on > as_of:
            break
        walk.take(f)
    return walk


def _registration_fields(r: Registered) -> dict[str, Any]:
    return {
        "code": r.code,
        "registered_on": r.effective_on,
        "ethnicity": r.ethnicity,
        "ethnic_minority": r.ethnic_minority,
        "head_name": r.head_name,
    }


def _period_fields(p: StatusPeriod) -> dict[str, Any]:
    return {
        "status": p.status,
        "recognised": p.recognised,
        "since": p.valid_from if p.recognised else None,
        "standard": p.standard,
        "transition": p.transition,
        "decision": p.decision,
        "list_year": p.list_year,
    }


def _period_on(timeline: Sequence[StatusPeriod], as_of: date) -> StatusPeriod:
    period = next((p for p in reversed(timeline) if p.valid_from <= as_of), None)
    if period is None:  # before the registration: nothing recognised yet
        return StatusPeriod("not_poor", as_of, None, False, None, None, None, None, None)
    return period


def fold(
    household_id: str,
    facts: Sequence[Any],
    as_of: date,
    known_at: datetime | None = None,
) -> Situation:
    """The household's situation on ``as_of`` as recorded by ``known_at`` (None = now).

    ``facts`` are the household's events in version order. The result's ``known`` is False
    when nothing had been recorded by ``known_at``.
    """
    known = known_facts(facts, known_at)
    if not known:
        return Situation(
            household_id=household_id, as_of=as_of, known_at=known_at, known=False, version=0
        )
    registration = known[0]
    assert isinstance(registration, Registered), "a household's first fact is its registration"
    live = live_facts(known)
    closures = [f for f in live if type(f) is Closed]
    timeline = timeline_of(
        registration,
        [f for f in live if type(f) is Recognised],
        closures[-1] if closures else None,
    )
    period = _period_on(timeline, as_of)
    unit, unit_named_on, village, area_type = address(
        [registration, *(f for f in live if type(f) is Relocated)], as_of
    )
    walk = _walk(registration, live, timeline, as_of)
    closure = walk.closure
    return Situation(
        household_id=household_id,
        as_of=as_of,
        known_at=known_at,
        known=True,
        version=known[-1].originator_version,
        **_registration_fields(registration),
        **_period_fields(period),
        classification=_classification(walk.latest_assessment) if walk.latest_assessment else None,
        contradicts_assessment=contradicts_assessment(walk.upto, period),
        ever_exited_poverty=any(
            p.transition == "exited_poverty" and p.valid_from <= as_of for p in timeline
        ),
        unit=unit,
        unit_named_on=unit_named_on,
        village=village,
        area_type=area_type,
        members=walk.members,
        sponsor=next(reversed(walk.sponsors.values()), None) if walk.sponsors else None,
        exit_registered=walk.exit_target is not None,
        exit_target_year=walk.exit_target,
        closed=closure is not None,
        closed_on=closure.effective_on if closure else None,
        closure_reason=closure.reason if closure else None,
        timeline=timeline,
        retracted=retractions(known),
        live_versions=frozenset(f.originator_version for f in live),
    )


def unit_on(units: UnitCatalogue, situation: Situation, on: date) -> Unit:
    """The unit the household's address denotes on ``on`` (:meth:`UnitCatalogue.denoted_on`)."""
    assert situation.unit is not None and situation.unit_named_on is not None
    return units.denoted_on(situation.unit, situation.unit_named_on, on)


def area_type_on(units: UnitCatalogue, situation: Situation, on: date) -> str:
    """The household's area type on ``on``: that of the unit its address denotes then (it
    follows the unit: Thanh Nhật town was urban, the commune Hạ Lang it became is rural)."""
    return unit_on(units, situation, on).area_type
