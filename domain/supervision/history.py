"""An explained anomaly, and one household's facts with the folds the rules need (each once).

Because a household's facts have strictly increasing ``recorded_at``, "the facts recorded by fact
*v*" is the prefix ``facts[:v]``.

Cost. The status timeline depends only on the registration, the decisions, the closures and the
retractions, so it is folded from those alone (:func:`domain.situation.timeline`), once per
such fact; and because a decision or closure recorded later but dated after a day changes
nothing on or before that day, a later timeline answers for earlier facts as long as only such
facts follow (:meth:`History.timeline_for`; a property test checks it against the fold).
Whether a decision contradicts the assessment is folded only when it can (the decision is the
one in force on its date and the latest assessment, or a retraction, leaves it possible).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from typing import Any, Final

from domain.events import (
    Assessed,
    Closed,
    Recognised,
    Registered,
    Retracted,
)
from domain.situation import (
    Situation,
    StatusPeriod,
    fold,
    known_prefix,
    retractions,
    unvoided,
)
from domain.situation import timeline as fold_timeline
from domain.supervision.rules import RULES
from domain.supervision.text import (
    fact_ref,
    local_date,
)


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


class History:
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
        self._retracted_by = retractions(self.facts)  # retracted version -> retraction version
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
        return known_prefix(self.facts, moment)

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
        return unvoided(self.facts[:version])

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
