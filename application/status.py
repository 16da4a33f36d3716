"""The status object, built from the fold and the unit catalogue.

One function, used by the HTTP API, the command line and the offline replay pack, so the three
answer byte-for-byte the same for the same facts.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from application.errors import HouseholdNotFound
from domain.situation import Situation, area_type_on, unit_on
from domain.units import UnitCatalogue

__all__ = ["NotYetRegistered", "area_type_on", "require_registered", "status_object", "unit_on"]


class NotYetRegistered(HouseholdNotFound):
    """The date asked lies before the household's registration: it did not exist then (404, with
    the date it began)."""

    def __init__(self, ref: str, registered_on: date, as_of: date) -> None:
        super().__init__(
            ref,
            f"household {ref} was registered on {registered_on.isoformat()}; it has no status on "
            f"{as_of.isoformat()}",
        )
        self.registered_on = registered_on


def require_registered(situation: Situation) -> Situation:
    """The situation, or :class:`NotYetRegistered` when ``as_of`` lies before registration."""
    registered = situation.registered_on
    if registered is not None and situation.as_of < registered:
        raise NotYetRegistered(
            situation.code or situation.household_id, registered, situation.as_of
        )
    return situation


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
        "registered_on": situation.registered_on.isoformat() if situation.registered_on else None,
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
