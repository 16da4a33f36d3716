"""The demo history on both stores: reproducible, realistic, and readable by every status query."""

from __future__ import annotations

import re
import statistics
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from application.households import Households
from application.status import status_object
from demo import (
    DemoSummary,
    SimulatedClock,
    StoreNotEmpty,
    generate_demo,
    store_is_empty,
)
from domain import events as ev
from domain.events import fact_data, fact_type
from domain.vocabulary import STATUSES, SUPPORT_CATEGORIES
from infrastructure.settings import Settings
from web.bootstrap import build_application, initialise_store

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")  # the application's default CHUNGTAY_TIMEZONE


def household_ids(app: Households) -> list[uuid.UUID]:
    """Every household in the store, in order of first recording."""
    seen: dict[uuid.UUID, None] = {}
    start = 1
    while page := app.recorder.select_notifications(start=start, limit=2000):
        for n in page:
            seen.setdefault(n.originator_id, None)
        start = page[-1].id + 1
    return list(seen)


def all_facts(app: Households) -> dict[uuid.UUID, list[Any]]:
    return {hid: app.facts(hid) for hid in household_ids(app)}


def comparable(facts: list[Any]) -> list[tuple[Any, ...]]:
    """A household's facts without the random ids the application mints (sponsorship, complaint)."""
    minted: dict[str, str] = {}
    out = []
    for f in facts:
        data = fact_data(f)
        for name in ("sponsorship_id", "complaint_id"):
            if name in data:
                data[name] = minted.setdefault(data[name], f"{name}#{len(minted)}")
        out.append((fact_type(f), f.effective_on, f.timestamp, f.recorded_by, data))
    return out


def local_day(moment: datetime) -> date:
    return moment.astimezone(ZONE).date()


def second_sqlite_app(tmp_path: Path, now: datetime) -> Households:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'second.sqlite'}", signing_key=tmp_path / "k2.key"
    )
    initialise_store(settings)
    return build_application(settings, clock=SimulatedClock(now))


# -- reproducibility ------------------------------------------------------------------------------


def test_same_seed_same_facts_whatever_the_store_and_batch_size(
    make_app: Callable[..., Households], clock: Any, tmp_path: Path
) -> None:
    first = make_app(clock)
    a = generate_demo(first, households=60, seed=11, to_year=2026, batch_size=7)
    second = second_sqlite_app(tmp_path, clock.current)
    try:
        b = generate_demo(second, households=60, seed=11, to_year=2026, batch_size=25)
        facts_a, facts_b = all_facts(first), all_facts(second)
    finally:
        second.close()
    assert (a.households, a.events) == (b.households, b.events) == (60, a.events)
    assert (a.poor, a.near_poor, a.transitions) == (b.poor, b.near_poor, b.transitions)
    assert list(facts_a) == list(facts_b)
    for hid, facts in facts_a.items():
        assert comparable(facts) == comparable(facts_b[hid])

    other = Households(
        env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, clock=SimulatedClock(clock.current)
    )
    generate_demo(other, households=60, seed=12, to_year=2026)
    assert [comparable(f) for f in all_facts(other).values()] != [
        comparable(f) for f in facts_a.values()
    ], "another seed, another history"


# -- realism ------------------------------------------------------------------------------------


def test_a_realistic_history_that_every_query_can_read(
    make_app: Callable[..., Households], clock: Any
) -> None:
    app = make_app(clock)
    now = clock.current
    assert store_is_empty(app)
    calls: list[tuple[int, int]] = []
    summary = generate_demo(
        app, households=100, to_year=2026, batch_size=40, progress=lambda *c: calls.append(c)
    )
    assert app.clock is clock, "the application's own clock is restored"
    assert not store_is_empty(app)
    assert calls == [(40, 100), (80, 100), (100, 100)]
    facts = all_facts(app)
    flat = [f for fs in facts.values() for f in fs]
    assert summary.households == len(facts) == 100
    assert summary.events == len(flat)

    _check_time_axes(facts, now)
    _check_households(app, facts)
    _check_rates_and_transitions(app, facts, summary)
    _check_reviews(app, facts)
    _check_other_facts(app, flat)
    _check_status_queries(app, facts, now)


