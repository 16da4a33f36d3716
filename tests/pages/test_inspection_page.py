"""``/inspection``: the worklist, and recording an inspection through a form with the API's
gates (role, scope, separation of duties, plan membership, CSRF); a refused form stores nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.pages.conftest import H_NEW, H_OLD, csrf
from tests.web.conftest import SUPPORT, Web

Clients = Callable[[str], FlaskClient]


def _form(client: FlaskClient, **overrides: str) -> dict[str, str]:
    form = {
        "csrf_token": csrf(client, "/inspection"),
        "household": H_NEW,
        "effective_on": "2026-11-20",
        "team": "Đoàn kiểm tra huyện",
        "outcome": "discrepancy",
        "finding_code": "F1",
        "finding_severity": "minor",
        "finding_note": "sổ chưa ký",
        "plan_id": "",
    }
    form.update(overrides)
    return form


def _inspections(site: Web, code: str = H_NEW) -> list[Any]:
    return [f for f in site.households.get(code).facts if type(f).__name__ == "Inspected"]


def test_an_inspector_records_an_inspection(site: Web, clients: Clients) -> None:
    inspector = clients("inspector")
    resp = inspector.post("/inspection/record", data=_form(inspector))
    assert resp.status_code == 303
    assert resp.headers["Location"].startswith("/inspection?recorded=01564-0001")
    [inspection] = _inspections(site)
    assert inspection.recorded_by == "inspector"
    assert inspection.outcome == "discrepancy"
    assert [dict(f) for f in inspection.findings] == [
        {"code": "F1", "severity": "minor", "note": "sổ chưa ký"}
    ]
    shown = inspector.get(resp.headers["Location"])
    assert 'data-test="recorded"' in shown.text


def test_an_inspection_without_findings(site_sqlite: Web) -> None:
    from tests.pages.conftest import sign_in

    inspector = sign_in(site_sqlite, "inspector")
    form = _form(inspector, finding_code="", outcome="confirmed")
    assert inspector.post("/inspection/record", data=form).status_code == 303
    [inspection] = _inspections(site_sqlite)
    assert list(inspection.findings) == []


@pytest.mark.parametrize(
    ("overrides", "status", "says"),
    [
        ({"team": ""}, 422, "team"),
        ({"outcome": "fine"}, 422, "outcome"),
        ({"effective_on": "20-11-2026"}, 422, "effective_on"),
        ({"effective_on": "2099-01-01"}, 422, "effective_on"),
        ({"finding_severity": "huge"}, 422, "severity"),
        ({"household": ""}, 422, "household"),
        ({"household": "99999-0001"}, 404, "99999-0001"),
        ({"household": H_OLD}, 403, "not in your units"),
        ({"plan_id": "no-such-plan"}, 422, "no-such-plan"),
    ],
)
def test_a_refused_inspection_stores_nothing(
    site_sqlite: Web, overrides: dict[str, str], status: int, says: str
) -> None:
    from tests.pages.conftest import sign_in

    inspector = sign_in(site_sqlite, "inspector")
    before = site_sqlite.history(H_NEW), site_sqlite.history(H_OLD)
    resp = inspector.post("/inspection/record", data=_form(inspector, **overrides))
    assert resp.status_code == status
    assert 'data-test="refused"' in resp.text
    assert says in resp.text
    assert (site_sqlite.history(H_NEW), site_sqlite.history(H_OLD)) == before


def test_separation_of_duties_is_explained_and_nothing_is_stored(
    site: Web, clients: Clients
) -> None:
    sponsored = site.post(
        f"/households/{H_NEW}/sponsorships",
        {
            "effective_on": "2020-01-02",
            "sponsor": {"name": "Inspector", "kind": "official"},
        },
    )
    assert sponsored.status_code == 201
    before = site.history(H_NEW)
    inspector = clients("inspector")
    resp = inspector.post("/inspection/record", data=_form(inspector))
    assert resp.status_code == 403
    assert "Tách bạch nhiệm vụ" in resp.text and "sponsor" in resp.text
    assert site.history(H_NEW) == before


def test_the_form_without_its_csrf_token_stores_nothing(site: Web, clients: Clients) -> None:
    inspector = clients("inspector")
    for token in ("", "forged"):
        resp = inspector.post("/inspection/record", data=_form(inspector, csrf_token=token))
        assert resp.status_code == 403
    assert _inspections(site) == []


@pytest.mark.parametrize("user", ["auditor", "officer"])
def test_roles_that_do_not_record_inspections_store_nothing(site: Web, user: str) -> None:
    from tests.pages.conftest import sign_in

    client = sign_in(site, user)
    resp = client.post(
        "/inspection/record",
        data={**_form(sign_in(site, "inspector")), "csrf_token": csrf(client)},
    )
    assert resp.status_code == 403
    assert _inspections(site) == []


def test_the_worklist_is_for_supervisors(site_sqlite: Web, sqlite_clients: Clients) -> None:
    assert sqlite_clients("officer").get("/inspection").status_code == 403
    assert sqlite_clients("officer").get("/inspection/anomalies").status_code == 403
    for user in ("inspector", "auditor", "admin"):
        assert sqlite_clients(user).get("/inspection").status_code == 200, user
    assert 'name="household"' in sqlite_clients("inspector").get("/inspection").text
    assert 'name="household"' not in sqlite_clients("auditor").get("/inspection").text


def test_anomalies_are_explained_with_their_facts_and_logged(site: Web, clients: Clients) -> None:
    late = site.post(f"/households/{H_NEW}/support", SUPPORT)
    assert late.status_code == 201
    inspector = clients("inspector")
    resp = inspector.get("/inspection/anomalies?unit=01561&kind=late_entry")
    assert resp.status_code == 200
    assert "Ghi nhận trễ quá 90 ngày" in resp.text
    assert f'href="/households/{H_NEW}?as_of=2018-05-02#fact-{late.json["version"]}"' in resp.text
    entries, _ = site.accounts.access_log(user_name="inspector")
    assert [e.household_id for e in entries] == [site.ids["new"]]


def test_anomalies_outside_the_users_units_are_refused(
    site_sqlite: Web, sqlite_clients: Clients
) -> None:
    resp = sqlite_clients("inspector").get("/inspection/anomalies?unit=01537")
    assert resp.status_code == 403
    assert sqlite_clients("inspector").get("/inspection/anomalies?kind=nonsense").status_code == 422


def test_plans_and_progress_of_the_users_units(site: Web, clients: Clients) -> None:
    drawn = site.post(
        "/inspection/plans", {"unit": "01561", "year": 2026, "size": 1, "seed": 7}, user="inspector"
    )
    assert drawn.status_code == 201, drawn.json
    plan_id = drawn.json["plan_id"]
    inspector = clients("inspector")
    page = inspector.get("/inspection").text
    assert f'data-plan="{plan_id}"' in page and "0/1" in page
    form = _form(inspector, plan_id=plan_id, household=drawn.json["households"][0]["code"])
    assert inspector.post("/inspection/record", data=form).status_code == 303
    assert "1/1" in inspector.get("/inspection").text
    assert f'data-plan="{plan_id}"' in clients("auditor").get("/inspection").text
