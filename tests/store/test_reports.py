"""The reports on hand-built histories: CONTRACT §5 figures, units by date, campaign, emulation, API."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from application.commands import (
    Assess,
    CloseHousehold,
    DeliverSupport,
    Recognise,
    RegisterExit,
    StartSponsorship,
)
from application.households import Households
from application.reports import ReplaySource, ReportError, Reports
from tests.factories import register
from tests.store.test_read_models import projection_for, source_for


def _recognise(app: Households, hid: str, day: date, status: str) -> None:
    app.recognise(
        Recognise(
            household=hid,
            effective_on=day,
            recorded_by="o",
            status=status,
            decision_number=f"{day.isoformat()}/QĐ",
            signed_by="chair",
        )
    )


def _assess(app: Households, hid: str, day: date, income: int, deprived: list[str]) -> None:
    app.assess(
        Assess(
            household=hid,
            effective_on=day,
            kind="periodic" if day.month >= 9 else None,
            recorded_by="o",
            income_per_capita=income,
            deprivations=deprived,
            assessor="r",
            form="B1",
        )
    )


@pytest.fixture
def district(app: Households, clock: Any) -> dict[str, str]:
    """Five households: Thái Đức and Việt Chu (merged into Thống Nhất in 2020), Thanh Nhật (urban),
    Kim Loan."""
    ids = {}
    for key, unit, ethnicity in [
        ("a", "01570", "Tày"),  # Thái Đức: merged into Thống Nhất on 2020-03-01
        ("b", "01564", "Nùng"),  # Việt Chu until 2020-02-29, whose code Thống Nhất took
        ("c", "01558", "Kinh"),  # Thanh Nhật town (urban)
        ("d", "01549", "Tày"),
        ("e", "01549", "Kinh"),
    ]:
        clock.advance(hours=1)
        ids[key] = register(
            app,
            code=f"{unit}-{key}",
            unit=unit,
            effective_on=date(2016, 1, 5),
            ethnicity=ethnicity,
        ).household_id
    clock.advance(hours=1)
    for key in "abcd":
        _assess(app, ids[key], date(2016, 1, 10), 500_000, ["health_insurance", "housing_area"])
        _recognise(app, ids[key], date(2016, 1, 20), "poor")
    _recognise(app, ids["e"], date(2016, 1, 20), "near_poor")
    # 2018: a exits, e becomes poor (newly), d becomes near-poor (exit).
    _recognise(app, ids["a"], date(2018, 12, 10), "not_poor")
    _recognise(app, ids["e"], date(2018, 12, 10), "poor")
    _recognise(app, ids["d"], date(2018, 12, 10), "near_poor")
    # 2019: a is poor again (re-poor); c closes.
    _recognise(app, ids["a"], date(2019, 12, 10), "poor")
    app.close_household(
        CloseHousehold(
            household=ids["c"], effective_on=date(2019, 6, 1), recorded_by="o", reason="moved_away"
        )
    )
    return ids


def _both(app: Households, store: Any) -> tuple[Reports, Reports]:
    projection = projection_for(app, store)
    try:
        projection.catch_up()
    finally:
        projection.close()
    return Reports(app, source_for(store)), Reports(app, ReplaySource(app))


def test_annual_report_figures(app, store, district) -> None:
    fast, slow = _both(app, store)
    r = fast.annual("048", 2018)
    assert r == {**slow.annual("048", 2018), "source": r["source"]}
    assert r["source"]["source"] == "read_models" and r["source"]["behind"] == 0
    assert (r["start"], r["end"]) == ("2017-12-31", "2018-12-31")
    assert (r["total_households_start"], r["total_households_end"]) == (5, 5)
    assert (r["poor_start"], r["poor_end"], r["near_poor_start"], r["near_poor_end"]) == (
        4,
        3,
        1,
        1,
    )
    assert (r["exited_poverty"], r["newly_poor"], r["re_poor"]) == (2, 1, 0)
    assert (r["rate_start"], r["rate_end"], r["reduction_pp"]) == (80.0, 60.0, 20.0)
    assert (r["target_pp"], r["target_met"]) == (4, True)  # the district is not flagged
    em = r["ethnic_minority"]  # a (Tày), b (Nùng), d (Tày)
    assert (em["total_households_start"], em["poor_start"], em["poor_end"]) == (3, 3, 1)
    assert (em["rate_start"], em["rate_end"], em["target_pp"]) == (100.0, 33.33, 3)
    assert r["standard_start"] == r["standard_end"] == "2016-2020" and r["comparable"]
    by = {(u["unit"]["code"], u["unit"]["valid_from"]): u for u in r["by_unit"]}
    assert len(by) == 14  # the 14 communes of 2018, Thái Đức and Việt Chu included
    thai_duc = by[("01570", "2000-01-01")]
    assert (thai_duc["poor_start"], thai_duc["poor_end"], thai_duc["exited_poverty"]) == (1, 0, 1)
    assert thai_duc["target_pp"] == 5  # flagged especially difficult
    kim_loan = by[("01549", "2000-01-01")]
    assert (kim_loan["poor_start"], kim_loan["poor_end"], kim_loan["newly_poor"]) == (1, 1, 1)
    assert kim_loan["other_poor_changes"] == 0


def test_units_are_those_valid_on_each_date(app, store, district) -> None:
    fast, slow = _both(app, store)
    r2020 = fast.annual("048", 2020)
    assert r2020 == {**slow.annual("048", 2020), "source": r2020["source"]}
    names = [
        (u["unit"]["name"], u["total_households_start"], u["total_households_end"])
        for u in r2020["by_unit"]
    ]
    # Start of 2020: Thái Đức and Việt Chu; end: Thống Nhất, formed from both on 2020-03-01.
    assert ("Xã Thái Đức", 1, None) in names
    assert ("Xã Việt Chu", 1, None) in names and ("Xã Thống Nhất", None, 2) in names
    assert [n for n, *_ in names].count("Xã Thống Nhất") == 1
    r2026 = fast.poverty("04", date(2026, 1, 1))
    assert [u["unit"]["name"] for u in r2026["by_unit"]] == [
        "Xã Vinh Quý",
        "Xã Quang Long",
        "Xã Lý Quốc",
        "Xã Hạ Lang",
    ]
    hl = next(u for u in r2026["by_unit"] if u["unit"]["name"] == "Xã Hạ Lang")
    assert (hl["households"], hl["poor"]) == (2, 2)  # a and b (Thái Đức → Thống Nhất → Hạ Lang)
    # Current units: 2019 figures mapped onto today's communes.
    current = fast.poverty("01561", date(2019, 12, 31), units="current")
    assert current == {
        **slow.poverty("01561", date(2019, 12, 31), units="current"),
        "source": current["source"],
    }
    assert (current["households"], current["poor"]) == (2, 2)  # c had closed in June 2019
    historical = fast.poverty("01561", date(2019, 12, 31))
    assert historical["unit"]["name"] == "Xã Vinh Quý" and historical["households"] == 0
    # The district ended in 2025: its end-2025 figures cover what its communes became.
    r2025 = fast.annual("048", 2025)
    assert r2025["total_households_end"] == 4 and r2025["notes"]
    with pytest.raises(ReportError):
        fast.poverty("048", date(2026, 1, 1), units="current")
    with pytest.raises(ReportError):
        fast.poverty("99999", date(2026, 1, 1))


def test_a_change_of_standard_is_flagged(app, store, district) -> None:
    fast, _ = _both(app, store)
    r = fast.annual("048", 2021)
    assert (r["standard_start"], r["standard_end"]) == ("2016-2020", "2021-2025")
    assert r["standard_changed"] and not r["comparable"]
    assert (
        r["reduction_pp"] is None
        and r["target_met"] is None
        and "not comparable" in r["reduction_note"]
    )
    assert r["rate_start"] is not None and r["rate_end"] is not None


def test_a_late_entry_changes_answers_only_from_its_recording(app, store, clock, district) -> None:
    before = clock.advance(hours=1)
    clock.advance(days=3)
    _recognise(app, district["b"], date(2017, 6, 1), "near_poor")  # late: exit in 2017
    fast, slow = _both(app, store)
    old = fast.annual("048", 2017, known_at=before)
    new = fast.annual("048", 2017)
    assert (old["exited_poverty"], new["exited_poverty"]) == (0, 1)
    assert old == {**slow.annual("048", 2017, known_at=before), "source": old["source"]}
    assert new == {**slow.annual("048", 2017), "source": new["source"]}
    assert fast.poverty("048", date(2017, 12, 31), known_at=before)["poor"] == 4
    assert fast.poverty("048", date(2017, 12, 31))["poor"] == 3


def test_campaign_and_emulation(app, store, clock, district) -> None:
    ids = district
    clock.advance(hours=1)
    app.start_sponsorship(
        StartSponsorship(
            household=ids["b"],
            effective_on=date(2017, 11, 20),
            recorded_by="o",
            sponsor={"name": "Hội Nông dân", "kind": "mass_organisation"},
        )
    )
    app.register_exit(
        RegisterExit(
            household=ids["d"],
            effective_on=date(2018, 2, 1),
            recorded_by="o",
            target_year=2018,
            plan=None,
        )
    )
    app.register_exit(
        RegisterExit(
            household=ids["a"],
            effective_on=date(2018, 2, 1),
            recorded_by="o",
            target_year=2018,
            plan=None,
        )
    )
    _assess(app, ids["b"], date(2017, 10, 1), 750_000, ["housing_area"])
    app.deliver_support(
        DeliverSupport(
            household=ids["b"],
            effective_on=date(2018, 3, 1),
            recorded_by="o",
            category="housing",
            programme="167",
            funding_source="central",
            amount_vnd=25_000_000,
            in_kind=None,
            provider="huyện",
        )
    )
    app.deliver_support(
        DeliverSupport(
            household=ids["b"],
            effective_on=date(2018, 4, 1),
            recorded_by="o",
            category="credit",
            programme="VBSP",
            funding_source="bank",
            amount_vnd=5_000_000,
            in_kind=None,
            provider="NHCSXH",
        )
    )
    fast, _ = _both(app, store)
    empty = fast.campaign("048", 2016, 2016)["baseline"]  # nobody was on a list at end-2015
    assert (empty["date"], empty["households"], empty["note"] is not None) == (
        "2015-12-31",
        0,
        True,
    )
    c = fast.campaign("048", 2017, 2019)
    assert c["baseline"]["note"] is None and c["baseline"]["date"] == "2016-12-31"
    assert c["baseline"]["households"] == 4 and c["baseline"]["mean_income"] == 500_000
    summary = c["summary"]
    assert (summary["baseline_date"], summary["years"]) == ("2016-12-31", 3)
    assert (summary["rate_baseline"], summary["rate_end"]) == (80.0, 75.0)  # c closed in 2019
    assert (summary["average_reduction_pp"], summary["target_pp"]) == (1.67, 4)
    assert (
        summary["target_met"] is False and summary["ethnic_minority"]["target_scope"] == "national"
    )
    income = summary["income"]  # a, b, c, d poor at end-2016; c closed, so three compared
    assert (income["cohort_households"], income["compared_households"]) == (4, 3)
    assert (income["cohort_ratio"], income["met_min"], income["met_max"]) == (1.17, False, False)
    kim_loan = next(u for u in c["by_unit"] if u["unit"]["code"] == "01549")["summary"]
    assert (kim_loan["rate_baseline"], kim_loan["rate_end"], kim_loan["target_pp"]) == (
        50.0,
        50.0,
        5,
    )
    assert c["targets"]["ethnic_minority_reduction_pp"]["scope"] == "national"
    y2018 = next(y for y in c["years"] if y["year"] == 2018)
    assert y2018["reduction"]["reduction_pp"] == 20.0
    support = y2018["support"]
    assert (support["count"], support["amount_vnd"]) == (2, 30_000_000)
    assert support["addressing_own_deprivations"]["count"] == 1  # housing for a housing gap
    assert support["addressing_own_deprivations"]["share_amount"] == 83.33
    assert y2018["exit_registrations"] == {
        "registered": 2,
        "exited": 2,
        "share": 100.0,
        "ethnic_minority": {"registered": 2, "exited": 2, "share": 100.0},
    }
    assert y2018["re_poverty"]["exits"] == 2 and y2018["re_poverty"]["re_poor_within_2_years"] == 1
    assert y2018["sponsorship"]["sponsored"] == 1 and y2018["sponsorship"]["poor"] == 3
    y2017 = next(y for y in c["years"] if y["year"] == 2017)
    assert y2017["income"]["poor_mean_income"] == round((500_000 * 3 + 750_000) / 4)
    assert [d["indicator"] for d in y2017["top_deprivations"]][:1] == ["housing_area"]

    e = fast.emulation(2018)
    assert [r["rank"] for r in e["ranking"]] == list(range(1, len(e["ranking"]) + 1))
    assert len(e["ranking"]) == 14 and all(r["reasons"] for r in e["ranking"])
    top = e["ranking"][0]
    assert top["unit"]["code"] == "01549"  # Kim Loan: d exited as registered, never re-poor
    exemplary = [h["code"] for h in e["exemplary_households"]]
    assert exemplary == ["01549-d"]  # a exited too, but was poor again within two years


def test_reports_api(app, store, district) -> None:
    flask = pytest.importorskip("flask")
    from flask_smorest import Api

    from application.access import Policy
    from application.accounts import User
    from infrastructure.read_models import ReadModelSource
    from infrastructure.store import parse_database_url
    from web.api.reports import SOURCE_EXTENSION, reports_blp
    from web.problems import install as install_problems

    projection = projection_for(app, store)
    projection.catch_up()
    projection.close()
    web = flask.Flask("t")
    web.config.update(API_TITLE="t", API_VERSION="1", OPENAPI_VERSION="3.0.3")

    class Services:
        households = app
        policy = Policy(app.units, app.today)
        settings = store.settings

    web.extensions["chungtay"] = Services()
    web.extensions[SOURCE_EXTENSION] = ReadModelSource(parse_database_url(store.url))
    Api(web).register_blueprint(reports_blp)
    install_problems(web)
    # An officer of Vinh Quý, the commune that Kim Loan became in 2025.
    user = {"value": User("ana", "officer", ("01537",), app.now())}

    @web.before_request
    def _login() -> None:
        flask.g.user = user["value"]

    client = web.test_client()
    ok = client.get("/api/v1/reports/annual?unit=01549&year=2018")
    assert ok.status_code == 200, ok.get_json()
    body = ok.get_json()
    assert (body["poor_start"], body["newly_poor"]) == (1, 1) and body["by_unit"][0]["unit"][
        "code"
    ] == "01549"
    assert body["source"]["source"] == "read_models"
    assert client.get("/api/v1/reports/annual?unit=048&year=2018").status_code == 403
    bad = client.get("/api/v1/reports/poverty?unit=01549&as_of=2019-13-01")
    assert bad.status_code == 422
    user["value"] = User("au", "auditor", (), app.now())
    pov = client.get(
        "/api/v1/reports/poverty?unit=048&as_of=2018-12-31&known_at="
        + (app.now() - timedelta(microseconds=1)).isoformat().replace("+", "%2B")
    )
    assert pov.status_code == 200 and pov.get_json()["households"] == 5
    camp = client.get("/api/v1/reports/campaign?unit=048&from_year=2017&to_year=2018")
    assert camp.status_code == 200 and len(camp.get_json()["years"]) == 2
    assert (
        client.get("/api/v1/reports/campaign?unit=048&from_year=2019&to_year=2018").status_code
        == 422
    )
    assert client.get("/api/v1/reports/annual?unit=99999&year=2018").status_code == 422
