"""A unit version, its targeting flags over their own periods, and the errors of the catalogue."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

#: Administrative levels, from the top. Their order is the sort order of catalogue listings.
LEVELS: tuple[str, ...] = ("province", "district", "commune")

#: The kinds of unit allowed at each level (Vietnamese names, as in official lists).
KINDS_BY_LEVEL: Mapping[str, frozenset[str]] = {
    "province": frozenset({"tỉnh", "thành phố"}),
    "district": frozenset({"huyện", "quận", "thị xã", "thành phố"}),
    "commune": frozenset({"xã", "phường", "thị trấn", "đặc khu"}),
}

#: The area types that select a poverty line.
AREA_TYPES: frozenset[str] = frozenset({"rural", "urban"})


class UnitDataError(ValueError):
    """The unit data is malformed or inconsistent; raised while building a catalogue so that bad
    data is rejected at load time instead of producing wrong answers later."""


class UnknownUnitError(ValueError):
    """A unit code does not name a unit on the date asked (or has no successor to follow); the
    message says when the code was valid, so callers can report a useful error."""


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


@dataclass(frozen=True, slots=True)
class UnitFlags:
    """Targeting flags of a unit over one period (xã đặc biệt khó khăn, xã khó khăn, xã biên giới).

    They exist because targets and support policies depend on them, and they change with each
    programme period, so each set has its own inclusive validity; ``verified`` says whether they
    were checked against an official list (currently never)."""

    valid_from: date
    valid_to: date | None
    especially_difficult: bool
    difficult: bool
    border: bool
    verified: bool
    basis: str = ""

    def covers(self, on: date) -> bool:
        """Whether ``on`` lies in the flags' period (``valid_to`` inclusive)."""
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, as stored in ``units.json`` and answered by ``GET /units``."""
        return {
            "valid_from": self.valid_from.isoformat(),
            "valid_to": _iso(self.valid_to),
            "especially_difficult": self.especially_difficult,
            "difficult": self.difficult,
            "border": self.border,
            "verified": self.verified,
            "basis": self.basis,
        }


@dataclass(frozen=True, slots=True)
class Unit:
    """One version of an administrative unit: a code with a name, level, kind and area type over
    an inclusive validity period. Exists so that events can refer to the unit *as it was* on their
    date, even when the code is later reused for a different unit."""

    code: str
    name: str
    level: str
    kind: str
    area_type: str
    parent: str | None
    valid_from: date
    valid_to: date | None
    flags: tuple[UnitFlags, ...]
    successor: str | None = None
    notes: str = ""
    code_verified: bool = True

    @property
    def key(self) -> str:
        """Stable identifier of this version: ``"<code>@<valid_from>"``."""
        return f"{self.code}@{self.valid_from.isoformat()}"

    def is_valid_on(self, on: date) -> bool:
        """Whether this version is in force on ``on`` (``valid_to`` is the inclusive last day)."""
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)

    def period(self) -> str:
        """Human-readable validity period, used in error messages."""
        if self.valid_to is None:
            return f"from {self.valid_from.isoformat()}"
        return f"{self.valid_from.isoformat()} to {self.valid_to.isoformat()}"

    def flags_on(self, on: date) -> UnitFlags:
        """The flags in force on ``on``; a date outside the version's validity reads the flags of
        its nearest day (the first or the last)."""
        day = max(on, self.valid_from)
        if self.valid_to is not None:
            day = min(day, self.valid_to)
        return next(f for f in self.flags if f.covers(day))

    def flagged_in(self, year: int) -> UnitFlags:
        """The flags a year is judged by: those in force on 31 December of ``year`` (or on the
        version's last day, if it ended before)."""
        return self.flags_on(date(year, 12, 31))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form with every flag period; the catalogue reads it back."""
        return {
            "code": self.code,
            "code_verified": self.code_verified,
            "name": self.name,
            "level": self.level,
            "kind": self.kind,
            "area_type": self.area_type,
            "parent": self.parent,
            "valid_from": self.valid_from.isoformat(),
            "valid_to": _iso(self.valid_to),
            "flags": [f.to_dict() for f in self.flags],
            "successor": self.successor,
            "notes": self.notes,
        }

    def view_on(self, on: date) -> dict[str, Any]:
        """The version as the units listing shows it on ``on``: the flags in force that day."""
        return {**self.to_dict(), "flags": self.flags_on(on).to_dict()}
