"""What late entries and corrections changed: ``audit diff`` (issue "time travel and proof").

For a unit and a date D, compare every household's status on D as the record stood at T1 and
at T2, and list those whose answer differs, with the facts recorded in between that caused it.
This is how an auditor sees what a batch of late entries or corrections did to last year's
figures.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from application.household_list import HouseholdListSource, change_candidates
from application.households import Households
from domain.events import Retracted, fact_data, fact_type
from domain.situation import Situation, recorded_between, unit_on
from domain.units import UnknownUnitError

COMPARED = ("status", "recognised", "since", "standard", "transition")


def _answer(s: Situation) -> dict[str, Any]:
    return {
        "status": s.status,
        "recognised": s.recognised,
        "since": s.since.isoformat() if s.since else None,
        "standard": s.standard,
        "transition": s.transition,
    }


def _in_unit(app: Households, s: Situation, unit: str, on: date) -> bool:
    try:
        return app.units.contains(unit, unit_on(app.units, s, on).code, on)
    except UnknownUnitError:
        return False


def _causes(facts: list[Any], known_from: datetime, known_to: datetime, as_of: date) -> list[Any]:
    """The facts recorded between the two moments that can change the answer on ``as_of``."""
    return [
        f
        for f in recorded_between(facts, known_from, known_to)
        if isinstance(f, Retracted) or f.effective_on <= as_of
    ]


def _cause(f: Any) -> dict[str, Any]:
    return {
        "version": f.originator_version,
        "type": fact_type(f),
        "effective_on": f.effective_on.isoformat(),
        "recorded_at": f.timestamp.isoformat(),
        "recorded_by": f.recorded_by,
        "data": {k: v.isoformat() if isinstance(v, date) else v for k, v in fact_data(f).items()},
    }


def _registered_by(s: Situation, on: date) -> bool:
    """A household has a status on a date only from its registration on."""
    return s.registered_on is not None and s.registered_on <= on


def status_diff(
    app: Households,
    *,
    unit: str,
    as_of: date,
    known_from: datetime,
    known_to: datetime,
    read_models: HouseholdListSource | None = None,
) -> dict[str, Any]:
    """Households of ``unit`` whose status on ``as_of`` differs between two moments.

    With ``read_models``, only the households whose status periods changed in between are
    folded; without, every household is (the reference the read models are tested against).
    """
    if known_to < known_from:
        known_from, known_to = known_to, known_from
    app.units.resolve(unit, as_of)
    changed: list[dict[str, Any]] = []
    examined = 0
    found = (
        None
        if read_models is None
        else change_candidates(read_models, app.units, unit, as_of, known_from, known_to)
    )
    for hid in app.household_ids() if found is None else found.household_ids:
        household = app.get(hid)
        after = household.situation(as_of, known_to)
        if not after.known or not _registered_by(after, as_of):
            continue
        if not _in_unit(app, after, unit, as_of):
            continue
        examined += 1
        before = household.situation(as_of, known_from)
        old = _answer(before) if before.known else None
        new = _answer(after)
        if old == new:
            continue
        between = _causes(household.facts, known_from, known_to, as_of)
        changed.append(
            {
                "household_id": str(hid),
                "code": after.code,
                "before": old,
                "after": new,
                "changed_fields": [k for k in COMPARED if old is None or old[k] != new[k]],
                "caused_by": [_cause(f) for f in between],
            }
        )
    return {
        "unit": unit,
        "as_of": as_of.isoformat(),
        "from": known_from.isoformat(),
        "to": known_to.isoformat(),
        "households_examined": examined if found is None else found.examined,
        "households_changed": len(changed),
        "changes": changed,
    }
