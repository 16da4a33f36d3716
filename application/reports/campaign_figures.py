"""The campaign's replayed figures: income against the baseline, deprivations, support,
sponsorship, exit registrations and re-poverty, per year and group of households."""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from application.reports.replay import HouseholdReplay, add_years, income, placed
from application.reports.scope import UnitScope
from application.reports.targets import RE_POVERTY_WINDOW_YEARS, SUPPORT_ADDRESSES
from domain.events import ExitRegistered, SupportDelivered
from domain.situation import Situation, StatusPeriod
from domain.units import Unit, UnitCatalogue


@dataclass(frozen=True)
class SupportItem:
    """One support delivered, as the campaign counts it."""

    category: str
    programme: str
    funding_source: str
    amount_vnd: int
    addresses_own_deprivation: bool
    ethnic_minority: bool


@dataclass
class CampaignTally:
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
    support: list[SupportItem] = field(default_factory=list)
    exit_registered: int = 0
    exit_registered_exited: int = 0
    em_exit_registered: int = 0
    em_exit_registered_exited: int = 0
    exits: int = 0
    exits_re_poor: int = 0
    em_exits: int = 0
    em_exits_re_poor: int = 0
    exits_window_open: int = 0

    def add_poor(self, s: Situation, em: bool) -> None:
        """A household poor at a year's end."""
        self.poor += 1
        self.em_poor += em
        value = income(s)
        if value is not None:
            self.poor_assessed += 1
            self.poor_incomes.append(value)
            if em:
                self.em_poor_incomes.append(value)
            assert s.classification is not None
            self.deprivations.update(s.classification["deprivations"])
        if s.sponsor is not None:
            self.sponsored += 1
            self.em_sponsored += em

    def add_cohort(self, now: int, then: int, em: bool) -> None:
        """A household of the baseline cohort, with its income now and at the baseline."""
        self.cohort_now.append(now)
        self.cohort_base.append(then)
        if em:
            self.em_cohort_now.append(now)
            self.em_cohort_base.append(then)

    def add_exit_registration(self, exited: bool, em: bool) -> None:
        """A registration to exit, and whether the household exited by its target year."""
        self.exit_registered += 1
        self.exit_registered_exited += exited
        self.em_exit_registered += em
        self.em_exit_registered_exited += exited and em

    def add_exit(self, again: bool, em: bool, window_open: bool) -> None:
        """An exit from poverty, and whether the household was poor again within the window."""
        self.exits += 1
        self.exits_re_poor += again
        self.em_exits += em
        self.em_exits_re_poor += again and em
        self.exits_window_open += window_open


def mean(values: Sequence[int]) -> int | None:
    """The rounded mean (None of nothing)."""
    return round(sum(values) / len(values)) if values else None


