"""Supervision (issue 6): explained anomalies, the re-poverty early-warning score, plan sampling.

Everything here is pure: functions over one household's facts (its events in version order) and
reference data, no clock and no store. The facts given are those recorded by the moment of the
scan; each rule is evaluated **as known when the fact that triggers it was recorded**, never with
hindsight: the household's situation is taken from :func:`domain.situation.fold` over the facts
recorded up to that fact (``known_at = fact.timestamp``), on the fact's own date
(``as_of = fact.effective_on``). Because a household's facts have strictly increasing
``recorded_at``, "the facts recorded by fact *v*" is the prefix ``facts[:v]``.

Rules (code, severity):

* ``reserved_programme_ineligible`` (major): support from a programme reserved for poor or
  near-poor households (``data/programmes.json``) delivered on a date when the household was
  neither (nor, where the programme allows it, newly exited);
* ``recognition_contradicts_assessment`` (major): a commune decision whose status differs from
  the classification of the latest assessment before it (the fold's ``contradicts_assessment``);
* ``re_poverty_within_24_months`` (minor): a re-poor decision at most 24 calendar months after an
  exit from poverty;
* ``poor_without_sponsor`` (minor): a poor household with no active sponsor for more than 90 days;
* ``exit_registration_without_support`` (minor): a household registered to exit that received no
  support in the following 12 months (while still registered);
* ``double_funding`` (major): the same support (category, programme, amount) recorded from two
  providers within 30 days;
* ``late_entry`` (minor; major beyond 365 days): a fact recorded more than 90 days after it took
  effect;
* ``self_retraction`` (minor): a retraction by the user who recorded the retracted fact;
* ``assessor_is_sponsor`` (critical): an assessment whose assessor or recording user is the
  household's active sponsor (conflict of interest).

Two rules are about something that did *not* happen within a window, so no single fact triggers
them. ``poor_without_sponsor`` is judged at every fact that can end a gap (a sponsorship
starting, a decision out of poverty, a closure, a retraction), as known when that fact was
recorded, and at the scan itself for a gap still open; days are counted from the campaign's
start (9 November 2017, notice 393/PĐ-UBND), when sponsorship of every poor household began.
``exit_registration_without_support`` is judged as known 90 days after the window closed
(entries recorded within 90 days of taking effect are on time; a support entered later is
itself a late entry and does not clear it).

A trigger fact later voided by a retraction still yields its anomaly (that is what the record
said then), with ``corrected_by`` naming the retraction, and ``open`` false.

Cost. The status timeline depends only on the registration, the decisions, the closures and the
retractions, so it is folded from those alone (:func:`domain.situation.timeline`), once per
such fact; and because a decision or closure recorded later but dated after a day changes
nothing on or before that day, a later timeline answers for earlier facts as long as only such
facts follow (:meth:`_History.timeline_for`; a property test checks it against the fold).
Whether a decision contradicts the assessment is folded only when it can (the decision is the
one in force on its date and the latest assessment, or a retraction, leaves it possible).
"""

from __future__ import annotations

import calendar
import json
import math
import random
import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from importlib import resources
from typing import Any, Final

from domain.events import (
    Assessed,
    Closed,
    ExitRegistered,
    Recognised,
    Registered,
    Retracted,
    SponsorshipEnded,
    SponsorshipStarted,
    SupportDelivered,
    fact_type,
)
from domain.situation import Situation, StatusPeriod, fold
from domain.situation import timeline as fold_timeline
from domain.vocabulary import FINDING_SEVERITIES, STATUSES

# -- rules -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """One anomaly rule: its code, default severity and what it means."""

    code: str
    severity: str
    title: str
    description: str

    def to_dict(self) -> dict[str, str]:
        """JSON-ready form."""
        return {
            "code": self.code,
            "severity": self.severity,
            "title": self.title,
            "description": self.description,
        }


RULES: Final[dict[str, Rule]] = {
    r.code: r
    for r in (
        Rule(
            "reserved_programme_ineligible",
            "major",
            "Support from a reserved programme to an ineligible household",
            "Support from a programme reserved for poor or near-poor households (programme rules "
            "are data) delivered on a date when the household was neither, as known when the "
            "support was recorded.",
        ),
        Rule(
            "recognition_contradicts_assessment",
            "major",
            "Decision contradicts the assessment",
            "A commune decision whose status differs from the classification of the latest "
            "assessment dated on or before it, as known when the decision was recorded.",
        ),
        Rule(
            "re_poverty_within_24_months",
            "minor",
            "Re-poverty within 24 months of an exit",
            "A household recognised poor again at most 24 calendar months after a decision that "
            "took it out of poverty.",
        ),
        Rule(
            "poor_without_sponsor",
            "minor",
            "Poor household without a sponsor for more than 90 days",
            "A household recognised poor had no active sponsorship for more than 90 consecutive "
            "days.",
        ),
        Rule(
            "exit_registration_without_support",
            "minor",
            "Registered to exit, no support within 12 months",
            "A household registered to exit poverty received no support in the 12 months that "
            "followed, while it stayed registered (not exited, not closed).",
        ),
        Rule(
            "double_funding",
            "major",
            "Same support from two providers within 30 days",
            "Two supports with the same category, programme and amount, from two different "
            "providers, dated at most 30 days apart.",
        ),
        Rule(
            "late_entry",
            "minor",
            "Fact recorded more than 90 days after it took effect",
            "A fact whose recording date is more than 90 days after its effective date (major "
            "beyond 365 days).",
        ),
        Rule(
            "self_retraction",
            "minor",
            "Retraction by the user who recorded the fact",
            "A fact voided by a retraction recorded by the same user who recorded the fact.",
        ),
        Rule(
            "assessor_is_sponsor",
            "critical",
            "Assessment by the household's sponsor",
            "An assessment whose assessor or recording user is the household's active sponsor on "
            "the assessment date (conflict of interest).",
        ),
    )
}
"""Every rule, by code."""

RULE_CODES: Final = tuple(RULES)

SEVERITY_RANK: Final = {s: i for i, s in enumerate(FINDING_SEVERITIES)}
"""info < minor < major < critical (the finding severities of CONTRACT §5)."""

SEVERITY_POINTS: Final = {"info": 0.0, "minor": 1.0, "major": 3.0, "critical": 5.0}
"""How much an open anomaly adds to a household's inspection weight."""


@dataclass(frozen=True)
class Limits:
    """The numbers of the rules (days and months), in one place."""

    late_entry_days: int = 90
    late_entry_major_days: int = 365
    sponsor_gap_days: int = 90
    re_poverty_months: int = 24
    exit_support_months: int = 12
    double_funding_days: int = 30
    on_time_days: int = 90
    """Entries recorded within this many days of taking effect are on time (window rules)."""
    sponsorship_from: date = date(2017, 11, 9)
    """Sponsorship of every poor household was asked for by the campaign (notice 393/PĐ-UBND of
    9 November 2017); days without a sponsor are counted from then on."""


LIMITS: Final = Limits()

# -- small helpers -----------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """The same day ``months`` calendar months later (clamped to the month's last day)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def months_between(start: date, end: date) -> float:
    """Elapsed months from ``start`` to ``end`` (days ÷ 30.4375; negative if ``end`` is earlier)."""
    return (end - start).days / 30.4375