def _check_time_axes(facts: dict[uuid.UUID, list[Any]], now: datetime) -> None:
    lags = []
    late = 0
    for fs in facts.values():
        assert isinstance(fs[0], ev.Registered)
        stamps = [f.timestamp for f in fs]
        assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps), "strictly increasing"
        assert stamps[-1] <= now, "nothing is recorded after the real now"
        for f in fs:
            lag = (local_day(f.timestamp) - f.effective_on).days
            assert lag >= 0, "effective_on never lies in the future of its recording"
            lags.append(lag)
            late += lag > 120
    assert statistics.median(lags) <= 7, "most facts are entered within days"
    assert 1 <= late <= 0.03 * len(lags), "a few late entries (4-14 months)"


def _check_households(app: Households, facts: dict[uuid.UUID, list[Any]]) -> None:
    registrations = [fs[0] for fs in facts.values()]
    for r in registrations:
        assert re.fullmatch(r"\d{5}-\d{4}", r.code) and r.code.startswith(r.unit)
        assert app.units.resolve(r.unit, r.effective_on).level == "commune"
        assert any(m["relation"] == "head" and m["name"] == r.head_name for m in r.members)
    units = Counter(r.unit for r in registrations)
    assert {"01564", "01570", "01558"} <= set(units), "Việt Chu, Thái Đức and the town"
    assert app.units.resolve("01564", date(2015, 12, 31)).name == "Xã Việt Chu"
    assert len(units) >= 12 and "01571" not in units
    early = [r for r in registrations if r.effective_on <= date(2015, 8, 31)]
    assert 0.9 * len(registrations) <= len(early) < len(registrations), "a few split off later"
    assert all(r.area_type == app.units.resolve(r.unit, r.effective_on).area_type for r in early)
    ethnicities = Counter(r.ethnicity for r in registrations)
    assert ethnicities["Nùng"] + ethnicities["Tày"] >= 90 and min(ethnicities.values()) >= 1


def _resident_poor(app: Households, facts: dict[uuid.UUID, list[Any]], day: date) -> tuple:
    resident = poor = near = 0
    for hid, fs in facts.items():
        if fs[0].effective_on > day:
            continue
        s = app.situation(hid, day)
        if s.closed:
            continue
        resident += 1
        poor += s.status == "poor"
        near += s.status == "near_poor"
    return resident, poor, near


def _check_rates_and_transitions(
    app: Households, facts: dict[uuid.UUID, list[Any]], summary: DemoSummary
) -> None:
    for year in (2016, 2020, 2021, 2025):
        resident, poor, near = _resident_poor(app, facts, date(year, 12, 31))
        assert (summary.resident[year], summary.poor[year], summary.near_poor[year]) == (
            resident,
            poor,
            near,
        ), f"the summary's year-end {year} agrees with the fold"
    assert 35 <= summary.poor_rate(2016) <= 65
    assert summary.poor_rate(2020) <= summary.poor_rate(2016) - 8, "poverty falls by 2020"
    assert summary.poor_rate(2021) > summary.poor_rate(2020), "the 2021 standard shows as a jump"
    transitions: Counter[str] = Counter()
    for hid in facts:
        timeline = app.situation(hid, date(2026, 12, 31)).timeline
        transitions.update(p.transition for p in timeline if p.recognised)
    assert transitions == Counter(summary.transitions)
    for t in ("newly_poor", "exited_poverty", "re_poor", "newly_near_poor", "exited_near_poverty"):
        assert transitions[t] > 0, t


