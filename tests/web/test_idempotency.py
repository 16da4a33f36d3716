"""Idempotency-Key, If-Match and parallel requests against one app, on both stores."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

from tests.web.conftest import H_NEW, SUPPORT, Web, registration


def test_a_retry_returns_the_first_answer_and_records_nothing(web: Web) -> None:
    key = {"Idempotency-Key": "3f0c7a52-retry"}
    first = web.post(f"/households/{H_NEW}/support", SUPPORT, headers=key)
    assert first.status_code == 201
    again = web.post(f"/households/{H_NEW}/support", SUPPORT, headers=key)
    assert again.status_code == 201
    assert again.get_data() == first.get_data()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.headers["ETag"] == first.headers["ETag"] == '"2"'
    assert len(web.history(H_NEW)) == 2
    # key order and spacing do not make another request
    reordered = dict(reversed(list(SUPPORT.items())))
    assert web.post(f"/households/{H_NEW}/support", reordered, headers=key).json == first.json
    assert len(web.history(H_NEW)) == 2


def test_the_same_key_for_another_request_is_refused(web: Web) -> None:
    key = {"Idempotency-Key": "k-1"}
    assert web.post(f"/households/{H_NEW}/support", SUPPORT, headers=key).status_code == 201
    other = {**SUPPORT, "amount_vnd": 1}
    r = web.post(f"/households/{H_NEW}/support", other, headers=key)
    assert r.status_code == 422 and "Idempotency-Key" in r.json["errors"]
    r = web.post("/households", registration("01561-0300"), headers=key)  # another endpoint
    assert r.status_code == 422
    assert len(web.history(H_NEW)) == 2 and web.household_count() == 2
    # keys belong to their user: another user's same key is a new request
    assert (
        web.post(f"/households/{H_NEW}/support", other, "officer", headers=key).status_code == 201
    )
    assert len(web.history(H_NEW)) == 3


def test_a_failed_request_releases_its_key(web: Web) -> None:
    key = {"Idempotency-Key": "k-fail"}
    bad = {**SUPPORT, "effective_on": "2099-01-01"}
    assert web.post(f"/households/{H_NEW}/support", bad, headers=key).status_code == 422
    stale = web.post(f"/households/{H_NEW}/support", SUPPORT, headers={**key, "If-Match": "9"})
    assert stale.status_code == 412
    ok = web.post(f"/households/{H_NEW}/support", SUPPORT, headers=key)
    assert ok.status_code == 201
    assert len(web.history(H_NEW)) == 2


def test_registration_and_batches_are_idempotent(web: Web) -> None:
    key = {"Idempotency-Key": "reg-1"}
    body = registration("01561-0400")
    first = web.post("/households", body, headers=key)
    again = web.post("/households", body, headers=key)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json == first.json
    plain = web.post("/households", body)
    assert plain.status_code == 409  # without the key it is a duplicate
    batch = {
        "effective_on": "2018-01-10",
        "decision_number": "12/QĐ-UBND",
        "unit": "01564",
        "items": [{"household_id": H_NEW, "status": "poor"}],
    }
    key = {"Idempotency-Key": "batch-1"}
    assert web.post("/recognitions", batch, headers=key).status_code == 201
    assert web.post("/recognitions", batch, headers=key).status_code == 201
    assert len(web.history(H_NEW)) == 2


def test_if_match_pins_the_version(web: Web) -> None:
    first = web.post(f"/households/{H_NEW}/support", SUPPORT, headers={"If-Match": '"1"'})
    assert first.status_code == 201
    etag = first.headers["ETag"]
    second = web.post(f"/households/{H_NEW}/support", SUPPORT, headers={"If-Match": etag})
    assert second.status_code == 201
    stale = web.post(f"/households/{H_NEW}/support", SUPPORT, headers={"If-Match": etag})
    assert stale.status_code == 412 and stale.json["current_version"] == 3
    assert len(web.history(H_NEW)) == 3
    assert web.get(f"/households/{H_NEW}/status").headers["ETag"] == '"3"'


def _parallel(web: Web, jobs: list[tuple[str, Any, dict[str, str]]]) -> list[int]:
    statuses: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(len(jobs))

    def run(path: str, body: Any, headers: dict[str, str]) -> None:
        client = web.client()
        try:
            start.wait()
            r = client.post(
                "/api/v1" + path, json=body, headers={**web.headers("admin"), **headers}
            )
            with lock:
                statuses.append(r.status_code)
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=run, args=job) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    return statuses


def test_parallel_requests_lose_nothing(web: Web) -> None:
    n = 8
    jobs = [(f"/households/{H_NEW}/support", {**SUPPORT, "amount_vnd": i}, {}) for i in range(n)]
    jobs += [("/households", registration(f"01561-07{i:02d}"), {}) for i in range(4)]
    statuses = _parallel(web, jobs)
    assert statuses == [201] * len(jobs)
    facts = web.households.get(H_NEW).facts
    assert len(facts) == 1 + n
    assert sorted(f.amount_vnd for f in facts[1:]) == list(range(n))
    assert [f.originator_version for f in facts] == list(range(1, n + 2))
    assert web.household_count() == 2 + 4
    history = web.get(f"/households/{H_NEW}/history").json["facts"]
    assert all(f["hash"] for f in history)


def test_parallel_retries_with_one_key_record_once(web: Web) -> None:
    key = {"Idempotency-Key": "parallel-key"}
    jobs = [(f"/households/{H_NEW}/support", SUPPORT, key) for _ in range(6)]
    statuses = Counter(_parallel(web, jobs))
    assert statuses[201] >= 1
    assert set(statuses) <= {201, 409}  # 409: the first is still running, retry later
    assert len(web.history(H_NEW)) == 2
    replay = web.post(f"/households/{H_NEW}/support", SUPPORT, headers=key)
    assert replay.status_code == 201 and replay.headers["Idempotent-Replayed"] == "true"