def local_date(moment: datetime, zone: tzinfo) -> date:
    """The civil date of ``moment`` in ``zone``."""
    return moment.astimezone(zone).date()


def end_of_day(day: date, zone: tzinfo) -> datetime:
    """The last microsecond of ``day`` in ``zone`` (an aware datetime)."""
    return datetime.combine(day, time.max, tzinfo=zone)


_NON_WORD = re.compile(r"[^0-9a-z]+")


@lru_cache(maxsize=65536)
def fold_text(text: str | None) -> str:
    """Case, Vietnamese diacritics and punctuation folded away: ``"Nghị quyết 30a"`` →
    ``"nghi quyet 30a"``. Used to match programme names and people's names."""
    if not text:
        return ""
    t = unicodedata.normalize("NFC", text).replace("Đ", "D").replace("đ", "d")
    t = "".join(c for c in unicodedata.normalize("NFD", t) if not unicodedata.combining(c))
    return _NON_WORD.sub(" ", t.casefold()).strip()


def person_keys(name: str | None) -> frozenset[str]:
    """The folded forms under which a person or body is recognised: the whole name and, for
    ``"Nông Văn Tú, Phó Chủ tịch UBND xã"``, the name before the first comma."""
    if not name:
        return frozenset()
    keys = {fold_text(name), fold_text(name.split(",")[0])}
    return frozenset(k for k in keys if k)


def fact_ref(f: Any) -> dict[str, Any]:
    """A short, JSON-ready description of one fact (what an anomaly lists as its evidence)."""
    return {
        "version": f.originator_version,
        "type": fact_type(f),
        "effective_on": f.effective_on.isoformat(),
        "recorded_at": f.timestamp.isoformat(),
        "recorded_by": f.recorded_by,
    }


def _vnd(amount: int) -> str:
    return f"{amount:,} VND"


# -- programme rules (data) --------------------------------------------------------------------


class ProgrammeDataError(ValueError):
    """``programmes.json`` is malformed."""


@dataclass(frozen=True)
class FieldMatch:
    """How one support field must read: a whole value, or a whole-word phrase inside it."""

    equals: frozenset[str]
    contains: tuple[str, ...]

    def matches(self, value: str | None) -> bool:
        """Whether the (folded) value matches."""
        folded = fold_text(value)
        if not folded:
            return False
        if folded in self.equals:
            return True
        padded = f" {folded} "
        return any(f" {phrase} " in padded for phrase in self.contains)


@dataclass(frozen=True)
class ProgrammeRule:
    """A programme reserved to some statuses (and possibly to households newly out of them)."""

    code: str
    name: str
    match: Mapping[str, FieldMatch]
    eligible_statuses: frozenset[str]
    newly_exited_months: int | None
    newly_exited_from: frozenset[str]
    valid_from: date | None
    valid_to: date | None
    basis: str
    verified: bool
    note: str

    def in_force(self, on: date) -> bool:
        """Whether the rule applies to support delivered on ``on``."""
        return (self.valid_from is None or on >= self.valid_from) and (
            self.valid_to is None or on <= self.valid_to
        )

    def matches_fields(self, support: Any) -> bool:
        """Whether a support fact's fields match (whatever its date)."""
        return all(m.matches(getattr(support, name, None)) for name, m in self.match.items())

    def matches(self, support: Any) -> bool:
        """Whether a support fact falls under this programme rule (on its date)."""
        return self.in_force(support.effective_on) and self.matches_fields(support)

    def admits(self, status: str, exits: Sequence[tuple[date, str]], on: date) -> bool:
        """Whether a household with ``status`` on ``on`` (and these earlier exits: date and the
        status it left) may receive the programme's support."""
        if status in self.eligible_statuses:
            return True
        if self.newly_exited_months is None:
            return False
        return any(
            left in self.newly_exited_from
            and exited <= on <= add_months(exited, self.newly_exited_months)
            for exited, left in exits
        )

    def describe(self) -> str:
        """``30a (reserved to poor, near_poor; unverified)``."""
        reserved = ", ".join(sorted(self.eligible_statuses))
        extra = (
            f", or exited from {', '.join(sorted(self.newly_exited_from))} within "
            f"{self.newly_exited_months} months"
            if self.newly_exited_months
            else ""
        )
        return (
            f"{self.code} (reserved to {reserved}{extra}"
            + ("" if self.verified else "; rule unverified")
            + ")"
        )


@dataclass(frozen=True)
class ProgrammeCatalogue:
    """The programme rules of ``programmes.json``."""

    data_version: str
    rules: tuple[ProgrammeRule, ...]
    _cache: dict[tuple[Any, ...], tuple[ProgrammeRule, ...]] = field(
        default_factory=dict, compare=False, hash=False, repr=False
    )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ProgrammeCatalogue:
        """Parse and check the JSON document."""
        try:
            rules = tuple(_parse_programme(p) for p in data["programmes"])
            version = str(data["data_version"])
        except (KeyError, TypeError, ValueError) as e:
            raise ProgrammeDataError(f"programmes.json: {e}") from None
        codes = [r.code for r in rules]
        if len(set(codes)) != len(codes):
            raise ProgrammeDataError("programmes.json: programme codes must be unique")
        return cls(version, rules)

    def matching(self, support: Any) -> list[ProgrammeRule]:
        """The rules a support fact falls under."""
        key = tuple(getattr(support, name, None) for name in _MATCHED_FIELDS)
        by_fields = self._cache.get(key)
        if by_fields is None:
            by_fields = tuple(r for r in self.rules if r.matches_fields(support))
            self._cache[key] = by_fields
        return [r for r in by_fields if r.in_force(support.effective_on)]


_MATCHED_FIELDS: Final = ("programme", "funding_source", "provider", "category")


def _parse_programme(raw: Mapping[str, Any]) -> ProgrammeRule:
    match: dict[str, FieldMatch] = {}
    for name, spec in raw["match"].items():
        if name not in _MATCHED_FIELDS:
            raise ValueError(f"{raw['code']}: cannot match on {name!r}")
        match[name] = FieldMatch(
            frozenset(fold_text(v) for v in spec.get("equals", ())),
            tuple(fold_text(v) for v in spec.get("contains", ())),
        )
    if not match:
        raise ValueError(f"{raw['code']}: 'match' names no field")
    statuses = frozenset(raw["eligible_statuses"])
    if not statuses <= set(STATUSES):
        raise ValueError(f"{raw['code']}: unknown status in eligible_statuses")
    newly = raw.get("newly_exited")
    return ProgrammeRule(
        code=str(raw["code"]),
        name=str(raw["name"]),
        match=match,
        eligible_statuses=statuses,
        newly_exited_months=int(newly["months"]) if newly else None,
        newly_exited_from=frozenset(newly["from"]) if newly else frozenset(),
        valid_from=date.fromisoformat(raw["valid_from"]) if raw.get("valid_from") else None,
        valid_to=date.fromisoformat(raw["valid_to"]) if raw.get("valid_to") else None,
        basis=str(raw.get("basis", "")),
        verified=bool(raw.get("verified", False)),
        note=str(raw.get("note", "")),
    )