def _check_reviews(app: Households, facts: dict[uuid.UUID, list[Any]]) -> None:
    depth: dict[int, list[int]] = {}
    standards: dict[int, set[str]] = {}
    contradictions = recognitions = 0
    for fs in facts.values():
        voided = {f.version for f in fs if isinstance(f, ev.Retracted)}
        live = [f for f in fs if f.originator_version not in voided]
        assessments = sorted(
            (f for f in live if isinstance(f, ev.Assessed)),
            key=lambda f: (f.effective_on, f.originator_version),
        )
        for a in assessments:
            if a.kind == "periodic":
                assert (
                    date(a.effective_on.year, 9, 1)
                    <= a.effective_on
                    <= date(a.effective_on.year, 12, 14)
                )
                depth.setdefault(a.effective_on.year, []).append(len(a.deprivations))
                standards.setdefault(a.effective_on.year, set()).add(a.standard)
                assert a.form == ("Phiếu B" if a.standard == "2016-2020" else "Circular 07/2021")
            assert a.assessor
        for r in (f for f in live if isinstance(f, ev.Recognised)):
            assert re.fullmatch(r"\d+/QĐ-UBND", r.decision_number)
            assert r.signed_by.startswith("Chủ tịch UBND ")
            before = [a for a in assessments if a.effective_on <= r.effective_on]
            assert before, "every decision follows an assessment"
            gap = (r.effective_on - before[-1].effective_on).days
            assert 0 <= gap <= 120
            recognitions += 1
            contradictions += r.status != before[-1].classification["status"]
    assert standards[2020] == {"2016-2020"}
    assert standards[2021] == standards[2025] == {"2021-2025"}
    assert standards[2026] == {"2026-2030"}
    mean = {y: statistics.mean(v) for y, v in depth.items()}
    assert mean[2021] > mean[2020] + 0.3 and mean[2026] > mean[2025], "new indicators"
    assert contradictions <= 0.04 * recognitions, "decisions mostly follow the classification"


def _check_other_facts(app: Households, flat: list[Any]) -> None:
    kinds = Counter(fact_type(f) for f in flat)
    for kind in ev.FACT_TYPES:
        assert kinds[kind] > 0, f"no {kind} in the demo"
    supports = [f for f in flat if isinstance(f, ev.SupportDelivered)]
    assert {s.category for s in supports} == set(SUPPORT_CATEGORIES)
    assert {s.funding_source for s in supports} <= {
        "central",
        "provincial",
        "district",
        "social",
        "credit VBSP",
    }
    assert all(isinstance(s.amount_vnd, int) and s.amount_vnd > 0 for s in supports)
    for s in (f for f in flat if isinstance(f, ev.SponsorshipStarted)):
        unit = app.units.resolve(s.sponsor["unit"], s.effective_on)
        assert unit.level in ("district", "commune", "province")
    outcomes = {f.outcome for f in flat if isinstance(f, ev.Inspected)}
    assert "confirmed" in outcomes and outcomes <= {"confirmed", "discrepancy"}
    assert kinds["complaint"] == kinds["complaint_resolution"]
    # Every retraction is followed by the corrected fact, entered weeks after the mistake.
    by_household: dict[str, list[Any]] = {}
    for f in flat:
        by_household.setdefault(str(f.originator_id), []).append(f)
    for f in (f for f in flat if isinstance(f, ev.Retracted)):
        fs = by_household[str(f.originator_id)]
        wrong = fs[f.version - 1]
        assert (f.timestamp - wrong.timestamp).days >= 7
        assert any(
            type(g) is type(wrong)
            and g.effective_on == wrong.effective_on
            and g.originator_version > f.originator_version
            for g in fs
        ), "a correction is a retraction plus the right fact"


def _check_status_queries(
    app: Households, facts: dict[uuid.UUID, list[Any]], now: datetime
) -> None:
    on = date(2026, 1, 1)
    new_communes = {u.code for u in app.units.communes_on(on)}
    for hid in facts:
        situation = app.situation(hid, on)
        obj = status_object(situation, app.units, now)
        assert obj["status"] in STATUSES
        assert obj["unit"]["code"] in new_communes
        assert obj["area_type"] == "rural"
        past = status_object(app.situation(hid, date(2019, 6, 1)), app.units, now)
        assert past["status"] in STATUSES


# -- refusals -------------------------------------------------------------------------------------


def test_refuses_a_store_that_already_holds_facts(
    make_app: Callable[..., Households], clock: Any
) -> None:
    app = make_app(clock)
    generate_demo(app, households=3, to_year=2017)
    with pytest.raises(StoreNotEmpty):
        generate_demo(app, households=3, to_year=2017)
    assert app.clock is clock


