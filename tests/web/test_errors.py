"""Every error status, as problem+json, on both stores, and proof that nothing was stored.

Each test reads the households' stored facts afterwards and finds them unchanged.
"""

from __future__ import annotations

from typing import Any

import pytest
from eventsourcing.persistence import RecordConflictError

import application.households as households_module
from tests.web.conftest import H_NEW, H_OLD, SUPPORT, Web, registration

PROBLEM_KEYS = {"type", "title", "status", "detail", "errors"}


def _problem(r: Any, status: int) -> dict[str, Any]:
    assert r.status_code == status, (r.status_code, r.get_data(as_text=True))
    assert r.content_type == "application/problem+json"
    body = r.json
    assert set(body) >= PROBLEM_KEYS
    assert body["status"] == status
    assert isinstance(body["errors"], dict)
    for path, messages in body["errors"].items():
        assert isinstance(path, str) and messages and all(isinstance(m, str) for m in messages)
    return body


class Unchanged:
    """Snapshot every household's facts and the number of households."""

    def __init__(self, web: Web) -> None:
        self.web = web
        self.before = self.snapshot()

    def snapshot(self) -> Any:
        return (
            self.web.household_count(),
            self.web.history(H_NEW),
            self.web.history(H_OLD),
            self.web.get(f"/households/{H_NEW}/history").json["facts"],
        )

    def check(self) -> None:
        assert self.snapshot() == self.before


def test_400_malformed_json(web: Web) -> None:
    same = Unchanged(web)
    for key in (None, "k-400"):
        headers = {"Content-Type": "application/json"}
        if key:
            headers["Idempotency-Key"] = key
        r = web.post(f"/households/{H_NEW}/support", data='{"effective_on": ', headers=headers)
        assert _problem(r, 400)["errors"] == {"_body": ["Invalid JSON body."]}
    r = web.post("/classify", data="[1,", headers={"Content-Type": "application/json"})
    _problem(r, 400)
    same.check()


@pytest.mark.parametrize("auth", [None, "Bearer nonsense", "Basic YWRtaW46YWRtaW4=", "Bearer "])
def test_401_missing_or_unknown_token(web: Web, auth: str | None) -> None:
    same = Unchanged(web)
    headers = {"Authorization": auth} if auth else {}
    r = web.client().post(f"/api/v1/households/{H_NEW}/support", json=SUPPORT, headers=headers)
    _problem(r, 401)
    r = web.client().get(f"/api/v1/households/{H_NEW}/status", headers=headers)
    _problem(r, 401)
    same.check()


def test_401_revoked_token(web: Web) -> None:
    issued = web.accounts.issue_token("officer")
    web.tokens["officer2"] = issued.token
    assert web.get(f"/households/{H_NEW}", "officer2").status_code == 200
    web.accounts.revoke_token(issued.token_id)
    same = Unchanged(web)
    _problem(web.post(f"/households/{H_NEW}/support", SUPPORT, "officer2"), 401)
    assert "revoked" in _problem(web.get(f"/households/{H_NEW}", "officer2"), 401)["detail"]
    assert web.get(f"/households/{H_NEW}", "officer").status_code == 200  # the older one works
    same.check()


def test_403_role_and_scope(web: Web) -> None:
    same = Unchanged(web)
    _problem(web.post(f"/households/{H_OLD}/support", SUPPORT, "officer"), 403)  # out of units
    _problem(web.post(f"/households/{H_NEW}/support", SUPPORT, "auditor"), 403)
    _problem(web.post(f"/households/{H_NEW}/support", SUPPORT, "inspector"), 403)
    _problem(web.post("/households", registration("01537-0001", unit="01537"), "officer"), 403)
    # the role is refused before the body is even read
    _problem(web.post(f"/households/{H_NEW}/support", {"nonsense": 1}, "auditor"), 403)
    same.check()


@pytest.mark.parametrize(
    "unit", ["01537\n", " 01537", "01537 ", "01537\t", "０１５３７", "01537\u200b", "99999"]
)
def test_scope_is_checked_on_the_resolved_unit_and_unresolvable_units_are_refused(
    web: Web, unit: str
) -> None:
    """A unit that is not exactly a catalogue code is refused (422), never trimmed into one."""
    same = Unchanged(web)
    for user in ("officer", "admin"):
        problem = _problem(
            web.post("/households", registration("01537-0777", unit=unit), user), 422
        )
        assert "unit" in problem["errors"], problem
    same.check()
    # the real commune can still register its household under that code
    r = web.post("/households", registration("01537-0777", unit="01537"), "officer_vq")
    assert r.status_code == 201, r.json


def test_404_unknown_household(web: Web) -> None:
    same = Unchanged(web)
    body = _problem(web.post("/households/01561-9999/support", SUPPORT), 404)
    assert "01561-9999" in body["detail"]
    _problem(web.get("/households/00000000-0000-0000-0000-000000000000/status"), 404)
    _problem(web.get("/no-such-endpoint"), 404)
    same.check()


def test_409_duplicate_code_names_the_existing_household(web: Web) -> None:
    same = Unchanged(web)
    body = registration(H_NEW, unit="01561")
    problem = _problem(web.post("/households", body), 409)
    assert problem["existing_id"] == web.ids["new"]
    assert "code" in problem["errors"]
    same.check()


def test_409_write_conflict_after_retries(web: Web, monkeypatch: pytest.MonkeyPatch) -> None:
    same = Unchanged(web)

    def collide(*_: Any, **__: Any) -> None:
        raise RecordConflictError("simulated concurrent writer")

    monkeypatch.setattr(households_module, "_backoff", lambda attempt: None)
    monkeypatch.setattr(web.households, "save", collide)
    problem = _problem(web.post(f"/households/{H_NEW}/support", SUPPORT), 409)
    assert problem["type"].endswith("write-conflict")
    monkeypatch.undo()
    same.check()


