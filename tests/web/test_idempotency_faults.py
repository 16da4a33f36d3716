"""Idempotency that survives faults (both stores): the answer is stored in the transaction of
its facts, and a reservation whose request died is released when its short lease ends.

Real process kills and database restarts are in ``tests/faults``; here the faults are made in
process, at the exact places they matter.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from application.accounts import IdempotencyLeaseLost, IdempotentAnswer, Reservation
from application.households import Households
from tests.web.conftest import H_NEW, SUPPORT, Web
from tests.web.test_errors import _problem
from web.api import common

KEY = {"Idempotency-Key": "lost-answer-1"}


class ProcessDied(BaseException):
    """Stands for a worker killed at that point: nothing after it runs, not even cleanup."""


def _supports(web: Web) -> int:
    return sum(1 for _, kind, _ in web.history(H_NEW) if kind == "SupportDelivered")


def test_an_answer_lost_after_the_commit_is_found_by_the_retry(
    web: Web, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fact is committed, then the process dies before answering: the retry with the same
    key gets the first answer, and the fact is not recorded twice."""
    committed: list[Any] = []
    save = Households.save

    def save_then_die(self: Households, *objs: Any, **kw: Any) -> Any:
        result = save(self, *objs, **kw)
        committed.append(result)
        raise ProcessDied

    monkeypatch.setattr(Households, "save", save_then_die)
    monkeypatch.setattr(web.accounts, "abandon_idempotent", lambda *_: None)  # no cleanup
    with pytest.raises(ProcessDied):
        web.post(f"/households/{H_NEW}/support", SUPPORT, headers=KEY)
    monkeypatch.undo()
    assert committed and _supports(web) == 1
    retry = web.post(f"/households/{H_NEW}/support", SUPPORT, headers=KEY)
    assert retry.status_code == 201, retry.json
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert retry.json["version"] == 2
    assert _supports(web) == 1


def test_a_reservation_whose_request_died_is_released_after_its_lease(web: Web) -> None:
    """The worker died before committing: nothing is stored, the key is held until the lease
    ends (409 with Retry-After), then the retry runs and records the fact once."""
    lease = web.accounts.idempotency_lease.total_seconds()
    user = web.accounts.user("admin")
    # a first request reserved the key and died before its commit (no cleanup ran)
    with web.flask.test_request_context(
        f"/api/v1/households/{H_NEW}/support", method="POST", json=SUPPORT
    ):
        fingerprint = common._fingerprint()
    died = web.accounts.begin_idempotent(user, KEY["Idempotency-Key"], fingerprint)
    assert isinstance(died, Reservation)
    early = web.post(f"/households/{H_NEW}/support", SUPPORT, headers=KEY)
    problem = _problem(early, 409)
    assert 1 <= int(early.headers["Retry-After"]) <= lease
    assert problem["type"].endswith("idempotency-in-progress")
    assert _supports(web) == 0
    web.clock.advance(seconds=lease + 1)
    retry = web.post(f"/households/{H_NEW}/support", SUPPORT, headers=KEY)
    assert retry.status_code == 201, retry.json
    assert _supports(web) == 1
    again = web.post(f"/households/{H_NEW}/support", SUPPORT, headers=KEY)
    assert again.headers["Idempotent-Replayed"] == "true" and again.json == retry.json
    assert _supports(web) == 1


def test_a_slow_request_that_lost_its_lease_stores_nothing(
    web: Web, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A request outlives its lease and a retry takes the key over and records: when the slow
    one commits, it finds the key taken and its facts are rolled back with its answer."""
    lease = web.accounts.idempotency_lease.total_seconds()
    deliver = Households.deliver_support
    answers: list[Any] = []

    def slow(self: Households, *args: Any, **kw: Any) -> Any:
        result = deliver(self, *args, **kw)
        if not answers:  # the first (slow) request: meanwhile the lease ends, a retry runs
            answers.append(None)
            web.clock.advance(seconds=lease + 1)
            answers.append(web.post(f"/households/{H_NEW}/support", SUPPORT, headers=KEY))
        return result

    monkeypatch.setattr(Households, "deliver_support", slow)
    first = web.post(f"/households/{H_NEW}/support", SUPPORT, headers=KEY)
    retry = answers[1]
    assert retry.status_code == 201, retry.json
    assert first.status_code == 201 and first.json == retry.json
    assert _supports(web) == 1


def test_the_recorder_writes_facts_and_answer_together_or_neither(web: Web) -> None:
    """Store level: an answer whose reservation no longer holds the key takes the facts of its
    transaction down with it."""
    app = web.households
    user = web.accounts.user("admin")
    held = web.accounts.begin_idempotent(user, "k-fence", "fp")
    assert isinstance(held, Reservation)

    def with_support() -> Any:
        household = app.get(H_NEW)
        household.deliver_support(
            now=app.now(),
            today=app.today(),
            recorded_by="admin",
            effective_on=date.fromisoformat(SUPPORT["effective_on"]),
            in_kind=None,
            **{k: v for k, v in SUPPORT.items() if k != "effective_on"},
        )
        return household

    stale = Reservation(held.user_name, held.key, "not-the-holder")
    with pytest.raises(IdempotencyLeaseLost):
        app.save(with_support(), idempotency=IdempotentAnswer(stale, 201, "{}", app.now()))
    assert len(app.get(H_NEW).facts) == 1
    assert web.accounts.stored_answer(user, "k-fence", "fp") is None
    app.save(with_support(), idempotency=IdempotentAnswer(held, 201, '{"v":2}', app.now()))
    assert len(app.get(H_NEW).facts) == 2
    stored = web.accounts.stored_answer(user, "k-fence", "fp")
    assert stored is not None and stored.body == '{"v":2}'
