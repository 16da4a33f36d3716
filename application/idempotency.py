"""Recording a request exactly once under an ``Idempotency-Key``, whatever fails in between.

The facts of the request and its answer are saved in one database transaction (the answer rides
with the facts into the recorder), so after any fault the store holds both or neither:

* the worker dies, or the connection drops, before the commit: nothing is stored, and the key's
  reservation is taken over by a retry once its short lease has ended;
* it dies after the commit, before the client read the answer: the retry finds the answer;
* the commit's acknowledgement is lost and the driver retries it: the second attempt finds the
  key already answered, is rolled back, and the stored answer is returned;
* a slow request outlives its lease and a retry takes the key over: only one of the two can
  store its facts (the reservation's token fences the other, whose transaction is rolled back).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from eventsourcing.persistence import IntegrityError

from application.accounts import (
    Accounts,
    IdempotencyInProgress,
    IdempotencyLeaseLost,
    IdempotentAnswer,
    Reservation,
    StoredResponse,
    User,
)
from application.errors import WriteConflict
from application.households import MAX_ATTEMPTS, Households, _backoff


@dataclass(frozen=True)
class Rendered:
    """A request's answer as the client will receive it: status, body text, and the response
    object itself (opaque here)."""

    status: int
    body: str
    response: Any

    @property
    def succeeded(self) -> bool:
        """A 2xx answer (only those are kept for the key)."""
        return 200 <= self.status < 300


class IdempotentRecording:
    """Runs a recording request once per (user, key), storing its answer with its facts."""

    def __init__(self, households: Households, accounts: Accounts) -> None:
        self.households = households
        self.accounts = accounts

    def run(
        self, user: User, key: str, fingerprint: str, render: Callable[[], Rendered]
    ) -> Rendered | StoredResponse:
        """The rendered answer of this request, or the stored answer of its first run.

        ``render`` runs the use case inside a batch (so nothing is saved until the answer is
        known) and renders the answer; it may run more than once when writers collide.
        """
        outcome = self.accounts.begin_idempotent(user, key, fingerprint)
        if isinstance(outcome, StoredResponse):
            return outcome
        try:
            result = self._record(outcome, user, key, fingerprint, render)
        except BaseException:
            with contextlib.suppress(Exception):  # the lease frees the key if this fails too
                self.accounts.abandon_idempotent(outcome)
            raise
        if isinstance(result, Rendered) and not result.succeeded:
            self.accounts.abandon_idempotent(outcome)
        return result

    def _record(
        self,
        reservation: Reservation,
        user: User,
        key: str,
        fingerprint: str,
        render: Callable[[], Rendered],
    ) -> Rendered | StoredResponse:
        for attempt in range(MAX_ATTEMPTS):
            answer = IdempotentAnswer(reservation)
            try:
                rendered, recorded = self._attempt(answer, render)
            except IntegrityError:  # a concurrent writer, or our own commit retried
                stored = self.accounts.stored_answer(user, key, fingerprint)
                if stored is not None:
                    return stored
                _backoff(attempt)
                continue
            except IdempotencyLeaseLost:
                stored = self.accounts.stored_answer(user, key, fingerprint)
                if stored is not None:
                    return stored
                raise IdempotencyInProgress(key) from None
            if rendered.succeeded and not recorded:
                self.accounts.finish_idempotent(answer)
            return rendered
        raise WriteConflict("the request kept colliding with concurrent writers")

    def _attempt(
        self, answer: IdempotentAnswer, render: Callable[[], Rendered]
    ) -> tuple[Rendered, bool]:
        with self.households.batch(idempotency=answer) as pending:
            rendered = render()
            if not rendered.succeeded:
                pending.clear()  # an answer that is not a success records nothing
            answer.status, answer.body = rendered.status, rendered.body
            answer.at = self.accounts.clock()
            recorded = bool(pending)
        return rendered, recorded
