"""Fixtures for the HTTP API: a Flask app on the test store, users of every role, households.

Households used throughout (the fake clock's today is 2026-11-29):

* ``H_NEW`` ``01564-0001`` registered 2017-03-01 in Việt Chu (01564; Thống Nhất from 2020), part of
  Hạ Lang (01561) on 2025-07-01: in the units of the Hạ Lang officer and inspector.
* ``H_OLD`` ``01561-0002`` registered 2017-03-01 in the *old* 01561 (Vinh Quý commune, which
  became 01537 on 2025-07-01): the code 01561 is reused, so it is *not* in Hạ Lang's units.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from application.accounts import Accounts
from application.households import Households
from tests.conftest import FakeClock, Store
from tests.factories import register
from web.app import create_app
from web.bootstrap import Services

H_NEW = "01564-0001"
H_OLD = "01561-0002"

USERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "admin": ("admin", ()),
    "officer": ("officer", ("01561",)),
    "officer_vq": ("officer", ("01537",)),
    "inspector": ("inspector", ("01561",)),
    "auditor": ("auditor", ()),
}


@dataclass
class Web:
    """A Flask app on one store, with a token per user and helpers to call it."""

    flask: Flask
    households: Households
    accounts: Accounts
    store: Store
    clock: FakeClock
    tokens: dict[str, str] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)

    def client(self) -> FlaskClient:
        """A fresh test client (one per thread)."""
        return self.flask.test_client()

    def headers(self, user: str | None, **extra: str) -> dict[str, str]:
        """Authorization for ``user`` (None: none) plus extra headers."""
        h = {k.replace("_", "-"): v for k, v in extra.items()}
        if user is not None:
            h["Authorization"] = f"Bearer {self.tokens[user]}"
        return h

    def get(self, path: str, user: str | None = "admin", **kw: Any) -> Any:
        """GET ``/api/v1`` + path."""
        headers = {**self.headers(user), **kw.pop("headers", {})}
        return self.client().get("/api/v1" + path, headers=headers, **kw)

    def post(self, path: str, body: Any = None, user: str | None = "admin", **kw: Any) -> Any:
        """POST JSON to ``/api/v1`` + path (a second later than the last request)."""
        self.clock.advance(seconds=1)
        headers = {**self.headers(user), **kw.pop("headers", {})}
        if body is not None:
            kw["json"] = body
        return self.client().post("/api/v1" + path, headers=headers, **kw)

    def history(self, ref: str) -> list[dict[str, Any]]:
        """Every stored fact of a household (read straight from the application)."""
        return [
            (f.originator_version, type(f).__name__, f.recorded_by)
            for f in self.households.get(ref).facts
        ]

    def household_count(self) -> int:
        """How many households are registered."""
        return len(
            self.households.recorder.select_notifications(
                1, 10_000, topics=["domain.events:Registered"]
            )
        )


def _build(store: Store, make_app: Callable[..., Households], clock: FakeClock) -> Iterator[Web]:
    households = make_app(clock)
    services = Services(store.settings, households=households)
    flask = create_app(services=services, config={"TESTING": True})
    accounts = services.accounts
    web = Web(flask, households, accounts, store, clock)
    for name, (role, units) in USERS.items():
        accounts.add_user(name, role, units)
        web.tokens[name] = accounts.issue_token(name).token
    web.ids["new"] = register(households, H_NEW, recorded_by="seed").household_id
    web.ids["old"] = register(
        households, H_OLD, unit="01561", village="Bản Piàn", recorded_by="seed"
    ).household_id
    try:
        yield web
    finally:
        services.close()


@pytest.fixture
def web(store: Store, make_app: Callable[..., Households], clock: FakeClock) -> Iterator[Web]:
    """The API on SQLite and on PostgreSQL."""
    yield from _build(store, make_app, clock)


@pytest.fixture
def sqlite_store(tmp_path: Any) -> Store:
    """An initialised SQLite store only (for tests whose subject is not the store)."""
    from infrastructure.settings import Settings
    from web.bootstrap import initialise_store

    path = tmp_path / "store.sqlite"
    url = f"sqlite:///{path}"
    s = Store(
        "sqlite", url, Settings(database_url=url, signing_key=tmp_path / "k"), sqlite_path=path
    )
    initialise_store(s.settings)
    return s


@pytest.fixture
def web_sqlite(sqlite_store: Store, clock: FakeClock) -> Iterator[Web]:
    """The API on SQLite only."""
    from web.bootstrap import build_application

    apps: list[Households] = []

    def make(c: Any = None) -> Households:
        app = (
            build_application(sqlite_store.settings, clock=c)
            if c
            else build_application(sqlite_store.settings)
        )
        apps.append(app)
        return app

    yield from _build(sqlite_store, make, clock)
    for a in apps:
        a.close()


SUPPORT = {
    "effective_on": "2018-05-02",
    "category": "production",
    "programme": "Chương trình 135",
    "funding_source": "central",
    "amount_vnd": 2_500_000,
    "provider": "UBND xã",
}
INSPECTION = {
    "effective_on": "2026-11-20",
    "team": "Đoàn kiểm tra huyện",
    "findings": [{"code": "F1", "severity": "minor", "note": "sổ chưa ký"}],
    "outcome": "confirmed",
}
ASSESSMENT = {
    "effective_on": "2017-10-02",
    "kind": "periodic",
    "income_per_capita": 650_000,
    "deprivations": ["health_insurance"],
    "assessor": "Tổ rà soát",
}
RECOGNITION = {
    "effective_on": "2017-12-05",
    "status": "poor",
    "decision_number": "88/QĐ-UBND",
    "signed_by": "Chủ tịch UBND xã",
}
MEMBER = {"name": "Nông Văn Tú", "birth_year": 1975, "sex": "male", "relation": "head"}


def registration(code: str, **overrides: Any) -> dict[str, Any]:
    """A registration body in Hạ Lang (01561) dated 2026-01-15."""
    body: dict[str, Any] = {
        "code": code,
        "unit": "01561",
        "village": "Bản Khau",
        "head_name": MEMBER["name"],
        "ethnicity": "Nùng",
        "members": [dict(MEMBER)],
        "effective_on": date(2026, 1, 15).isoformat(),
    }
    body.update(overrides)
    return body
