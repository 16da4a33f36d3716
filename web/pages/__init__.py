"""The web pages: server-rendered, Vietnamese by default, same rules as the API.

:func:`install` registers every page under one parent blueprint whose hooks (in
:mod:`web.pages.frame`) handle the session, the language, CSRF and errors for all of them.
"""

from __future__ import annotations

from flask import Flask

from web.pages import audit, dashboard, household, inspection, search, sign_in, unit
from web.pages.frame import pages

for _module in (sign_in, dashboard, search, household, unit, inspection, audit):
    pages.register_blueprint(_module.blp)


def install(app: Flask) -> None:
    """Serve the pages from ``app`` (call once, after the API's blueprints)."""
    app.register_blueprint(pages)