@dataclass(frozen=True)
class Baseline:
    """The households poor (with an assessment) at the income baseline, and their incomes."""

    day: date
    cohort: Mapping[str, int]
    em_incomes: tuple[int, ...]
    note: str | None

    @property
    def mean_income(self) -> int | None:
        """Mean income of the cohort at the baseline."""
        return mean(list(self.cohort.values()))

    @property
    def em_mean_income(self) -> int | None:
        """Mean income of the cohort's ethnic-minority households."""
        return mean(self.em_incomes)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (the report's ``baseline``)."""
        return {
            "date": self.day.isoformat(),
            "households": len(self.cohort),
            "mean_income": self.mean_income,
            "ethnic_minority": {
                "households": len(self.em_incomes),
                "mean_income": self.em_mean_income,
            },
            "note": self.note,
        }


@dataclass
class CampaignFigures:
    """The replayed figures: per (year, group key), per year in total, and the groups seen."""

    baseline: Baseline
    per: dict[tuple[int, str], CampaignTally] = field(
        default_factory=lambda: defaultdict(CampaignTally)
    )
    totals: dict[int, CampaignTally] = field(default_factory=lambda: defaultdict(CampaignTally))
    groups: dict[str, Unit] = field(default_factory=dict)
    cohort: dict[str | None, CohortIncomes] = field(default_factory=dict)
    """The baseline cohort's incomes at both ends of the span: in total (``None``) and by unit."""

    def both(self, year: int, group: Unit) -> tuple[CampaignTally, CampaignTally]:
        """The tally of the group and the year's total (both receive every count)."""
        self.groups[group.key] = group
        return self.per[(year, group.key)], self.totals[year]


def _baseline(replays: Sequence[HouseholdReplay], scope: UnitScope, day: date) -> Baseline:
    """The households poor, with an assessment, on ``day`` (the end of the year before the
    campaign's span: for 2016–2020 the end-2015 list), and their incomes then."""
    cohort: dict[str, int] = {}
    em: list[int] = []
    for r in replays:
        found = placed(r, scope, day)
        value = income(found[0]) if found else None
        if found and found[0].status == "poor" and value is not None:
            cohort[r.hid] = value
            if found[0].ethnic_minority:
                em.append(value)
    note = None
    if not cohort:
        note = f"no household was recorded poor with an assessment on {day.isoformat()}"
    return Baseline(day, cohort, tuple(em), note)


@dataclass
class CohortIncomes:
    """Incomes of the baseline cohort at the baseline and at the end of the span, for the
    households assessed at both (by the unit that held them at the baseline, as valid at the
    end of the span)."""

    households: int = 0
    then: list[int] = field(default_factory=list)
    now: list[int] = field(default_factory=list)


def _cohort_at_end(
    figures: CampaignFigures, replays: Sequence[HouseholdReplay], scope: UnitScope, end: date
) -> None:
    base = figures.baseline
    grouping = scope.on(end)
    for r in replays:
        then = base.cohort.get(r.hid)
        if then is None:
            continue
        s = r.on(base.day)
        assert s.unit is not None and s.unit_named_on is not None
        group = grouping.place(s.unit, s.unit_named_on)
        found = placed(r, scope, end)
        now = income(found[0]) if found else None
        targets = [figures.cohort.setdefault(None, CohortIncomes())]
        if group is not None:
            targets.append(figures.cohort.setdefault(group.key, CohortIncomes()))
        for c in targets:
            c.households += 1
            if now is not None:
                c.then.append(then)
                c.now.append(now)


def _year_ends(
    figures: CampaignFigures, r: HouseholdReplay, scope: UnitScope, years: Sequence[int], em: bool
) -> None:
    cohort = figures.baseline.cohort
    for y in years:
        found = placed(r, scope, date(y, 12, 31))
        if found is None:
            continue
        s, group = found
        tallies = figures.both(y, group)
        if s.status == "poor":
            for a in tallies:
                a.add_poor(s, em)
        now = income(s)
        if r.hid in cohort and now is not None:
            for a in tallies:
                a.add_cohort(now, cohort[r.hid], em)


def _support(
    figures: CampaignFigures, r: HouseholdReplay, scope: UnitScope, f: Any, em: bool
) -> None:
    found = placed(r, scope, f.effective_on)
    if found is None:
        return
    s, group = found
    own = set(s.classification["deprivations"]) if s.classification else set()
    item = SupportItem(
        f.category,
        f.programme,
        f.funding_source,
        f.amount_vnd,
        bool(own & SUPPORT_ADDRESSES.get(f.category, frozenset())),
        em,
    )
    for a in figures.both(f.effective_on.year, group):
        a.support.append(item)


def _exit_registration(
    figures: CampaignFigures,
    r: HouseholdReplay,
    scope: UnitScope,
    f: Any,
    exits: Sequence[StatusPeriod],
    em: bool,
) -> None:
    found = placed(r, scope, f.effective_on)
    if found is None:
        return
    y = f.effective_on.year
    deadline = date(max(f.target_year, y), 12, 31)
    exited = any(f.effective_on <= p.valid_from <= deadline for p in exits)
    for a in figures.both(y, found[1]):
        a.add_exit_registration(exited, em)


def _exits(
    figures: CampaignFigures,
    r: HouseholdReplay,
    scope: UnitScope,
    years: Sequence[int],
    em: bool,
    today: date,
) -> None:
    timeline = r.latest().timeline
    re_poor = [p for p in timeline if p.transition == "re_poor"]
    for p in (p for p in timeline if p.transition == "exited_poverty"):
        if p.valid_from.year not in years:
            continue
        found = placed(r, scope, p.valid_from)
        if found is None:
            continue
        window_end = add_years(p.valid_from, RE_POVERTY_WINDOW_YEARS)
        again = any(p.valid_from < q.valid_from <= window_end for q in re_poor)
        for a in figures.both(p.valid_from.year, found[1]):
            a.add_exit(again, em, window_end > today)


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
) -> CampaignFigures:
    """The campaign's replayed figures per year and group (see ``campaign_report``)."""
    scope = UnitScope(units, unit, mode=units_mode, today=today, by=by)
    years = list(range(from_year, to_year + 1))
    replays = [HouseholdReplay(hid, facts, known_at) for hid, facts in histories.items()]
    figures = CampaignFigures(_baseline(replays, scope, date(from_year - 1, 12, 31)))
    _cohort_at_end(figures, replays, scope, date(to_year, 12, 31))
    for r in replays:
        latest = r.latest()
        if not latest.known:
            continue
        em = latest.ethnic_minority
        _year_ends(figures, r, scope, years, em)
        exits = [p for p in latest.timeline if p.transition == "exited_poverty"]
        for f in r.live():
            if f.effective_on.year not in years:
                continue
            if isinstance(f, SupportDelivered):
                _support(figures, r, scope, f, em)
            elif isinstance(f, ExitRegistered):
                _exit_registration(figures, r, scope, f, exits, em)
        _exits(figures, r, scope, years, em, today)
    return figures
