"""The status object of CONTRACT §5, built from the fold and the unit catalogue.

One function, used by the HTTP API, the command line and the offline replay pack, so the three
answer byte-for-byte the same for the same facts.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from domain.situation import Situation
from domain.units import Unit, UnitCatalogue


def unit_on(units: UnitCatalogue, situation: Situation, on: date) -> Unit:
    """The unit the household's address denotes on ``on``, following mergers forward."""
    assert situation.unit is not None and situation.unit_named_on is not None
    named_on = situation.unit_named_on
    return units.successor_on(situation.unit, named_on, max(on, named_on))


def area_type_on(units: UnitCatalogue, situation: Situation, on: date) -> str:
    """The declared area type while the named unit lasts; the successor unit's type after it."""
    unit = unit_on(units, situation, on)
    assert situation.unit is not None and situation.unit_named_on is not None
    named = units.resolve(situation.unit, situation.unit_named_on)
    if unit.key == named.key and situation.area_type:
        return situation.area_type
    return unit.area_type


def status_object(situation: Situation, units: UnitCatalogue, known_at: datetime) -> dict[str, Any]:
    """The contract's status object for one household, date and moment of knowledge."""
    unit = unit_on(units, situation, situation.as_of)
    classification = situation.classification
    flags = ["recognition_contradicts_assessment"] if situation.contradicts_assessment else []
    return {
        "household_id": situation.household_id,
        "code": situation.code,
        "as_of": situation.as_of.isoformat(),
        "known_at": known_at.isoformat(),
        "status": situation.status,
        "recognised": situation.recognised,
        "since": situation.since.isoformat() if situation.since else None,
        "standard": situation.standard,
        "list_year": situation.list_year,
        "transition": situation.transition,
        "decision": (
            {
                "number": situation.decision["number"],
                "effective_on": situation.decision["effective_on"],
            }
            if situation.decision
            else None
        ),
        "classification": (
            {
                k: classification[k]
                for k in (
                    "status",
                    "route",
                    "standard",
                    "income_per_capita",
                    "deprivations",
                    "deprivation_count",
                    "thresholds",
                    "assessed_on",
                )
            }
            if classification
            else None
        ),
        "flags": flags,
        "ever_exited_poverty": situation.ever_exited_poverty,
        "unit": {
            "code": unit.code,
            "name": unit.name,
            "valid_from": unit.valid_from.isoformat(),
            "valid_to": unit.valid_to.isoformat() if unit.valid_to else None,
        },
        "village": situation.village,
        "area_type": area_type_on(units, situation, situation.as_of),
        "ethnic_minority": situation.ethnic_minority,
        "sponsor": situation.sponsor,
        "exit_registered": situation.exit_registered,
        "closed": situation.closed,
        "version": situation.version,
    }