@lru_cache(maxsize=1)
def load_programmes() -> ProgrammeCatalogue:
    """The packaged programme rules (``domain/data/programmes.json``); read once."""
    text = resources.files("domain").joinpath("data/programmes.json").read_text(encoding="utf-8")
    return ProgrammeCatalogue.from_dict(json.loads(text))


# -- anomalies ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Anomaly:
    """One explained anomaly: the rule, the household, the facts that trigger it, and why."""

    rule: str
    severity: str
    household_id: str
    code: str | None
    on: date
    versions: tuple[int, ...]
    facts: tuple[dict[str, Any], ...]
    explanation: str
    evaluated_as_known_at: datetime
    details: dict[str, Any] = field(default_factory=dict)
    corrected_by: tuple[int, ...] = ()

    @property
    def open(self) -> bool:
        """Whether no retraction has voided any of its facts since."""
        return not self.corrected_by

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (the API's and the CLI's ``--json``)."""
        return {
            "rule": self.rule,
            "title": RULES[self.rule].title,
            "severity": self.severity,
            "household_id": self.household_id,
            "code": self.code,
            "on": self.on.isoformat(),
            "versions": list(self.versions),
            "facts": [dict(f) for f in self.facts],
            "explanation": self.explanation,
            "evaluated_as_known_at": self.evaluated_as_known_at.isoformat(),
            "details": dict(self.details),
            "corrected_by": list(self.corrected_by),
            "open": self.open,
        }


class _History:
    """One household's facts with the folds the rules need, each computed once.

    Folds are asked of the facts a rule reads: the status timeline is a function of the
    registration, the decisions, the closures and the retractions alone, so it is folded over
    those (once per decision, closure or retraction, and shared by the facts recorded after it);
    whether a decision contradicts the assessment also reads the assessments.
    """

    def __init__(self, household_id: str, facts: Sequence[Any], zone: tzinfo) -> None:
        self.household_id = household_id
        self.zone = zone
        self.facts = list(facts)
        self.code: str | None = getattr(self.facts[0], "code", None) if self.facts else None
        self._status_facts = [f for f in self.facts if type(f) in _TIMELINE_KINDS]
        self._status_versions = [f.originator_version for f in self._status_facts]
        self._decision_facts = [f for f in self.facts if type(f) in _DECISION_KINDS]
        self._decision_versions = [f.originator_version for f in self._decision_facts]
        self._timelines: dict[int, tuple[StatusPeriod, ...]] = {}
        self._retracted_by: dict[int, int] = {}  # retracted version -> retraction version
        for f in self.facts:
            if type(f) is Retracted and f.version not in self._retracted_by:
                self._retracted_by[f.version] = f.originator_version
        self.retractions = sorted(self._retracted_by.values())
        self._status_latest: list[date] = []
        for f in self._status_facts:
            latest = self._status_latest[-1] if self._status_latest else f.effective_on
            self._status_latest.append(max(latest, f.effective_on))
        # The earliest effective date among status facts from index j on (a retraction counts as
        # the earliest possible date): when it lies after a day, everything from j on is shared.
        self._suffix_earliest: list[date] = [date.max] * (len(self._status_facts) + 1)
        for j in range(len(self._status_facts) - 1, -1, -1):
            f = self._status_facts[j]
            own = date.min if type(f) is Retracted else f.effective_on
            self._suffix_earliest[j] = min(own, self._suffix_earliest[j + 1])
        self.assessments = [f for f in self.facts if type(f) is Assessed]
        self._horizons: dict[int, date] = {}
        self._pairs: dict[tuple[int, int], list[tuple[StatusPeriod, StatusPeriod]]] = {}

    def fact(self, version: int) -> Any:
        """The fact with that version."""
        return self.facts[version - 1]

    def decision_fold(self, version: int, as_of: date) -> Situation:
        """The fold on ``as_of`` of the registration, decisions, closures, retractions and
        assessments recorded by fact ``version`` (``known_at`` = its ``recorded_at``)."""
        upto = self._decision_facts[: bisect_right(self._decision_versions, version)]
        return fold(self.household_id, upto, as_of, self.fact(version).timestamp)

    def prefix_at(self, moment: datetime) -> int:
        """How many facts had been recorded by ``moment``."""
        return bisect_right(self.facts, moment, key=lambda f: f.timestamp)

    def timeline_known_by(self, version: int) -> tuple[StatusPeriod, ...]:
        """The fold's status timeline as known when fact ``version`` was recorded."""
        i = bisect_right(self._status_versions, version)
        epoch = self._status_versions[i - 1]
        cached = self._timelines.get(epoch)
        if cached is None:
            cached = fold_timeline(self._status_facts[:i], self.fact(epoch).timestamp)
            self._timelines[epoch] = cached
        return cached

    def timeline_for(
        self, version: int, day: date, *, cut: bool = True
    ) -> tuple[StatusPeriod, ...]:
        """The fold's timeline as known when fact ``version`` was recorded, as far as it
        concerns ``day`` and before (:func:`truncate`d there; with ``cut`` false, later periods
        may follow, for callers that look no further than ``day``).

        A decision or closure recorded later that takes effect after ``day`` changes nothing in
        the timeline on or before ``day`` (periods, statuses and transitions are built in
        effective-date order), so while only such facts follow, a later timeline serves, and
        one fold answers for many facts. A later retraction, or a later fact dated on or
        before ``day``, stops the sharing.
        """
        i = bisect_right(self._status_versions, version)
        n = len(self._status_facts)
        if self._suffix_earliest[i] > day:
            j = n  # every later status fact takes effect after the day: the latest serves
        else:
            j = i
            while j < n:
                f = self._status_facts[j]
                if type(f) is Retracted or f.effective_on <= day:
                    break
                j += 1
        timeline = self.timeline_known_by(self._status_versions[j - 1])
        return truncate(timeline, day) if cut else timeline

    def repoverty_pairs(
        self, timeline: tuple[StatusPeriod, ...], months: int
    ) -> list[tuple[StatusPeriod, StatusPeriod]]:
        """:func:`_repoverty_pairs` of a timeline, once per timeline."""
        key = (id(timeline), months)
        found = self._pairs.get(key)
        if found is None:
            found = _repoverty_pairs(timeline, months)
            self._pairs[key] = found
        return found

    def horizon(self, version: int) -> date:
        """The last civil date the record could speak of when fact ``version`` was recorded: its
        recording date (no fact takes effect in the future), or a later effective date if a
        decision says so."""
        found = self._horizons.get(version)
        if found is None:
            moment = local_date(self.fact(version).timestamp, self.zone)
            i = bisect_right(self._status_versions, version)
            found = max(moment, self._status_latest[i - 1]) if i else moment
            self._horizons[version] = found
        return found

    def retracted_before(self, version: int) -> bool:
        """Whether any retraction was recorded by fact ``version``."""
        return bool(self.retractions) and self.retractions[0] <= version

    def live_known_by(self, version: int) -> list[Any]:
        """The facts recorded by fact ``version`` that no retraction recorded by then voided."""
        if not self.retracted_before(version):
            return self.facts[:version]
        voided = {t for t, rv in self._retracted_by.items() if rv <= version}
        return [
            f
            for f in self.facts[:version]
            if type(f) is not Retracted and f.originator_version not in voided
        ]

    def corrected(self, versions: Iterable[int]) -> tuple[int, ...]:
        """Retractions (in the facts given) that voided any of these versions."""
        return tuple(sorted({self._retracted_by[v] for v in versions if v in self._retracted_by}))

    def anomaly(
        self,
        rule: str,
        on: date,
        versions: Iterable[int],
        explanation: str,
        known_by: int | datetime,
        *,
        severity: str | None = None,
        details: dict[str, Any] | None = None,
        correctable: bool = True,
    ) -> Anomaly:
        """An anomaly of this household, with its facts described."""
        vs = tuple(sorted(set(versions)))
        moment = known_by if isinstance(known_by, datetime) else self.fact(known_by).timestamp
        return Anomaly(
            rule=rule,
            severity=severity or RULES[rule].severity,
            household_id=self.household_id,
            code=self.code,
            on=on,
            versions=vs,
            facts=tuple(fact_ref(self.fact(v)) for v in vs),
            explanation=explanation,
            evaluated_as_known_at=moment,
            details=details or {},
            corrected_by=self.corrected(vs) if correctable else (),
        )


