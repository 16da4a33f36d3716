"""The unit catalogue: every unit version, validated, with date-aware queries.

Parsing and queries are pure; the only I/O is :func:`load_units`, which reads the packaged
``domain/data/units.json``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import date
from functools import lru_cache
from importlib import resources
from itertools import pairwise
from typing import Any

from domain.units.model import LEVELS, Unit, UnitDataError, UnknownUnitError
from domain.units.parsing import ONE_DAY, TOP_KEYS, parse_unit


def _covers(versions: Iterable[Unit], start: date, end: date | None) -> bool:
    """Whether the (sorted, non-overlapping) versions together cover every day of [start, end]."""
    cursor = start
    for version in versions:
        if not version.is_valid_on(cursor):
            continue
        if version.valid_to is None:
            return True
        if end is not None and version.valid_to >= end:
            return True
        cursor = version.valid_to + ONE_DAY
    return False


class UnitCatalogue:
    """The validated, immutable set of unit versions with date-aware queries. It exists so that
    every module resolves unit codes the same way: always together with a date."""

    __slots__ = ("_by_code", "_data_version", "_notes", "_source")

    def __init__(
        self,
        data_version: str,
        units: Iterable[Unit],
        *,
        source: str = "",
        notes: str = "",
    ) -> None:
        """Build and validate a catalogue; raises :class:`UnitDataError` if inconsistent."""
        if not isinstance(data_version, str) or not data_version:
            raise UnitDataError("data_version must be a non-empty string")
        by_code: dict[str, list[Unit]] = {}
        for unit in units:
            by_code.setdefault(unit.code, []).append(unit)
        self._by_code: dict[str, tuple[Unit, ...]] = {
            code: tuple(sorted(versions, key=lambda u: u.valid_from))
            for code, versions in sorted(by_code.items())
        }
        self._data_version = data_version
        self._source = source
        self._notes = notes
        self._validate()

    # -- construction -------------------------------------------------------------------------

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> UnitCatalogue:
        """Parse and validate the ``units.json`` document (pure; no I/O)."""
        if not isinstance(d, Mapping):
            raise UnitDataError("expected a JSON object at the top level")
        unknown = set(d) - TOP_KEYS
        if unknown:
            raise UnitDataError(f"unknown top-level fields {sorted(unknown)}")
        raw_units = d.get("units")
        if not isinstance(raw_units, list):
            raise UnitDataError("units must be a list")
        data_version = d.get("data_version")
        if not isinstance(data_version, str) or not data_version:
            raise UnitDataError("data_version must be a non-empty string")
        source = d.get("source", "")
        notes = d.get("notes", "")
        if not isinstance(source, str) or not isinstance(notes, str):
            raise UnitDataError("source and notes must be strings")
        return cls(
            data_version,
            (parse_unit(raw, i) for i, raw in enumerate(raw_units)),
            source=source,
            notes=notes,
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form; ``from_dict(to_dict())`` gives an equal catalogue."""
        return {
            "data_version": self._data_version,
            "source": self._source,
            "notes": self._notes,
            "units": [unit.to_dict() for unit in self.all_versions()],
        }

    def _validate(self) -> None:
        for code, versions in self._by_code.items():
            levels = {v.level for v in versions}
            if len(levels) > 1:
                raise UnitDataError(f"unit {code}: versions at different levels {sorted(levels)}")
            for earlier, later in pairwise(versions):
                if earlier.valid_to is None or earlier.valid_to >= later.valid_from:
                    raise UnitDataError(
                        f"unit {code}: versions {earlier.key} ({earlier.period()}) and "
                        f"{later.key} ({later.period()}) overlap"
                    )
        for versions in self._by_code.values():
            for unit in versions:
                self._validate_parent(unit)
                self._validate_successor(unit)

    def _validate_parent(self, unit: Unit) -> None:
        if unit.parent is None:
            return
        parents = self._by_code.get(unit.parent, ())
        if not _covers(parents, unit.valid_from, unit.valid_to):
            raise UnitDataError(
                f"unit {unit.key}: parent {unit.parent} is not valid on every day of "
                f"{unit.period()}"
            )
        for parent in parents:
            if _overlaps(parent, unit) and LEVELS.index(parent.level) >= LEVELS.index(unit.level):
                raise UnitDataError(
                    f"unit {unit.key}: parent {parent.key} is a {parent.level}, not above a "
                    f"{unit.level}"
                )

    def _validate_successor(self, unit: Unit) -> None:
        if unit.successor is None:
            return
        if unit.valid_to is None:
            raise UnitDataError(f"unit {unit.key}: has successor {unit.successor} but never ends")
        day_after = unit.valid_to + ONE_DAY
        if self.find(unit.successor, day_after) is None:
            raise UnitDataError(
                f"unit {unit.key}: successor {unit.successor} is not valid on "
                f"{day_after.isoformat()}, the day after it ends"
            )

    # -- queries ------------------------------------------------------------------------------

    @property
    def data_version(self) -> str:
        """Version label of the data, to record alongside reports and events."""
        return self._data_version

    @property
    def source(self) -> str:
        """Where the data came from (free text)."""
        return self._source

    def all_versions(self) -> list[Unit]:
        """Every version of every unit, sorted by level, code, then ``valid_from``."""
        return sorted(
            (u for versions in self._by_code.values() for u in versions),
            key=lambda u: (LEVELS.index(u.level), u.code, u.valid_from),
        )

    def versions(self, code: str) -> list[Unit]:
        """All versions of one code, oldest first (empty if the code is unknown)."""
        return list(self._by_code.get(code, ()))

    def find(self, code: str, on: date) -> Unit | None:
        """The version of ``code`` valid on ``on``, or ``None``."""
        for unit in self._by_code.get(code, ()):
            if unit.is_valid_on(on):
                return unit
        return None

    def resolve(self, code: str, on: date) -> Unit:
        """The version of ``code`` valid on ``on``; raises :class:`UnknownUnitError` otherwise,
        saying when the code was valid."""
        unit = self.find(code, on)
        if unit is not None:
            return unit
        raise UnknownUnitError(self._not_valid_message(code, on))

    def _not_valid_message(self, code: str, on: date) -> str:
        versions = self._by_code.get(code)
        if not versions:
            return f"unknown unit code {code!r}"
        ended = [v for v in versions if v.valid_to is not None and v.valid_to < on]
        if ended:
            last = ended[-1]
            detail = f"it was valid {last.period()}; " + (
                f"successor {last.successor}" if last.successor else "no successor"
            )
        else:
            detail = f"its first version is valid {versions[0].period()}"
        return f"unit {code} is not valid on {on.isoformat()} ({detail})"

    def valid_on(self, on: date) -> list[Unit]:
        """Every unit valid on ``on``, sorted by level (province first) then code."""
        found = [u for u in (self.find(code, on) for code in self._by_code) if u is not None]
        return sorted(found, key=lambda u: (LEVELS.index(u.level), u.code))

    def listing(self, on: date) -> dict[str, Any]:
        """Every unit valid on ``on`` with the flags in force that day (JSON-ready): what
        ``GET /units`` and ``chungtay units`` answer."""
        return {
            "as_of": on.isoformat(),
            "data_version": self._data_version,
            "units": [u.view_on(on) for u in self.valid_on(on)],
        }

    def communes_on(self, on: date) -> list[Unit]:
        """The commune-level units valid on ``on``, sorted by code."""
        return [u for u in self.valid_on(on) if u.level == "commune"]

    def children(self, code: str, on: date) -> list[Unit]:
        """The units whose parent on ``on`` is ``code``, sorted by code; raises
        :class:`UnknownUnitError` if ``code`` is not valid on ``on``."""
        self.resolve(code, on)
        return [u for u in self.valid_on(on) if u.parent == code]

    def ancestors(self, code: str, on: date) -> list[Unit]:
        """The parent, grandparent, … of ``code`` as they stood on ``on``, nearest first."""
        result: list[Unit] = []
        unit = self.resolve(code, on)
        while unit.parent is not None:
            unit = self.resolve(unit.parent, on)
            result.append(unit)
        return result

    def contains(self, ancestor_code: str, unit_code: str, on: date) -> bool:
        """Whether ``unit_code`` is ``ancestor_code`` or lies inside it on ``on`` (used for
        scope checks). False if ``ancestor_code`` is not valid that day; raises
        :class:`UnknownUnitError` if ``unit_code`` is not."""
        unit = self.resolve(unit_code, on)
        return ancestor_code == unit.code or any(
            a.code == ancestor_code for a in self.ancestors(unit_code, on)
        )

    def successor_on(self, code: str, recorded_on: date, on: date) -> Unit:
        """The unit that ``code``, as named on ``recorded_on``, has become by ``on``.

        Forward in time, ``successor`` links are followed until a version valid on ``on`` is
        reached. Backward (``on < recorded_on``), the version of the same code valid on ``on`` is
        returned only if its successor chain leads to the recorded version (e.g. Thống Nhất before
        its 2020 enlargement, which is then *part* of the recorded unit). A reused code names a
        different unit (``01558`` in 2026 was not Thanh Nhật town), and the other parts of a merger
        cannot be recovered from a code, so anything else raises :class:`UnknownUnitError`.
        """
        recorded = self.resolve(code, recorded_on)
        if on < recorded_on:
            earlier = self.find(code, on)
            if earlier is not None and self._leads_to(earlier, recorded, recorded_on):
                return earlier
            raise UnknownUnitError(
                f"unit {recorded.key} ({recorded.name}) as named on {recorded_on.isoformat()} "
                f"has no single predecessor on {on.isoformat()}"
            )
        return self._follow(recorded, on)

    def denoted_on(self, code: str, named_on: date, on: date) -> Unit:
        """The unit an address that named ``code`` on ``named_on`` denotes on ``on``.

        The one rule for "the unit on a date": forward in time the successor links are followed
        (a commune merged away is reported in the unit that took it over); before ``named_on``
        the unit as named is kept (an address names its unit from its own date on). Raises
        :class:`UnknownUnitError` when ``code`` was not valid on ``named_on`` or has no successor.
        """
        return self.successor_on(code, named_on, max(on, named_on))

    def _leads_to(self, earlier: Unit, later: Unit, on: date) -> bool:
        try:
            return self._follow(earlier, on) == later
        except UnknownUnitError:
            return False

    def _follow(self, unit: Unit, on: date) -> Unit:
        while not unit.is_valid_on(on):
            if unit.valid_to is None or unit.valid_to >= on:  # not yet valid: callers prevent it
                raise UnknownUnitError(f"unit {unit.key} is not yet valid on {on.isoformat()}")
            if unit.successor is None:
                raise UnknownUnitError(
                    f"unit {unit.key} ({unit.name}) ended on {unit.valid_to.isoformat()} with no "
                    f"successor, so it has none on {on.isoformat()}"
                )
            unit = self.resolve(unit.successor, unit.valid_to + ONE_DAY)
        return unit

    def crosswalk(self, on_from: date, on_to: date) -> dict[str, str]:
        """Map each commune code valid on ``on_from`` to the commune code valid on ``on_to`` that
        took it over; lets reports aggregate historical records onto later units. Only forward
        crosswalks are possible (``on_from <= on_to``): mergers cannot be split back."""
        if on_to < on_from:
            raise ValueError(
                f"crosswalk goes forward only: {on_to.isoformat()} is before {on_from.isoformat()}"
            )
        return {
            unit.code: self.successor_on(unit.code, on_from, on_to).code
            for unit in self.communes_on(on_from)
        }

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, UnitCatalogue):
            return NotImplemented
        return (self._data_version, self._by_code) == (other._data_version, other._by_code)

    def __hash__(self) -> int:
        return hash((self._data_version, tuple(self._by_code.items())))

    def __repr__(self) -> str:
        count = sum(len(v) for v in self._by_code.values())
        return f"UnitCatalogue(data_version={self._data_version!r}, versions={count})"


def _overlaps(a: Unit, b: Unit) -> bool:
    a_end = a.valid_to or date.max
    b_end = b.valid_to or date.max
    return a.valid_from <= b_end and b.valid_from <= a_end


@lru_cache(maxsize=1)
def load_units() -> UnitCatalogue:
    """Load the packaged unit catalogue (``domain/data/units.json``); cached, read once."""
    text = resources.files("domain").joinpath("data/units.json").read_text(encoding="utf-8")
    return UnitCatalogue.from_dict(json.loads(text))
