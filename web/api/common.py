"""What every area of the API shares: documented errors, recording semantics, the access log.

Recording endpoints (``POST`` that stores a fact) are wrapped by :func:`recording`, which, before
the body is even validated, checks that the role may record this kind of fact (403), reads
``If-Match`` (the expected version, 412 when stale) and applies ``Idempotency-Key``: the first
successful answer for a (user, key) is stored in the same transaction as the facts it answers
(:mod:`application.idempotency`) and returned again, byte for byte, for a retry with the same
request; the same key with another request is refused (422). A request that fails stores
nothing, so its key is released and may be used again; one whose process died is released when
its short lease ends.
"""

from __future__ import annotations

import hashlib
import http
import json
import logging
import re
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, TypeVar

from flask import Response, g, make_response, request
from flask_smorest import Blueprint

from application.accounts import Accounts
from application.idempotency import Rendered
from web.api.context import services
from web.auth import current_user, policy
from web.problems import Problem

F = TypeVar("F", bound=Callable[..., Any])
log = logging.getLogger("chungtay.web")

API_V1 = "/api/v1"

_IF_MATCH = re.compile(r'^(?:W/)?"?([0-9]{1,10})"?$')

IDEMPOTENCY_HEADER = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"},
    "description": "Any unique string (e.g. a UUID) chosen by the client. A retry with the same "
    "key and the same request returns the first answer (header `Idempotent-Replayed: true`) and "
    "records nothing new; the same key with a different request is refused with 422. Keys are "
    "per user. The answer is stored in the same transaction as the facts, so it survives a lost "
    "response or a crash. While the first request runs, a retry gets 409 with `Retry-After`; a "
    "request that died frees its key when its lease ends (30 s by default). Only successful "
    "answers are kept: after a failure the key may be used again.",
}
IF_MATCH_HEADER = {
    "in": "header",
    "name": "If-Match",
    "required": False,
    "schema": {"type": "string", "pattern": '^(W/)?"?[0-9]{1,10}"?$'},
    "description": "The household version the client last saw (the `version` of an answer, or "
    'the ETag, e.g. `"7"`). If the household has changed since, the fact is refused with 412 '
    "and nothing is stored.",
}


def blueprint(name: str, description: str) -> Blueprint:
    """A blueprint of the versioned API."""
    return Blueprint(name, name, url_prefix=API_V1, description=description)


def problems(blp: Blueprint, *codes: int) -> Callable[[F], F]:
    """Document problem responses (``application/problem+json``) for these statuses."""

    def decorator(view: F) -> F:
        for code in codes:
            view = blp.alt_response(code, http.HTTPStatus(code).name)(view)
        return view

    return decorator


def expected_version() -> int | None:
    """The version named by ``If-Match`` (None when absent or ``*``)."""
    return g.get("expected_version")


def _parse_if_match() -> int | None:
    raw = request.headers.get("If-Match")
    if raw is None or raw.strip() == "*":
        return None
    match = _IF_MATCH.match(raw.strip())
    if not match:
        msg = 'must be the household version, e.g. 7 or "7"'
        raise Problem(422, f"If-Match {msg}", errors={"If-Match": [msg]})
    return int(match.group(1))