_TIMELINE_KINDS: Final = (Registered, Recognised, Closed, Retracted)
_DECISION_KINDS: Final = (Registered, Recognised, Closed, Retracted, Assessed)


def truncate(timeline: Sequence[StatusPeriod], day: date) -> tuple[StatusPeriod, ...]:
    """The timeline as far as it concerns ``day`` and before: later periods dropped, and the
    period in force on ``day`` left open."""
    out = []
    for p in timeline:
        if p.valid_from > day:
            break
        if p.valid_to is not None and p.valid_to > day:
            p = StatusPeriod(
                p.status,
                p.valid_from,
                None,
                p.recognised,
                p.standard,
                p.transition,
                p.decision,
                p.list_year,
                p.version,
            )
        out.append(p)
    return tuple(out)


def status_on(timeline: Sequence[StatusPeriod], day: date) -> StatusPeriod | None:
    """The period in force on ``day`` (as the fold picks it), or None before any decision."""
    return next((p for p in reversed(timeline) if p.valid_from <= day), None)


def exits_before(timeline: Sequence[StatusPeriod], day: date) -> list[tuple[date, str]]:
    """Exits that took effect on or before ``day``: (date, the status left)."""
    found = []
    for p in timeline:
        if p.valid_from > day:
            break
        if p.transition == "exited_poverty":
            found.append((p.valid_from, "poor"))
        elif p.transition == "exited_near_poverty":
            found.append((p.valid_from, "near_poor"))
    return found


def household_anomalies(
    household_id: str,
    facts: Sequence[Any],
    *,
    as_of: date,
    known_at: datetime,
    zone: tzinfo,
    programmes: ProgrammeCatalogue | None = None,
    kinds: Iterable[str] | None = None,
    limits: Limits = LIMITS,
) -> list[Anomaly]:
    """Every anomaly of one household on or before ``as_of``, from the facts recorded by
    ``known_at`` (facts in version order; later ones are ignored)."""
    known = [f for f in facts if f.timestamp <= known_at]
    if not known:
        return []
    wanted = set(RULE_CODES if kinds is None else kinds)
    unknown = wanted - set(RULE_CODES)
    if unknown:
        raise ValueError(f"unknown anomaly rule(s): {', '.join(sorted(unknown))}")
    h = _History(household_id, known, zone)
    found: list[Anomaly] = []
    if wanted & {"recognition_contradicts_assessment", "re_poverty_within_24_months"}:
        found += _decisions(h, as_of, wanted, limits)  # first: its folds seed the timelines
    if "reserved_programme_ineligible" in wanted:
        found += _reserved_programmes(h, as_of, programmes or load_programmes())
    if "poor_without_sponsor" in wanted:
        found += _sponsor_gaps(h, as_of, known_at, limits)
    if "exit_registration_without_support" in wanted:
        found += _exit_without_support(h, as_of, known_at, zone, limits)
    if "double_funding" in wanted:
        found += _double_funding(h, as_of, limits)
    if "late_entry" in wanted:
        found += _late_entries(h, as_of, zone, limits)
    if "self_retraction" in wanted:
        found += _self_retractions(h, as_of)
    if "assessor_is_sponsor" in wanted:
        found += _assessor_is_sponsor(h, as_of)
    found.sort(key=lambda a: (a.on, a.versions, a.rule))
    return found


# Rule 1 ---------------------------------------------------------------------------------------


def _reserved_programmes(h: _History, as_of: date, programmes: ProgrammeCatalogue) -> list[Anomaly]:
    out = []
    for s in h.facts:
        if type(s) is not SupportDelivered or s.effective_on > as_of:
            continue
        rules = programmes.matching(s)
        if not rules:
            continue
        v = s.originator_version
        timeline = h.timeline_for(v, s.effective_on, cut=False)
        period = status_on(timeline, s.effective_on)
        status = period.status if period is not None else "not_poor"
        if any(status in r.eligible_statuses for r in rules):
            continue
        exits = exits_before(timeline, s.effective_on)
        if any(r.admits(status, exits, s.effective_on) for r in rules):
            continue
        versions = [v]
        decided = ""
        if period is not None and period.version is not None:
            versions.append(period.version)
            decided = (
                f" by decision {period.decision['number'] if period.decision else '?'} of "
                f"{period.valid_from.isoformat()} (v{period.version})"
            )
        elif period is None or not period.recognised:
            decided = " (never recognised poor or near-poor by then)"
        last_exit = f"; last exit {exits[-1][0].isoformat()}" if exits else ""
        out.append(
            h.anomaly(
                "reserved_programme_ineligible",
                s.effective_on,
                versions,
                f"support v{v} ({s.category}, programme {s.programme!r}, funding "
                f"{s.funding_source!r}, {_vnd(s.amount_vnd)}, provider {s.provider!r}) took "
                f"effect on {s.effective_on.isoformat()}, when the household was {status}"
                f"{decided}{last_exit}; "
                + (
                    f"the programme rules {', '.join(r.describe() for r in rules)} admit"
                    if len(rules) > 1
                    else f"the programme rule {rules[0].describe()} admits"
                )
                + " no such household",
                v,
                details={
                    "status": status,
                    "programme_rules": [r.code for r in rules],
                    "unverified_rule": any(not r.verified for r in rules),
                    "amount_vnd": s.amount_vnd,
                    "last_exit": exits[-1][0].isoformat() if exits else None,
                },
            )
        )
    return out


# Rules 2 and 3 --------------------------------------------------------------------------------


