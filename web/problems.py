"""Errors as ``application/problem+json`` (RFC 9457): ``{type, title, status, detail, errors}``.

``errors`` maps a field path (``members.0.sex``, ``query.as_of``, ``If-Match``) to a list of
messages a clerk can act on. Every failure the API can produce goes through :func:`problem`, so
every error has the same shape, whatever raised it.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Mapping
from typing import Any

import psycopg
from eventsourcing import persistence as es_persistence
from flask import Flask, Response, json
from werkzeug.exceptions import HTTPException

from application.access import Forbidden
from application.accounts import (
    AccountError,
    IdempotencyInProgress,
    IdempotencyKeyReused,
    Unauthenticated,
)
from application.errors import DuplicateHousehold, HouseholdNotFound, StaleVersion, WriteConflict
from application.status import NotYetRegistered
from application.supervision import PlanNotFound
from domain.errors import DomainError
from domain.units import UnknownUnitError

STORE_UNAVAILABLE = (
    es_persistence.OperationalError,
    es_persistence.InterfaceError,
    psycopg.OperationalError,
    sqlite3.OperationalError,
)
"""A lost or refused connection, a database restarting, a lock not granted in time: 503."""

PROBLEM_MIMETYPE = "application/problem+json"
TYPE_PREFIX = "urn:chungtay:problem:"

log = logging.getLogger("chungtay.web")

TYPES: dict[int, tuple[str, str]] = {
    400: ("malformed-request", "The request could not be read"),
    401: ("unauthenticated", "Authentication required"),
    403: ("forbidden", "Not allowed"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    409: ("conflict", "Conflict"),
    412: ("stale-version", "The household has changed"),
    413: ("payload-too-large", "Request body too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
    422: ("validation-error", "The request was refused"),
    429: ("too-many-requests", "Too many requests at once"),
    500: ("internal-error", "Internal server error"),
    503: ("unavailable", "Service unavailable"),
}


class Problem(Exception):
    """An error answer; raise it anywhere in a view."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        errors: Mapping[str, list[str]] | None = None,
        slug: str | None = None,
        title: str | None = None,
        headers: Mapping[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = dict(errors or {})
        default_slug, default_title = TYPES.get(status, ("error", "Error"))
        self.slug = slug or default_slug
        self.title = title or default_title
        self.headers = dict(headers or {})
        self.extra = extra

    def to_dict(self) -> dict[str, Any]:
        """The problem document."""
        return {
            "type": TYPE_PREFIX + self.slug,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "errors": self.errors,
            **self.extra,
        }

    def response(self) -> Response:
        """As a Flask response."""
        doc = self.to_dict()
        try:
            body = json.dumps(doc, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate echoed from the request: escape it
            body = json.dumps(doc, ensure_ascii=True).encode("ascii")
        resp = Response(body, status=self.status, mimetype=PROBLEM_MIMETYPE)
        for k, v in self.headers.items():
            resp.headers[k] = v
        return resp


def flatten(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """Turn marshmallow/webargs nested messages into ``{"a.0.b": ["..."]}``."""
    out: dict[str, list[str]] = {}
    if isinstance(messages, Mapping):
        for key, value in messages.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            for k, v in flatten(value, path).items():
                out.setdefault(k, []).extend(v)
    elif isinstance(messages, list | tuple):
        if all(isinstance(m, str) for m in messages):
            out[prefix or "_schema"] = [str(m) for m in messages]
        else:
            for i, m in enumerate(messages):
                for k, v in flatten(m, prefix if isinstance(m, str) else f"{prefix}.{i}").items():
                    out.setdefault(k, []).extend(v)
    elif messages is not None:
        out[prefix or "_schema"] = [str(messages)]
    return out


def _location_messages(messages: Mapping[str, Any]) -> dict[str, list[str]]:
    """Webargs keys messages by location: body fields stay bare, others get their location."""
    out: dict[str, list[str]] = {}
    for location, inner in messages.items():
        prefix = "" if location == "json" else location
        for k, v in flatten(inner, prefix).items():
            out.setdefault(k, []).extend(v)
    return out


def from_http_exception(error: HTTPException) -> Problem:
    """Werkzeug and webargs aborts (404 routes, 405, 413, 400 bad JSON, 422 validation)."""
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    messages = data.get("messages") or data.get("errors")
    if status == 400 and messages:
        return Problem(
            400,
            "the request body is not valid JSON",
            errors={"_body": ["Invalid JSON body."]},
            slug="malformed-json",
        )
    if status == 422 and messages:
        errors = _location_messages(messages)
        return Problem(
            422,
            "some fields were refused: "
            + "; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()),
            errors=errors,
        )
    if status == 413:
        return Problem(413, "the request body is larger than this server accepts")
    if status == 404:
        return Problem(404, "no such resource")
    headers = {}
    if status == 405 and getattr(error, "valid_methods", None):
        headers["Allow"] = ", ".join(error.valid_methods or ())
    return Problem(
        status,
        error.description or error.name,
        title=error.name,
        headers=headers,
    )


def from_exception(error: Exception) -> Problem | None:
    """The problem for an application error, or None for an unexpected one."""
    if isinstance(error, Problem):
        return error
    if isinstance(error, Unauthenticated):
        return Problem(401, str(error), headers={"WWW-Authenticate": 'Bearer realm="chungtay"'})
    if isinstance(error, Forbidden):
        return Problem(403, str(error))
    if isinstance(error, NotYetRegistered):
        return Problem(404, str(error), registered_on=error.registered_on.isoformat())
    if isinstance(error, PlanNotFound):
        return Problem(404, str(error))
    if isinstance(error, HouseholdNotFound):
        return Problem(404, str(error), slug="household-not-found", title="Unknown household")
    if isinstance(error, DuplicateHousehold):
        return Problem(
            409,
            str(error),
            slug="duplicate-household",
            title="Household already registered",
            errors={"code": [str(error)]},
            existing_id=error.existing_id,
        )
    if isinstance(error, StaleVersion):
        return Problem(
            412,
            str(error),
            errors={"If-Match": [str(error)]},
            current_version=error.actual,
        )
    if isinstance(error, WriteConflict):
        return Problem(409, str(error) or "concurrent writers collided", slug="write-conflict")
    if isinstance(error, IdempotencyKeyReused):
        msg = "this Idempotency-Key was used before for a different request"
        return Problem(422, msg, slug="idempotency-key-reused", errors={"Idempotency-Key": [msg]})
    if isinstance(error, IdempotencyInProgress):
        return Problem(
            409,
            "the first request with this Idempotency-Key is still being processed; retry after "
            f"{error.retry_after} s (a request that died frees its key by then)",
            slug="idempotency-in-progress",
            headers={"Retry-After": str(error.retry_after)},
        )
    if isinstance(error, DomainError | AccountError):
        return Problem(
            422, f"{error.field}: {error.message}", errors={error.field: [error.message]}
        )
    if isinstance(error, UnknownUnitError):
        return Problem(422, str(error), errors={"unit": [str(error)]})
    if isinstance(error, STORE_UNAVAILABLE):
        log.warning("store unavailable: %s", error)
        return Problem(
            503,
            "the database is not answering; nothing was stored by this request: retry later "
            "(with the same Idempotency-Key)",
            slug="store-unavailable",
            headers={"Retry-After": "2"},
        )
    return None


def install(app: Flask) -> None:
    """Answer every error under ``/api`` as problem+json."""

    def handle(error: Exception) -> Response:
        found = from_exception(error)
        if found is None:
            if isinstance(error, HTTPException):
                found = from_http_exception(error)
            else:
                log.exception("unexpected error", exc_info=error)
                found = Problem(500, "an unexpected error occurred; it has been logged")
        return found.response()

    app.register_error_handler(Exception, handle)
    app.register_error_handler(HTTPException, handle)