def test_rejects_impossible_arguments(make_app: Callable[..., Households], clock: Any) -> None:
    app = make_app(clock)
    with pytest.raises(ValueError, match="to_year"):
        generate_demo(app, households=3, to_year=2027)
    with pytest.raises(ValueError, match="to_year"):
        generate_demo(app, households=3, to_year=2015)
    with pytest.raises(ValueError, match="households"):
        generate_demo(app, households=0)
    assert store_is_empty(app)


def test_a_failure_keeps_nothing_of_its_batch_and_restores_the_clock(
    make_app: Callable[..., Households], clock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(clock)

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("support office closed")

    monkeypatch.setattr(app, "deliver_support", broken)
    with pytest.raises(RuntimeError):
        generate_demo(app, households=10, to_year=2018, batch_size=50)
    assert app.clock is clock
    assert store_is_empty(app)


# -- interrupted runs -----------------------------------------------------------------------------


class Interrupted(Exception):
    """Stands for a kill between two batches."""


def test_an_interrupted_run_is_resumed_to_the_same_history(
    make_app: Callable[..., Households], clock: Any, store: Any, tmp_path: Path
) -> None:
    from infrastructure.demo_runs import SqlDemoRuns
    from infrastructure.store import parse_database_url

    app = make_app(clock)
    runs = SqlDemoRuns(parse_database_url(store.url))

    def stop_after_the_first_batch(done: int, _total: int) -> None:
        raise Interrupted(done)

    with pytest.raises(Interrupted):
        generate_demo(app, households=30, seed=5, to_year=2019, batch_size=10, runs=runs,
                      progress=stop_after_the_first_batch)  # fmt: skip
    partial = all_facts(app)
    assert len(partial) == 10 and runs.unfinished() is not None
    with pytest.raises(StoreNotEmpty, match="--households 30 --seed 5 --to-year 2019"):
        generate_demo(app, households=30, seed=6, to_year=2019, runs=runs)
    clock.advance(days=3)  # resumed later: the same horizon all the same
    resumed = generate_demo(app, households=30, seed=5, to_year=2019, batch_size=10, runs=runs)
    assert runs.unfinished() is None and resumed.households == 30
    reference = second_sqlite_app(tmp_path, clock.current - timedelta(days=3))
    try:
        whole = generate_demo(reference, households=30, seed=5, to_year=2019)
        expected = all_facts(reference)
    finally:
        reference.close()
    facts = all_facts(app)
    assert list(facts) == list(expected)
    for hid, fs in facts.items():
        assert comparable(fs) == comparable(expected[hid])
    assert (resumed.events, resumed.poor, resumed.transitions) == (
        whole.events,
        whole.poor,
        whole.transitions,
    )
    with pytest.raises(StoreNotEmpty):  # finished: the store is no longer open to the demo
        generate_demo(app, households=30, seed=5, to_year=2019, runs=runs)


def test_demo_if_empty_completes_an_unfinished_run(store: Any, monkeypatch: Any) -> None:
    from click.testing import CliRunner

    from infrastructure.demo_runs import SqlDemoRuns
    from infrastructure.store import parse_database_url
    from web.cli import cli

    runs = SqlDemoRuns(parse_database_url(store.url))
    app = build_application(store.settings)
    try:
        with pytest.raises(Interrupted):
            generate_demo(app, households=12, seed=3, to_year=2018, batch_size=5, runs=runs,
                          progress=lambda *_: (_ for _ in ()).throw(Interrupted()))  # fmt: skip
        assert len(all_facts(app)) == 5
    finally:
        app.close()
    monkeypatch.setenv("CHUNGTAY_DATABASE_URL", store.url)
    result = CliRunner().invoke(cli, ["demo", "--if-empty", "--json"])
    assert result.exit_code == 0, result.output
    assert "completing the unfinished demo run" in result.output
    assert runs.unfinished() is None
    app = build_application(store.settings)
    try:
        assert len(all_facts(app)) == 12
    finally:
        app.close()
    again = CliRunner().invoke(cli, ["demo", "--if-empty"])
    assert again.exit_code == 0 and "already holds facts" in again.output