def _decisions(h: _History, as_of: date, wanted: set[str], limits: Limits) -> list[Anomaly]:
    out: list[Anomaly] = []
    seen_pairs: set[tuple[int, int]] = set()
    for r in h.facts:
        if type(r) is not Recognised or r.effective_on > as_of:
            continue
        v = r.originator_version
        day = h.horizon(v)
        timeline = h.timeline_for(v, day, cut=False)
        if "recognition_contradicts_assessment" in wanted and _may_contradict(h, r, timeline):
            s = h.decision_fold(v, r.effective_on)
            own = s.decision is not None and s.decision.get("version") == v
            c = s.classification
        else:
            own, c = False, None
        if own and c is not None and s.contradicts_assessment:
            out.append(
                h.anomaly(
                    "recognition_contradicts_assessment",
                    r.effective_on,
                    [c["version"], v],
                    f"decision {r.decision_number} (v{v}) of {r.effective_on.isoformat()} "
                    f"recognised the household {r.status}, but the latest assessment before it "
                    f"(v{c['version']}, {c['assessed_on']}, standard {c.get('standard')}) classified it "
                    f"{c['status']} by route {c['route']} (income "
                    f"{_vnd(c['income_per_capita'])}, {c['deprivation_count']} deprivation(s))",
                    v,
                    details={
                        "recognised": r.status,
                        "classified": c["status"],
                        "route": c["route"],
                        "signed_by": r.signed_by,
                    },
                )
            )
        if "re_poverty_within_24_months" in wanted:
            for exit_p, back in h.repoverty_pairs(timeline, limits.re_poverty_months):
                pair = (exit_p.version or 0, back.version or 0)
                if (
                    pair in seen_pairs
                    or v not in pair
                    or back.valid_from > as_of
                    or back.valid_from > day  # not yet known when fact v was recorded
                ):
                    continue
                seen_pairs.add(pair)
                months = months_between(exit_p.valid_from, back.valid_from)
                out.append(
                    h.anomaly(
                        "re_poverty_within_24_months",
                        back.valid_from,
                        pair,
                        f"exited poverty by decision "
                        f"{exit_p.decision['number'] if exit_p.decision else '?'} "
                        f"(v{exit_p.version}) of {exit_p.valid_from.isoformat()}, recognised poor "
                        f"again by decision {back.decision['number'] if back.decision else '?'} "
                        f"(v{back.version}) of {back.valid_from.isoformat()}: "
                        f"{months:.1f} months later (limit {limits.re_poverty_months})",
                        v,
                        details={
                            "exited_on": exit_p.valid_from.isoformat(),
                            "re_poor_on": back.valid_from.isoformat(),
                            "months": round(months, 1),
                        },
                    )
                )
    return out


def _may_contradict(h: _History, r: Any, timeline: Sequence[StatusPeriod]) -> bool:
    """False only when the decision surely does not contradict the assessment as known then: it
    is not the decision in force on its date, or (no retraction recorded yet, so every assessment
    counts) the latest assessment dated on or before it agrees with it. The fold decides the rest.
    """
    v = r.originator_version
    period = status_on(timeline, r.effective_on)
    if period is None or period.version != v:
        return False
    if h.retracted_before(v):
        return True
    latest = None
    for f in h.assessments:
        if f.originator_version > v:
            break
        if f.effective_on <= r.effective_on and (
            latest is None or f.effective_on >= latest.effective_on
        ):
            latest = f
    return latest is not None and latest.classification["status"] != r.status


def _repoverty_pairs(
    timeline: Sequence[StatusPeriod], months: int
) -> list[tuple[StatusPeriod, StatusPeriod]]:
    pairs = []
    last_exit: StatusPeriod | None = None
    for p in timeline:
        if p.transition == "exited_poverty":
            last_exit = p
        elif p.transition == "re_poor" and last_exit is not None:
            if p.valid_from <= add_months(last_exit.valid_from, months):
                pairs.append((last_exit, p))
            last_exit = None
    return pairs


# Rule 4 ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Gap:
    """Days in valid time when the household was poor and had no active sponsor."""

    start: date
    end: date | None  # first day covered again (exclusive); None = still open
    opened_by: int | None
    closed_by: int | None

    def clipped(self, first: date) -> Gap | None:
        """The part of the gap from ``first`` on (None if it ended before)."""
        if self.start >= first:
            return self
        if self.end is not None and self.end <= first:
            return None
        return Gap(first, self.end, self.opened_by, self.closed_by)

    def days(self, until: date) -> int:
        """Days without a sponsor, the last one counted being ``until`` for an open gap."""
        last = until if self.end is None or self.end > until else self.end - timedelta(days=1)
        return (last - self.start).days + 1


def sponsor_gaps(timeline: Sequence[StatusPeriod], live: Sequence[Any]) -> list[Gap]:
    """Stretches when the fold's timeline says poor and no live sponsorship is active."""
    poor: list[list[Any]] = []  # [start, end, opening version, closing version]
    for p in timeline:
        if p.status == "poor":
            if poor and poor[-1][1] == p.valid_from:
                poor[-1][1] = p.valid_to
            else:
                poor.append([p.valid_from, p.valid_to, p.version, None])
        elif poor and poor[-1][1] == p.valid_from and poor[-1][3] is None:
            poor[-1][3] = p.version
    closures = [f.originator_version for f in live if type(f) is Closed]
    starts = {f.sponsorship_id: f for f in live if type(f) is SponsorshipStarted}
    ends = {f.sponsorship_id: f for f in live if type(f) is SponsorshipEnded}
    covered = sorted(
        (
            (s.effective_on, ends[k].effective_on if k in ends else None, s, ends.get(k))
            for k, s in starts.items()
            if k not in ends or ends[k].effective_on > s.effective_on
        ),
        key=lambda c: (c[0], c[2].originator_version),
    )
    gaps: list[Gap] = []
    for start, end, opened, closed in poor:
        if end is not None and closed is None and closures:
            closed = closures[-1]
        cursor, cursor_by = start, opened
        for c_start, c_end, c_fact, c_end_fact in covered:
            if end is not None and c_start >= end:
                break
            if c_end is not None and c_end <= cursor:
                continue
            if c_start > cursor:
                gaps.append(Gap(cursor, c_start, cursor_by, c_fact.originator_version))
            if c_end is None:
                cursor = None
                break
            if c_end > cursor:
                cursor = c_end
                cursor_by = c_end_fact.originator_version if c_end_fact is not None else None
        if cursor is not None and (end is None or cursor < end):
            gaps.append(Gap(cursor, end, cursor_by, closed if end is not None else None))
    return gaps


