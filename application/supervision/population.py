"""Which households a supervision question is about: unit, date, knowledge and the caller's scope."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Mapping
from datetime import date, datetime

from application.errors import InvalidInput
from application.households import Households
from application.supervision.log import Facts
from domain.events import (
    Registered,
    Relocated,
    Retracted,
)
from domain.situation import Situation, fold, known_by, unit_on
from domain.units import UnknownUnitError

Histories = Mapping[uuid.UUID, Facts]
"""Every household's facts, by id."""

Scope = Callable[[Situation, date], bool]
"""Whether a household (folded on a date) may be shown to the caller (its units)."""

ADDRESS_KINDS = (Registered, Relocated, Retracted)
"""The facts the unit of a household depends on (a retraction may void a relocation)."""


def check_unit(app: Households, unit: str | None, on: date) -> None:
    if unit is None:
        return
    try:
        app.units.resolve(unit, on)
    except UnknownUnitError as e:
        raise InvalidInput("unit", str(e)) from None


def _commune(app: Households, s: Situation, on: date) -> str | None:
    try:
        return unit_on(app.units, s, on).code
    except UnknownUnitError:
        return None


def population(
    app: Households,
    histories: Histories,
    *,
    unit: str | None,
    as_of: date,
    known_at: datetime,
    in_scope: Scope | None,
    address_only: bool = False,
) -> Iterator[tuple[uuid.UUID, Facts, Situation, str | None]]:
    """Households registered by ``as_of`` and known at ``known_at`` whose unit on ``as_of`` lies
    in ``unit`` (and in the caller's scope): (id, facts, situation on as_of, commune code).

    With ``address_only`` the situation is folded from the registration and relocations alone
    (all the unit needs), which is cheaper; its status fields are then not meaningful.
    """
    for hid, facts in histories.items():
        if not known_by(facts, known_at) or facts[0].effective_on > as_of:
            continue
        given = [f for f in facts if type(f) in ADDRESS_KINDS] if address_only else facts
        s = fold(str(hid), given, as_of, known_at)
        commune = _commune(app, s, as_of)
        if commune is None:
            continue
        if unit is not None:
            try:
                if not app.units.contains(unit, commune, as_of):
                    continue
            except UnknownUnitError:
                continue
        if in_scope is not None and not in_scope(s, as_of):
            continue
        yield hid, facts, s, commune
