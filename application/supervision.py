"""Supervision use cases (issue 6): anomaly scans, at-risk ranking, inspection plans, progress.

The rules themselves are pure (:mod:`domain.supervision`); this module feeds them the facts. A
district-wide scan reads the application's notification log once, in pages, decoding each stored
event with the application's own mapper and grouping the facts by household, instead of loading
households one by one (one query per household). Plans are stored through a :class:`PlanStore`
port (``infrastructure/supervision.py``), append-only.

A plan is drawn **as the record stood at the moment it was drawn** (``known_at`` = ``drawn_at``),
so drawing it again later with the same seed, on a store that has grown since, gives the same
households: :func:`redraw_plan` checks exactly that.
"""

from __future__ import annotations

import gc
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from application.errors import InvalidInput
from application.households import Households
from application.status import unit_on
from domain.events import (
    Assessed,
    Inspected,
    Recognised,
    Registered,
    Relocated,
    Retracted,
)
from domain.household import Household
from domain.situation import Situation, fold
from domain.supervision import (
    RULE_CODES,
    RULES,
    SCORE_WEIGHTS,
    SEVERITY_POINTS,
    SEVERITY_RANK,
    Anomaly,
    Candidate,
    ProgrammeCatalogue,
    RiskScore,
    add_months,
    duty_conflict,
    end_of_day,
    fact_ref,
    fell_back_within,
    household_anomalies,
    load_programmes,
    precision_at,
    risk_score,
    roc_auc,
    stratified_sample,
)
from domain.units import UnknownUnitError

Facts = list[Any]
Histories = Mapping[uuid.UUID, Facts]
Scope = Callable[[Situation, date], bool]
"""Whether a household (folded on a date) may be shown to the caller (its units)."""

PAGE_SIZE = 1000
ADDRESS_KINDS = (Registered, Relocated)
MAX_PLAN_SIZE = 10_000
ANOMALY_YEARS = 3
"""A plan weighs the open anomalies dated in its year and the two years before."""


class PlanNotFound(LookupError):
    """No inspection plan with that id: 404 / exit 1."""

    def __init__(self, plan_id: str) -> None:
        super().__init__(f"no inspection plan {plan_id!r}")
        self.plan_id = plan_id


class DuplicatePlan(Exception):
    """A plan with that id is already recorded (plans are append-only)."""


# -- reading the log ---------------------------------------------------------------------------


def iter_log(app: Households, page_size: int = PAGE_SIZE) -> Iterator[Any]:
    """Every stored fact in log order, decoded by the application's mapper."""
    start: int | None = None
    to_event = app.mapper.to_domain_event
    while True:
        page = app.recorder.select_notifications(start, page_size, inclusive_of_start=False)
        if not page:
            return
        for notification in page:
            yield to_event(notification)
        start = page[-1].id


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while many small, acyclic objects are created (the
    decoded events): it would otherwise rescan them again and again, for nothing."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def load_histories(app: Households, page_size: int = PAGE_SIZE) -> dict[uuid.UUID, Facts]:
    """Every household's facts in version order, from one pass over the notification log.

    A household's events enter the log in version order, so appending in log order keeps each
    list in version order.
    """
    histories: dict[uuid.UUID, Facts] = {}
    with gc_paused():
        for event in iter_log(app, page_size):
            facts = histories.get(event.originator_id)
            if facts is None:
                histories[event.originator_id] = [event]
            else:
                facts.append(event)
    return histories


# -- population --------------------------------------------------------------------------------


def _check_unit(app: Households, unit: str | None, on: date) -> None:
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


