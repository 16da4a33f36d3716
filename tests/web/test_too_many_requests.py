"""429: a client that runs too many expensive requests at once is told to come back later."""

from __future__ import annotations

import pytest

from tests.web.conftest import H_NEW, Web
from tests.web.test_errors import _problem
from web.api.common import LIMIT_EXTENSION, MAX_EXPENSIVE_PER_USER

EXPENSIVE = [
    "/reports/poverty?unit=04&as_of=2020-06-30",
    "/households",
    "/audit/diff?unit=04&as_of=2020-06-30&from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z",
]


@pytest.mark.parametrize("path", EXPENSIVE)
def test_a_user_with_too_many_expensive_requests_running_gets_429(
    web_sqlite: Web, path: str
) -> None:
    limit = web_sqlite.flask.extensions[LIMIT_EXTENSION]
    for _ in range(MAX_EXPENSIVE_PER_USER):  # two of the auditor's requests are still running
        assert limit.acquire("auditor")
    r = web_sqlite.get(path, "auditor")
    problem = _problem(r, 429)
    assert int(r.headers["Retry-After"]) >= 1
    assert problem["type"].endswith("too-many-requests")
    # cheap requests and other users are not held back
    assert web_sqlite.get(f"/households/{H_NEW}", "auditor").status_code == 200
    limit.acquire("admin")
    assert web_sqlite.get("/households", "admin").status_code == 200
    limit.release("auditor")
    assert web_sqlite.get(path, "auditor").status_code == 200
    # a finished request gave its slot back: the user is at the limit again, not beyond
    assert limit.acquire("auditor") and not limit.acquire("auditor")
