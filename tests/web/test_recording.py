"""Every recording endpoint maps to its use case and answers 201 with the contract's fields."""

from __future__ import annotations

import unicodedata
from datetime import datetime

from tests.web.conftest import (
    ASSESSMENT,
    H_NEW,
    H_OLD,
    INSPECTION,
    MEMBER,
    RECOGNITION,
    SUPPORT,
    Web,
    registration,
)


def _created(r, version: int) -> dict:
    assert r.status_code == 201, r.json
    body = r.json
    assert body["version"] == version
    assert datetime.fromisoformat(body["recorded_at"]).utcoffset() is not None
    assert r.headers["ETag"] == f'"{version}"'
    return body


def test_register_then_every_fact(web_sqlite: Web) -> None:
    web = web_sqlite
    r = web.post("/households", registration("01561-0100"), "officer")
    body = _created(r, 1)
    hid = body["household_id"]
    assert body["code"] == "01561-0100"
    assert r.headers["Location"].endswith(f"/api/v1/households/{hid}")
    path = f"/households/{hid}"

    deprived = ["nutrition", "employment", "dependants"]
    assessment = {**ASSESSMENT, "effective_on": "2026-09-15", "deprivations": deprived}
    r = web.post(path + "/assessments", assessment, "officer")
    body = _created(r, 2)
    assert body["classification"]["status"] == "poor"
    assert (body["kind"], body["list_year"], body["standard"]) == ("periodic", 2027, "2026-2030")

    rec = {**RECOGNITION, "effective_on": "2026-10-01", "list_year": 2027}
    body = _created(web.post(path + "/recognitions", rec, "officer"), 3)
    assert (body["transition"], body["status"]) == ("newly_poor", "poor")

    _created(web.post(path + "/support", {**SUPPORT, "effective_on": "2026-10-02"}, "officer"), 4)
    sponsor = {
        "effective_on": "2026-10-03",
        "sponsor": {"name": "Hội Phụ nữ", "kind": "mass_organisation", "unit": "01561"},
    }
    body = _created(web.post(path + "/sponsorships", sponsor, "officer"), 5)
    sid = body["sponsorship_id"]
    end = {"effective_on": "2026-10-04", "reason": "hết nhiệm kỳ"}
    _created(web.post(f"{path}/sponsorships/{sid}/end", end, "officer"), 6)
    exit_reg = {"effective_on": "2026-10-05", "target_year": 2027, "plan": "nuôi bò"}
    _created(web.post(path + "/exit-registrations", exit_reg, "officer"), 7)
    child = {"name": "Nông Thị Hoa", "birth_year": 2010, "sex": "female", "relation": "child"}
    change = {"effective_on": "2026-10-06", "change": "added", "member": child, "reason": "sinh"}
    _created(web.post(path + "/members", change, "officer"), 8)
    complaint = {
        "effective_on": "2026-10-07",
        "complainant": "Hộ bên cạnh",
        "subject": "thu nhập",
        "text": "Thu nhập\nkhai thấp",
    }
    body = _created(web.post(path + "/complaints", complaint, "officer"), 9)
    cid = body["complaint_id"]
    resolution = {"effective_on": "2026-10-08", "outcome": "rejected", "note": "đã xác minh"}
    _created(web.post(f"{path}/complaints/{cid}/resolution", resolution, "officer"), 10)
    _created(web.post(path + "/inspections", INSPECTION, "inspector"), 11)
    _created(web.post(path + "/retractions", {"version": 4, "reason": "nhập nhầm"}, "officer"), 12)
    move = {"effective_on": "2026-11-01", "unit": "01561", "village": "Bản Mới"}
    _created(web.post(path + "/relocations", move, "officer"), 13)
    _created(web.post(path + "/closure", {"effective_on": "2026-11-02", "reason": "merged"}), 14)

    history = web.get(path + "/history").json["facts"]
    assert [f["type"] for f in history] == [
        "registration",
        "assessment",
        "recognition",
        "support",
        "sponsorship_start",
        "sponsorship_end",
        "exit_registration",
        "member_change",
        "complaint",
        "complaint_resolution",
        "inspection",
        "retraction",
        "relocation",
        "closure",
    ]
    assert [f["recorded_by"] for f in history][:3] == ["officer"] * 3
    assert history[10]["recorded_by"] == "inspector"
    assert history[13]["recorded_by"] == "admin"
    assert history[3]["retracted_by"] == 12
    status = web.get(path + "/status").json
    assert status["closed"] is True


def test_text_is_nfc_normalised(web_sqlite: Web) -> None:
    web = web_sqlite
    decomposed = unicodedata.normalize("NFD", "Bản Khau")
    assert decomposed != "Bản Khau"
    body = registration("01561-0101", village="  " + decomposed + " ")
    hid = web.post("/households", body).json["household_id"]
    assert web.get(f"/households/{hid}").json["village"] == "Bản Khau"


def test_batch_recognition_records_every_household(web: Web) -> None:
    body = {
        "effective_on": "2018-01-10",
        "decision_number": "12/QĐ-UBND",
        "unit": "01564",
        "signed_by": "Chủ tịch UBND xã",
        "items": [{"household_id": H_NEW, "status": "near_poor"}],
    }
    r = web.post("/recognitions", body, "officer")
    assert r.status_code == 201, r.json
    assert [(i["version"], i["transition"]) for i in r.json["items"]] == [(2, "newly_near_poor")]
    assert web.history(H_NEW)[-1][1:] == ("Recognised", "officer")
    # the other household is not in 01564: the whole batch is refused and nothing is stored
    body["items"] = [
        {"household_id": H_NEW, "status": "poor"},
        {"household_id": H_OLD, "status": "poor"},
    ]
    r = web.post("/recognitions", body)
    assert r.status_code == 422
    assert "items.1.household_id" in r.json["errors"]
    assert len(web.history(H_NEW)) == 2 and len(web.history(H_OLD)) == 1
    body["items"] = [{"household_id": "no-such-code", "status": "poor"}]
    r = web.post("/recognitions", body)
    assert r.status_code == 422 and "items.0.household_id" in r.json["errors"]


def test_register_defaults_area_type_from_the_unit(web_sqlite: Web) -> None:
    web = web_sqlite
    body = registration("01558-0042", unit="01558", members=[dict(MEMBER)])
    hid = web.post("/households", body).json["household_id"]
    assert web.get(f"/households/{hid}").json["area_type"] == "rural"
