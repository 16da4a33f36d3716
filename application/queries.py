"""Read-side answers for one household: status, history and timeline, as known at a moment.

All three go through the one fold (:func:`domain.situation.fold`); the history adds what the fold
does not need: who recorded each fact, its stored hash, and which retraction voided it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from application.errors import HouseholdNotFound
from application.households import Households
from application.status import require_registered, status_object
from domain.events import fact_data, fact_type
from domain.situation import known_facts, retractions


def _json_value(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    return value


def status(
    app: Households, ref: str, as_of: date | None = None, known_at: datetime | None = None
) -> dict[str, Any]:
    """The status object of a household on ``as_of`` as known at ``known_at``."""
    moment = known_at or app.now()
    situation = require_registered(app.situation(ref, as_of or app.today(), moment))
    return status_object(situation, app.units, moment)


def history(app: Households, ref: str, known_at: datetime | None = None) -> dict[str, Any]:
    """Every fact recorded by ``known_at``, in recording order, with its retraction and hash."""
    household = app.get(ref)
    facts = known_facts(household.facts, known_at)
    if not facts:
        raise HouseholdNotFound(ref, f"household {ref} was not yet known at {known_at}")
    voided = retractions(facts)
    hashes = app.hashes(household.id)
    return {
        "household_id": str(household.id),
        "code": facts[0].code,
        "known_at": (known_at or app.now()).isoformat(),
        "version": facts[-1].originator_version,
        "facts": [
            {
                "version": f.originator_version,
                "type": fact_type(f),
                "effective_on": f.effective_on.isoformat(),
                "recorded_at": f.timestamp.isoformat(),
                "recorded_by": f.recorded_by,
                "data": _json_value(fact_data(f)),
                "retracted_by": voided.get(f.originator_version),
                "hash": hashes[f.originator_version].hex()
                if f.originator_version in hashes
                else None,
            }
            for f in facts
        ],
    }


def timeline(app: Households, ref: str, known_at: datetime | None = None) -> dict[str, Any]:
    """The valid-time status periods as known at ``known_at`` (``valid_to`` is exclusive)."""
    moment = known_at or app.now()
    situation = app.situation(ref, app.today(), moment)
    return {
        "household_id": situation.household_id,
        "code": situation.code,
        "known_at": moment.isoformat(),
        "version": situation.version,
        "periods": [p.to_dict() for p in situation.timeline],
    }