def test_412_stale_if_match(web: Web) -> None:
    same = Unchanged(web)
    for value in ("7", '"7"', 'W/"7"'):
        r = web.post(f"/households/{H_NEW}/support", SUPPORT, headers={"If-Match": value})
        problem = _problem(r, 412)
        assert problem["current_version"] == 1 and "If-Match" in problem["errors"]
    same.check()
    r = web.post(f"/households/{H_NEW}/support", SUPPORT, headers={"If-Match": '"1"'})
    assert r.status_code == 201 and r.json["version"] == 2


def test_413_body_too_large(web: Web) -> None:
    same = Unchanged(web)
    huge = {**SUPPORT, "provider": "x" * (2 * 1024 * 1024)}
    _problem(web.post(f"/households/{H_NEW}/support", huge), 413)
    _problem(web.post("/classify", huge), 413)
    same.check()


def test_415_body_not_json(web: Web) -> None:
    same = Unchanged(web)
    r = web.post(f"/households/{H_NEW}/support", data="effective_on=2018-01-01")
    _problem(r, 415)
    same.check()


BAD_SUPPORT: list[tuple[dict[str, Any], str]] = [
    ({**SUPPORT, "recorded_by": "someone else"}, "recorded_by"),
    ({**SUPPORT, "amount_vnd": 2500000.0}, "amount_vnd"),
    ({**SUPPORT, "amount_vnd": "2500000"}, "amount_vnd"),
    ({**SUPPORT, "amount_vnd": 1.5}, "amount_vnd"),
    ({**SUPPORT, "amount_vnd": True}, "amount_vnd"),
    ({**SUPPORT, "amount_vnd": -1}, "amount_vnd"),
    ({**SUPPORT, "effective_on": "02/05/2018"}, "effective_on"),
    ({**SUPPORT, "effective_on": "2018-05-02T00:00:00"}, "effective_on"),
    ({**SUPPORT, "effective_on": "2018-02-30"}, "effective_on"),
    ({**SUPPORT, "effective_on": "2026-11-30"}, "effective_on"),  # tomorrow in Hà Nội
    ({**SUPPORT, "effective_on": "2016-01-01"}, "effective_on"),  # before registration
    ({**SUPPORT, "category": "bribes"}, "category"),
    ({**SUPPORT, "provider": "   "}, "provider"),
    ({**SUPPORT, "provider": "x" * 201}, "provider"),
    ({**SUPPORT, "provider": "a\x00b"}, "provider"),
    ({k: v for k, v in SUPPORT.items() if k != "programme"}, "programme"),
]


@pytest.mark.parametrize(("body", "field"), BAD_SUPPORT, ids=[f for _, f in BAD_SUPPORT])
def test_422_validation_names_the_field(web_sqlite: Web, body: dict[str, Any], field: str) -> None:
    same = Unchanged(web_sqlite)
    problem = _problem(web_sqlite.post(f"/households/{H_NEW}/support", body), 422)
    assert field in problem["errors"], problem
    same.check()


def test_422_on_both_stores_nested_paths_and_domain_refusals(web: Web) -> None:
    same = Unchanged(web)
    bad_member = registration("01561-0500", members=[{"name": "A", "birth_year": 1990}])
    problem = _problem(web.post("/households", bad_member), 422)
    assert {"members.0.sex", "members.0.relation"} <= set(problem["errors"])
    no_head = registration(
        "01561-0501",
        members=[{"name": "A", "birth_year": 1990, "sex": "male", "relation": "child"}],
    )
    assert "members" in _problem(web.post("/households", no_head), 422)["errors"]
    problem = _problem(
        web.post("/households", registration("01561-0502", ethnicity="Klingon")), 422
    )
    assert "ethnicity" in problem["errors"]
    problem = _problem(web.post("/households", registration("01561-0503", unit="048")), 422)
    assert "unit" in problem["errors"]  # a district, and no longer valid
    future = {**SUPPORT, "effective_on": "2027-01-01"}
    assert (
        "effective_on" in _problem(web.post(f"/households/{H_NEW}/support", future), 422)["errors"]
    )
    problem = _problem(
        web.post(f"/households/{H_NEW}/retractions", {"version": 1, "reason": "oops"}), 422
    )
    assert "version" in problem["errors"]
    bad_query = web.get(f"/households/{H_NEW}/status?as_of=yesterday")
    assert "query.as_of" in _problem(bad_query, 422)["errors"]
    bad_known = web.get(f"/households/{H_NEW}/status?known_at=2026-01-01T00:00:00", "auditor")
    assert "query.known_at" in _problem(bad_known, 422)["errors"]
    assert "query.colour" in _problem(web.get("/units?colour=red"), 422)["errors"]
    _problem(web.post(f"/households/{H_NEW}/support", SUPPORT, headers={"If-Match": "v7"}), 422)
    _problem(
        web.post(f"/households/{H_NEW}/support", SUPPORT, headers={"Idempotency-Key": "é"}), 422
    )
    batch = {
        "effective_on": "2018-01-10",
        "decision_number": "1",
        "unit": "01564",
        "items": [
            {"household_id": H_NEW, "status": "poor"},
            {"household_id": H_NEW, "status": "x"},
        ],
    }
    assert "items.1.status" in _problem(web.post("/recognitions", batch), 422)["errors"]
    same.check()
