"""Fixtures for the pages: the API's test app (same users, same households) and signed-in
browsers-in-miniature (Flask test clients with their own cookie jars)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient

from application.households import Households
from infrastructure.signing import ensure_signing_key
from tests.conftest import FakeClock, Store
from tests.web.conftest import H_NEW, H_OLD, Web, _build, sqlite_store, web_sqlite
from web.pages.context import EXTENSION

__all__ = ["H_NEW", "H_OLD", "csrf", "nonce", "sign_in", "sqlite_store", "web_sqlite"]

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def nonce(text: str) -> str:
    """The CSRF value of the first form on a page."""
    found = _CSRF.search(text)
    assert found, "no form with a CSRF token on this page"
    return found.group(1)


def sign_in(web: Web, user: str, **kw: Any) -> FlaskClient:
    """A client signed in as ``user`` (through the real form)."""
    client = web.flask.test_client(**kw)
    form = client.get("/sign-in")
    resp = client.post(
        "/sign-in", data={"csrf_token": nonce(form.text), "token": web.tokens[user], "next": "/"}
    )
    assert resp.status_code == 303, resp.text
    return client


def csrf(client: FlaskClient, path: str = "/") -> str:
    """The session's CSRF token, read from a page."""
    return nonce(client.get(path).text)


def _close_pages(web: Web) -> None:
    web.flask.extensions[EXTENSION].close()


@pytest.fixture
def site(store: Store, make_app: Callable[..., Households], clock: FakeClock) -> Iterator[Web]:
    """The app with its pages, on SQLite and on PostgreSQL."""
    ensure_signing_key(store.settings.signing_key)
    for web in _build(store, make_app, clock):
        try:
            yield web
        finally:
            _close_pages(web)


@pytest.fixture
def site_sqlite(web_sqlite: Web) -> Iterator[Web]:
    """The app with its pages, on SQLite only (for page behaviour that is not about the store)."""
    ensure_signing_key(web_sqlite.store.settings.signing_key)
    try:
        yield web_sqlite
    finally:
        _close_pages(web_sqlite)


def _clients(site: Web) -> Callable[[str], FlaskClient]:
    made: dict[str, FlaskClient] = {}

    def get(user: str) -> FlaskClient:
        if user not in made:
            made[user] = sign_in(site, user)
        return made[user]

    return get


@pytest.fixture
def clients(site: Web) -> Callable[[str], FlaskClient]:
    """A signed-in client per user name, created on first use (both stores)."""
    return _clients(site)


@pytest.fixture
def sqlite_clients(site_sqlite: Web) -> Callable[[str], FlaskClient]:
    """The same on SQLite only, for what a page decides rather than what the store keeps."""
    return _clients(site_sqlite)