def _sponsor_gaps(h: _History, as_of: date, known_at: datetime, limits: Limits) -> list[Anomaly]:
    if not any(type(f) is Recognised and f.status == "poor" for f in h.facts):
        return []
    # Gaps are judged when something can close them (a sponsorship starting, a decision out of
    # poverty, a closure, a retraction), as known then, and at the scan for gaps still open.
    checkpoints = [
        f.originator_version
        for f in h.facts
        if type(f) in (SponsorshipStarted, Closed, Retracted)
        or (type(f) is Recognised and f.status != "poor")
    ]
    scan = len(h.facts)
    checkpoints.append(scan)
    out: list[Anomaly] = []
    reported: set[date] = set()
    for i, v in enumerate(checkpoints):
        at_scan = i == len(checkpoints) - 1
        day = as_of if at_scan else min(h.horizon(v), as_of)
        timeline = h.timeline_for(v, day)
        live = h.live_known_by(v)
        for found in sponsor_gaps(timeline, live):
            gap = found.clipped(limits.sponsorship_from)
            if gap is None or gap.start > day or gap.start in reported:
                continue
            still_open = gap.end is None or gap.end > day
            if still_open and not at_scan:
                continue  # an open gap is judged when it closes, or at the scan
            days = gap.days(day)
            if days <= limits.sponsor_gap_days:
                continue
            reported.add(gap.start)
            versions = [x for x in (gap.opened_by, gap.closed_by) if x is not None]
            if still_open:
                moment: int | datetime = known_at
                until = None
                span = f"from {gap.start.isoformat()} to {as_of.isoformat()} and still none"
            else:
                moment = v
                assert gap.end is not None
                until = gap.end - timedelta(days=1)
                span = f"from {gap.start.isoformat()} until {until.isoformat()}"
                if gap.closed_by is not None:
                    span += f" (then {fact_type(h.fact(gap.closed_by))} v{gap.closed_by})"
                if at_scan:
                    moment = known_at
            if gap is not found:
                span += (
                    f"; counted from {limits.sponsorship_from.isoformat()}, the campaign's start"
                )
            out.append(
                h.anomaly(
                    "poor_without_sponsor",
                    gap.start,
                    versions or [1],
                    f"poor with no active sponsor {span}: {days} days "
                    f"(limit {limits.sponsor_gap_days})",
                    moment,
                    details={
                        "from": gap.start.isoformat(),
                        "until": until.isoformat() if until else None,
                        "days": days,
                        "open": still_open,
                    },
                )
            )
    return out


# Rule 5 ---------------------------------------------------------------------------------------


def _exit_without_support(
    h: _History, as_of: date, known_at: datetime, zone: tzinfo, limits: Limits
) -> list[Anomaly]:
    out = []
    for e in h.facts:
        if type(e) is not ExitRegistered:
            continue
        deadline = add_months(e.effective_on, limits.exit_support_months)
        if deadline >= as_of:
            continue  # the 12 months are not over on as_of
        moment = max(
            e.timestamp,
            min(
                known_at,
                end_of_day(deadline + timedelta(days=limits.on_time_days), zone).astimezone(UTC),
            ),
        )
        p = h.prefix_at(moment)
        live = h.live_known_by(p)
        if not any(f is e for f in live):
            continue  # retracted by then
        window = (e.effective_on, deadline)
        if any(
            type(f) is SupportDelivered and window[0] <= f.effective_on <= window[1] for f in live
        ):
            continue
        if any(type(f) is Closed and f.effective_on <= deadline for f in live):
            continue
        timeline = h.timeline_for(p, deadline)
        if any(
            t.transition == "exited_poverty" and window[0] <= t.valid_from <= window[1]
            for t in timeline
        ):
            continue  # it exited within the window: the registration was fulfilled
        v = e.originator_version
        out.append(
            h.anomaly(
                "exit_registration_without_support",
                deadline,
                [v],
                f"registered to exit poverty on {e.effective_on.isoformat()} (v{v}, target "
                f"{e.target_year}); no support took effect from then to {deadline.isoformat()} "
                f"({limits.exit_support_months} months) and the household was neither exited "
                f"nor closed by then, as recorded by {moment.isoformat()}",
                moment,
                details={
                    "registered_on": e.effective_on.isoformat(),
                    "window_until": deadline.isoformat(),
                    "target_year": e.target_year,
                },
            )
        )
    return out


# Rule 6 ---------------------------------------------------------------------------------------


def _double_funding(h: _History, as_of: date, limits: Limits) -> list[Anomaly]:
    groups: dict[tuple[str, str, int], list[Any]] = {}
    for s in h.facts:
        if type(s) is SupportDelivered and s.effective_on <= as_of:
            groups.setdefault((s.category, fold_text(s.programme), s.amount_vnd), []).append(s)
    out = []
    for same in groups.values():
        if len(same) < 2:
            continue
        for j, later in enumerate(same):
            live = None
            for earlier in same[:j]:
                if fold_text(earlier.provider) == fold_text(later.provider):
                    continue
                apart = abs((later.effective_on - earlier.effective_on).days)
                if apart > limits.double_funding_days:
                    continue
                if live is None:
                    live = {f.originator_version for f in h.live_known_by(later.originator_version)}
                if earlier.originator_version not in live:
                    continue  # already retracted when the second was recorded
                a, b = earlier.originator_version, later.originator_version
                out.append(
                    h.anomaly(
                        "double_funding",
                        max(earlier.effective_on, later.effective_on),
                        [a, b],
                        f"the same support ({later.category}, programme {later.programme!r}, "
                        f"{_vnd(later.amount_vnd)}) was recorded from {earlier.provider!r} "
                        f"(v{a}, {earlier.effective_on.isoformat()}) and from "
                        f"{later.provider!r} (v{b}, {later.effective_on.isoformat()}), "
                        f"{apart} days apart (limit {limits.double_funding_days})",
                        b,
                        details={
                            "days_apart": apart,
                            "providers": [earlier.provider, later.provider],
                            "amount_vnd": later.amount_vnd,
                        },
                    )
                )
    return out


# Rule 7 ---------------------------------------------------------------------------------------


def _late_entries(h: _History, as_of: date, zone: tzinfo, limits: Limits) -> list[Anomaly]:
    out = []
    for f in h.facts:
        if type(f) is Retracted or f.effective_on > as_of:
            continue
        if (f.timestamp.date() - f.effective_on).days < limits.late_entry_days:
            continue  # a local date is at most a day off the UTC one: surely on time
        days = (local_date(f.timestamp, zone) - f.effective_on).days
        if days <= limits.late_entry_days:
            continue
        v = f.originator_version
        out.append(
            h.anomaly(
                "late_entry",
                f.effective_on,
                [v],
                f"{fact_type(f)} v{v} took effect on {f.effective_on.isoformat()} but was "
                f"recorded on {local_date(f.timestamp, zone).isoformat()} by {f.recorded_by}: "
                f"{days} days later (limit {limits.late_entry_days})",
                v,
                severity="major" if days > limits.late_entry_major_days else None,
                details={"days_late": days, "type": fact_type(f)},
            )
        )
    return out


def _self_retractions(h: _History, as_of: date) -> list[Anomaly]:
    out = []
    for r in h.facts:
        if type(r) is not Retracted or r.effective_on > as_of:
            continue
        target = h.fact(r.version)
        if fold_text(target.recorded_by) != fold_text(r.recorded_by):
            continue
        out.append(
            h.anomaly(
                "self_retraction",
                r.effective_on,
                [r.version, r.originator_version],
                f"{fact_type(target)} v{r.version} (recorded "
                f"{target.timestamp.isoformat()} by {target.recorded_by}) was retracted by "
                f"v{r.originator_version} ({r.timestamp.isoformat()}) by the same user; reason: "
                f"{r.reason!r}",
                r.originator_version,
                details={"user": r.recorded_by, "reason": r.reason},
                correctable=False,
            )
        )
    return out


# Rule 8 ---------------------------------------------------------------------------------------


