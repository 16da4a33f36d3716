"""The read models: projection exactly once, rebuild, and equivalence with folding every household.

The central property: for random histories (recorded through the ``Households`` application with
the fake clock advancing between facts, including late entries, retractions, relocations across
the 2020 and 2025 unit reforms and closures) and random ``(unit, as_of, known_at)``, every figure
of the poverty and annual reports is the same from the read models as from the replay of every
household — on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import itertools
import os
import threading
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from application.commands import (
    CloseHousehold,
    DeliverSupport,
    EndSponsorship,
    Recognise,
    RegisterExit,
    Relocate,
    Retract,
    StartSponsorship,
)
from application.errors import InvalidInput
from application.households import Households
from application.reports import ReplaySource, annual_report, poverty_report
from domain.errors import DomainError
from infrastructure.projections import Projection, build_projection, household_rows
from infrastructure.read_models import ReadModelSource
from infrastructure.store import parse_database_url
from tests.factories import register

STATUSES = ("poor", "near_poor", "not_poor")
FIRST_DAY = date(2016, 1, 1)
LAST_DAY = date(2026, 11, 28)
SPAN = (LAST_DAY - FIRST_DAY).days
PROBE_UNITS = ("04", "048", "01564", "01558", "01561", "01570", "01537")
_codes = itertools.count(1)


def projection_for(app: Households, store: Any, **kw: Any) -> Projection:
    """A projection of ``app`` into the read models of the test store."""
    return build_projection(app, parse_database_url(store.url), **kw)


def source_for(store: Any) -> ReadModelSource:
    """The read-model report source of the test store."""
    return ReadModelSource(parse_database_url(store.url))


def _day(offset: int) -> date:
    return FIRST_DAY + timedelta(days=max(0, min(SPAN, offset)))


def apply(app: Households, clock: Any, hid: str, op: tuple[Any, ...]) -> bool:
    """Apply one generated command; refused commands (invalid by the rules) are skipped."""
    kind, offset, value, gap = op
    clock.advance(hours=gap)
    day = _day(offset)
    common = {"effective_on": day, "recorded_by": "o"}
    try:
        if kind == "recognise":
            app.recognise(
                Recognise(
                    household=hid,
                    status=STATUSES[value % 3],
                    decision_number=f"{value}/QĐ",
                    signed_by="chair",
                    **common,
                )
            )
        elif kind == "relocate":
            communes = app.units.communes_on(day)
            unit = communes[value % len(communes)]
            app.relocate(
                Relocate(household=hid, unit=unit.code, village=f"Bản {value % 4}", **common)
            )
        elif kind == "sponsor":
            app.start_sponsorship(
                StartSponsorship(
                    household=hid, sponsor={"name": f"Sở {value % 3}", "kind": "agency"}, **common
                )
            )
        elif kind == "unsponsor":
            live = app.situation(hid, day).sponsor
            if live is None:
                return False
            app.end_sponsorship(
                EndSponsorship(
                    household=hid,
                    sponsorship_id=live["sponsorship_id"],
                    reason="kết thúc",
                    **common,
                )
            )
        elif kind == "exit":
            app.register_exit(
                RegisterExit(household=hid, target_year=day.year + value % 2, plan=None, **common)
            )
        elif kind == "support":
            app.deliver_support(
                DeliverSupport(
                    household=hid,
                    category="housing",
                    programme="135",
                    funding_source="central",
                    amount_vnd=1_000_000,
                    in_kind=None,
                    provider="xã",
                    **common,
                )
            )
        elif kind == "close":
            if value % 4:
                return False
            app.close_household(CloseHousehold(household=hid, reason="moved_away", **common))
        elif kind == "retract":
            household = app.get(hid)
            if household.version < 2:
                return False
            app.retract(
                Retract(
                    household=hid,
                    version=2 + value % (household.version - 1),
                    reason="nhầm",
                    recorded_by="o",
                )
            )
    except (DomainError, InvalidInput):
        return False
    return True


OPS = st.tuples(
    st.sampled_from(
        [
            "recognise",
            "recognise",
            "recognise",
            "relocate",
            "sponsor",
            "unsponsor",
            "exit",
            "support",
            "close",
            "retract",
        ]
    ),
    st.integers(0, SPAN),
    st.integers(0, 1000),
    st.integers(1, 24 * 40),
)

HOUSEHOLDS = st.lists(
    st.tuples(
        st.integers(0, 3000),  # registration day
        st.integers(0, 1000),  # commune pick
        st.booleans(),  # ethnic minority (Tày) or Kinh
        st.lists(OPS, min_size=1, max_size=10),
    ),
    min_size=1,
    max_size=5,
)


def build_histories(app: Households, clock: Any, households: list[Any]) -> list[datetime]:
    """Register and evolve the generated households; return the moments facts were recorded."""
    moments = []
    ids = []
    for reg_day, pick, minority, _ops in households:
        day = _day(reg_day)
        communes = app.units.communes_on(day)
        unit = communes[pick % len(communes)]
        clock.advance(hours=1)
        recorded = register(
            app,
            code=f"{unit.code}-{next(_codes):05d}",
            unit=unit.code,
            effective_on=day,
            ethnicity="Tày" if minority else "Kinh",
        )
        ids.append(recorded.household_id)
        moments.append(recorded.recorded_at)
    # Interleave the households' facts, as officers record them.
    queues = [list(h[3]) for h in households]
    while any(queues):
        for hid, queue in zip(ids, queues, strict=True):
            if queue:
                op = queue.pop(0)
                if apply(app, clock, hid, op):
                    moments.append(app.now())
    return moments


def identities(figures: dict[str, Any]) -> tuple[int, int]:
    """How far each list's end count is from its start plus the flows (0 and 0 when the
    identities of the annual report hold)."""
    f = figures
    poor = f["poor_start"] - f["exited_poverty"] + f["newly_poor"] + f["re_poor"]
    poor += f["other_poor_changes"]
    near = f["near_poor_start"] - f["exited_near_poverty"] - f["poor_from_near_poor"]
    near += f["near_poor_from_poor"] + f["newly_near_poor"] + f["re_near_poor"]
    near += f["other_near_poor_changes"]
    return f["poor_end"] - poor, f["near_poor_end"] - near


def assert_identities(report: dict[str, Any]) -> int:
    """Both identities hold for the total and every unit the report calls comparable, and for
    their ethnic-minority households; returns how many groups were checked."""
    checked = 0
    for where, group in [("total", report), *((u["unit"]["code"], u) for u in report["by_unit"])]:
        if not group["comparable"]:
            assert group["other_poor_changes"] is None, where
            continue
        for part in (group, group["ethnic_minority"]):
            assert identities(part) == (0, 0), (report["year"], where, part)
        checked += 1
    if not report["comparable"] and report["standard_changed"]:
        assert report["exited_poverty"] is None and report["near_poor_from_poor"] is None
    return checked


def assert_same_reports(
    app: Households, store_source: ReadModelSource, probes: list[tuple[Any, ...]]
) -> None:
    """Every figure of the poverty and annual reports agrees between the two sources."""
    replay = ReplaySource(app)
    today = app.today()
    for unit, as_of, known_at, year, mode in probes:
        kw = {"unit": unit, "known_at": known_at, "today": today, "units_mode": mode}
        try:
            expected = poverty_report(replay, app.units, as_of=as_of, **kw)
        except Exception as e:  # the same refusal must come from both
            with pytest.raises(type(e)):
                poverty_report(store_source, app.units, as_of=as_of, **kw)
            continue
        assert poverty_report(store_source, app.units, as_of=as_of, **kw) == expected, (
            unit,
            as_of,
            known_at,
            mode,
        )
        expected = annual_report(replay, app.units, app.standards, year=year, **kw)
        got = annual_report(store_source, app.units, app.standards, year=year, **kw)
        assert got == expected, (unit, year, known_at, mode)
        assert_identities(expected)
        first, last = date(year, 1, 1), date(year, 12, 31)
        assert sorted(store_source.flows(first, last, known_at), key=repr) == sorted(
            replay.flows(first, last, known_at), key=repr
        ), (year, known_at)


@settings(
    max_examples=int(os.environ.get("CHUNGTAY_RM_EXAMPLES", "30")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(households=HOUSEHOLDS, data=st.data())
def test_read_models_answer_every_report_figure_like_the_fold(
    store, app, clock, households, data
) -> None:
    moments = build_histories(app, clock, households)
    projection = projection_for(app, store, batch_size=7)
    try:
        projection.catch_up()
    finally:
        projection.close()
    source = source_for(store)
    try:
        probes = []
        for _ in range(3):
            unit = data.draw(st.sampled_from(PROBE_UNITS))
            as_of = _day(data.draw(st.integers(0, SPAN)))
            pick = data.draw(st.integers(-1, len(moments) - 1))
            known_at = (
                None
                if pick < 0
                else moments[pick] + timedelta(microseconds=data.draw(st.sampled_from([0, -1, 1])))
            )
            year = data.draw(st.integers(2016, 2026))
            mode = data.draw(st.sampled_from(["historical", "historical", "current"]))
            probes.append((unit, as_of, known_at, year, mode))
        assert_same_reports(app, source, probes)
    finally:
        source.close()


def _table(store: Any, name: str) -> list[tuple[Any, ...]]:
    conn = store.connect_sql()
    try:
        columns = (
            "household_id, valid_from, valid_to, known_from, known_to, status, recognised, "
            "standard, transition, list_year, decision_number, decision_version, notification_id"
            if name == "rm_status_periods"
            else "household_id, valid_from, valid_to, known_from, known_to, code, unit_code, "
            "unit_named_on, village, area_type, ethnic_minority, sponsor_active, "
            "exit_registered, closed, notification_id"
        )
        rows = conn.execute(f"SELECT {columns} FROM {name}").fetchall()  # type: ignore[attr-defined]
        return sorted(tuple(str(v) for v in r) for r in rows)
    finally:
        conn.close()  # type: ignore[attr-defined]


def _small_history(app: Households, clock: Any) -> list[str]:
    ids = []
    for i, unit in enumerate(("01564", "01570", "01558")):
        clock.advance(hours=1)
        hid = register(app, code=f"{unit}-9{i:03d}", unit=unit, effective_on=date(2017, 3, 1))
        ids.append(hid.household_id)
    for year in range(2017, 2025):
        for i, hid in enumerate(ids):
            clock.advance(hours=3)
            app.recognise(
                Recognise(
                    household=hid,
                    effective_on=date(year, 12, 10),
                    recorded_by="o",
                    status=STATUSES[(year + i) % 3],
                    decision_number=f"{year}/QĐ",
                    signed_by="chair",
                )
            )
    clock.advance(days=1)
    app.recognise(
        Recognise(
            household=ids[0],
            effective_on=date(2019, 6, 1),
            recorded_by="o",
            status="poor",
            decision_number="late",
            signed_by="chair",
        )
    )
    clock.advance(days=1)
    app.relocate(
        Relocate(
            household=ids[1],
            unit="01552",
            village="Bản Mới",
            effective_on=date(2024, 2, 1),
            recorded_by="o",
        )
    )
    return ids


def test_rebuild_gives_the_same_rows_as_following_the_log(store, app, clock) -> None:
    _small_history(app, clock)
    first = projection_for(app, store, batch_size=5)
    try:
        assert first.catch_up() == first.head()
        periods, attributes = (
            _table(store, "rm_status_periods"),
            _table(store, "rm_household_attributes"),
        )
        assert len(periods) > 20 and len(attributes) >= 4
        seen = []
        assert first.rebuild(lambda pos, head: seen.append((pos, head))) == first.head()
        assert seen[-1][0] == first.head()
        assert _table(store, "rm_status_periods") == periods
        assert _table(store, "rm_household_attributes") == attributes
    finally:
        first.close()


def test_each_notification_is_applied_exactly_once(store, app, clock) -> None:
    ids = _small_history(app, clock)
    a = projection_for(app, store, batch_size=4)
    b = projection_for(app, store, batch_size=4)
    try:
        # Two projectors race over the same log: each batch lands once.
        threads = [threading.Thread(target=p.catch_up) for p in (a, b)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        once = _table(store, "rm_status_periods")
        a.rebuild()
        assert _table(store, "rm_status_periods") == once
        # An already-applied batch is refused: the position it started from has moved.
        position = a.position()
        from infrastructure.projections import BatchWrite, PositionMoved

        with pytest.raises(PositionMoved):
            a.views.commit(app.name, BatchWrite(position - 3, position))
        assert a.position() == position
        assert a.process_batch().notifications == 0
        # Downtime: new facts are picked up from the stored position.
        clock.advance(days=2)
        app.recognise(
            Recognise(
                household=ids[2],
                effective_on=date(2025, 12, 10),
                recorded_by="o",
                status="poor",
                decision_number="2025/QĐ",
                signed_by="chair",
            )
        )
        fresh = projection_for(app, store)
        try:
            assert fresh.catch_up() == 1
        finally:
            fresh.close()
        assert a.position() == a.head()
    finally:
        a.close()
        b.close()


def test_the_run_loop_follows_new_writes(store, app, clock) -> None:
    ids = _small_history(app, clock)
    projection = projection_for(app, store)
    stop = threading.Event()
    worker = threading.Thread(
        target=projection.run, args=(stop,), kwargs={"min_sleep": 0.01, "max_sleep": 0.05}
    )
    worker.start()
    try:
        assert projection.wait_for(projection.head(), timeout=20)
        clock.advance(days=1)
        app.recognise(
            Recognise(
                household=ids[0],
                effective_on=date(2025, 12, 10),
                recorded_by="o",
                status="near_poor",
                decision_number="x",
                signed_by="chair",
            )
        )
        assert projection.wait_for(projection.head(), timeout=10)
    finally:
        stop.set()
        worker.join()
        projection.close()
    source = source_for(store)
    try:
        assert_same_reports(app, source, [("048", date(2025, 12, 31), None, 2025, "historical")])
    finally:
        source.close()


def test_incremental_rows_equal_a_full_recompute(app, clock) -> None:
    """The projection's shortcut (reuse segments before the impact date) is exact."""
    ids = _small_history(app, clock)
    for hid in ids:
        facts = app.facts(hid)
        previous: list[Any] = []
        for n in range(1, len(facts) + 1):
            prefix = facts[:n]
            full = household_rows(hid, prefix)
            impact = prefix[-1].effective_on
            fast = household_rows(hid, prefix, impact=impact, previous=previous)
            assert fast == full
            previous = full[1]


def test_unknown_event_types_change_nothing(store, app, clock) -> None:
    (hid,) = _small_history(app, clock)[:1]
    projection = projection_for(app, store)
    try:
        projection.catch_up()
        before = _table(store, "rm_status_periods")
        clock.advance(hours=1)
        app.deliver_support(
            DeliverSupport(
                household=hid,
                effective_on=date(2020, 1, 1),
                recorded_by="o",
                category="health",
                programme="p",
                funding_source="f",
                amount_vnd=5,
                in_kind=None,
                provider="x",
            )
        )
        result = projection.process_batch()
        assert (result.notifications, result.relevant, result.row_changes) == (1, 0, 0)
        assert _table(store, "rm_status_periods") == before
    finally:
        projection.close()
