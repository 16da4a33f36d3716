"""Liveness (no authentication) and the assets of the interactive API page."""

from __future__ import annotations

import functools
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import swagger_ui_bundle
from flask import Blueprint as FlaskBlueprint
from flask import Response, send_from_directory

from web import schemas as s
from web.api.common import blueprint
from web.context import households
from web.problems import Problem

blp = blueprint("health", "Liveness of the service.")

DOCS_ASSETS_URL = "/api/docs/assets/"
assets = FlaskBlueprint("docs_assets", __name__, url_prefix=DOCS_ASSETS_URL.rstrip("/"))


@functools.cache
def _version() -> str:
    """The installed distribution's version (looked up once: the lookup scans site-packages)."""
    try:
        return version("chungtay")
    except PackageNotFoundError:
        return "0+unknown"


@blp.route("/health", methods=["GET"])
@blp.response(200, s.HealthSchema)
@blp.alt_response(503, "SERVICE_UNAVAILABLE")
@blp.doc(security=[])
def health() -> dict[str, Any]:
    """Is the service up and its store reachable

    Needs no authentication. 503 when the store cannot be read.
    """
    try:
        households().recorder.max_notification_id()
    except Exception as e:
        raise Problem(503, f"the store cannot be read: {type(e).__name__}") from None
    return {"status": "ok", "version": _version()}


@assets.route("/<path:filename>")
def asset(filename: str) -> Response:
    """Swagger UI files, served by this app (offices have no CDN)."""
    resp = send_from_directory(swagger_ui_bundle.swagger_ui_path, filename, max_age=86400)
    return resp
