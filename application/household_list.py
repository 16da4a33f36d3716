"""The household list (danh sách hộ): households on a date, as known at a moment, filtered and paged.

The answer for each household is the fold's (status, since, unit, village, closed on ``as_of`` as
known at ``known_at``), but a request never folds: it reads the rows the projection tabulated from
the fold (:class:`HouseholdListSource`, implemented in SQL in ``infrastructure``). What stays here
is what the rows cannot know: the unit catalogue. Rows keep the commune code *as named* on the
date of registration or relocation; a unit filter and a user's scope are turned into the set of
commune versions whose unit on ``as_of`` (mergers followed forward, as for one household) lies
inside them, and the display unit is resolved the same way for the rows of the page.

The same port finds the candidates of the audit diff: households whose status periods' knowledge
intervals begin or end between two moments (:func:`change_candidates`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple, Protocol

from application.errors import InvalidInput
from domain.search import search_terms
from domain.situation import known_prefix
from domain.units import Unit, UnitCatalogue, UnknownUnitError

MAX_PER_PAGE = 500
"""The largest page a client may ask for."""

STATUSES = ("poor", "near_poor", "not_poor")


@dataclass(frozen=True)
class HouseholdListQuery:
    """What a client asks: filters on ``as_of`` as known at ``known_at`` (None = now), a page."""

    as_of: date
    unit: str | None = None
    status: str | None = None
    known_at: datetime | None = None
    q: str | None = None
    page: int = 1
    per_page: int = 50


@dataclass(frozen=True)
class UnitRef:
    """The household's unit on ``as_of`` (mergers followed forward); ``valid_to`` inclusive."""

    code: str
    name: str
    valid_from: date
    valid_to: date | None


@dataclass(frozen=True)
class HouseholdListItem:
    """One household as the list shows it."""

    household_id: str
    code: str
    unit: UnitRef
    village: str | None
    head_name: str
    status: str
    recognised: bool
    since: date | None
    ethnic_minority: bool
    closed: bool
    version: int


@dataclass(frozen=True)
class HouseholdPage:
    """A page of the list, and how many households match in all."""

    as_of: date
    known_at: datetime | None
    page: int
    per_page: int
    total: int
    items: tuple[HouseholdListItem, ...]


@dataclass(frozen=True)
class NamedUnit:
    """A commune version as rows name it: its code and inclusive validity period."""

    code: str
    valid_from: date
    valid_to: date | None


@dataclass(frozen=True)
class ListFilter:
    """What the source selects: rows valid on ``as_of``, known at ``known_at``, in ``units``
    (None = any), of ``status`` (None = any), whose search key holds every term; ordered by
    code, ``limit`` rows from ``offset``."""

    as_of: date
    known_at: datetime | None
    units: tuple[NamedUnit, ...] | None
    status: str | None
    terms: tuple[str, ...]
    offset: int
    limit: int


@dataclass(frozen=True)
class HouseholdRow:
    """A row as the source stores it: the unit as named, the version's recording moments."""

    household_id: str
    code: str
    unit_code: str
    unit_named_on: date
    village: str | None
    head_name: str
    status: str
    recognised: bool
    since: date | None
    ethnic_minority: bool
    closed: bool
    version: int


@dataclass(frozen=True)
class Candidates:
    """Households whose status on a date may differ between two moments (in log order), and
    how many households of the unit were known, registered, at the later moment."""

    household_ids: tuple[str, ...]
    examined: int


class HouseholdListSource(Protocol):
    """The tabulated household rows (the read models), queried without folding."""

    def household_page(self, selection: ListFilter) -> tuple[int, list[HouseholdRow]]:
        """How many rows match, and the rows of the page."""

    def change_candidates(
        self, units: tuple[NamedUnit, ...], as_of: date, known_from: datetime, known_to: datetime
    ) -> Candidates:
        """Households in ``units`` on ``as_of`` as known at ``known_to`` with a status period
        starting on or before ``as_of`` that became or stopped being the answer in
        ``(known_from, known_to]``."""


class Recording(NamedTuple):
    """When one version of a household was recorded (what the fold's knowledge rule reads)."""

    timestamp: datetime