def active_sponsorships(live: Sequence[Any], on: date) -> list[Any]:
    """The live sponsorships active on ``on`` (started on or before, not ended by then)."""
    ended = {f.sponsorship_id for f in live if type(f) is SponsorshipEnded and f.effective_on <= on}
    return [
        f
        for f in live
        if type(f) is SponsorshipStarted and f.effective_on <= on and f.sponsorship_id not in ended
    ]


def _assessor_is_sponsor(h: _History, as_of: date) -> list[Anomaly]:
    sponsors = [f for f in h.facts if type(f) is SponsorshipStarted]
    if not sponsors:
        return []
    names: set[str] = set()
    for s in sponsors:
        names |= person_keys(s.sponsor.get("name"))
    out = []
    for a in h.facts:
        if type(a) is not Assessed or a.effective_on > as_of:
            continue
        who = {"assessor": fold_text(a.assessor), "recorded_by": fold_text(a.recorded_by)}
        if not names & set(who.values()):
            continue  # cheap: no sponsor ever bore either name
        v = a.originator_version
        for s in active_sponsorships(h.live_known_by(v), a.effective_on):
            keys = person_keys(s.sponsor.get("name"))
            roles = [role for role, name in who.items() if name in keys]
            if not roles:
                continue
            out.append(
                h.anomaly(
                    "assessor_is_sponsor",
                    a.effective_on,
                    [s.originator_version, v],
                    f"assessment v{v} of {a.effective_on.isoformat()} was made by "
                    f"{a.assessor!r} and recorded by {a.recorded_by!r}; "
                    f"{' and '.join(roles)} is the household's sponsor "
                    f"{s.sponsor.get('name')!r} (sponsorship v{s.originator_version} since "
                    f"{s.effective_on.isoformat()})",
                    v,
                    details={"sponsor": s.sponsor.get("name"), "as": roles},
                )
            )
    return out


# -- separation of duties ----------------------------------------------------------------------


def duty_conflict(facts: Sequence[Any], inspector: str, today: date) -> str | None:
    """Why ``inspector`` may not inspect this household, or None.

    They may not if they assessed it (an assessment they recorded or made as assessor), recognised
    it (a decision they recorded or signed), or sponsor it (an active sponsorship in their name
    today). Retracted facts count: having done the work is the conflict.
    """
    me = person_keys(inspector)
    if not me:
        return None
    for f in facts:
        kind = type(f)
        if kind is Assessed:
            if fold_text(f.recorded_by) in me or fold_text(f.assessor) in me:
                role = "recorded" if fold_text(f.recorded_by) in me else "made, as assessor,"
                return (
                    f"{inspector} {role} assessment v{f.originator_version} of "
                    f"{f.effective_on.isoformat()} of this household; an inspector may not "
                    "inspect a household they assessed"
                )
        elif kind is Recognised and (
            fold_text(f.recorded_by) in me or fold_text(f.signed_by) in me
        ):
            role = "recorded" if fold_text(f.recorded_by) in me else "signed"
            return (
                f"{inspector} {role} decision {f.decision_number} (v{f.originator_version}) of "
                f"{f.effective_on.isoformat()} recognising this household {f.status}; an "
                "inspector may not inspect a household they recognised"
            )
    if facts:
        voided = {f.version for f in facts if type(f) is Retracted}
        live = [f for f in facts if f.originator_version not in voided]
        for s in active_sponsorships(live, today):
            if me & person_keys(s.sponsor.get("name")):
                return (
                    f"{inspector} is the active sponsor of this household (sponsorship "
                    f"v{s.originator_version} since {s.effective_on.isoformat()}); an inspector "
                    "may not inspect a household they sponsor"
                )
    return None


# -- early warning of re-poverty ---------------------------------------------------------------

SCORE_WEIGHTS: Final[dict[str, float]] = {
    "recent_exit": 20.0,
    "income_margin": 35.0,
    "deprivations_left": 20.0,
    "support_gap": 10.0,
    "no_sponsor": 15.0,
}
"""Points of each component (they add up to 100). Set a priori, not fitted to any data."""

RECENT_EXIT_MONTHS: Final = 36
"""An exit older than this adds no recency points."""
SAFE_MARGIN: Final = 0.5
"""An income this far (50 %) above the poverty line adds no margin points."""
SUPPORT_GAP_MONTHS: Final = 24
"""Months without support after which the support component is at its maximum."""


@dataclass(frozen=True)
class ScoreComponent:
    """One term of the score: the observed value, the points it adds, and why."""

    name: str
    value: float | int | bool | None
    points: float
    max_points: float
    explanation: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "name": self.name,
            "value": self.value,
            "points": round(self.points, 2),
            "max_points": self.max_points,
            "explanation": self.explanation,
        }


@dataclass(frozen=True)
class RiskScore:
    """The re-poverty early-warning score of a household that exited poverty."""

    household_id: str
    code: str | None
    as_of: date
    known_at: datetime | None
    status: str
    exited_on: date
    score: float
    components: tuple[ScoreComponent, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "household_id": self.household_id,
            "code": self.code,
            "as_of": self.as_of.isoformat(),
            "known_at": self.known_at.isoformat() if self.known_at else None,
            "status": self.status,
            "exited_on": self.exited_on.isoformat(),
            "score": round(self.score, 2),
            "components": [c.to_dict() for c in self.components],
        }


def _clamp(x: float) -> float:
    return 0.0 if x < 0 else 1.0 if x > 1 else x


