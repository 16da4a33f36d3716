"""Inspection plans: a reproducible, commune-stratified, risk-weighted sample, recorded."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from application.errors import InvalidInput
from application.households import Households
from application.supervision.log import load_histories
from application.supervision.population import Histories, Scope, check_unit, population
from domain.supervision import (
    SEVERITY_POINTS,
    Candidate,
    Drawn,
    household_anomalies,
    load_programmes,
    risk_score,
    stratified_sample,
)

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
    check_unit(app, unit, as_of)
    histories = load_histories(app) if histories is None else histories
    programmes = load_programmes()
    since = date(year - (ANOMALY_YEARS - 1), 1, 1)
    candidates: list[Candidate] = []
    scores: dict[str, float | None] = {}
    for hid, facts, s, commune in population(
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


def _checked(app: Households, size: Any, year: Any, seed: Any) -> int:
    """The plan's arguments checked; the seed (a random one when none is given)."""
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= MAX_PLAN_SIZE:
        raise InvalidInput("size", f"must be a whole number from 1 to {MAX_PLAN_SIZE}")
    if not 2000 <= year <= app.today().year + 1:
        raise InvalidInput("year", f"must lie between 2000 and {app.today().year + 1}")
    if seed is None:
        seed = uuid.uuid4().int % 2**53
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**63:
        raise InvalidInput("seed", "must be a whole number from 0 to 2^63 - 1")
    return seed


def _strata(
    app: Households, candidates: Sequence[Candidate], drawn: Sequence[Drawn], as_of: date
) -> dict[str, dict[str, Any]]:
    """Per commune: its name, households, total weight and how many were drawn."""
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
    return strata


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
    """Draw a reproducible, commune-stratified, risk-weighted sample and record it as a plan;
    when a recorded plan already holds the same draw (same seed, same record), that plan is
    answered and nothing new is recorded."""
    seed = _checked(app, size, year, seed)
    drawn_at = app.now()
    as_of, candidates, scores = plan_candidates(
        app, unit=unit, year=year, known_at=drawn_at, histories=histories, in_scope=in_scope
    )
    if not candidates:
        raise InvalidInput("unit", f"no resident household in unit {unit} on {as_of.isoformat()}")
    drawn = stratified_sample(candidates, size, seed)
    strata = _strata(app, candidates, drawn, as_of)
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
        same = recorded_twin(plans, plan)
        if same is not None:
            return same  # drawn again with the same seed: the plan is already recorded
        plans.add(plan)
    return plan


def recorded_twin(plans: PlanStore, plan: InspectionPlan) -> InspectionPlan | None:
    """A recorded plan that this one repeats: same unit, year, size, seed and date, and the same
    households in the same order (a draw with the same seed on an unchanged record)."""
    drawn = [h.household_id for h in plan.households]
    for other in plans.list(unit=plan.unit, year=plan.year):
        if (other.size, other.seed, other.as_of) == (plan.size, plan.seed, plan.as_of) and [
            h.household_id for h in other.households
        ] == drawn:
            return other
    return None


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
