"""Reading households over HTTP: the same answers as the application's queries."""

from __future__ import annotations

from datetime import date, datetime

from application import queries
from tests.web.conftest import ASSESSMENT, H_NEW, H_OLD, RECOGNITION, Web


def _recognised(web: Web) -> str:
    hid = web.ids["new"]
    assert web.post(f"/households/{hid}/assessments", ASSESSMENT).status_code == 201
    assert web.post(f"/households/{hid}/recognitions", RECOGNITION).status_code == 201
    return hid


def test_status_is_the_query_answer_by_id_or_code(web_sqlite: Web) -> None:
    web = web_sqlite
    hid = _recognised(web)
    moment = web.clock.current
    expected = queries.status(web.households, hid, date(2018, 6, 1), moment)
    for ref in (hid, H_NEW):
        r = web.get(f"/households/{ref}/status?as_of=2018-06-01")
        assert r.status_code == 200
        assert r.json == expected
        assert r.headers["ETag"] == '"3"'
    assert expected["status"] == "poor" and expected["transition"] == "newly_poor"
    before = web.get(f"/households/{H_NEW}/status?as_of=2017-06-01").json
    assert (before["status"], before["recognised"]) == ("not_poor", False)


def test_auditor_reads_the_past_as_it_was_known(web_sqlite: Web) -> None:
    web = web_sqlite
    hid = web.ids["new"]
    known = web.clock.current.isoformat()
    web.clock.advance(hours=1)
    _recognised(web)
    r = web.get(
        f"/households/{hid}/status",
        "auditor",
        query_string={"as_of": "2018-06-01", "known_at": known},
    )
    assert r.status_code == 200, r.json
    assert r.json["status"] == "not_poor" and r.json["version"] == 1
    assert r.json == queries.status(
        web.households, hid, date(2018, 6, 1), datetime.fromisoformat(known)
    )
    # before the household was known at all: 404
    r = web.get(f"/households/{hid}/status?known_at=2000-01-01T00:00:00Z", "auditor")
    assert r.status_code == 404
    # an unencoded "+" in the offset arrives as a space and is still understood
    r = web.get(f"/households/{hid}/history?known_at={known.replace('+', ' ')}", "auditor")
    assert r.status_code == 200 and len(r.json["facts"]) == 1


def test_history_timeline_and_current_facts(web_sqlite: Web) -> None:
    web = web_sqlite
    hid = _recognised(web)
    history = web.get(f"/households/{H_NEW}/history").json
    assert history == queries.history(web.households, hid, None) | {"known_at": history["known_at"]}
    assert [f["type"] for f in history["facts"]] == ["registration", "assessment", "recognition"]
    assert [f["recorded_by"] for f in history["facts"]] == ["seed", "admin", "admin"]
    assert all(len(f["hash"]) == 64 for f in history["facts"])
    timeline = web.get(f"/households/{hid}/timeline").json
    assert [(p["status"], p["valid_from"], p["valid_to"]) for p in timeline["periods"]] == [
        ("not_poor", "2017-03-01", "2017-12-05"),
        ("poor", "2017-12-05", None),
    ]
    current = web.get(f"/households/{H_NEW}").json
    assert current["head_name"] == "Nông Văn Tú"
    assert current["ethnicity"] == "Nùng"
    assert current["members"][0]["relation"] == "head"
    assert current["unit"]["code"] == "01561"  # Thống Nhất became part of Hạ Lang in 2025
    assert current["status"] == "poor"
    status = queries.status(web.households, hid)
    assert {k: current[k] for k in status if k != "known_at"} == {
        k: v for k, v in status.items() if k != "known_at"
    }


def test_list_filters_by_unit_status_and_date(web: Web) -> None:
    _recognised(web)
    r = web.get("/households")
    assert r.status_code == 200
    assert [i["code"] for i in r.json["items"]] == [H_OLD, H_NEW]  # by code
    assert r.json["total"] == 2
    poor = web.get("/households?status=poor&as_of=2018-01-01").json
    assert [i["code"] for i in poor["items"]] == [H_NEW]
    assert web.get("/households?status=poor&as_of=2017-06-01").json["items"] == []
    # unit codes are read on as_of: 01561 was Vinh Quý in 2018 and is Hạ Lang today
    assert [
        i["code"] for i in web.get("/households?unit=01561&as_of=2018-01-01").json["items"]
    ] == [H_OLD]
    assert [i["code"] for i in web.get("/households?unit=01561").json["items"]] == [H_NEW]
    assert [i["code"] for i in web.get("/households?unit=04").json["items"]] == [H_OLD, H_NEW]
    assert web.get("/households?as_of=2016-01-01").json["total"] == 0
    page = web.get("/households?per_page=1&page=2").json
    assert (page["total"], [i["code"] for i in page["items"]]) == (2, [H_NEW])
    assert web.get("/households?unit=048").status_code == 422  # the district ended in 2025


def test_officers_list_only_their_households(web_sqlite: Web) -> None:
    r = web_sqlite.get("/households", "officer")
    assert [i["code"] for i in r.json["items"]] == [H_NEW]
    r = web_sqlite.get("/households", "officer_vq")
    assert [i["code"] for i in r.json["items"]] == [H_OLD]


def test_units_and_classify(web_sqlite: Web) -> None:
    web = web_sqlite
    today = web.get("/units", "inspector").json
    assert {u["code"] for u in today["units"]} == {"04", "01537", "01552", "01558", "01561"}
    old = web.get("/units?as_of=2018-01-01").json
    district = next(u for u in old["units"] if u["code"] == "048")
    assert district["parent"] == "04" and "especially_difficult" in district["flags"]
    body = {
        "standard": "2016-2020",
        "area_type": "rural",
        "income_per_capita": 700_000,
        "deprivations": [],
    }
    r = web.post("/classify", body, "auditor")
    assert r.status_code == 200
    assert (r.json["status"], r.json["route"]) == ("poor", "income")
    assert web.households.get(web.ids["new"]).version == 1  # recorded nothing
    r = web.post("/classify", {**body, "deprivations": ["internet_access"]})
    assert r.status_code == 422
    assert "deprivations" in r.json["errors"]
