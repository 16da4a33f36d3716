"""Which households a report's unit holds on a date, and under which child unit.

A household's unit on a date is the commune its address named, followed forward through the
catalogue's successor links; the sources return it as ``(unit_code, unit_named_on)`` and
:class:`UnitScope` resolves it here, in the catalogue valid on the date the figure refers to
(``units="historical"``, the default), or onto the units valid today (``units="current"``,
through the same successor links — the crosswalk).
"""

from __future__ import annotations

from datetime import date
from itertools import pairwise
from typing import Any

from application.reports.errors import ReportError
from domain.units import Unit, UnitCatalogue, UnknownUnitError

UNIT_MODES = ("historical", "current")
"""Units valid on each date (``historical``) or today's units (``current``)."""


def unit_dict(u: Unit, on: date) -> dict[str, Any]:
    """A unit version as reports show it, with its flag in force on ``on`` (the date, or the
    year's end, the figures are judged on)."""
    return {
        "code": u.code,
        "name": u.name,
        "level": u.level,
        "area_type": u.area_type,
        "valid_from": u.valid_from.isoformat(),
        "valid_to": u.valid_to.isoformat() if u.valid_to else None,
        "especially_difficult": u.flags_on(on).especially_difficult,
    }


class DateScope:
    """Which households belong to the report's unit on one date, and under which child unit."""

    def __init__(
        self,
        units: UnitCatalogue,
        *,
        day: date,
        target: Unit | None,
        resolve_on: date,
        by: str,
        territory: frozenset[str] | None = None,
        backward_to: Unit | None = None,
        note: str | None = None,
    ) -> None:
        self.units = units
        self.day = day
        self.target = target
        self.resolve_on = resolve_on
        self.by = by
        self.territory = territory
        self.backward_to = backward_to
        self.note = note
        self._placed: dict[tuple[str, date], Unit | None] = {}

    def place(self, unit_code: str, named_on: date) -> Unit | None:
        """The group (child unit, or commune) of a household whose address named ``unit_code``
        on ``named_on``; None when it lies outside the report's unit."""
        key = (unit_code, named_on)
        if key not in self._placed:
            self._placed[key] = self._place(unit_code, named_on)
        return self._placed[key]

    def _place(self, unit_code: str, named_on: date) -> Unit | None:
        units = self.units
        try:
            unit = units.denoted_on(unit_code, named_on, self.resolve_on)
        except UnknownUnitError:
            return None
        on = self.resolve_on
        if self.target is not None:
            if not units.contains(self.target.code, unit.code, on):
                return None
            if self.by == "commune":
                return unit
            return _child_towards(units, self.target, unit, on)
        if self.territory is not None:
            return unit if unit.key in self.territory else None
        if self.backward_to is not None and self._becomes_part(unit, self.backward_to):
            return unit
        return None

    def _becomes_part(self, unit: Unit, later: Unit) -> bool:
        """Whether ``unit`` (valid on the scope's date) later lies inside ``later``."""
        units = self.units
        try:
            became = units.denoted_on(unit.code, self.resolve_on, later.valid_from)
        except UnknownUnitError:
            return False
        return units.contains(later.code, became.code, later.valid_from)


def _child_towards(units: UnitCatalogue, target: Unit, unit: Unit, on: date) -> Unit:
    if unit.code == target.code:
        return unit
    chain = [unit, *units.ancestors(unit.code, on)]
    for below, above in pairwise(chain):
        if above.code == target.code:
            return below
    return unit


