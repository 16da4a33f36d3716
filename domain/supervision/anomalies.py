"""Every anomaly of one household: each rule, evaluated as known when its facts were recorded."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, tzinfo
from typing import Any

from domain.situation import known_facts
from domain.supervision import (
    assessor_sponsor,
    contradiction,
    double_funding,
    exit_support,
    late_entry,
    re_poverty,
    reserved_programme,
    self_retraction,
    sponsor_gap,
)
from domain.supervision.history import Anomaly, History
from domain.supervision.programmes import ProgrammeCatalogue, load_programmes
from domain.supervision.rules import LIMITS, RULE_CODES, Limits


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
    known = known_facts(facts, known_at)
    if not known:
        return []
    wanted = set(RULE_CODES if kinds is None else kinds)
    unknown = wanted - set(RULE_CODES)
    if unknown:
        raise ValueError(f"unknown anomaly rule(s): {', '.join(sorted(unknown))}")
    h = History(household_id, known, zone)
    finders: dict[str, Callable[[], list[Anomaly]]] = {
        # The decision rules first: their folds seed the timelines the others share.
        "recognition_contradicts_assessment": lambda: contradiction.find(h, as_of),
        "re_poverty_within_24_months": lambda: re_poverty.find(h, as_of, limits),
        "reserved_programme_ineligible": lambda: reserved_programme.find(
            h, as_of, programmes or load_programmes()
        ),
        "poor_without_sponsor": lambda: sponsor_gap.find(h, as_of, known_at, limits),
        "exit_registration_without_support": lambda: exit_support.find(
            h, as_of, known_at, zone, limits
        ),
        "double_funding": lambda: double_funding.find(h, as_of, limits),
        "late_entry": lambda: late_entry.find(h, as_of, zone, limits),
        "self_retraction": lambda: self_retraction.find(h, as_of),
        "assessor_is_sponsor": lambda: assessor_sponsor.find(h, as_of),
    }
    found = [a for code, finder in finders.items() if code in wanted for a in finder()]
    found.sort(key=lambda a: (a.on, a.versions, a.rule))
    return found
