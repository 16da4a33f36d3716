"""Supervision on both stores: the anomaly scan over the log, plans recorded and reproducible,
inspections against a plan and their follow-up, separation of duties, the at-risk ranking, and
the command line and HTTP views over them."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import click
import pytest
from click.testing import CliRunner

from application.commands import (
    Assess,
    DeliverSupport,
    Inspect,
    Recognise,
    RegisterExit,
    Retract,
    StartSponsorship,
)
from application.errors import InvalidInput
from application.households import Households
from application.supervision import (
    DuplicatePlan,
    PlanNotFound,
    at_risk,
    draw_plan,
    early_warning_quality,
    load_histories,
    plan_membership,
    plan_progress,
    redraw_plan,
    scan_anomalies,
    separation_of_duties,
)
from infrastructure.supervision import plan_store
from tests.conftest import FakeClock, Store
from tests.factories import register
from web.bootstrap import store_config

NOW = datetime(2026, 11, 29, 3, 0, tzinfo=UTC)


def on(clock: FakeClock, day: date) -> None:
    """Record the next facts at 10:00 (UTC+7) on ``day`` (the clock never goes back)."""
    moment = datetime(day.year, day.month, day.day, 3, 0, tzinfo=UTC)
    clock.current = max(clock.current, moment)


class World:
    """A few households of three communes with a known set of anomalies."""

    def __init__(self, app: Households, clock: FakeClock) -> None:
        self.app, self.clock = app, clock
        clock.current = datetime(2017, 3, 1, 3, tzinfo=UTC)
        self.ids: dict[str, str] = {}
        for name, code, unit in [
            ("ineligible", "01564-0001", "01564"),
            ("unsponsored", "01564-0002", "01564"),
            ("contradicted", "01549-0003", "01549"),
            ("clean", "01549-0004", "01549"),
            ("exited", "01534-0005", "01534"),
            ("quiet", "01534-0006", "01534"),
        ]:
            self.ids[name] = register(app, code, unit=unit, recorded_by="officer.a").household_id
        self.decide("ineligible", date(2018, 12, 1), "not_poor")
        self.decide("unsponsored", date(2018, 12, 1), "poor")
        self.decide("clean", date(2018, 12, 1), "poor")
        self.sponsor("clean", date(2018, 12, 1), "Hội Nông dân xã Kim Loan")
        self.decide("exited", date(2018, 12, 1), "poor")
        self.sponsor("exited", date(2018, 12, 5), "Đoàn Thanh niên xã Minh Long")
        self.support("ineligible", date(2019, 3, 1))
        self.sponsor("unsponsored", date(2019, 4, 1), "Công an huyện Hạ Lang")  # 121 days
        self.assess("contradicted", date(2019, 10, 1), 600_000)  # poor by income
        self.decide("contradicted", date(2019, 11, 1), "near_poor")
        self.assess("exited", date(2020, 10, 1), 810_000)
        self.decide("exited", date(2020, 11, 1), "near_poor")

    def decide(self, name: str, day: date, status: str, **kw: Any) -> Any:
        on(self.clock, day)
        kw.setdefault("signed_by", "Chủ tịch UBND xã")
        return self.app.recognise(
            Recognise(
                household=self.ids[name],
                effective_on=day,
                recorded_by=kw.pop("recorded_by", "officer.a"),
                status=status,
                decision_number=f"{day.year}/QĐ",
                **kw,
            )
        )

    def sponsor(self, name: str, day: date, sponsor: str) -> Any:
        on(self.clock, day)
        return self.app.start_sponsorship(
            StartSponsorship(
                household=self.ids[name],
                effective_on=day,
                recorded_by="officer.a",
                sponsor={"name": sponsor, "kind": "agency"},
            )
        )

    def support(self, name: str, day: date, programme: str = "135") -> Any:
        on(self.clock, day)
        return self.app.deliver_support(
            DeliverSupport(
                household=self.ids[name],
                effective_on=day,
                recorded_by="officer.a",
                category="production",
                programme=programme,
                funding_source="central",
                amount_vnd=3_000_000,
                in_kind=None,
                provider="UBND xã",
            )
        )

    def assess(self, name: str, day: date, income: int, **kw: Any) -> Any:
        on(self.clock, day)
        return self.app.assess(
            Assess(
                household=self.ids[name],
                effective_on=day,
                kind="periodic" if day.month >= 9 else None,
                recorded_by=kw.pop("recorded_by", "officer.a"),
                income_per_capita=income,
                deprivations=[],
                assessor=kw.pop("assessor", "Lý Thị Hoa"),
            )
        )

    def finish(self) -> None:
        self.clock.current = max(self.clock.current, NOW)


@pytest.fixture
def world(make_app: Callable[..., Households], clock: FakeClock) -> World:
    w = World(make_app(clock), clock)
    w.finish()
    return w


@pytest.fixture
def plans(store: Store) -> Any:
    p = plan_store(store_config(store.settings))
    yield p
    p.close()


def _rules(result: dict[str, Any]) -> set[tuple[str, str]]:
    return {(a["code"], a["rule"]) for a in result["anomalies"]}


def test_the_scan_reads_the_log_once_and_explains_each_anomaly(world: World) -> None:
    app = world.app
    histories = load_histories(app, page_size=7)  # several pages
    assert set(map(str, histories)) == set(world.ids.values())
    assert all(
        [f.originator_version for f in facts] == list(range(1, len(facts) + 1))
        for facts in histories.values()
    )
    everything = scan_anomalies(app, unit="048", as_of=date(2024, 12, 31))
    assert _rules(everything) == {
        ("01564-0001", "reserved_programme_ineligible"),
        ("01564-0002", "poor_without_sponsor"),
        ("01549-0003", "recognition_contradicts_assessment"),
    }
    assert everything["households_examined"] == 6
    assert everything["by_rule"]["poor_without_sponsor"] == 1
    gap = next(a for a in everything["anomalies"] if a["rule"] == "poor_without_sponsor")
    assert gap["details"]["days"] == 121 and gap["versions"] == [2, 3]
    assert [f["type"] for f in gap["facts"]] == ["recognition", "sponsorship_start"]
    assert gap["evaluated_as_known_at"] == "2019-04-01T03:00:00+00:00"
    # the most severe first
    assert [a["severity"] for a in everything["anomalies"]][-1] == "minor"

    commune = scan_anomalies(app, unit="01564", as_of=date(2024, 12, 31))
    assert {c for c, _ in _rules(commune)} == {"01564-0001", "01564-0002"}
    only = scan_anomalies(app, unit="048", as_of=date(2024, 12, 31), kinds=["late_entry"])
    assert only["count"] == 0 and only["kinds"] == ["late_entry"]
    early = scan_anomalies(app, unit="048", as_of=date(2019, 2, 1))
    assert early["count"] == 0  # nothing had happened by then
    with pytest.raises(InvalidInput):
        scan_anomalies(app, kinds=["nonsense"])
    with pytest.raises(InvalidInput):
        scan_anomalies(app, unit="99999")


def test_every_rule_through_the_store(
    make_app: Callable[..., Households], clock: FakeClock
) -> None:
    w = World(make_app(clock), clock)
    app = w.app
    names = ["repoor", "unsupported", "double", "late", "selfish", "conflicted"]
    clock.current = datetime(2017, 3, 1, 3, tzinfo=UTC)  # registered on time too
    for i, name in enumerate(names):
        w.ids[name] = register(app, f"01573-{i:04d}", unit="01573", recorded_by="o").household_id
    for name in ("repoor", "unsupported", "double", "selfish", "conflicted"):
        w.decide(name, date(2018, 12, 1), "poor")
    for name in ("repoor", "unsupported", "double", "selfish"):
        w.sponsor(name, date(2018, 12, 1), "Hội Phụ nữ xã Thị Hoa")
    w.sponsor("conflicted", date(2018, 12, 1), "Nông Văn Tú, cán bộ xã")
    w.support("double", date(2019, 2, 1), programme="Hỗ trợ sản xuất")
    on(clock, date(2019, 2, 20))
    app.deliver_support(
        DeliverSupport(
            household=w.ids["double"],
            effective_on=date(2019, 2, 11),
            recorded_by="officer.a",
            category="production",
            programme="Hỗ trợ sản xuất",
            funding_source="central",
            amount_vnd=3_000_000,
            in_kind=None,
            provider="Hội Nông dân xã Thị Hoa",
        )
    )
    on(clock, date(2019, 3, 1))
    app.register_exit(
        RegisterExit(
            household=w.ids["unsupported"],
            effective_on=date(2019, 3, 1),
            recorded_by="officer.a",
            target_year=2020,
            plan=None,
        )
    )
    wrong = w.support("selfish", date(2019, 4, 1), programme="Hỗ trợ sản xuất")
    on(clock, date(2019, 4, 20))
    app.retract(
        Retract(
            household=w.ids["selfish"], version=wrong.version, reason="sai", recorded_by="officer.a"
        )
    )
    w.assess("conflicted", date(2019, 10, 1), 600_000, assessor="Nông Văn Tú")
    w.decide("repoor", date(2019, 12, 1), "near_poor")
    on(clock, date(2020, 3, 20))  # 110 days after the decision took effect
    app.recognise(
        Recognise(
            household=w.ids["late"],
            effective_on=date(2019, 12, 1),
            recorded_by="officer.a",
            status="not_poor",
            decision_number="9/QĐ",
            signed_by="Chủ tịch UBND xã",
        )
    )
    w.decide("repoor", date(2020, 12, 1), "poor")
    w.finish()
    result = scan_anomalies(app, unit="01561", as_of=date(2026, 11, 29))  # Thị Hoa's successor
    found: dict[str, set[str]] = {}
    for a in result["anomalies"]:
        if a["code"].startswith("01573-"):  # the world's own households are elsewhere
            found.setdefault(a["code"], set()).add(a["rule"])
    assert found == {
        "01573-0000": {"re_poverty_within_24_months"},
        "01573-0001": {"exit_registration_without_support"},
        "01573-0002": {"double_funding"},
        "01573-0003": {"late_entry"},
        "01573-0004": {"self_retraction"},
        "01573-0005": {"assessor_is_sponsor"},
    }


def test_a_retraction_marks_the_anomaly_corrected(world: World) -> None:
    app = world.app
    before = scan_anomalies(app, unit="048", as_of=date(2024, 12, 31))
    [support] = [a for a in before["anomalies"] if a["rule"] == "reserved_programme_ineligible"]
    world.clock.advance(hours=1)
    undone = app.retract(
        Retract(
            household=world.ids["ineligible"],
            version=support["versions"][-1],
            reason="nhập nhầm hộ",
            recorded_by="supervisor.b",
        )
    )
    after = scan_anomalies(app, unit="04")  # the district is gone by now: the province
    [same] = [a for a in after["anomalies"] if a["rule"] == "reserved_programme_ineligible"]
    assert same["corrected_by"] == [undone.version] and same["open"] is False
    assert after["open"] == after["count"] - 1


def test_a_plan_is_recorded_stratified_and_reproducible(
    world: World, plans: Any, store: Store
) -> None:
    app = world.app
    plan = draw_plan(app, plans, unit="048", year=2024, size=3, seed=11, drawn_by="inspector.x")
    assert plan.as_of == date(2024, 12, 31) and plan.population == 6
    assert sorted(h.commune for h in plan.households) == ["01534", "01549", "01564"]
    assert {k: v["drawn"] for k, v in plan.strata.items()} == {
        "01534": 1,
        "01549": 1,
        "01564": 1,
    }
    stored = plans.get(plan.plan_id)
    assert stored is not None and stored.to_dict() == plan.to_dict()
    # weights: 1 + open anomalies dated in the plan's year or the two before + score / 10
    whole = draw_plan(app, None, unit="048", year=2020, size=6, seed=1, drawn_by="x", record=False)
    weights = {h.code: h.weight for h in whole.households}
    assert weights["01564-0001"] == 4.0  # support to a non-poor household, 2019: major
    assert weights["01549-0003"] == 4.0  # decision contradicting the assessment, 2019: major
    assert weights["01564-0002"] == 2.0  # its sponsor gap (2018-12-01): minor
    assert weights["01534-0005"] > 1.0  # exited in 2020: the re-poverty score adds to it
    assert weights["01549-0004"] == weights["01534-0006"] == 1.0

    again = draw_plan(app, plans, unit="048", year=2024, size=3, seed=11, drawn_by="x")
    assert again.plan_id == plan.plan_id  # the same draw: answered, not recorded twice
    assert [h.household_id for h in again.households] == [h.household_id for h in plan.households]
    other = draw_plan(app, plans, unit="048", year=2024, size=2, seed=11, drawn_by="x")
    assert other.plan_id != plan.plan_id
    # the store grows; the plan is still drawn the same from the record as it stood then
    world.clock.advance(days=1)
    world.support("quiet", date(2024, 6, 1))  # a new anomaly after the plan was drawn
    assert redraw_plan(app, plan) == [h.household_id for h in plan.households]

    with pytest.raises(DuplicatePlan):
        plans.add(plan)
    assert [p.plan_id for p in plans.list(unit="048", year=2024)] == [
        plan.plan_id,
        other.plan_id,
    ]
    with pytest.raises(InvalidInput):
        draw_plan(app, plans, unit="048", year=2024, size=0, drawn_by="x")
    with pytest.raises(InvalidInput):
        draw_plan(app, plans, unit="01561", year=2019, size=2, drawn_by="x")  # no one there

    conn: Any = store.connect_sql()
    try:
        for statement in (
            "UPDATE inspection_plans SET seed = 1",
            "DELETE FROM inspection_plans",
            "UPDATE inspection_plan_households SET weight = 2",
            "DELETE FROM inspection_plan_households",
        ):
            with pytest.raises(Exception, match="append-only"):
                conn.execute(statement)
    finally:
        conn.close()
    assert plans.get(plan.plan_id).to_dict() == plan.to_dict()


def test_progress_shows_visits_findings_and_corrections(world: World, plans: Any) -> None:
    app = world.app
    plan = draw_plan(app, plans, unit="048", year=2024, size=4, seed=3, drawn_by="inspector.x")
    first, second, third, fourth = (h.household_id for h in plan.households)
    world.clock.advance(days=1)
    common = {"effective_on": date(2026, 11, 29), "recorded_by": "inspector.x", "team": "Đoàn 1"}
    app.inspect(
        Inspect(
            household=first,
            findings=[
                {"code": "income_understated", "severity": "major", "note": "thu nhập cao hơn"}
            ],
            outcome="discrepancy",
            plan_id=plan.plan_id,
            **common,
        )
    )
    app.inspect(
        Inspect(
            household=second,
            findings=[{"code": "records_complete", "severity": "info", "note": ""}],
            outcome="confirmed",
            plan_id=plan.plan_id,
            **common,
        )
    )
    app.inspect(
        Inspect(
            household=third,
            findings=[{"code": "member_list_outdated", "severity": "minor", "note": ""}],
            outcome="discrepancy",
            plan_id=plan.plan_id,
            **common,
        )
    )
    app.inspect(
        Inspect(
            household=fourth, findings=[], outcome="confirmed", plan_id="another-plan", **common
        )
    )
    world.clock.advance(days=2)
    fixed = app.assess(
        Assess(
            household=first,
            effective_on=date(2026, 11, 30),
            kind="periodic",
            recorded_by="officer.a",
            income_per_capita=2_500_000,
            deprivations=[],
            assessor="Lý Thị Hoa",
        )
    )
    report = plan_progress(app, plans, plan.plan_id)
    assert report["totals"] == {
        "planned": 4,
        "visited": 3,
        "not_visited": 1,
        "with_findings": 2,
        "followed_up": 1,
        "awaiting_follow_up": 1,
    }
    rows = {r["household_id"]: r for r in report["households"]}
    assert rows[first]["followed_by"][0]["version"] == fixed.version
    assert rows[first]["inspections"][0]["findings"][0]["code"] == "income_understated"
    assert rows[second]["visited"] and not rows[second]["needs_follow_up"]
    assert rows[third]["needs_follow_up"] and not rows[third]["followed_up"]
    assert not rows[fourth]["visited"]  # inspected, but against another plan
    assert sum(c["planned"] for c in report["by_commune"].values()) == 4
    assert plan_membership(plans, plan.plan_id, first) is None
    assert "not in inspection plan" in (plan_membership(plans, plan.plan_id, "x") or "")
    assert "no inspection plan" in (plan_membership(plans, "nope", first) or "")
    with pytest.raises(PlanNotFound):
        plan_progress(app, plans, "nope")


def test_separation_of_duties_gives_the_reason(world: World) -> None:
    app = world.app
    world.assess(
        "quiet", date(2021, 10, 1), 2_000_000, recorded_by="officer.q", assessor="Bế Văn A"
    )
    world.decide("quiet", date(2021, 11, 1), "near_poor", recorded_by="officer.r", signed_by="Mã B")
    world.sponsor("quiet", date(2021, 12, 1), "inspector.s")
    household = app.get(world.ids["quiet"])
    assert "assessed" in (separation_of_duties(household, "officer.q") or "")
    assert "assessor" in (separation_of_duties(household, "Bế Văn A") or "")
    assert "recognised" in (separation_of_duties(household, "Mã B") or "")
    assert "recorded decision" in (separation_of_duties(household, "officer.r") or "")
    assert "sponsor" in (separation_of_duties(household, "inspector.s") or "")
    assert separation_of_duties(household, "inspector.t") is None
    assert "assessor" in (
        separation_of_duties(household, "inspector.t", aliases=["Bế Văn A"]) or ""
    )


def test_at_risk_ranks_exited_households_with_components(world: World) -> None:
    result = at_risk(world.app, unit="048", as_of=date(2021, 6, 30))
    assert [h["code"] for h in result["households"]] == ["01534-0005"]
    [exited] = result["households"]
    assert exited["exited_on"] == "2020-11-01" and exited["rank"] == 1
    assert {c["name"] for c in exited["components"]} == {
        "recent_exit",
        "income_margin",
        "deprivations_left",
        "support_gap",
        "no_sponsor",
    }
    assert 0 < exited["score"] <= 100


def _cli(store: Store) -> tuple[click.Group, CliRunner, dict[str, str]]:
    from web.cli_inspect import register_inspect_commands

    @click.group()
    def root() -> None:
        """Test root."""

    register_inspect_commands(root)
    return root, CliRunner(), {"CHUNGTAY_DATABASE_URL": store.url}


def test_the_command_line(world: World, store: Store) -> None:
    root, runner, env = _cli(store)
    args = ["inspect", "anomalies", "--unit", "01564", "--as-of", "2024-12-31"]
    out = runner.invoke(root, [*args, "--json"], env=env)
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["count"] == 2
    text = runner.invoke(root, args, env=env)
    assert "poor_without_sponsor" in text.output and "evaluated as known at" in text.output
    bad = runner.invoke(root, ["inspect", "anomalies", "--unit", "99999"], env=env)
    assert bad.exit_code == 2
    made = runner.invoke(
        root,
        ["inspect", "plan", "--unit", "048", "--year", "2024", "--size", "2", "--seed", "5"],
        env=env,
    )
    assert made.exit_code == 0, made.output
    assert "plan 048-2024-" in made.output
    made_json = runner.invoke(
        root,
        ["inspect", "plan", "--unit", "048", "--year", "2024", "--size", "2", "--json"],
        env=env,
    )
    plan = json.loads(made_json.output)
    assert plan["seed"] >= 0  # a random seed, recorded
    progress = runner.invoke(
        root, ["inspect", "progress", "--plan", plan["plan_id"], "--json"], env=env
    )
    assert progress.exit_code == 0 and json.loads(progress.output)["totals"]["planned"] == 2
    overview = runner.invoke(root, ["inspect", "progress"], env=env)
    assert overview.exit_code == 0 and plan["plan_id"] in overview.output
    missing = runner.invoke(root, ["inspect", "progress", "--plan", "nope"], env=env)
    assert missing.exit_code == 1
    usage = runner.invoke(root, ["inspect", "plan", "--unit", "048"], env=env)
    assert usage.exit_code == 2
    risk = runner.invoke(root, ["inspect", "at-risk", "--json"], env=env)
    assert risk.exit_code == 0 and json.loads(risk.output)["count"] == 1
    evaluated = runner.invoke(
        root, ["inspect", "evaluate", "--from-year", "2019", "--to-year", "2020"], env=env
    )
    assert evaluated.exit_code == 0, evaluated.output
    assert "2020" in evaluated.output
    backwards = ["inspect", "evaluate", "--from-year", "2020", "--to-year", "2019"]
    assert runner.invoke(root, backwards, env=env).exit_code == 2
    nobody = runner.invoke(
        root, ["inspect", "plan", "--unit", "01561", "--year", "2019", "--size", "2"], env=env
    )
    assert nobody.exit_code == 1


def test_the_http_views(world: World, store: Store) -> None:
    from web.app import create_app
    from web.bootstrap import Services

    flask = create_app(
        services=Services(store.settings, households=world.app), config={"TESTING": True}
    )
    services = flask.extensions["chungtay"]
    try:
        accounts = services.accounts
        tokens = {}
        for name, role, units in [
            ("ins", "inspector", ("01537",)),  # today's Vinh Quý: holds old Kim Loan (01549)
            ("aud", "auditor", ()),
        ]:
            accounts.add_user(name, role, units)
            tokens[name] = accounts.issue_token(name).token
        client = flask.test_client()

        def get(path: str, user: str) -> Any:
            return client.get(path, headers={"Authorization": f"Bearer {tokens[user]}"})

        seen = get("/api/v1/inspection/anomalies?as_of=2024-12-31", "aud")
        assert seen.status_code == 200, seen.get_json()
        assert seen.get_json()["count"] == 3
        mine = get("/api/v1/inspection/anomalies?as_of=2024-12-31", "ins").get_json()
        assert {a["code"] for a in mine["anomalies"]} == {"01549-0003"}
        kinds = get("/api/v1/inspection/anomalies?kind=late_entry&kind=double_funding", "aud")
        assert kinds.get_json()["kinds"] == ["late_entry", "double_funding"]
        assert get("/api/v1/inspection/anomalies?kind=nope", "aud").status_code == 422
        assert get("/api/v1/inspection/at-risk?unit=048&as_of=2021-06-30", "aud").status_code == 200
        made = client.post(
            "/api/v1/inspection/plans",
            json={"unit": "01537", "year": 2026, "size": 1, "seed": 9},
            headers={"Authorization": f"Bearer {tokens['ins']}"},
        )
        assert made.status_code == 201, made.get_json()
        plan_id = made.get_json()["plan_id"]
        assert get(f"/api/v1/inspection/plans/{plan_id}/progress", "ins").status_code == 200
        assert get(f"/api/v1/inspection/plans/{plan_id}", "aud").status_code == 200
        assert get("/api/v1/inspection/plans/nope/progress", "aud").status_code == 404
        body = {"unit": "01537", "year": 2026, "size": 1}
        key = {"Authorization": f"Bearer {tokens['ins']}", "Idempotency-Key": "plan-1"}
        first = client.post("/api/v1/inspection/plans", json=body, headers=key)
        retry = client.post("/api/v1/inspection/plans", json=body, headers=key)
        assert first.status_code == retry.status_code == 201
        assert first.get_json()["plan_id"] == retry.get_json()["plan_id"]
        auditor = client.post(
            "/api/v1/inspection/plans",
            json=body,
            headers={"Authorization": f"Bearer {tokens['aud']}"},
        )
        assert auditor.status_code == 403  # auditors record nothing
        forbidden = client.post(
            "/api/v1/inspection/plans",
            json={"unit": "01561", "year": 2026, "size": 1},
            headers={"Authorization": f"Bearer {tokens['ins']}"},
        )
        assert forbidden.status_code == 403
        logged, _ = accounts.access_log(
            user_name="ins", household_id=None, start=None, end=None, limit=100, offset=0
        )
        assert world.ids["contradicted"] in {e.household_id for e in logged}
    finally:
        services.close()


def test_the_demo_history_scans_the_same_one_by_one(
    make_app: Callable[..., Households], store: Store
) -> None:
    """The log-based scan agrees with loading each household by itself."""
    pytest.importorskip("demo")
    from demo import generate_demo

    app = make_app(lambda: NOW)
    generate_demo(app, households=40, seed=3)
    histories = load_histories(app)
    one_by_one = {hid: list(app.get(hid).facts) for hid in app.household_ids()}
    assert histories.keys() == one_by_one.keys()
    assert all(
        [(f.originator_version, f.timestamp) for f in histories[h]]
        == [(f.originator_version, f.timestamp) for f in one_by_one[h]]
        for h in histories
    )
    assert scan_anomalies(app, histories=histories) == scan_anomalies(app, histories=one_by_one)
    assert timedelta(0) <= app.now() - NOW
    quality = early_warning_quality(app, years=range(2016, 2025), histories=histories)
    years = {y["year"]: y for y in quality["years"]}
    assert years[2020]["standard_change_in_horizon"]  # the 2021 review used the new standard
    assert not years[2019]["standard_change_in_horizon"]
    assert quality["summary"]["years_without_standard_change"] == [
        2016,
        2017,
        2018,
        2019,
        2021,
        2022,
        2023,
        2024,
    ]
    for y in quality["years"]:
        assert y["auc"] is None or 0.0 <= y["auc"] <= 1.0
        assert y["fell_back"] <= y["scored"]
    with pytest.raises(InvalidInput):
        early_warning_quality(app, years=[2026], histories=histories)  # not over yet