def _canonical_body() -> str:
    data = request.get_data(cache=True)
    if not data.strip():
        return ""
    try:
        parsed = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        raise Problem(
            400,
            "the request body is not valid JSON",
            errors={"_body": ["Invalid JSON body."]},
            slug="malformed-json",
        ) from None
    return json.dumps(parsed, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _fingerprint() -> str:
    parts = [
        request.method,
        request.path,
        request.headers.get("If-Match", ""),
        _canonical_body(),
    ]
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()


def _with_etag(resp: Response) -> Response:
    if resp.status_code in (200, 201) and resp.is_json:
        body = resp.get_json(silent=True)
        if isinstance(body, dict) and isinstance(body.get("version"), int):
            resp.set_etag(str(body["version"]))
    return resp


def recording(kind: str) -> Callable[[F], F]:
    """Role gate, ``If-Match`` and ``Idempotency-Key`` for an endpoint that records ``kind``."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            user = current_user()
            policy().may_record(user, kind)
            g.expected_version = _parse_if_match()
            key = request.headers.get("Idempotency-Key")
            if key is None:
                _canonical_body()  # malformed JSON is a 400 whether or not a key is given
                return _with_etag(make_response(view(*args, **kwargs)))
            if not Accounts.valid_idempotency_key(key):
                msg = "must be 1 to 255 visible ASCII characters"
                raise Problem(422, f"Idempotency-Key {msg}", errors={"Idempotency-Key": [msg]})

            def render() -> Rendered:
                resp = _with_etag(make_response(view(*args, **kwargs)))
                return Rendered(resp.status_code, resp.get_data(as_text=True), resp)

            outcome = services().idempotent.run(user, key, _fingerprint(), render)
            if isinstance(outcome, Rendered):
                return outcome.response
            assert outcome.status is not None and outcome.body is not None
            replay = Response(outcome.body, status=outcome.status, mimetype="application/json")
            replay.headers["Idempotent-Replayed"] = "true"
            return _with_etag(replay)

        return wrapper  # type: ignore[return-value]

    return decorator


def require_json_body() -> None:
    """``before_request`` (after authentication): a body, if any, must be JSON (else 415) that
    can be read safely: valid UTF-8, nested at most :data:`MAX_JSON_DEPTH` deep, and without
    lone surrogates (``"\\ud800"``), which no text field can hold (else 400)."""
    if request.method not in ("POST", "PUT", "PATCH") or not request.path.startswith(API_V1):
        return
    data = request.get_data(cache=True)
    if not data.strip():
        return
    if not request.is_json:
        raise Problem(
            415,
            "send the body as JSON with Content-Type: application/json",
            errors={"Content-Type": ["must be application/json"]},
        )
    problem = json_body_problem(data)
    if problem is not None:
        raise Problem(
            400,
            f"the request body is not valid JSON: {problem[0].lower()}{problem[1:-1]}",
            errors={"_body": [problem]},
            slug="malformed-json",
        )


MAX_JSON_DEPTH = 32
"""Deepest nesting of arrays and objects accepted in a body (the deepest request needs 3)."""

_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_JSON_BRACKET = re.compile(rb"[\[\]{}]")


def json_depth(data: bytes) -> int:
    """How deep arrays and objects nest in a JSON text (brackets inside strings not counted)."""
    depth = deepest = 0
    for bracket in _JSON_BRACKET.findall(_JSON_STRING.sub(b'""', data)):
        if bracket in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def json_body_problem(data: bytes) -> str | None:
    """Why ``data`` cannot be accepted as a JSON body, or None when it can."""
    if json_depth(data) > MAX_JSON_DEPTH:
        return f"Arrays and objects are nested deeper than {MAX_JSON_DEPTH} levels."
    try:
        parsed = json.loads(data)
    except UnicodeDecodeError:
        return "The body is not UTF-8."
    except (ValueError, RecursionError):
        return "Invalid JSON body."
    if _has_lone_surrogate(parsed):
        return "A text holds a lone surrogate (e.g. \\ud800), which is not a character."
    return None


def _has_lone_surrogate(value: Any) -> bool:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, dict):
        return any(_has_lone_surrogate(k) or _has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_lone_surrogate(v) for v in value)
    return False


def log_reads(household_ids: Iterable[str]) -> None:
    """Append reads of these households to the access log (inspectors and auditors)."""
    user = current_user()
    if not policy().logs_reads(user):
        return
    ids = list(household_ids)
    if not ids:
        return
    endpoint = request.method + " " + request.full_path.rstrip("?")
    services().accounts.record_access(user, ids, endpoint)
