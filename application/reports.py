"""Report use cases (CONTRACT §5, issue 5): poverty, annual review, campaign and emulation.

The poverty and annual reports are computed from two kinds of figure — a **census** (how many
resident households, by unit as named, ethnic-minority flag and status, on a date as known at a
moment) and **flows** (how many status transitions took effect in a date range) — that come from a
:class:`ReportSource`. There are two sources with the same answers:

* :class:`ReplaySource` (here) folds every household's events with :func:`domain.situation.fold`;
* ``infrastructure.read_models.ReadModelSource`` answers the same questions in SQL from the
  bitemporal read models kept by ``infrastructure.projections``.

``tests/store/test_read_models.py`` proves on random histories, on both stores, that every figure
of both reports is the same from either source.

Units. A household's unit on a date is the commune its address named, followed forward through
the catalogue's successor links (:func:`application.status.unit_on`); the sources return it as
``(unit_code, unit_named_on)`` and :class:`UnitScope` resolves it here, in the catalogue valid on
the date the figure refers to (``units="historical"``, the contract's default), or onto the units
valid today (``units="current"``, through the same successor links — the crosswalk).

The campaign and emulation figures (income against the end-2015 baseline, deprivations, support,
sponsorship, exit registrations, re-poverty) are computed by replaying every household's facts;
their reduction-against-target part comes from the annual report of the configured source.
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise
from typing import Any, Protocol

from domain.events import ExitRegistered, SupportDelivered
from domain.situation import Situation, fold
from domain.standards import ClassificationInputError, StandardsCatalogue, UnknownStandardError
from domain.units import Unit, UnitCatalogue, UnknownUnitError

# -- data tables ----------------------------------------------------------------------------------

#: Annual reduction targets in percentage points (poverty-rules §1 and §6: Decision 1722/QĐ-TTg,
#: Decision 90/QĐ-TTg). Poor districts: 4 pp a year, 5 for communes flagged especially difficult;
#: ethnic-minority households: 3 pp a year (1722: "3–4", 90: "more than 3").
TARGETS_PP: Mapping[str, int] = {"default": 4, "especially_difficult": 5, "ethnic_minority": 3}

#: Income of poor households against end-2015: ×2 by 2020 in the 30a poor districts such as
#: Hạ Lang (×1.5 elsewhere), Decision 1722/QĐ-TTg (poverty-rules §1).
INCOME_TARGET: Mapping[str, Any] = {"multiple": 2.0, "by_year": 2020, "baseline": "2015-12-31"}

#: Which deprivation indicators each support category addresses (support that matches one of the
#: household's own deprivations, in its latest assessment before the support, "addresses" it).
#: Categories not listed (production, credit, science_technology, social_assistance,
#: capacity_building, other) act on income, not on a deprivation indicator.
SUPPORT_ADDRESSES: Mapping[str, frozenset[str]] = {
    "housing": frozenset({"housing_quality", "housing_area"}),
    "water_sanitation": frozenset({"domestic_water", "hygienic_latrine", "waste_treatment"}),
    "education": frozenset({"adult_education", "child_school_attendance"}),
    "health": frozenset({"health_care_access", "health_insurance", "nutrition"}),
    "information": frozenset(
        {
            "telecom_use",
            "information_assets",
            "information_access",
            "internet_access",
            "digital_services",
        }
    ),
    "employment": frozenset({"employment", "dependants"}),
    "vocational_training": frozenset({"employment"}),
}

FLOW_TRANSITIONS: tuple[str, ...] = (
    "exited_poverty",
    "newly_poor",
    "re_poor",
    "exited_near_poverty",
    "newly_near_poor",
    "re_near_poor",
)
UNIT_MODES = ("historical", "current")
RE_POVERTY_WINDOW_YEARS = 2


class ReportError(ValueError):
    """A report cannot be produced as asked (unknown unit, unit not valid, bad year)."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name
        self.message = message


# -- the port -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CensusRow:
    """Resident households on a date with the same unit (as named), flags and status."""

    unit_code: str
    unit_named_on: date
    ethnic_minority: bool
    sponsor_active: bool
    exit_registered: bool
    status: str
    households: int


@dataclass(frozen=True, slots=True)
class FlowRow:
    """Status transitions that took effect on ``on`` for households of a unit (as named then)."""

    unit_code: str
    unit_named_on: date
    ethnic_minority: bool
    transition: str
    on: date
    households: int


class ReportSource(Protocol):
    """Where report figures come from: the read models or the replay of every household."""

    name: str

    def census(self, on: date, known_at: datetime | None) -> list[CensusRow]:
        """Resident (registered by ``on``, not closed) households on ``on`` as known at
        ``known_at`` (None = everything recorded), grouped."""

    def flows(self, first: date, last: date, known_at: datetime | None) -> list[FlowRow]:
        """Transitions (:data:`FLOW_TRANSITIONS`) effective from ``first`` to ``last`` inclusive,
        with the household's unit on the transition's date."""

    def freshness(self) -> dict[str, Any]:
        """How current the source is (read models: position vs log head)."""


def _group_census(rows: Iterable[tuple[Any, ...]]) -> list[CensusRow]:
    return [CensusRow(*key, households=n) for key, n in Counter(rows).items()]