def risk_score(
    household_id: str,
    facts: Sequence[Any],
    as_of: date,
    known_at: datetime | None = None,
    *,
    situation: Situation | None = None,
) -> RiskScore | None:
    """The early-warning score on ``as_of`` as known at ``known_at``, for a household that has
    exited poverty and is not poor (nor closed) then; None for any other household.

    Components (points add up to at most 100):
    ``recent_exit`` — 20 × (1 − months since the last exit ÷ 36), floored at 0;
    ``income_margin`` — 35 × (1 − margin ÷ 0.5) clamped to [0, 1], where margin is the last
    assessment's income above the poverty line it was judged against, relative to that line;
    ``deprivations_left`` — 20 × min(deprivations in the last assessment ÷ the standard's
    threshold, 1); ``support_gap`` — 10 × min(months since the last support ÷ 24, 1) (10 if
    never supported); ``no_sponsor`` — 15 when no sponsorship is active. An unknown value (no
    assessment) scores half its points.
    """
    s = situation or fold(household_id, facts, as_of, known_at)
    if not s.known or s.closed or s.status == "poor" or not s.ever_exited_poverty:
        return None
    exit_period = next(
        (
            p
            for p in reversed(s.timeline)
            if p.transition == "exited_poverty" and p.valid_from <= as_of
        ),
        None,
    )
    if exit_period is None:  # pragma: no cover - ever_exited_poverty says there is one
        return None
    components: list[ScoreComponent] = []
    w = SCORE_WEIGHTS

    months = months_between(exit_period.valid_from, as_of)
    components.append(
        ScoreComponent(
            "recent_exit",
            round(months, 1),
            w["recent_exit"] * max(0.0, 1 - months / RECENT_EXIT_MONTHS),
            w["recent_exit"],
            f"exited poverty on {exit_period.valid_from.isoformat()}, {months:.1f} months "
            f"before {as_of.isoformat()} (no points after {RECENT_EXIT_MONTHS})",
        )
    )

    c = s.classification
    if c is not None and c["thresholds"].get("poverty_line"):
        line = c["thresholds"]["poverty_line"]
        margin = (c["income_per_capita"] - line) / line
        components.append(
            ScoreComponent(
                "income_margin",
                round(margin, 3),
                w["income_margin"] * _clamp(1 - margin / SAFE_MARGIN),
                w["income_margin"],
                f"last assessment ({c['assessed_on']}, {c['standard']}): income "
                f"{_vnd(c['income_per_capita'])} per person per month, {margin:+.0%} against the "
                f"poverty line {_vnd(line)} ({c['area_type']}); no points from "
                f"+{SAFE_MARGIN:.0%}",
            )
        )
        threshold = c["thresholds"].get("deprivation_threshold") or 3
        count = c["deprivation_count"]
        components.append(
            ScoreComponent(
                "deprivations_left",
                count,
                w["deprivations_left"] * min(count / threshold, 1.0),
                w["deprivations_left"],
                f"{count} deprivation(s) in the last assessment"
                + (f" ({', '.join(c['deprivations'])})" if count else "")
                + f"; {threshold} make a household poor under {c['standard']}",
            )
        )
    else:
        for name in ("income_margin", "deprivations_left"):
            components.append(
                ScoreComponent(
                    name, None, w[name] / 2, w[name], "no assessment by then: half the points"
                )
            )

    live = set(s.live_versions)
    supports = [
        f
        for f in facts
        if type(f) is SupportDelivered and f.originator_version in live and f.effective_on <= as_of
    ]
    if supports:
        last = max(f.effective_on for f in supports)
        gap = months_between(last, as_of)
        components.append(
            ScoreComponent(
                "support_gap",
                round(gap, 1),
                w["support_gap"] * min(gap / SUPPORT_GAP_MONTHS, 1.0),
                w["support_gap"],
                f"last support on {last.isoformat()}, {gap:.1f} months before "
                f"(full points from {SUPPORT_GAP_MONTHS})",
            )
        )
    else:
        components.append(
            ScoreComponent(
                "support_gap", None, w["support_gap"], w["support_gap"], "never supported"
            )
        )

    sponsored = s.sponsor is not None
    components.append(
        ScoreComponent(
            "no_sponsor",
            not sponsored,
            0.0 if sponsored else w["no_sponsor"],
            w["no_sponsor"],
            f"sponsored by {s.sponsor['name']!r}" if sponsored and s.sponsor else "no sponsor",
        )
    )
    return RiskScore(
        household_id=household_id,
        code=s.code,
        as_of=as_of,
        known_at=known_at,
        status=s.status,
        exited_on=exit_period.valid_from,
        score=sum(x.points for x in components),
        components=tuple(components),
    )


def fell_back_within(timeline: Sequence[StatusPeriod], after: date, until: date) -> bool:
    """Whether a re-poor decision took effect in (``after``, ``until``]."""
    return any(p.transition == "re_poor" and after < p.valid_from <= until for p in timeline)


def roc_auc(scores: Sequence[float], labels: Sequence[bool]) -> float | None:
    """Area under the ROC curve (Mann-Whitney, ties count half); None without both classes."""
    pairs = sorted(zip(scores, labels, strict=True), key=lambda p: p[0])
    positives = sum(1 for _, y in pairs if y)
    negatives = len(pairs) - positives
    if positives == 0 or negatives == 0:
        return None
    rank_sum = 0.0
    i = 0
    while i < len(pairs):
        j = i
        while j < len(pairs) and pairs[j][0] == pairs[i][0]:
            j += 1
        mid_rank = (i + 1 + j) / 2  # ranks i+1 .. j share their average
        rank_sum += mid_rank * sum(1 for k in range(i, j) if pairs[k][1])
        i = j
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


def precision_at(scores: Sequence[float], labels: Sequence[bool], k: int) -> float | None:
    """Share of true cases among the ``k`` highest scores (stable order); None when k < 1."""
    if k < 1 or not scores:
        return None
    order = sorted(range(len(scores)), key=lambda i: -scores[i])[:k]
    return sum(1 for i in order if labels[i]) / len(order)


# -- plan sampling -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """A household that may be drawn: its stratum (commune) and risk weight (> 0)."""

    household_id: str
    code: str | None
    stratum: str
    weight: float
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class Drawn:
    """A drawn household and its position in the plan."""

    position: int
    candidate: Candidate


def allocate(sizes: Mapping[str, int], weights: Mapping[str, float], n: int) -> dict[str, int]:
    """How many to draw from each stratum: at least one from each non-empty stratum when ``n``
    allows it, the rest in proportion to the strata's total risk weight (largest remainders,
    ties by stratum code), never more than a stratum holds."""
    strata = sorted(k for k, size in sizes.items() if size > 0)
    total = sum(sizes[k] for k in strata)
    if n >= total:
        return {k: sizes[k] for k in strata}
    quota = dict.fromkeys(strata, 0)
    if n >= len(strata):
        for k in strata:
            quota[k] = 1
    remaining = n - sum(quota.values())
    while remaining > 0:
        open_ = [k for k in strata if quota[k] < sizes[k]]
        mass = sum(weights[k] for k in open_)
        shares = {k: remaining * (weights[k] / mass if mass > 0 else 1 / len(open_)) for k in open_}
        given = 0
        for k in open_:
            add = min(math.floor(shares[k]), sizes[k] - quota[k])
            quota[k] += add
            given += add
        left = remaining - given
        for k in sorted(open_, key=lambda k: (-(shares[k] - math.floor(shares[k])), k)):
            if left == 0:
                break
            if quota[k] < sizes[k]:
                quota[k] += 1
                left -= 1
        remaining = n - sum(quota.values())
    return quota


def stratified_sample(candidates: Sequence[Candidate], n: int, seed: int) -> list[Drawn]:
    """A reproducible sample of ``n`` candidates: strata allocated by :func:`allocate`, then
    weighted sampling without replacement inside each stratum (Efraimidis-Spirakis keys
    u^(1/w) from a generator seeded by ``seed`` and the stratum). The result depends only on the
    candidates (in any order), ``n`` and ``seed``."""
    if n < 0:
        raise ValueError("the sample size must not be negative")
    if any(c.weight <= 0 for c in candidates):
        raise ValueError("weights must be positive")
    by_stratum: dict[str, list[Candidate]] = {}
    for c in sorted(candidates, key=lambda c: c.household_id):
        by_stratum.setdefault(c.stratum, []).append(c)
    quota = allocate(
        {k: len(v) for k, v in by_stratum.items()},
        {k: sum(c.weight for c in v) for k, v in by_stratum.items()},
        n,
    )
    chosen: list[Candidate] = []
    for stratum in sorted(by_stratum):
        rng = random.Random(f"chungtay-plan/{seed}/{stratum}")
        keyed = [(rng.random() ** (1.0 / c.weight), c) for c in by_stratum[stratum]]
        keyed.sort(key=lambda kc: (-kc[0], kc[1].household_id))
        chosen.extend(c for _, c in keyed[: quota.get(stratum, 0)])
    return [Drawn(i + 1, c) for i, c in enumerate(chosen)]