def _population(
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
        if not facts or facts[0].timestamp > known_at or facts[0].effective_on > as_of:
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


# -- anomalies ---------------------------------------------------------------------------------


def _kinds(kinds: Iterable[str] | None) -> tuple[str, ...]:
    if kinds is None:
        return RULE_CODES
    chosen = tuple(dict.fromkeys(kinds))
    unknown = [k for k in chosen if k not in RULES]
    if unknown:
        raise InvalidInput(
            "kind", f"unknown rule {', '.join(unknown)}; one of {', '.join(RULE_CODES)}"
        )
    return chosen


def _order(a: Anomaly) -> tuple[Any, ...]:
    return (-SEVERITY_RANK[a.severity], a.code or "", a.on, a.versions, a.rule)


def _scan(
    app: Households,
    histories: Histories,
    unit: str | None,
    as_of: date,
    known_at: datetime,
    in_scope: Scope | None,
    programmes: ProgrammeCatalogue,
    chosen: tuple[str, ...],
) -> tuple[list[Anomaly], int]:
    found: list[Anomaly] = []
    examined = 0
    for hid, facts, _s, _commune_code in _population(
        app,
        histories,
        unit=unit,
        as_of=as_of,
        known_at=known_at,
        in_scope=in_scope,
        address_only=in_scope is None,
    ):
        examined += 1
        found.extend(
            household_anomalies(
                str(hid),
                facts,
                as_of=as_of,
                known_at=known_at,
                zone=app.zone,
                programmes=programmes,
                kinds=chosen,
            )
        )
    return found, examined


def scan_anomalies(
    app: Households,
    *,
    unit: str | None = None,
    as_of: date | None = None,
    kinds: Iterable[str] | None = None,
    known_at: datetime | None = None,
    in_scope: Scope | None = None,
    histories: Histories | None = None,
    programmes: ProgrammeCatalogue | None = None,
) -> dict[str, Any]:
    """Every anomaly on or before ``as_of`` of the households of ``unit`` (None = all), from the
    record as it stands at ``known_at`` (default now), each evaluated as known when its facts were
    recorded. Sorted by severity (critical first), then household code and date."""
    as_of = as_of or app.today()
    known_at = known_at or app.now()
    chosen = _kinds(kinds)
    _check_unit(app, unit, as_of)
    histories = load_histories(app) if histories is None else histories
    programmes = programmes or load_programmes()
    with gc_paused():
        found, examined = _scan(app, histories, unit, as_of, known_at, in_scope, programmes, chosen)
    found.sort(key=_order)
    by_rule = {k: 0 for k in chosen}
    by_severity = {k: 0 for k in SEVERITY_RANK}
    for a in found:
        by_rule[a.rule] += 1
        by_severity[a.severity] += 1
    return {
        "unit": unit,
        "as_of": as_of.isoformat(),
        "known_at": known_at.isoformat(),
        "kinds": list(chosen),
        "rules": [RULES[k].to_dict() for k in chosen],
        "programmes_data_version": programmes.data_version,
        "households_examined": examined,
        "households_with_anomalies": len({a.household_id for a in found}),
        "count": len(found),
        "open": sum(1 for a in found if a.open),
        "by_rule": by_rule,
        "by_severity": by_severity,
        "anomalies": [a.to_dict() for a in found],
    }


# -- early warning -----------------------------------------------------------------------------


def at_risk(
    app: Households,
    *,
    unit: str | None = None,
    as_of: date | None = None,
    known_at: datetime | None = None,
    limit: int | None = None,
    in_scope: Scope | None = None,
    histories: Histories | None = None,
) -> dict[str, Any]:
    """Households that exited poverty and are not poor on ``as_of``, ranked by the re-poverty
    early-warning score (highest first), each with its components."""
    as_of = as_of or app.today()
    known_at = known_at or app.now()
    _check_unit(app, unit, as_of)
    histories = load_histories(app) if histories is None else histories
    scored: list[RiskScore] = []
    examined = 0
    for hid, facts, s, _commune_code in _population(
        app, histories, unit=unit, as_of=as_of, known_at=known_at, in_scope=in_scope
    ):
        examined += 1
        score = risk_score(str(hid), facts, as_of, known_at, situation=s)
        if score is not None:
            scored.append(score)
    scored.sort(key=lambda r: (-r.score, r.code or ""))
    shown = scored if limit is None else scored[:limit]
    return {
        "unit": unit,
        "as_of": as_of.isoformat(),
        "known_at": known_at.isoformat(),
        "weights": dict(SCORE_WEIGHTS),
        "households_examined": examined,
        "count": len(scored),
        "households": [{"rank": i + 1, **r.to_dict()} for i, r in enumerate(shown)],
    }


def _standard_of(app: Households, list_year: int) -> str | None:
    try:
        return app.standards.for_list_year(list_year).code
    except (ValueError, LookupError):
        return None


def early_warning_quality(
    app: Households,
    *,
    years: Sequence[int],
    horizon_months: int = 12,
    histories: Histories | None = None,
    top_share: float = 0.1,
) -> dict[str, Any]:
    """How well the score, computed as known at each year's end, ranked the households that
    actually fell back into poverty in the following ``horizon_months`` (as the record stands
    now).

    For each year: households scored, those that fell back, ROC AUC, precision at k (k = the
    number that fell back) and in the top ``top_share``, the AUC of each component alone, and
    whether a new poverty standard took over within the horizon (then many households fall back
    because the line moved, which no household's history foretells). The summary averages the
    years (macro) with and without those, and pools the years without them.
    """
    histories = load_histories(app) if histories is None else histories
    today = app.today()
    truth = {hid: fold(str(hid), facts, today).timeline for hid, facts in histories.items()}
    per_year = []
    pooled: dict[bool, tuple[list[float], list[bool]]] = {False: ([], []), True: ([], [])}
    for year in years:
        as_of = date(year, 12, 31)
        until = add_months(as_of, horizon_months)
        if until > today:
            raise InvalidInput("years", f"the {horizon_months} months after {year} are not over")
        known_at = end_of_day(as_of, app.zone)
        scores: list[float] = []
        labels: list[bool] = []
        components: dict[str, list[float]] = {k: [] for k in SCORE_WEIGHTS}
        for hid, facts in histories.items():
            if facts[0].timestamp > known_at:
                continue
            score = risk_score(str(hid), facts, as_of, known_at)
            if score is None:
                continue
            scores.append(score.score)
            labels.append(fell_back_within(truth[hid], as_of, until))
            for c in score.components:
                components[c.name].append(c.points)
        standards = {_standard_of(app, y) for y in range(year + 1, until.year + 2)}
        change = len(standards) > 1
        positives = sum(labels)
        per_year.append(
            {
                "year": year,
                "scored": len(scores),
                "fell_back": positives,
                "base_rate": _round(positives / len(scores) if scores else None),
                "auc": _round(roc_auc(scores, labels)),
                "precision_at_k": _round(precision_at(scores, labels, positives)),
                f"precision_top_{round(top_share * 100)}pct": _round(
                    precision_at(scores, labels, max(1, round(len(scores) * top_share)))
                ),
                "standard_change_in_horizon": change,
                "component_auc": {
                    name: _round(roc_auc(values, labels)) for name, values in components.items()
                },
            }
        )
        pooled[change][0].extend(scores)
        pooled[change][1].extend(labels)
    steady = [y for y in per_year if not y["standard_change_in_horizon"]]
    scores, labels = pooled[False]
    return {
        "horizon_months": horizon_months,
        "weights": dict(SCORE_WEIGHTS),
        "years": per_year,
        "summary": {
            "mean_auc": _mean([y["auc"] for y in steady]),
            "mean_auc_all_years": _mean([y["auc"] for y in per_year]),
            "mean_precision_at_k": _mean([y["precision_at_k"] for y in steady]),
            "mean_base_rate": _mean([y["base_rate"] for y in steady]),
            "pooled_auc": _round(roc_auc(scores, labels)),
            "pooled_scored": len(scores),
            "pooled_fell_back": sum(labels),
            "years_without_standard_change": [y["year"] for y in steady],
            "mean_component_auc": {
                name: _mean([y["component_auc"][name] for y in steady]) for name in SCORE_WEIGHTS
            },
        },
    }


def _mean(values: Sequence[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return round(sum(known) / len(known), 3) if known else None


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 3)


# -- inspection plans --------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedHousehold:
    """One household of a plan, with why it weighed what it did."""

    position: int
    household_id: str
    code: str | None
    commune: str
    weight: float
    score: float | None
    anomalies: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "position": self.position,
            "household_id": self.household_id,
            "code": self.code,
            "commune": self.commune,
            "weight": round(self.weight, 4),
            "score": None if self.score is None else round(self.score, 2),
            "anomalies": list(self.anomalies),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> PlannedHousehold:
        """Back from :meth:`to_dict`."""
        return cls(
            int(d["position"]),
            str(d["household_id"]),
            d.get("code"),
            str(d["commune"]),
            float(d["weight"]),
            None if d.get("score") is None else float(d["score"]),
            tuple(d.get("anomalies") or ()),
        )


@dataclass(frozen=True)
class InspectionPlan:
    """A recorded inspection plan (kế hoạch kiểm tra): who is to be visited, and how drawn."""

    plan_id: str
    unit: str
    year: int
    size: int
    seed: int
    as_of: date
    drawn_at: datetime
    drawn_by: str
    population: int
    strata: dict[str, dict[str, Any]]
    households: tuple[PlannedHousehold, ...]
    method: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (what is stored and answered)."""
        return {
            "plan_id": self.plan_id,
            "unit": self.unit,
            "year": self.year,
            "size": self.size,
            "drawn": len(self.households),
            "seed": self.seed,
            "as_of": self.as_of.isoformat(),
            "drawn_at": self.drawn_at.isoformat(),
            "drawn_by": self.drawn_by,
            "population": self.population,
            "strata": {k: dict(v) for k, v in self.strata.items()},
            "method": dict(self.method),
            "households": [h.to_dict() for h in self.households],
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> InspectionPlan:
        """Back from :meth:`to_dict`."""
        return cls(
            plan_id=str(d["plan_id"]),
            unit=str(d["unit"]),
            year=int(d["year"]),
            size=int(d["size"]),
            seed=int(d["seed"]),
            as_of=date.fromisoformat(d["as_of"]),
            drawn_at=datetime.fromisoformat(d["drawn_at"]),
            drawn_by=str(d["drawn_by"]),
            population=int(d["population"]),
            strata={k: dict(v) for k, v in d["strata"].items()},
            households=tuple(PlannedHousehold.from_dict(h) for h in d["households"]),
            method=dict(d.get("method") or {}),
        )

    def summary(self) -> dict[str, Any]:
        """The plan without its household list."""
        d = self.to_dict()
        d.pop("households")
        return d


class PlanStore(Protocol):
    """Where plans are kept (append-only): ``infrastructure/supervision.py``."""

    def add(self, plan: InspectionPlan) -> None:
        """Record a new plan; :class:`DuplicatePlan` if its id is taken."""

    def get(self, plan_id: str) -> InspectionPlan | None:
        """The plan with that id."""

    def list(self, *, unit: str | None = None, year: int | None = None) -> list[InspectionPlan]:
        """Plans in the order they were recorded, optionally of one unit (code as given) and year."""

    def close(self) -> None:
        """Release connections."""


METHOD = {
    "population": "households registered by as_of, not closed, whose commune on as_of lies in "
    "the unit (as known at drawn_at)",
    "strata": "commune on as_of; at least one household per commune when the size allows, the "
    "rest in proportion to the communes' total weight (largest remainders)",
    "weight": "1 + severity points of the household's open anomalies dated from 1 January of "
    f"year-{ANOMALY_YEARS - 1} to as_of (minor 1, major 3, critical 5) + re-poverty score / 10",
    "within_stratum": "weighted sampling without replacement (Efraimidis-Spirakis keys "
    "u^(1/weight), generator seeded by 'chungtay-plan/<seed>/<commune>')",
}


def plan_as_of(app: Households, year: int) -> date:
    """The date a plan for ``year`` looks at: 31 December, or today if that is earlier."""
    return min(app.today(), date(year, 12, 31))


def plan_candidates(
    app: Households,
    *,
    unit: str,
    year: int,
    known_at: datetime,
    as_of: date | None = None,
    histories: Histories | None = None,
    in_scope: Scope | None = None,
) -> tuple[date, list[Candidate], dict[str, float | None]]:
    """The households a plan draws from, with their risk weights (as known at ``known_at``)."""
    as_of = as_of or plan_as_of(app, year)
    _check_unit(app, unit, as_of)
    histories = load_histories(app) if histories is None else histories
    programmes = load_programmes()
    since = date(year - (ANOMALY_YEARS - 1), 1, 1)
    candidates: list[Candidate] = []
    scores: dict[str, float | None] = {}
    for hid, facts, s, commune in _population(
        app, histories, unit=unit, as_of=as_of, known_at=known_at, in_scope=in_scope
    ):
        if s.closed:
            continue
        assert commune is not None
        anomalies = [
            a
            for a in household_anomalies(
                str(hid),
                facts,
                as_of=as_of,
                known_at=known_at,
                zone=app.zone,
                programmes=programmes,
            )
            if a.open and a.on >= since
        ]
        score = risk_score(str(hid), facts, as_of, known_at, situation=s)
        weight = 1.0 + sum(SEVERITY_POINTS[a.severity] for a in anomalies)
        if score is not None:
            weight += score.score / 10
        reasons = tuple(a.rule for a in anomalies)
        candidates.append(Candidate(str(hid), s.code, commune, weight, reasons))
        scores[str(hid)] = None if score is None else score.score
    return as_of, candidates, scores


def draw_plan(
    app: Households,
    plans: PlanStore | None,
    *,
    unit: str,
    year: int,
    size: int,
    drawn_by: str,
    seed: int | None = None,
    histories: Histories | None = None,
    in_scope: Scope | None = None,
    record: bool = True,
) -> InspectionPlan:
    """Draw a reproducible, commune-stratified, risk-weighted sample and record it as a plan."""
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= MAX_PLAN_SIZE:
        raise InvalidInput("size", f"must be a whole number from 1 to {MAX_PLAN_SIZE}")
    if not 2000 <= year <= app.today().year + 1:
        raise InvalidInput("year", f"must lie between 2000 and {app.today().year + 1}")
    if seed is None:
        seed = uuid.uuid4().int % 2**53
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**63:
        raise InvalidInput("seed", "must be a whole number from 0 to 2^63 - 1")
    drawn_at = app.now()
    as_of, candidates, scores = plan_candidates(
        app, unit=unit, year=year, known_at=drawn_at, histories=histories, in_scope=in_scope
    )
    if not candidates:
        raise InvalidInput("unit", f"no resident household in unit {unit} on {as_of.isoformat()}")
    drawn = stratified_sample(candidates, size, seed)
    strata: dict[str, dict[str, Any]] = {}
    for c in candidates:
        entry = strata.setdefault(
            c.stratum, {"name": _unit_name(app, c.stratum, as_of), "households": 0, "weight": 0.0}
        )
        entry["households"] += 1
        entry["weight"] += c.weight
    for entry in strata.values():
        entry["weight"] = round(entry["weight"], 4)
        entry["drawn"] = 0
    for d in drawn:
        strata[d.candidate.stratum]["drawn"] += 1
    plan = InspectionPlan(
        plan_id=f"{unit}-{year}-{uuid.uuid4().hex[:10]}",
        unit=unit,
        year=year,
        size=size,
        seed=seed,
        as_of=as_of,
        drawn_at=drawn_at,
        drawn_by=drawn_by,
        population=len(candidates),
        strata=dict(sorted(strata.items())),
        households=tuple(
            PlannedHousehold(
                d.position,
                d.candidate.household_id,
                d.candidate.code,
                d.candidate.stratum,
                d.candidate.weight,
                scores.get(d.candidate.household_id),
                d.candidate.reasons,
            )
            for d in drawn
        ),
        method={**METHOD, "programmes_data_version": load_programmes().data_version},
    )
    if record:
        if plans is None:
            raise ValueError("a plan store is needed to record the plan")
        plans.add(plan)
    return plan


def redraw_plan(
    app: Households, plan: InspectionPlan, *, histories: Histories | None = None
) -> list[str]:
    """Draw ``plan`` again from the record as it stood at ``plan.drawn_at`` (same unit, as_of and
    seed) and return the household ids; equal to the plan's when the draw is reproducible."""
    _as_of, candidates, _ = plan_candidates(
        app,
        unit=plan.unit,
        year=plan.year,
        known_at=plan.drawn_at,
        as_of=plan.as_of,
        histories=histories,
    )
    return [d.candidate.household_id for d in stratified_sample(candidates, plan.size, plan.seed)]


def _unit_name(app: Households, code: str, on: date) -> str | None:
    unit = app.units.find(code, on)
    return unit.name if unit else None


def get_plan(plans: PlanStore, plan_id: str) -> InspectionPlan:
    """The plan, or :class:`PlanNotFound`."""
    plan = plans.get(plan_id)
    if plan is None:
        raise PlanNotFound(plan_id)
    return plan


NEEDS_FOLLOW_UP = frozenset({"minor", "major", "critical"})
CORRECTING = (Retracted, Assessed, Recognised)


def _needs_follow_up(inspection: Inspected) -> bool:
    return inspection.outcome != "confirmed" or any(
        f.get("severity") in NEEDS_FOLLOW_UP for f in inspection.findings
    )


def plan_progress(
    app: Households, plans: PlanStore, plan_id: str, *, known_at: datetime | None = None
) -> dict[str, Any]:
    """Which planned households were visited (an inspection recorded against the plan), what was
    found, and which findings were followed by a correcting fact: a retraction, a new
    assessment or a new decision recorded after the inspection."""
    plan = get_plan(plans, plan_id)
    known_at = known_at or app.now()
    rows = []
    by_commune: dict[str, dict[str, int]] = {}
    for planned in plan.households:
        facts = [f for f in app.get(planned.household_id).facts if f.timestamp <= known_at]
        voided = {f.version for f in facts if type(f) is Retracted}
        inspections = [
            f
            for f in facts
            if type(f) is Inspected
            and f.plan_id == plan.plan_id
            and f.originator_version not in voided
        ]
        flagged = [i for i in inspections if _needs_follow_up(i)]
        follow_ups: list[Any] = []
        if flagged:
            first = min(i.timestamp for i in flagged)
            follow_ups = [
                f
                for f in facts
                if type(f) in CORRECTING
                and f.timestamp > first
                and not (type(f) is Retracted and type(facts[f.version - 1]) is Inspected)
            ]
        row = {
            **planned.to_dict(),
            "visited": bool(inspections),
            "inspections": [
                {
                    **fact_ref(i),
                    "team": i.team,
                    "outcome": i.outcome,
                    "findings": [dict(x) for x in i.findings],
                }
                for i in inspections
            ],
            "needs_follow_up": bool(flagged),
            "followed_by": [
                {
                    **fact_ref(f),
                    **({"retracted_version": f.version} if type(f) is Retracted else {}),
                }
                for f in follow_ups
            ],
            "followed_up": bool(follow_ups),
        }
        rows.append(row)
        tally = by_commune.setdefault(
            planned.commune, {"planned": 0, "visited": 0, "with_findings": 0, "followed_up": 0}
        )
        tally["planned"] += 1
        tally["visited"] += bool(inspections)
        tally["with_findings"] += bool(flagged)
        tally["followed_up"] += bool(follow_ups)
    totals = {
        "planned": len(rows),
        "visited": sum(r["visited"] for r in rows),
        "not_visited": sum(not r["visited"] for r in rows),
        "with_findings": sum(r["needs_follow_up"] for r in rows),
        "followed_up": sum(r["followed_up"] for r in rows),
        "awaiting_follow_up": sum(r["needs_follow_up"] and not r["followed_up"] for r in rows),
    }
    return {
        "plan": plan.summary(),
        "known_at": known_at.isoformat(),
        "totals": totals,
        "by_commune": dict(sorted(by_commune.items())),
        "households": rows,
    }


def plans_overview(app: Households, plans: PlanStore) -> dict[str, Any]:
    """Every recorded plan with its progress totals."""
    out = []
    for plan in plans.list():
        progress = plan_progress(app, plans, plan.plan_id)
        out.append({**plan.summary(), "totals": progress["totals"]})
    return {"count": len(out), "plans": out}


# -- separation of duties ----------------------------------------------------------------------


def separation_of_duties(
    household: Household, inspector: str, *, aliases: Iterable[str] = ()
) -> str | None:
    """The reason ``inspector`` may not record an inspection of ``household``, or None.

    They may not when they assessed it (``Assessed.recorded_by`` or ``.assessor``), recognised it
    (``Recognised.recorded_by`` or ``.signed_by``), or sponsor it (an active sponsorship whose
    ``sponsor["name"]`` is theirs). Names are compared without case, diacritics or punctuation;
    ``aliases`` are other names the same person goes by (e.g. the full name written on forms,
    when the account name is ``inspector.x``).
    """
    for name in (inspector, *aliases):
        reason = duty_conflict(household.facts, name, date.max)
        if reason is not None:
            return reason
    return None


def plan_membership(plans: PlanStore, plan_id: str, household_id: str) -> str | None:
    """Why an inspection may not be recorded against ``plan_id`` for this household, or None."""
    plan = plans.get(plan_id)
    if plan is None:
        return f"no inspection plan {plan_id!r}"
    if not any(h.household_id == str(household_id) for h in plan.households):
        return f"household {household_id} is not in inspection plan {plan_id}"
    return None


def histories_for(app: Households, ids: Iterable[str | uuid.UUID]) -> dict[uuid.UUID, Facts]:
    """The facts of a few households, loaded one by one (for small sets)."""
    return {app.household_id(str(i)): list(app.get(str(i)).facts) for i in ids}


__all__ = [
    "DuplicatePlan",
    "InspectionPlan",
    "PlanNotFound",
    "PlanStore",
    "PlannedHousehold",
    "at_risk",
    "draw_plan",
    "early_warning_quality",
    "get_plan",
    "histories_for",
    "iter_log",
    "load_histories",
    "plan_membership",
    "plan_progress",
    "plans_overview",
    "redraw_plan",
    "scan_anomalies",
    "separation_of_duties",
]