class ReplaySource:
    """Figures by folding every household's facts (the reference; slow on a large store).

    Loads the whole log once (scan and decode) on first use and keeps it: make one per report, or
    call :meth:`refresh`.
    """

    name = "replay"

    def __init__(self, app: Any) -> None:
        self.app = app
        self._histories: dict[uuid.UUID, list[Any]] | None = None

    def refresh(self) -> None:
        """Forget the loaded facts (the next call reads the log again)."""
        self._histories = None

    def histories(self) -> dict[uuid.UUID, list[Any]]:
        """Every household's facts in version order (read once, in log order)."""
        if self._histories is None:
            self._histories = load_histories(self.app)
        return self._histories

    def census(self, on: date, known_at: datetime | None) -> list[CensusRow]:
        keys = []
        for hid, facts in self.histories().items():
            s = fold(str(hid), facts, on, known_at)
            if resident(s, on):
                keys.append(
                    (
                        s.unit,
                        s.unit_named_on,
                        s.ethnic_minority,
                        s.sponsor is not None,
                        s.exit_registered,
                        s.status,
                    )
                )
        return _group_census(keys)

    def flows(self, first: date, last: date, known_at: datetime | None) -> list[FlowRow]:
        keys: Counter[tuple[Any, ...]] = Counter()
        for hid, facts in self.histories().items():
            s = fold(str(hid), facts, last, known_at)
            if not s.known:
                continue
            for p in s.timeline:
                if first <= p.valid_from <= last and p.transition in FLOW_TRANSITIONS:
                    then = fold(str(hid), facts, p.valid_from, known_at)
                    keys[
                        (
                            then.unit,
                            then.unit_named_on,
                            then.ethnic_minority,
                            p.transition,
                            p.valid_from,
                        )
                    ] += 1
        return [FlowRow(*key, households=n) for key, n in keys.items()]

    def freshness(self) -> dict[str, Any]:
        return {"source": self.name}


def load_histories(app: Any, page: int = 1000) -> dict[uuid.UUID, list[Any]]:
    """Every household's events, grouped, in version order, by one scan of the log."""
    histories: dict[uuid.UUID, list[Any]] = defaultdict(list)
    start = 0
    mapper = app.mapper
    while True:
        notifications = app.recorder.select_notifications(start, page, inclusive_of_start=False)
        if not notifications:
            break
        for n in notifications:
            e = mapper.to_domain_event(n)
            histories[e.originator_id].append(e)
        start = notifications[-1].id
    for facts in histories.values():
        facts.sort(key=lambda f: f.originator_version)
    return dict(histories)


def resident(s: Situation, on: date) -> bool:
    """Whether a household counts as resident on ``on``: known, registered by then, not closed."""
    return s.known and s.registered_on is not None and s.registered_on <= on and not s.closed


# -- units ----------------------------------------------------------------------------------------