class UnitScope:
    """The report's unit, resolved per date (``historical``) or once on today (``current``)."""

    def __init__(
        self,
        units: UnitCatalogue,
        code: str,
        *,
        mode: str = "historical",
        today: date,
        by: str = "child",
    ) -> None:
        if mode not in UNIT_MODES:
            raise ReportError("units", f"units must be one of {', '.join(UNIT_MODES)}")
        if not units.versions(code):
            raise ReportError("unit", f"unknown unit code {code!r}")
        self.units = units
        self.code = code
        self.mode = mode
        self.today = today
        self.by = by
        self._current: Unit | None = None
        if mode == "current":
            try:
                self._current = units.resolve(code, today)
            except UnknownUnitError as e:
                raise ReportError(
                    "unit", f"{e}; with units=current the unit must be valid today"
                ) from None
        self._scopes: dict[date, DateScope] = {}

    def on(self, day: date) -> DateScope:
        """The scope for figures that refer to ``day``."""
        if day not in self._scopes:
            self._scopes[day] = self._scope(day)
        return self._scopes[day]

    def unit_on(self, day: date) -> Unit | None:
        """The report's unit version for ``day`` (None when its code does not exist then)."""
        if self._current is not None:
            return self._current
        return self.units.find(self.code, day)

    def named(self, day: date) -> dict[str, Any]:
        """The report's unit as reports show it for ``day``: the version valid then, or else the
        last one that ended before it (or the first, if none had begun), with ``valid_on_date``
        false, so a report is never titled by its bare code."""
        unit = self.unit_on(day)
        if unit is not None:
            return unit_dict(unit, day)
        versions = self.units.versions(self.code)
        ended = [v for v in versions if v.valid_from <= day]
        nearest = ended[-1] if ended else versions[0]
        return {**unit_dict(nearest, day), "valid_on_date": False}

    def _scope(self, day: date) -> DateScope:
        units = self.units
        if self._current is not None:
            return DateScope(
                units, day=day, target=self._current, resolve_on=self.today, by=self.by
            )
        target = units.find(self.code, day)
        if target is not None:
            return DateScope(units, day=day, target=target, resolve_on=day, by=self.by)
        versions = units.versions(self.code)
        ended = [v for v in versions if v.valid_to is not None and v.valid_to < day]
        if ended:
            return self._after_end(ended[-1], day)
        later = versions[0]
        return DateScope(
            units,
            day=day,
            target=None,
            resolve_on=day,
            by="commune",
            backward_to=later,
            note=(
                f"unit {self.code} ({later.name}) is not yet valid on {day.isoformat()}: figures "
                f"for that date cover the communes that later became part of it"
            ),
        )

    def _after_end(self, last: Unit, day: date) -> DateScope:
        """After the unit ended: the communes its communes had become (the crosswalk)."""
        units = self.units
        assert last.valid_to is not None
        territory = set()
        for commune in units.communes_on(last.valid_to):
            if units.contains(last.code, commune.code, last.valid_to):
                try:
                    territory.add(units.denoted_on(commune.code, last.valid_to, day).key)
                except UnknownUnitError:
                    continue
        return DateScope(
            units,
            day=day,
            target=None,
            resolve_on=day,
            by="commune",
            territory=frozenset(territory),
            note=(
                f"unit {self.code} ({last.name}) is not valid on {day.isoformat()}: figures "
                f"for that date cover the communes its communes had become (crosswalk)"
            ),
        )

    def coverage_note(self, day: date) -> str | None:
        """For a province: its figures count the households recorded in this ledger, not every
        household of the province (the ledger holds the communes that record in it)."""
        unit = self.unit_on(day)
        if unit is None or unit.level != "province":
            return None
        return (
            f"{unit.name}: the figures count the households recorded in this ledger (the "
            "communes that record here), not every household of the province"
        )

    def same_households(self, first: date, last: date) -> bool:
        """Whether the unit holds the same households on ``first`` and on ``last`` apart from the
        households' own changes (moves, registrations, closures): every commune valid on ``first``
        is inside it on both dates, or on neither. A reused code, a merger into the unit, or a
        unit that ended and whose communes went into larger ones all break it."""
        start, end = self.on(first), self.on(last)
        return all(
            (start.place(c.code, first) is None) == (end.place(c.code, first) is None)
            for c in self.units.communes_on(first)
        )

    def groups_on(self, day: date) -> list[Unit]:
        """The child units expected on ``day`` (rows shown even when they have no household)."""
        scope = self.on(day)
        units = self.units
        on = scope.resolve_on
        if scope.target is None:
            return []
        if scope.by == "commune":
            return [
                c for c in units.communes_on(on) if units.contains(scope.target.code, c.code, on)
            ]
        if scope.target.level == "commune":
            return [scope.target]
        return units.children(scope.target.code, on)