def version_at(recorded: Sequence[datetime], known_at: datetime | None) -> int:
    """The household's version as known at ``known_at``: its facts recorded by then."""
    if known_at is None:
        return len(recorded)
    return known_prefix([Recording(m) for m in recorded], known_at)


# -- units ----------------------------------------------------------------------------------------


def named_units(
    units: UnitCatalogue,
    on: date,
    *,
    within: str | None = None,
    allowed: Callable[[Unit, date], bool] | None = None,
) -> tuple[NamedUnit, ...] | None:
    """The commune versions whose unit on ``on`` lies inside ``within`` and is ``allowed``.

    None when there is no restriction at all (every commune version in use by ``on``). A row's
    unit on ``on`` depends only on which version it names (its ``unit_named_on`` lies in that
    version, on or before ``on``), so deciding per version decides for every row.
    """
    chosen: list[NamedUnit] = []
    every = True
    for version in units.all_versions():
        if version.level != "commune" or version.valid_from > on:
            continue
        named = NamedUnit(version.code, version.valid_from, version.valid_to)
        try:
            now = units.denoted_on(version.code, version.valid_from, on)
            keep = within is None or units.contains(within, now.code, on)
        except UnknownUnitError:
            keep = False
        if keep and allowed is not None:
            keep = allowed(now, on)
        if keep:
            chosen.append(named)
        else:
            every = False
    return None if every else tuple(chosen)


# -- the use cases --------------------------------------------------------------------------------


class HouseholdList:
    """``GET /households``: one page of the list, read from the tabulated rows."""

    def __init__(self, source: HouseholdListSource, units: UnitCatalogue) -> None:
        self.source = source
        self.units = units

    def __call__(
        self, query: HouseholdListQuery, allowed: Callable[[Unit, date], bool] | None = None
    ) -> HouseholdPage:
        """The page ``query`` asks for; ``allowed`` is the user's scope (None = everything)."""
        on = query.as_of
        if query.unit is not None and self.units.find(query.unit, on) is None:
            raise InvalidInput("query.unit", f"unit {query.unit} is not valid on {on.isoformat()}")
        if query.status is not None and query.status not in STATUSES:
            raise InvalidInput("query.status", f"must be one of {', '.join(STATUSES)}")
        if not 1 <= query.per_page <= MAX_PER_PAGE:
            raise InvalidInput("query.per_page", f"must be between 1 and {MAX_PER_PAGE}")
        if query.page < 1:
            raise InvalidInput("query.page", "must be at least 1")
        selection = ListFilter(
            as_of=on,
            known_at=query.known_at,
            units=named_units(self.units, on, within=query.unit, allowed=allowed),
            status=query.status,
            terms=search_terms(query.q or ""),
            offset=(query.page - 1) * query.per_page,
            limit=query.per_page,
        )
        total, rows = self.source.household_page(selection)
        return HouseholdPage(
            as_of=on,
            known_at=query.known_at,
            page=query.page,
            per_page=query.per_page,
            total=total,
            items=tuple(self._item(r, on) for r in rows),
        )

    def _item(self, row: HouseholdRow, on: date) -> HouseholdListItem:
        unit = self.units.denoted_on(row.unit_code, row.unit_named_on, on)
        return HouseholdListItem(
            household_id=row.household_id,
            code=row.code,
            unit=UnitRef(unit.code, unit.name, unit.valid_from, unit.valid_to),
            village=row.village,
            head_name=row.head_name,
            status=row.status,
            recognised=row.recognised,
            since=row.since,
            ethnic_minority=row.ethnic_minority,
            closed=row.closed,
            version=row.version,
        )


def change_candidates(
    source: HouseholdListSource,
    units: UnitCatalogue,
    unit: str,
    as_of: date,
    known_from: datetime,
    known_to: datetime,
) -> Candidates:
    """The households the audit diff must fold: those of ``unit`` whose status periods changed
    between the two moments (from the periods' knowledge time, never by folding everyone)."""
    units.resolve(unit, as_of)
    chosen = named_units(units, as_of, within=unit)
    everything = tuple(
        NamedUnit(v.code, v.valid_from, v.valid_to)
        for v in units.all_versions()
        if v.level == "commune" and v.valid_from <= as_of
    )
    return source.change_candidates(
        everything if chosen is None else chosen, as_of, known_from, known_to
    )