def unit_dict(u: Unit) -> dict[str, Any]:
    """A unit version as reports show it."""
    return {
        "code": u.code,
        "name": u.name,
        "level": u.level,
        "area_type": u.area_type,
        "valid_from": u.valid_from.isoformat(),
        "valid_to": u.valid_to.isoformat() if u.valid_to else None,
        "especially_difficult": u.flags.especially_difficult,
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
            unit = units.successor_on(unit_code, named_on, max(self.resolve_on, named_on))
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
        if self.backward_to is not None:
            later = self.backward_to
            try:
                became = units.successor_on(unit.code, on, later.valid_from)
            except UnknownUnitError:
                return None
            if units.contains(later.code, became.code, later.valid_from):
                return unit
        return None


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
            last = ended[-1]
            assert last.valid_to is not None
            territory = set()
            for commune in units.communes_on(last.valid_to):
                if units.contains(last.code, commune.code, last.valid_to):
                    try:
                        territory.add(units.successor_on(commune.code, last.valid_to, day).key)
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


# -- tallies --------------------------------------------------------------------------------------


def percent(part: int | None, whole: int | None) -> float | None:
    """``part ÷ whole × 100`` rounded half-up to 2 decimals; None when undefined."""
    if part is None or not whole:
        return None
    value = (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return float(value)


def _pp(a: float | None, b: float | None) -> float | None:
    if a is None or b is None:
        return None
    return float((Decimal(str(a)) - Decimal(str(b))).quantize(Decimal("0.01"), ROUND_HALF_UP))


@dataclass
class Tally:
    """Counts of resident households, poor and near-poor, all and ethnic-minority."""

    households: int = 0
    poor: int = 0
    near_poor: int = 0
    em_households: int = 0
    em_poor: int = 0
    em_near_poor: int = 0
    poor_sponsored: int = 0
    em_poor_sponsored: int = 0
    exit_registered: int = 0

    def add(self, row: CensusRow) -> None:
        """Count a census row."""
        n = row.households
        self.households += n
        poor = row.status == "poor"
        near = row.status == "near_poor"
        self.poor += n if poor else 0
        self.near_poor += n if near else 0
        self.exit_registered += n if row.exit_registered else 0
        if poor and row.sponsor_active:
            self.poor_sponsored += n
        if row.ethnic_minority:
            self.em_households += n
            self.em_poor += n if poor else 0
            self.em_near_poor += n if near else 0
            if poor and row.sponsor_active:
                self.em_poor_sponsored += n

    def figures(self, em: bool = False) -> dict[str, Any]:
        """Households, poor, near-poor and their rates (all, or ethnic-minority only)."""
        h, p, n = (
            (self.em_households, self.em_poor, self.em_near_poor)
            if em
            else (self.households, self.poor, self.near_poor)
        )
        return {
            "households": h,
            "poor": p,
            "near_poor": n,
            "poor_rate": percent(p, h),
            "near_poor_rate": percent(n, h),
        }


def _tally_by_group(
    rows: Iterable[CensusRow], scope: DateScope
) -> tuple[Tally, dict[str, tuple[Unit, Tally]]]:
    total = Tally()
    groups: dict[str, tuple[Unit, Tally]] = {}
    for row in rows:
        group = scope.place(row.unit_code, row.unit_named_on)
        if group is None:
            continue
        total.add(row)
        groups.setdefault(group.key, (group, Tally()))[1].add(row)
    return total, groups


def _flows_by_group(
    rows: Iterable[FlowRow], scope_for: Callable[[date], DateScope]
) -> tuple[Counter[str], dict[str, tuple[Unit, Counter[str]]]]:
    total: Counter[str] = Counter()
    groups: dict[str, tuple[Unit, Counter[str]]] = {}
    for row in rows:
        group = scope_for(row.on).place(row.unit_code, row.unit_named_on)
        if group is None:
            continue
        keys = [row.transition] + ([f"em_{row.transition}"] if row.ethnic_minority else [])
        for k in keys:
            total[k] += row.households
            groups.setdefault(group.key, (group, Counter()))[1][k] += row.households
    return total, groups


# -- poverty report -------------------------------------------------------------------------------


def poverty_report(
    source: ReportSource,
    units: UnitCatalogue,
    *,
    unit: str,
    as_of: date,
    known_at: datetime | None,
    today: date,
    units_mode: str = "historical",
) -> dict[str, Any]:
    """Households, poor, near-poor and rates on ``as_of`` as known at ``known_at``, by child
    unit and by ethnic-minority flag."""
    scope = UnitScope(units, unit, mode=units_mode, today=today)
    day = scope.on(as_of)
    total, groups = _tally_by_group(source.census(as_of, known_at), day)
    expected = {g.key: g for g in scope.groups_on(as_of)}
    for key, g in expected.items():
        groups.setdefault(key, (g, Tally()))
    target = scope.unit_on(as_of)
    return {
        "report": "poverty",
        "unit": unit_dict(target) if target else {"code": unit},
        "as_of": as_of.isoformat(),
        "units": units_mode,
        **total.figures(),
        "by_ethnic_minority": {
            "ethnic_minority": total.figures(em=True),
            "not_ethnic_minority": _non_em(total),
        },
        "by_unit": [
            {
                "unit": unit_dict(g),
                **t.figures(),
                "ethnic_minority": t.figures(em=True),
            }
            for g, t in sorted(groups.values(), key=lambda gt: (gt[0].code, gt[0].valid_from))
        ],
        "notes": [day.note] if day.note else [],
    }


def _non_em(t: Tally) -> dict[str, Any]:
    h = t.households - t.em_households
    p = t.poor - t.em_poor
    n = t.near_poor - t.em_near_poor
    return {
        "households": h,
        "poor": p,
        "near_poor": n,
        "poor_rate": percent(p, h),
        "near_poor_rate": percent(n, h),
    }


# -- annual report --------------------------------------------------------------------------------


def standard_for_list(standards: StandardsCatalogue, year: int) -> str | None:
    """The standard code of a list year (None when no standard covers it)."""
    try:
        return standards.for_list_year(year).code
    except (ClassificationInputError, UnknownStandardError):
        return None


def target_pp(unit: Unit | None) -> int:
    """The unit's annual reduction target (percentage points)."""
    if unit is not None and unit.flags.especially_difficult:
        return TARGETS_PP["especially_difficult"]
    return TARGETS_PP["default"]


def _annual_figures(
    start: Tally | None,
    end: Tally | None,
    flows: Counter[str],
    *,
    target: int,
    comparable: bool,
) -> dict[str, Any]:
    def block(em: bool) -> dict[str, Any]:
        prefix = "em_" if em else ""
        s = start.figures(em) if start is not None else None
        e = end.figures(em) if end is not None else None
        rate_start = s["poor_rate"] if s else None
        rate_end = e["poor_rate"] if e else None
        reduction = _pp(rate_start, rate_end) if comparable else None
        goal = TARGETS_PP["ethnic_minority"] if em else target
        out: dict[str, Any] = {
            "total_households_start": s["households"] if s else None,
            "total_households_end": e["households"] if e else None,
            "poor_start": s["poor"] if s else None,
            "poor_end": e["poor"] if e else None,
            "near_poor_start": s["near_poor"] if s else None,
            "near_poor_end": e["near_poor"] if e else None,
        }
        for t in FLOW_TRANSITIONS:
            out[t] = flows.get(prefix + t, 0)
        out.update(
            {
                "rate_start": rate_start,
                "rate_end": rate_end,
                "near_poor_rate_start": s["near_poor_rate"] if s else None,
                "near_poor_rate_end": e["near_poor_rate"] if e else None,
                "reduction_pp": reduction,
                "target_pp": goal,
                "target_met": None if reduction is None else reduction >= goal,
            }
        )
        if s and e:
            out["other_poor_changes"] = e["poor"] - (
                s["poor"] - out["exited_poverty"] + out["re_poor"] + out["newly_poor"]
            )
        else:
            out["other_poor_changes"] = None
        return out

    figures = block(em=False)
    figures["ethnic_minority"] = block(em=True)
    return figures


def annual_report(
    source: ReportSource,
    units: UnitCatalogue,
    standards: StandardsCatalogue,
    *,
    unit: str,
    year: int,
    known_at: datetime | None,
    today: date,
    units_mode: str = "historical",
    by: str = "child",
) -> dict[str, Any]:
    """The annual review summary of CONTRACT §5 for ``unit`` and ``year``."""
    if not 1900 <= year <= 9998:
        raise ReportError("year", f"year {year} is out of range")
    start_day, end_day = date(year - 1, 12, 31), date(year, 12, 31)
    scope = UnitScope(units, unit, mode=units_mode, today=today, by=by)
    s_scope, e_scope = scope.on(start_day), scope.on(end_day)
    start_total, start_groups = _tally_by_group(source.census(start_day, known_at), s_scope)
    end_total, end_groups = _tally_by_group(source.census(end_day, known_at), e_scope)
    flow_total, flow_groups = _flows_by_group(
        source.flows(date(year, 1, 1), end_day, known_at), scope.on
    )
    standard_start = standard_for_list(standards, year)
    standard_end = standard_for_list(standards, year + 1)
    comparable = standard_start is not None and standard_start == standard_end
    note = None
    if not comparable:
        note = (
            f"the standard changed during the year ({standard_start} → {standard_end}): the "
            "rates at the start and at the end are not comparable, so no reduction is presented"
            if standard_start and standard_end
            else "no standard covers the lists of this year: no reduction is presented"
        )
    target_unit = scope.unit_on(end_day) or scope.unit_on(start_day)
    for g in scope.groups_on(start_day):
        start_groups.setdefault(g.key, (g, Tally()))
    for g in scope.groups_on(end_day):
        end_groups.setdefault(g.key, (g, Tally()))
    keys = {
        **{k: v[0] for k, v in start_groups.items()},
        **{k: v[0] for k, v in end_groups.items()},
    }
    for k, (g, _) in flow_groups.items():
        keys.setdefault(k, g)
    by_unit = []
    for key, g in sorted(keys.items(), key=lambda kv: (kv[1].code, kv[1].valid_from)):
        s = start_groups.get(key)
        e = end_groups.get(key)
        f = flow_groups.get(key)
        by_unit.append(
            {
                "unit": unit_dict(g),
                **_annual_figures(
                    s[1] if s else None,
                    e[1] if e else None,
                    f[1] if f else Counter(),
                    target=target_pp(g),
                    comparable=comparable and s is not None and e is not None,
                ),
            }
        )
    notes = [n for n in (s_scope.note, e_scope.note) if n]
    unit_start, unit_end = scope.unit_on(start_day), scope.unit_on(end_day)
    if units_mode == "historical" and unit_start and unit_end and unit_start.key != unit_end.key:
        notes.append(
            f"code {unit} named {unit_start.name} on {start_day.isoformat()} and "
            f"{unit_end.name} on {end_day.isoformat()}: each figure uses the unit of its date"
        )
    return {
        "report": "annual",
        "unit": unit_dict(target_unit) if target_unit else {"code": unit},
        "year": year,
        "start": start_day.isoformat(),
        "end": end_day.isoformat(),
        "units": units_mode,
        "standard_start": standard_start,
        "standard_end": standard_end,
        "standard_changed": standard_start != standard_end,
        "comparable": comparable,
        "reduction_note": note,
        **_annual_figures(
            start_total, end_total, flow_total, target=target_pp(target_unit), comparable=comparable
        ),
        "by_unit": by_unit,
        "notes": notes,
    }


def rate_series(
    source: ReportSource,
    units: UnitCatalogue,
    standards: StandardsCatalogue,
    *,
    unit: str,
    first_year: int,
    last_year: int,
    known_at: datetime | None,
    today: date,
    units_mode: str = "historical",
) -> dict[str, Any]:
    """The poverty rate at the end of each year (from end of ``first_year − 1``) for the unit and
    each child unit, and the target line: the unit's rate falling by its target each year,
    restarting from the actual rate whenever the standard (and so the baseline) changes."""
    scope = UnitScope(units, unit, mode=units_mode, today=today)
    years = list(range(first_year - 1, last_year + 1))
    total_series: list[tuple[int, float | None]] = []
    lines: dict[str, dict[str, Any]] = {}
    for y in years:
        day = date(y, 12, 31)
        total, groups = _tally_by_group(source.census(day, known_at), scope.on(day))
        total_series.append((y, total.figures()["poor_rate"]))
        for key, (g, t) in groups.items():
            label = g.name
            if units_mode == "current":
                pass
            elif g.valid_from > date(first_year - 1, 12, 31):
                label += f" (from {g.valid_from.isoformat()})"
            elif g.valid_to is not None and g.valid_to < date(last_year, 12, 31):
                label += f" (to {g.valid_to.isoformat()})"
            line = lines.setdefault(key, {"unit": unit_dict(g), "label": label, "points": []})
            line["points"].append((y, t.figures()["poor_rate"]))
    target_unit = scope.unit_on(date(last_year, 12, 31)) or scope.unit_on(date(first_year, 1, 1))
    goal = target_pp(target_unit)
    target: list[tuple[int, float | None]] = []
    segments: list[list[tuple[int, float]]] = []
    base_year, base_rate = None, None
    for y, rate in total_series:
        restart = base_rate is None or (
            standard_for_list(standards, y + 1) != standard_for_list(standards, y)
        )
        if restart and rate is not None:
            base_year, base_rate = y, rate
            segments.append([])
        if base_rate is None or base_year is None:
            target.append((y, None))
        else:
            value = round(max(0.0, base_rate - goal * (y - base_year)), 2)
            target.append((y, value))
            segments[-1].append((y, value))
    by_unit = sorted(lines.values(), key=lambda line: line["unit"]["code"])
    if target_unit is not None and [line["unit"]["code"] for line in by_unit] == [target_unit.code]:
        by_unit = []  # a commune alone: its line is the total
    return {
        "unit": unit_dict(target_unit) if target_unit else {"code": unit},
        "label": target_unit.name if target_unit else unit,
        "units": units_mode,
        "target_pp": goal,
        "total": total_series,
        "target": target,
        "target_segments": segments,
        "by_unit": by_unit,
    }


# -- campaign figures (replay) --------------------------------------------------------------------


@dataclass
class _Acc:
    """Accumulated campaign figures for one unit and year (all and ethnic-minority)."""

    poor_incomes: list[int] = field(default_factory=list)
    em_poor_incomes: list[int] = field(default_factory=list)
    cohort_now: list[int] = field(default_factory=list)
    cohort_base: list[int] = field(default_factory=list)
    em_cohort_now: list[int] = field(default_factory=list)
    em_cohort_base: list[int] = field(default_factory=list)
    poor: int = 0
    em_poor: int = 0
    poor_assessed: int = 0
    deprivations: Counter[str] = field(default_factory=Counter)
    sponsored: int = 0
    em_sponsored: int = 0
    support: list[tuple[str, str, str, int, bool, bool]] = field(default_factory=list)
    exit_registered: int = 0
    exit_registered_exited: int = 0
    em_exit_registered: int = 0
    em_exit_registered_exited: int = 0
    exits: int = 0
    exits_re_poor: int = 0
    em_exits: int = 0
    em_exits_re_poor: int = 0
    exits_window_open: int = 0


def _mean(values: Sequence[int]) -> int | None:
    return round(sum(values) / len(values)) if values else None


def _ratio(a: int | None, b: int | None) -> float | None:
    if a is None or not b:
        return None
    return float((Decimal(a) / Decimal(b)).quantize(Decimal("0.01"), ROUND_HALF_UP))


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


class _Replay:
    """Situations of one household, memoised by date (for the campaign's many dates)."""

    def __init__(self, hid: uuid.UUID, facts: list[Any], known_at: datetime | None) -> None:
        self.hid = str(hid)
        self.facts = facts
        self.known_at = known_at
        self._memo: dict[date, Situation] = {}

    def on(self, day: date) -> Situation:
        s = self._memo.get(day)
        if s is None:
            s = fold(self.hid, self.facts, day, self.known_at)
            self._memo[day] = s
        return s


def _income(s: Situation) -> int | None:
    return s.classification["income_per_capita"] if s.classification else None


def campaign_figures(
    histories: Mapping[uuid.UUID, list[Any]],
    units: UnitCatalogue,
    *,
    unit: str,
    from_year: int,
    to_year: int,
    known_at: datetime | None,
    today: date,
    units_mode: str = "historical",
    by: str = "child",
) -> dict[str, Any]:
    """The campaign's replayed figures per year and group (see :func:`campaign_report`)."""
    scope = UnitScope(units, unit, mode=units_mode, today=today, by=by)
    years = list(range(from_year, to_year + 1))
    baseline_day = date(2015, 12, 31)
    replays = [_Replay(hid, facts, known_at) for hid, facts in histories.items()]

    def in_scope(r: _Replay, day: date) -> tuple[Situation, Unit] | None:
        s = r.on(day)
        if not resident(s, day):
            return None
        assert s.unit is not None and s.unit_named_on is not None
        group = scope.on(day).place(s.unit, s.unit_named_on)
        return None if group is None else (s, group)

    # Baseline: poor households with an assessment at end-2015, else the first year-end with some.
    baseline_note = None
    cohort: dict[str, int] = {}
    for candidate in [baseline_day, *(date(y, 12, 31) for y in range(2016, to_year + 1))]:
        for r in replays:
            placed = in_scope(r, candidate)
            if placed and placed[0].status == "poor" and _income(placed[0]) is not None:
                cohort[r.hid] = _income(placed[0])  # type: ignore[assignment]
        if cohort:
            if candidate != baseline_day:
                baseline_note = (
                    "no household was recorded poor with an assessment at end-2015: the baseline "
                    f"is {candidate.isoformat()}, the first year-end with assessed poor households"
                )
            baseline_day = candidate
            break
    base_all = list(cohort.values())
    em_base_all = [
        cohort[r.hid] for r in replays if r.hid in cohort and r.on(baseline_day).ethnic_minority
    ]

    per: dict[tuple[int, str], _Acc] = defaultdict(_Acc)
    group_units: dict[str, Unit] = {}

    def acc(year: int, group: Unit) -> _Acc:
        group_units[group.key] = group
        return per[(year, group.key)]

    totals: dict[int, _Acc] = defaultdict(_Acc)
    for r in replays:
        latest = r.on(date.max)
        if not latest.known:
            continue
        em = latest.ethnic_minority
        for y in years:
            end = date(y, 12, 31)
            placed = in_scope(r, end)
            if placed is not None:
                s, group = placed
                if s.status == "poor":
                    for a in (acc(y, group), totals[y]):
                        a.poor += 1
                        a.em_poor += em
                        income = _income(s)
                        if income is not None:
                            a.poor_assessed += 1
                            a.poor_incomes.append(income)
                            if em:
                                a.em_poor_incomes.append(income)
                            a.deprivations.update(s.classification["deprivations"])  # type: ignore[index]
                        if s.sponsor is not None:
                            a.sponsored += 1
                            a.em_sponsored += em
                if r.hid in cohort and _income(s) is not None:
                    for a in (acc(y, group), totals[y]):
                        a.cohort_now.append(_income(s))  # type: ignore[arg-type]
                        a.cohort_base.append(cohort[r.hid])
                        if em:
                            a.em_cohort_now.append(_income(s))  # type: ignore[arg-type]
                            a.em_cohort_base.append(cohort[r.hid])
        live = [
            f
            for f in r.facts
            if f.originator_version in latest.live_versions
            and (r.known_at is None or f.timestamp <= r.known_at)
        ]
        exits = [p for p in latest.timeline if p.transition == "exited_poverty"]
        re_poor = [p for p in latest.timeline if p.transition == "re_poor"]
        for f in live:
            y = f.effective_on.year
            if y not in years:
                continue
            if isinstance(f, SupportDelivered):
                placed = in_scope(r, f.effective_on)
                if placed is None:
                    continue
                s, group = placed
                own = set(s.classification["deprivations"]) if s.classification else set()
                addresses = bool(own & SUPPORT_ADDRESSES.get(f.category, frozenset()))
                item = (f.category, f.programme, f.funding_source, f.amount_vnd, addresses, em)
                acc(y, group).support.append(item)
                totals[y].support.append(item)
            elif isinstance(f, ExitRegistered):
                placed = in_scope(r, f.effective_on)
                if placed is None:
                    continue
                _, group = placed
                deadline = date(max(f.target_year, y), 12, 31)
                exited = any(f.effective_on <= p.valid_from <= deadline for p in exits)
                for a in (acc(y, group), totals[y]):
                    a.exit_registered += 1
                    a.exit_registered_exited += exited
                    a.em_exit_registered += em
                    a.em_exit_registered_exited += exited and em
        for p in exits:
            y = p.valid_from.year
            if y not in years:
                continue
            placed = in_scope(r, p.valid_from)
            if placed is None:
                continue
            _, group = placed
            window_end = _add_years(p.valid_from, RE_POVERTY_WINDOW_YEARS)
            again = any(p.valid_from < q.valid_from <= window_end for q in re_poor)
            open_window = window_end > today
            for a in (acc(y, group), totals[y]):
                a.exits += 1
                a.exits_re_poor += again
                a.em_exits += em
                a.em_exits_re_poor += again and em
                a.exits_window_open += open_window
    return {
        "baseline": {
            "date": baseline_day.isoformat(),
            "households": len(base_all),
            "mean_income": _mean(base_all),
            "ethnic_minority": {"households": len(em_base_all), "mean_income": _mean(em_base_all)},
            "note": baseline_note,
        },
        "base_mean": _mean(base_all),
        "em_base_mean": _mean(em_base_all),
        "per": dict(per),
        "totals": dict(totals),
        "groups": group_units,
    }


def _campaign_block(
    a: _Acc, base_mean: int | None, em_base_mean: int | None, year: int
) -> dict[str, Any]:
    support_count = len(a.support)
    support_amount = sum(s[3] for s in a.support)
    addressing = [s for s in a.support if s[4]]
    em_support = [s for s in a.support if s[5]]
    em_addressing = [s for s in em_support if s[4]]

    def breakdown(index: int) -> list[dict[str, Any]]:
        counts: Counter[str] = Counter()
        amounts: Counter[str] = Counter()
        for s in a.support:
            counts[s[index]] += 1
            amounts[s[index]] += s[3]
        return [
            {"name": k, "count": counts[k], "amount_vnd": amounts[k]}
            for k in sorted(counts, key=lambda k: (-amounts[k], k))
        ]

    poor_mean = _mean(a.poor_incomes)
    em_poor_mean = _mean(a.em_poor_incomes)
    target = INCOME_TARGET["multiple"] if year <= INCOME_TARGET["by_year"] else None
    return {
        "income": {
            "poor_households_assessed": len(a.poor_incomes),
            "poor_mean_income": poor_mean,
            "poor_ratio_to_baseline": _ratio(poor_mean, base_mean),
            "cohort_households": len(a.cohort_now),
            "cohort_mean_income": _mean(a.cohort_now),
            "cohort_baseline_mean_income": _mean(a.cohort_base),
            "cohort_ratio": _ratio(_mean(a.cohort_now), _mean(a.cohort_base)),
            "target_multiple": target,
            "ethnic_minority": {
                "poor_households_assessed": len(a.em_poor_incomes),
                "poor_mean_income": em_poor_mean,
                "poor_ratio_to_baseline": _ratio(em_poor_mean, em_base_mean),
                "cohort_households": len(a.em_cohort_now),
                "cohort_ratio": _ratio(_mean(a.em_cohort_now), _mean(a.em_cohort_base)),
            },
        },
        "top_deprivations": [
            {"indicator": code, "households": n, "share": percent(n, a.poor_assessed)}
            for code, n in sorted(a.deprivations.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
        ],
        "support": {
            "count": support_count,
            "amount_vnd": support_amount,
            "by_category": breakdown(0),
            "by_programme": breakdown(1),
            "by_funding_source": breakdown(2),
            "addressing_own_deprivations": {
                "count": len(addressing),
                "amount_vnd": sum(s[3] for s in addressing),
                "share_count": percent(len(addressing), support_count),
                "share_amount": percent(sum(s[3] for s in addressing), support_amount),
            },
            "ethnic_minority": {
                "count": len(em_support),
                "amount_vnd": sum(s[3] for s in em_support),
                "share_count_addressing": percent(len(em_addressing), len(em_support)),
            },
        },
        "sponsorship": {
            "poor": a.poor,
            "sponsored": a.sponsored,
            "share": percent(a.sponsored, a.poor),
            "ethnic_minority": {
                "poor": a.em_poor,
                "sponsored": a.em_sponsored,
                "share": percent(a.em_sponsored, a.em_poor),
            },
        },
        "exit_registrations": {
            "registered": a.exit_registered,
            "exited": a.exit_registered_exited,
            "share": percent(a.exit_registered_exited, a.exit_registered),
            "ethnic_minority": {
                "registered": a.em_exit_registered,
                "exited": a.em_exit_registered_exited,
                "share": percent(a.em_exit_registered_exited, a.em_exit_registered),
            },
        },
        "re_poverty": {
            "exits": a.exits,
            "re_poor_within_2_years": a.exits_re_poor,
            "share": percent(a.exits_re_poor, a.exits),
            "exits_with_window_still_open": a.exits_window_open,
            "ethnic_minority": {
                "exits": a.em_exits,
                "re_poor_within_2_years": a.em_exits_re_poor,
                "share": percent(a.em_exits_re_poor, a.em_exits),
            },
        },
    }


def _reduction_block(figures: Mapping[str, Any] | None, comparable: bool) -> dict[str, Any]:
    if figures is None:
        return {}
    keys = ("rate_start", "rate_end", "reduction_pp", "target_pp", "target_met")
    em = figures.get("ethnic_minority", {})
    return {
        **{k: figures.get(k) for k in keys},
        "comparable": comparable,
        "ethnic_minority": {k: em.get(k) for k in keys},
    }


# -- the facade -----------------------------------------------------------------------------------


class Reports:
    """The report use cases on one application and one source of figures.

    ``source`` defaults to :class:`ReplaySource` (fold every household); the web app and the
    command line pass ``infrastructure.read_models.ReadModelSource``.
    """

    def __init__(self, app: Any, source: ReportSource | None = None) -> None:
        self.app = app
        self._source = source

    @property
    def source(self) -> ReportSource:
        """The configured source (a fresh replay source per call when none was given)."""
        return self._source if self._source is not None else ReplaySource(self.app)

    def _stamp(
        self, report: dict[str, Any], known_at: datetime | None, source: ReportSource
    ) -> dict[str, Any]:
        report["known_at"] = (known_at or self.app.now()).isoformat()
        report["source"] = source.freshness()
        return report

    def poverty(
        self,
        unit: str,
        as_of: date | None = None,
        known_at: datetime | None = None,
        units: str = "historical",
    ) -> dict[str, Any]:
        """``GET /reports/poverty`` and ``chungtay report poverty``."""
        source = self.source
        report = poverty_report(
            source,
            self.app.units,
            unit=unit,
            as_of=as_of or self.app.today(),
            known_at=known_at,
            today=self.app.today(),
            units_mode=units,
        )
        return self._stamp(report, known_at, source)

    def annual(
        self,
        unit: str,
        year: int,
        known_at: datetime | None = None,
        units: str = "historical",
    ) -> dict[str, Any]:
        """``GET /reports/annual`` and ``chungtay report annual``."""
        source = self.source
        report = annual_report(
            source,
            self.app.units,
            self.app.standards,
            unit=unit,
            year=year,
            known_at=known_at,
            today=self.app.today(),
            units_mode=units,
        )
        return self._stamp(report, known_at, source)

    def rate_series(
        self,
        unit: str,
        first_year: int,
        last_year: int,
        known_at: datetime | None = None,
        units: str = "historical",
    ) -> dict[str, Any]:
        """Poverty rate per unit at each year end, with the target line (for charts)."""
        return rate_series(
            self.source,
            self.app.units,
            self.app.standards,
            unit=unit,
            first_year=first_year,
            last_year=last_year,
            known_at=known_at,
            today=self.app.today(),
            units_mode=units,
        )

    def campaign(
        self,
        unit: str,
        from_year: int,
        to_year: int,
        known_at: datetime | None = None,
        units: str = "historical",
        *,
        by: str = "child",
        histories: Mapping[uuid.UUID, list[Any]] | None = None,
    ) -> dict[str, Any]:
        """The campaign's figures per unit and year (``GET /reports/campaign``)."""
        if from_year > to_year:
            raise ReportError("from_year", "from_year must not be after to_year")
        if to_year - from_year > 30:
            raise ReportError("to_year", "at most 30 years per campaign report")
        source = self.source
        today = self.app.today()
        if histories is None:
            histories = (
                source.histories() if isinstance(source, ReplaySource) else load_histories(self.app)
            )
        replayed = campaign_figures(
            histories,
            self.app.units,
            unit=unit,
            from_year=from_year,
            to_year=to_year,
            known_at=known_at,
            today=today,
            units_mode=units,
            by=by,
        )
        years_out = []
        for y in range(from_year, to_year + 1):
            annual = annual_report(
                source,
                self.app.units,
                self.app.standards,
                unit=unit,
                year=y,
                known_at=known_at,
                today=today,
                units_mode=units,
                by=by,
            )
            by_key = {_unit_key(u["unit"]): u for u in annual["by_unit"]}
            total_acc = replayed["totals"].get(y, _Acc())
            rows = []
            keys = {k for (yy, k) in replayed["per"] if yy == y} | set(by_key)
            for key in sorted(keys):
                group = replayed["groups"].get(key)
                figures = by_key.get(key)
                unit_info = unit_dict(group) if group else figures["unit"]  # type: ignore[index]
                rows.append(
                    {
                        "unit": unit_info,
                        "reduction": _reduction_block(
                            figures, bool(figures and figures["reduction_pp"] is not None)
                        ),
                        **_campaign_block(
                            replayed["per"].get((y, key), _Acc()),
                            replayed["base_mean"],
                            replayed["em_base_mean"],
                            y,
                        ),
                    }
                )
            years_out.append(
                {
                    "year": y,
                    "standard_start": annual["standard_start"],
                    "standard_end": annual["standard_end"],
                    "reduction": _reduction_block(annual, annual["comparable"]),
                    **_campaign_block(
                        total_acc, replayed["base_mean"], replayed["em_base_mean"], y
                    ),
                    "by_unit": rows,
                }
            )
        target_unit = UnitScope(self.app.units, unit, mode=units, today=today).unit_on(
            date(to_year, 12, 31)
        )
        report = {
            "report": "campaign",
            "unit": unit_dict(target_unit) if target_unit else {"code": unit},
            "from_year": from_year,
            "to_year": to_year,
            "units": units,
            "baseline": replayed["baseline"],
            "targets": {
                "reduction_pp": dict(TARGETS_PP),
                "income": dict(INCOME_TARGET),
                "support_addresses": {k: sorted(v) for k, v in SUPPORT_ADDRESSES.items()},
            },
            "years": years_out,
            "notes": [
                "income, deprivations, support, sponsorship, exit registrations and re-poverty "
                "are computed by replaying every household's facts; the reduction figures come "
                f"from the annual report ({source.name})",
                *([replayed["baseline"]["note"]] if replayed["baseline"]["note"] else []),
            ],
        }
        return self._stamp(report, known_at, source)

    def emulation(
        self,
        year: int,
        unit: str | None = None,
        known_at: datetime | None = None,
    ) -> dict[str, Any]:
        """Communes ranked on the campaign's criteria, and exemplary households."""
        units = self.app.units
        top = unit or _top_unit(units, date(year, 12, 31))
        histories = load_histories(self.app)
        campaign = self.campaign(
            top, year, year, known_at, "historical", by="commune", histories=histories
        )
        rows = campaign["years"][0]["by_unit"]
        ranked = rank_communes(rows)
        exemplary = exemplary_households(
            histories, units, top, year, known_at, today=self.app.today()
        )
        report = {
            "report": "emulation",
            "unit": campaign["unit"],
            "year": year,
            "criteria": [c["name"] for c in CRITERIA],
            "method": (
                "each commune is ranked on every criterion (1 = best; missing figures rank "
                "last); the score is the sum of ranks, lower is better; ties go to the larger "
                "reduction against target, then to the unit code"
            ),
            "ranking": ranked,
            "exemplary_households": exemplary,
            "notes": campaign["notes"],
        }
        return self._stamp(report, known_at, self.source)


def _unit_key(u: Mapping[str, Any]) -> str:
    return f"{u['code']}@{u['valid_from']}"


def _top_unit(units: UnitCatalogue, day: date) -> str:
    provinces = [u for u in units.valid_on(day) if u.level == "province"]
    if not provinces:
        raise ReportError("unit", f"no province is valid on {day.isoformat()}")
    return provinces[0].code


# -- emulation ------------------------------------------------------------------------------------


def _margin(row: Mapping[str, Any]) -> float | None:
    r = row["reduction"]
    if not r or r.get("reduction_pp") is None:
        return None
    return round(r["reduction_pp"] - r["target_pp"], 2)


def _re_poor_share(row: Mapping[str, Any]) -> float | None:
    return row["re_poverty"]["share"]


CRITERIA: tuple[dict[str, Any], ...] = (
    {
        "name": "reduction_against_target_pp",
        "value": _margin,
        "higher_is_better": True,
        "label": "reduction minus target (pp)",
    },
    {
        "name": "sponsor_coverage_percent",
        "value": lambda row: row["sponsorship"]["share"],
        "higher_is_better": True,
        "label": "poor households with an active sponsor (%)",
    },
    {
        "name": "re_poverty_percent",
        "value": _re_poor_share,
        "higher_is_better": False,
        "label": "exits of the year followed by re-poverty within two years (%)",
    },
    {
        "name": "registered_exits_percent",
        "value": lambda row: row["exit_registrations"]["share"],
        "higher_is_better": True,
        "label": "households registered to exit that exited (%)",
    },
)


def rank_communes(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Rank communes on :data:`CRITERIA` (sum of ranks) with the reasons for each rank."""
    n = len(rows)
    ranks: list[dict[str, int]] = [{} for _ in rows]
    values: list[dict[str, Any]] = [{} for _ in rows]
    for c in CRITERIA:
        vals = [c["value"](row) for row in rows]
        for i, v in enumerate(vals):
            values[i][c["name"]] = v
            # competition ranking: 1 + number of strictly better values
            ranks[i][c["name"]] = (
                n if v is None else 1 + sum(1 for w in vals if w is not None and _better(w, v, c))
            )
    order = sorted(
        range(n),
        key=lambda i: (
            sum(ranks[i].values()),
            -(values[i]["reduction_against_target_pp"] or -1e9),
            rows[i]["unit"]["code"],
        ),
    )
    out = []
    for place, i in enumerate(order, start=1):
        row = rows[i]
        reasons = []
        for c in CRITERIA:
            v = values[i][c["name"]]
            shown = "no figure" if v is None else f"{v}"
            reasons.append(f"{c['label']}: {shown} (rank {ranks[i][c['name']]} of {n})")
        r = row["reduction"]
        if r and r.get("target_met") is not None:
            reasons.insert(
                0,
                f"reduction {r['reduction_pp']} pp against a target of {r['target_pp']} pp: "
                + ("met" if r["target_met"] else "not met"),
            )
        out.append(
            {
                "rank": place,
                "unit": row["unit"],
                "score": sum(ranks[i].values()),
                "criteria": {
                    c["name"]: {"value": values[i][c["name"]], "rank": ranks[i][c["name"]]}
                    for c in CRITERIA
                },
                "reasons": reasons,
            }
        )
    return out


def _better(w: Any, v: Any, c: Mapping[str, Any]) -> bool:
    return w > v if c["higher_is_better"] else w < v


def exemplary_households(
    histories: Mapping[uuid.UUID, list[Any]],
    units: UnitCatalogue,
    unit: str,
    year: int,
    known_at: datetime | None,
    *,
    today: date,
) -> list[dict[str, Any]]:
    """Households that registered to exit, exited poverty in ``year`` and were not poor again
    within two years of the exit (as far as the record shows)."""
    scope = UnitScope(units, unit, today=today, by="commune")
    found = []
    for hid, facts in histories.items():
        r = _Replay(hid, facts, known_at)
        latest = r.on(date.max)
        if not latest.known:
            continue
        registrations = [
            f
            for f in facts
            if isinstance(f, ExitRegistered)
            and f.originator_version in latest.live_versions
            and (known_at is None or f.timestamp <= known_at)
        ]
        if not registrations:
            continue
        for p in latest.timeline:
            if p.transition != "exited_poverty" or p.valid_from.year != year:
                continue
            before = [f for f in registrations if f.effective_on <= p.valid_from]
            if not before:
                continue
            window_end = _add_years(p.valid_from, RE_POVERTY_WINDOW_YEARS)
            if any(
                q.transition == "re_poor" and p.valid_from < q.valid_from <= window_end
                for q in latest.timeline
            ):
                continue
            s = r.on(p.valid_from)
            assert s.unit is not None and s.unit_named_on is not None
            group = scope.on(p.valid_from).place(s.unit, s.unit_named_on)
            if group is None:
                continue
            found.append(
                {
                    "household_id": str(hid),
                    "code": latest.code,
                    "unit": unit_dict(group),
                    "exit_registered_on": before[-1].effective_on.isoformat(),
                    "target_year": before[-1].target_year,
                    "exited_on": p.valid_from.isoformat(),
                    "decision": p.decision["number"] if p.decision else None,
                    "ethnic_minority": latest.ethnic_minority,
                    "sponsor": (r.on(p.valid_from).sponsor or {}).get("name"),
                    "window_complete": window_end <= today,
                }
            )
            break
    return sorted(found, key=lambda h: (h["unit"]["code"], h["code"]))
