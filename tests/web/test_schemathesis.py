"""Property-based tests of the whole API from its own OpenAPI document (schemathesis).

For every operation, schemathesis generates requests (valid and invalid) and sends them to the
in-process WSGI app as an admin, checking that no answer is a 5xx and that every answer conforms
to the document: documented status, content type, headers and body schema.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from tests.conftest import FakeClock, Store
from tests.web.conftest import Web, _build

schemathesis = pytest.importorskip("schemathesis")


@pytest.fixture
def api_web(sqlite_store: Store, clock: FakeClock) -> Iterator[Web]:
    """The API on SQLite with the seed households and a household coded like the examples."""
    from web.bootstrap import build_application

    app = build_application(sqlite_store.settings, clock=clock)
    try:
        for web in _build(sqlite_store, lambda _clock=None: app, clock):
            web.post("/households", _example_household())
            yield web
    finally:
        app.close()


def _example_household() -> dict[str, Any]:
    return {
        "code": "01558-0042",
        "unit": "01558",
        "village": "Bản Khau",
        "head_name": "Nông Văn Tú",
        "ethnicity": "Nùng",
        "members": [{"name": "Nông Văn Tú", "birth_year": 1975, "sex": "male", "relation": "head"}],
        "effective_on": "2025-08-01",
    }


class CurrentApp:
    """A WSGI app that forwards to the current test's Flask app.

    The schema is loaded when the module is collected (``schemathesis.pytest.from_fixture``
    needs a pytest private attribute that pytest 9 removed); building the app connects to no
    database, so the document comes from an app without a store, and each test then points
    this proxy at its own app on a fresh store.
    """

    def __init__(self) -> None:
        from infrastructure.settings import Settings
        from web.app import create_app

        self.flask: Any = create_app(Settings(database_url="sqlite:///unused-by-the-doc.sqlite"))

    def __call__(self, environ: Any, start_response: Any) -> Any:
        return self.flask(environ, start_response)


CURRENT = CurrentApp()
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", CURRENT)


@schema.parametrize()
@settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_document(case: Any, api_web: Web) -> None:
    CURRENT.flask = api_web.flask
    # A schema-valid request may still be refused by the rules and the reference data (an
    # unknown unit, a date before registration): that is a 4xx by design, not a failure.
    case.call_and_validate(
        headers=api_web.headers("admin"),
        excluded_checks=[schemathesis.checks.positive_data_acceptance],
    )


def test_answers_about_a_busy_household_conform(api_web: Web) -> None:
    """Every read of a household with many kinds of facts matches its documented schema."""
    CURRENT.flask = api_web.flask
    web = api_web
    ref = "01558-0042"
    sponsor = {"name": "Hội Phụ nữ", "kind": "mass_organisation", "unit": "01558"}
    for path, body in (
        (
            "/assessments",
            {
                "effective_on": "2025-10-01",
                "kind": "periodic",
                "income_per_capita": 1_000_000,
                "deprivations": ["nutrition", "employment", "dependants"],
                "assessor": "Tổ rà soát",
            },
        ),
        (
            "/recognitions",
            {
                "effective_on": "2025-12-01",
                "status": "poor",
                "decision_number": "1/QĐ",
                "signed_by": "Chủ tịch",
            },
        ),
        ("/sponsorships", {"effective_on": "2025-12-02", "sponsor": sponsor}),
        ("/exit-registrations", {"effective_on": "2025-12-03", "target_year": 2026}),
        ("/retractions", {"version": 4, "reason": "nhầm"}),
    ):
        assert web.post(f"/households/{ref}{path}", body).status_code == 201
    headers = web.headers("admin")
    for path in ("", "/status", "/history", "/timeline"):
        operation = schema[f"/api/v1/households/{{ref}}{path}"]["GET"]
        case = operation.Case(path_parameters={"ref": ref})
        response = case.call_and_validate(headers=headers)
        assert response.status_code == 200
    listing = schema["/api/v1/households"]["GET"].Case(query={"status": "poor"})
    assert listing.call_and_validate(headers=headers).json()["total"] == 1
    log = schema["/api/v1/audit/access-log"]["GET"].Case()
    web.get(f"/households/{ref}", "auditor")
    log.call_and_validate(headers=web.headers("auditor"))
