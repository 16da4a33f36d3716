"""The Flask application factory: the HTTP API, its OpenAPI document, and the pages.

``create_app()`` connects to nothing: the adapters of :class:`~web.bootstrap.Services` are built
on the first request of each process, so a gunicorn master can import and even call the factory
before forking its workers.
"""

from __future__ import annotations

import http
from typing import Any

from flask import Flask
from flask_smorest import Api
from flask_smorest.utils import prepare_response

from infrastructure.settings import Settings
from web import auth, pages, problems
from web.api import audit, classify, health, households, inspection, recognitions, reports, units
from web.api.common import require_json_body
from web.api.health import DOCS_ASSETS_URL, assets
from web.bootstrap import Services
from web.context import EXTENSION
from web.schemas import ProblemSchema

MAX_BODY_BYTES = 1024 * 1024
"""Largest request body accepted (413 beyond): a batch decision of 1,000 households fits."""

API_DESCRIPTION = """\
The household ledger of the Hạ Lang poverty-reduction campaign.

Every fact carries two times: `effective_on`, the civil date it took effect in the world (chosen
by the client, never in the future), and `recorded_at`, the server's UTC time of recording.
Reads take `as_of` (a date; default today) and `known_at` (a moment; default now). Nothing is
ever updated or deleted: a mistake is undone by a retraction.

**Authentication.** Every request except `GET /api/v1/health` and `GET /api/openapi.json`
needs `Authorization: Bearer <token>` (tokens come from `chungtay token issue NAME`). Missing,
unknown or revoked token: 401. Known token, not allowed: 403.

**Roles.** `admin`: records and reads everything. `officer`: records facts and reads households
whose unit on the fact's `effective_on` (or on `as_of` for reads) lies inside its units.
`inspector`: reads in its units and records only inspections there. `auditor`: reads every
household, may pass a `known_at` in the past, and reads the access log; records nothing. A user's
unit codes are read in today's catalogue. Reads by inspectors and auditors are logged.

**Errors** are `application/problem+json`: `{type, title, status, detail, errors}`, where
`errors` maps a field path (`members.0.sex`) to messages. Malformed JSON: 400. Validation: 422.
Unknown household: 404. Stale `If-Match`: 412. Duplicate code or unresolved write conflict: 409.
Body larger than 1 MiB: 413. A request that fails stores nothing. The database not answering:
503 with `Retry-After` (retry with the same `Idempotency-Key`).

**Retries.** Every POST that records accepts `Idempotency-Key`; a retry with the same key and
request returns the first answer (header `Idempotent-Replayed: true`) and records nothing new.
The answer is stored in the same transaction as the facts, so it survives a lost response or a
crash; while the first request runs, a retry gets 409 with `Retry-After`, and a request that
died frees its key after a short lease (30 s by default).
Facts on one household accept `If-Match: <version>`; answers carry `version` and an `ETag`.
"""


BLUEPRINTS = (
    health.blp,
    households.blp,
    recognitions.blp,
    classify.blp,
    units.blp,
    reports.reports_blp,
    inspection.inspection_blp,
    audit.blp,
)


class ChungtayApi(Api):
    """flask-smorest's Api with problem+json error responses in the document."""

    ERROR_SCHEMA = ProblemSchema

    def _register_responses(self) -> None:
        for status in http.HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
                prepare_response(response, self.spec, problems.PROBLEM_MIMETYPE)
            self.spec.components.response(status.name, response, lazy=True)
        default = {"description": "Any other error", "schema": self.ERROR_SCHEMA}
        prepare_response(default, self.spec, problems.PROBLEM_MIMETYPE)
        self.spec.components.response("DEFAULT_ERROR", default, lazy=True)


def create_app(
    settings: Settings | None = None,
    *,
    services: Services | None = None,
    config: dict[str, Any] | None = None,
) -> Flask:
    """The WSGI application: API under ``/api/v1``, OpenAPI at ``/api/openapi.json``, the
    interactive page at ``/api/docs``, the pages at ``/``.

    ``services`` lets tests pass adapters of their own (see :class:`~web.bootstrap.Services`);
    by default each process builds its own from ``settings`` (default: the environment).
    """
    services = services or Services(settings or Settings.from_env())
    app = Flask("chungtay", static_folder=None)
    app.config.update(
        API_TITLE="chungtay",
        API_VERSION="1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="docs",
        OPENAPI_SWAGGER_UI_URL=DOCS_ASSETS_URL,
        OPENAPI_SWAGGER_UI_CONFIG={"deepLinking": True, "displayRequestDuration": True},
        MAX_CONTENT_LENGTH=MAX_BODY_BYTES,
        API_SPEC_OPTIONS={
            "info": {
                "description": API_DESCRIPTION,
                "license": {"name": "MIT"},
            },
            "servers": [{"url": "/"}],
            "security": [{"bearerAuth": []}],
            "components": {
                "securitySchemes": {
                    "bearerAuth": {
                        "type": "http",
                        "scheme": "bearer",
                        "description": "A token from `chungtay token issue NAME`.",
                    }
                }
            },
        },
    )
    app.config.update(config or {})
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.extensions[EXTENSION] = services
    app.extensions[reports.SOURCE_EXTENSION] = services.report_source
    api = ChungtayApi(app)
    for blp in BLUEPRINTS:
        api.register_blueprint(blp)
    app.register_blueprint(assets)
    auth.install(app)
    app.before_request(require_json_body)
    problems.install(app)
    pages.install(app)  # the HTML pages (sign-in, dashboards, household, inspection, audit)
    return app
