"""Requests about many households read rows, never every household; each user's expensive
requests are limited (429 with Retry-After) so that the others, and ``/health``, are served."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import pytest

from tests.factories import register
from tests.web.conftest import RECOGNITION, Web


@contextmanager
def counting_loads(web: Web) -> Iterator[list[Any]]:
    """Count the households the application loads (its repository's ``get``)."""
    loads: list[Any] = []
    repository = web.households.repository
    original = repository.get

    def get(*args: Any, **kwargs: Any) -> Any:
        loads.append(args[0] if args else kwargs.get("aggregate_id"))
        return original(*args, **kwargs)

    repository.get = get  # type: ignore[method-assign]
    try:
        yield loads
    finally:
        del repository.get


def _more_households(web: Web, count: int) -> list[str]:
    ids = []
    for i in range(count):
        ids.append(register(web.households, code=f"01564-{100 + i:04d}").household_id)
    return ids


def test_the_list_loads_no_household(web: Web) -> None:
    _more_households(web, 12)
    with counting_loads(web) as loads:
        r = web.get("/households?per_page=5&page=2")
        assert r.status_code == 200
        assert r.json["total"] == 14 and len(r.json["items"]) == 5
        assert web.get("/households?q=nong&status=not_poor").json["total"] == 14
        assert web.get("/households?unit=01561").status_code == 200
    assert loads == []


def test_the_audit_diff_folds_only_the_households_that_changed(web: Web) -> None:
    ids = _more_households(web, 12)
    before = web.clock.advance(days=1)
    web.clock.advance(days=1)
    assert web.post(f"/households/{ids[3]}/recognitions", RECOGNITION).status_code == 201
    after = web.clock.advance(days=1)
    query = {
        "unit": "01564",
        "as_of": "2018-06-30",
        "from": before.isoformat(),
        "to": after.isoformat(),
    }
    with counting_loads(web) as loads:
        d = web.get("/audit/diff", "auditor", query_string=query)
    assert d.status_code == 200, d.json
    assert [c["household_id"] for c in d.json["changes"]] == [ids[3]]
    assert d.json["households_examined"] == 13  # every household of Thống Nhất on that date
    assert [str(h) for h in loads] == [ids[3]]


def test_a_past_known_at_is_for_auditors(web: Web) -> None:
    moment = web.households.now().isoformat()
    web.clock.advance(days=1)
    assert web.get("/households", "officer", query_string={"known_at": moment}).status_code == 403
    ok = web.get("/households", "auditor", query_string={"known_at": moment})
    assert ok.status_code == 200 and ok.json["known_at"] == moment
    assert web.get("/households?per_page=501").status_code == 422


@pytest.fixture
def held(web: Web, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[], None]]:
    """Make list requests wait until released (each still holds its slot meanwhile)."""
    from application.household_list import HouseholdList

    gate = threading.Event()
    entered = threading.Semaphore(0)
    original = HouseholdList.__call__

    def slow(self: Any, *args: Any, **kwargs: Any) -> Any:
        entered.release()
        gate.wait(30)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(HouseholdList, "__call__", slow)
    web.entered = entered  # type: ignore[attr-defined]
    yield gate.set
    gate.set()


def test_a_user_runs_few_expensive_requests_at_once(web: Web, held: Callable[[], None]) -> None:
    results: list[int] = []

    def ask() -> None:
        results.append(web.get("/households", "officer").status_code)

    running = [threading.Thread(target=ask) for _ in range(2)]
    for t in running:
        t.start()
    for _ in running:  # both hold a slot
        assert web.entered.acquire(timeout=30)  # type: ignore[attr-defined]
    refused = web.get("/households", "officer")
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "2"
    assert refused.json["type"].endswith("too-many-requests")
    # Another user, and the health check, are served meanwhile.
    other = threading.Thread(target=lambda: results.append(web.get("/households").status_code))
    other.start()
    assert web.entered.acquire(timeout=30)  # type: ignore[attr-defined]
    assert web.client().get("/api/v1/health").status_code == 200
    held()
    for t in [*running, other]:
        t.join()
    assert sorted(results) == [200, 200, 200]
    assert web.get("/households", "officer").status_code == 200  # the slots were released


def test_429_is_documented(web: Web) -> None:
    spec = web.client().get("/api/openapi.json").json
    for path in ("/api/v1/households", "/api/v1/reports/campaign", "/api/v1/audit/diff"):
        answer = spec["paths"][path]["get"]["responses"]["429"]
        assert "Retry-After" in answer["headers"]


def test_a_registration_is_listed_at_once(web: Web) -> None:
    head = {"name": "Đàm Thị Hoa", "birth_year": 1980, "sex": "female", "relation": "head"}
    body = {
        "code": "01561-0777",
        "unit": "01561",
        "village": "Nà Lủng",
        "head_name": head["name"],
        "ethnicity": "Tày",
        "members": [head],
        "effective_on": date(2026, 1, 15).isoformat(),
    }
    assert web.post("/households", body, "officer").status_code == 201
    found = web.get("/households?q=dam%20thi%20hoa", "officer").json
    assert [i["code"] for i in found["items"]] == ["01561-0777"]


def test_a_statement_past_the_timeout_is_cancelled(store) -> None:
    from application.errors import QueryTooLong
    from infrastructure.sql_reader import SqlReader
    from infrastructure.store import parse_database_url

    if store.backend != "postgres":
        pytest.skip("SQLite has no statement timeout")
    reader = SqlReader(parse_database_url(store.url), statement_timeout=0.05)
    try:
        with pytest.raises(QueryTooLong):
            reader.query("SELECT pg_sleep(2)")
        assert reader.query("SELECT 1") == [(1,)]  # the connection is still usable
    finally:
        reader.close()


def test_a_cancelled_read_is_answered_503(web: Web, monkeypatch: pytest.MonkeyPatch) -> None:
    from application.errors import QueryTooLong
    from application.household_list import HouseholdList

    def too_long(*_args: Any, **_kwargs: Any) -> Any:
        raise QueryTooLong(30)

    monkeypatch.setattr(HouseholdList, "__call__", too_long)
    r = web.get("/households")
    assert r.status_code == 503
    assert r.headers["Retry-After"] == "2"
    assert r.json["type"].endswith("query-too-long")
