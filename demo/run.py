"""Running the demo: the households' planned facts recorded in batches, through the real commands."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from application import commands as c
from application.households import Households
from application.recorded import Recorded
from demo.household import HouseholdPlanner
from demo.life import Plan
from demo.reference import (
    FIRST_YEAR,
)
from demo.summary import DemoSummary, YearEndTally
from demo.world import Spec, World
from domain.household import household_id_for

COMMANDS: dict[str, type[c.HouseholdCommand]] = {
    "assess": c.Assess,
    "recognise": c.Recognise,
    "deliver_support": c.DeliverSupport,
    "start_sponsorship": c.StartSponsorship,
    "end_sponsorship": c.EndSponsorship,
    "register_exit": c.RegisterExit,
    "change_member": c.ChangeMember,
    "relocate": c.Relocate,
    "file_complaint": c.FileComplaint,
    "resolve_complaint": c.ResolveComplaint,
    "inspect": c.Inspect,
    "close_household": c.CloseHousehold,
    "retract": c.Retract,
}
"""The command each planned fact's method records."""


class SimulatedClock:
    """A clock the demo sets by hand: each fact's ``recorded_at`` and the application's "today"."""

    def __init__(self, start: datetime) -> None:
        self.current = start

    def __call__(self) -> datetime:
        return self.current


class StoreNotEmpty(ValueError):
    """The demo loads only into an empty store (its codes and figures assume it is alone), or
    into one holding an unfinished run of the same demo, which it completes."""


@dataclass(frozen=True)
class DemoRun:
    """A run of the demo as recorded before its first household: what was asked, and the moment
    up to which facts are recorded (so that a resumed run records the same history)."""

    run_id: int
    households: int
    seed: int
    to_year: int
    horizon: datetime
    started_at: datetime


class DemoRuns(Protocol):
    """Where runs are kept (``infrastructure/demo_runs.py``): in the store they load into."""

    def unfinished(self) -> DemoRun | None:
        """The last run that did not finish, if any."""

    def start(self, households: int, seed: int, to_year: int, horizon: datetime) -> DemoRun:
        """Record that a run begins."""

    def finish(self, run: DemoRun) -> None:
        """Record that the run recorded every household."""


def store_is_empty(app: Households) -> bool:
    """Whether nothing has been recorded yet (``make run`` loads the demo only then)."""
    return not app.recorder.max_notification_id()


def _begin(
    app: Households, runs: DemoRuns | None, households: int, seed: int, to_year: int | None
) -> tuple[datetime, int, DemoRun | None]:
    """The horizon and last year of the history, and the run: an unfinished one of the same
    demo is resumed; otherwise the store must be empty."""
    run = runs.unfinished() if runs is not None else None
    if run is not None:
        if (run.households, run.seed) != (households, seed) or to_year not in (None, run.to_year):
            raise StoreNotEmpty(
                f"the store holds an unfinished demo of {run.households} households, seed "
                f"{run.seed}, to {run.to_year}: run `chungtay demo --households {run.households} "
                f"--seed {run.seed} --to-year {run.to_year}` to complete it"
            )
        return run.horizon, run.to_year, run
    if not store_is_empty(app):
        raise StoreNotEmpty(
            "the store already holds facts; the demo loads only into an empty store"
        )
    horizon = app.clock()
    today = horizon.astimezone(app.zone).date()
    year = today.year if to_year is None else to_year
    if not FIRST_YEAR <= year <= today.year:
        raise ValueError(f"to_year must lie between {FIRST_YEAR} and {today.year}; got {year}")
    if runs is not None:
        run = runs.start(households, seed, year, horizon)
    return horizon, year, run


def generate_demo(
    app: Households,
    *,
    households: int = 6000,
    seed: int = 2017,
    to_year: int | None = None,
    batch_size: int = 200,
    progress: Callable[[int, int], None] | None = None,
    runs: DemoRuns | None = None,
) -> DemoSummary:
    """Record a synthetic history of ``households`` Hạ Lang households, 2015 → ``to_year``.

    ``to_year`` defaults to the current year of the application's clock; nothing is recorded
    later than that clock's reading at the start. ``progress(done, total)`` is called after each
    batch of ``batch_size`` households is saved (one transaction per batch). With ``runs``, the
    run is recorded first, and an unfinished run of the same demo is completed: the households
    already recorded are kept (a batch is all or nothing) and the others recorded as the first
    run would have recorded them.
    """
    if households < 1:
        raise ValueError("households must be at least 1")
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    started = time.perf_counter()
    resuming = runs is not None and runs.unfinished() is not None
    horizon, year, run = _begin(app, runs, households, seed, to_year)
    today = horizon.astimezone(app.zone).date()
    planner = World(app, seed=seed, to_year=year, today=today)
    specs = planner.specs(households)
    tally = YearEndTally(year)
    original_clock = app.clock
    sim = SimulatedClock(horizon)
    app.clock = sim
    events = 0
    try:
        for first in range(0, len(specs), batch_size):
            with app.batch():
                for spec in specs[first : first + batch_size]:
                    events += _household(app, sim, horizon, planner, spec, tally, resuming)
            if progress is not None:
                progress(min(first + batch_size, len(specs)), len(specs))
    finally:
        app.clock = original_clock
    if runs is not None and run is not None:
        runs.finish(run)
    return DemoSummary(
        households=tally.households,
        events=events,
        seconds=time.perf_counter() - started,
        seed=seed,
        to_year=year,
        resident=tally.resident,
        poor=tally.poor,
        near_poor=tally.near_poor,
        transitions=dict(sorted(tally.transitions.items())),
    )


def _household(
    app: Households,
    sim: SimulatedClock,
    horizon: datetime,
    planner: World,
    spec: Spec,
    tally: YearEndTally,
    resuming: bool,
) -> int:
    """Record one household (or, when an earlier run did, count what it recorded)."""
    hid = household_id_for(spec.code)
    if resuming and hid in app.repository:
        household = app.get(hid)
        tally.add(household.situation(date.max))
        return household.version
    return execute(app, sim, horizon, HouseholdPlanner(planner, spec).run(), tally)


def execute(
    app: Households, sim: SimulatedClock, horizon: datetime, plan: Plan, tally: YearEndTally
) -> int:
    """Record one household's planned facts in recording order, up to the horizon."""
    facts = sorted(plan.facts, key=lambda f: (f[0], f[1]))
    if not facts or facts[0][0] > horizon:
        return 0
    hid = household_id_for(plan.code)
    answers: dict[str, Recorded] = {}
    count = 0
    for at, _, method, kwargs, key, deps in facts:
        if at > horizon:
            break
        sim.current = at
        if deps:
            kwargs = dict(kwargs)
            for argument, ref, attribute in deps:
                answer = answers[ref]
                kwargs[argument] = getattr(answer, attribute)
        if method == "register":
            answer = app.register(c.RegisterHousehold(**kwargs))
        else:
            answer = getattr(app, method)(COMMANDS[method](household=hid, **kwargs))
        if key is not None:
            answers[key] = answer
        count += 1
    tally.add(app.get(hid).situation(date.max))
    return count
