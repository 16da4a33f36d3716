"""The review's kind and standard, the area type, exit registrations and the registration date,
through the API: each refusal is a 422 (or 404) naming what is wrong, and records nothing."""

from __future__ import annotations

from typing import Any

from tests.web.conftest import ASSESSMENT, H_NEW, RECOGNITION, Web, registration
from tests.web.test_errors import Unchanged, _problem

PATH = f"/households/{H_NEW}"


def test_an_assessment_from_september_to_december_must_say_its_kind(web: Web) -> None:
    same = Unchanged(web)
    body = {k: v for k, v in ASSESSMENT.items() if k != "kind"}
    for day in ("2019-09-01", "2019-12-31"):
        problem = _problem(web.post(PATH + "/assessments", {**body, "effective_on": day}), 422)
        assert set(problem["errors"]) == {"kind"}, problem
    same.check()
    regular = web.post(PATH + "/assessments", {**body, "effective_on": "2019-08-31"})
    assert regular.status_code == 201 and regular.json["kind"] == "regular"
    late = web.post(
        PATH + "/assessments", {**body, "effective_on": "2021-10-01", "kind": "regular"}
    )
    assert (late.json["list_year"], late.json["standard"]) == (2021, "2016-2020")


def test_an_explicit_standard_must_be_the_one_of_the_list_year(web: Web) -> None:
    same = Unchanged(web)
    body = {**ASSESSMENT, "effective_on": "2021-10-01", "kind": "periodic"}
    problem = _problem(web.post(PATH + "/assessments", {**body, "standard": "2016-2020"}), 422)
    assert set(problem["errors"]) == {"standard"} and "2022" in problem["detail"]
    same.check()
    ok = web.post(
        PATH + "/assessments",
        {**body, "standard": "2021-2025", "deprivations": ["employment", "nutrition"]},
    )
    assert ok.status_code == 201, ok.json


def test_the_area_type_follows_the_unit(web: Web) -> None:
    same = Unchanged(web)
    wrong = registration("01564-0990", area_type="urban")  # Việt Chu/Thống Nhất is rural
    problem = _problem(web.post("/households", wrong), 422)
    assert set(problem["errors"]) == {"area_type"}
    move = {"effective_on": "2019-05-02", "unit": "01558", "village": "Tổ 1", "area_type": "rural"}
    problem = _problem(web.post(PATH + "/relocations", move), 422)  # Thanh Nhật town is urban
    assert set(problem["errors"]) == {"area_type"}
    same.check()
    ok = web.post("/households", registration("01564-0991", area_type="rural"))
    assert ok.status_code == 201
    moved = {k: v for k, v in move.items() if k != "area_type"}
    assert web.post(PATH + "/relocations", moved).status_code == 201
    status = web.get(PATH + "/status?as_of=2019-06-01").json
    assert (status["unit"]["code"], status["area_type"]) == ("01558", "urban")


def test_an_exit_registration_needs_a_poor_or_near_poor_household(web: Web) -> None:
    same = Unchanged(web)
    exit_reg = {"effective_on": "2018-02-01", "target_year": 2019}
    problem = _problem(web.post(PATH + "/exit-registrations", exit_reg), 422)
    assert set(problem["errors"]) == {"effective_on"} and "not_poor" in problem["detail"]
    same.check()
    assert web.post(PATH + "/assessments", ASSESSMENT).status_code == 201
    assert web.post(PATH + "/recognitions", RECOGNITION).status_code == 201  # poor 2017-12-05
    early: dict[str, Any] = {**exit_reg, "effective_on": "2017-12-04"}
    assert web.post(PATH + "/exit-registrations", early).status_code == 422
    assert web.post(PATH + "/exit-registrations", exit_reg).status_code == 201


def test_the_status_says_when_the_household_began(web: Web) -> None:
    status = web.get(PATH + "/status?as_of=2017-03-01")
    assert status.status_code == 200 and status.json["registered_on"] == "2017-03-01"
    assert web.get(PATH).json["registered_on"] == "2017-03-01"
    before = _problem(web.get(PATH + "/status?as_of=2017-02-28"), 404)
    assert before["registered_on"] == "2017-03-01" and "2017-02-28" in before["detail"]


def test_units_on_a_date_carry_the_flags_of_that_date(web: Web) -> None:
    early = {u["code"]: u for u in web.get("/units?as_of=2016-06-01").json["units"]}
    assert early["01564"]["name"] == "Xã Việt Chu" and "01571" not in early
    assert sum(u["level"] == "commune" for u in early.values()) == 14
    flags = early["01549"]["flags"]
    assert (flags["valid_from"], flags["valid_to"]) == ("2000-01-01", "2016-12-31")
    assert flags["verified"] is False and "difficult" in flags
    later = {u["code"]: u for u in web.get("/units?as_of=2020-03-01").json["units"]}
    assert later["01564"]["name"] == "Xã Thống Nhất" and "01570" not in later
    assert later["01549"]["flags"]["valid_from"] == "2017-01-01"
    assert sum(u["level"] == "commune" for u in later.values()) == 13
    now = web.get("/units?as_of=2025-07-01").json["units"]
    assert sum(u["level"] == "commune" for u in now) == 4
