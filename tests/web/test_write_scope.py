"""Write scope: a fact is recorded only by a user whose units hold the household both on the
fact's ``effective_on`` and today. After a move, late entries go through a unit that holds both.

The household of these tests is registered in Hạ Lang (01561) on 2026-01-15 and moves to Vinh
Quý (01537) on 2026-06-01; today is 2026-11-29. ``officer`` works in Hạ Lang, ``officer_vq`` in
Vinh Quý, ``province`` in Cao Bằng (04), which holds both.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.conftest import RECOGNITION, SUPPORT, Web, registration
from tests.web.test_errors import _problem

CODE = "01561-0610"
BEFORE_MOVE = "2026-03-01"
AFTER_MOVE = "2026-07-01"


@pytest.fixture
def moved(web: Web) -> Web:
    """The household, registered in Hạ Lang and moved to Vinh Quý by Hạ Lang's officer."""
    web.accounts.add_user("province", "officer", ["04"])
    web.tokens["province"] = web.accounts.issue_token("province").token
    assert web.post("/households", registration(CODE), "officer").status_code == 201
    move = {"effective_on": "2026-06-01", "unit": "01537", "village": "Bản Piàn"}
    r = web.post(f"/households/{CODE}/relocations", move, "officer")
    assert r.status_code == 201, r.json
    return web


def _facts(web: Web) -> list[tuple[Any, ...]]:
    return web.history(CODE)


FACTS_BEFORE_THE_MOVE = {
    "recognitions": {**RECOGNITION, "effective_on": BEFORE_MOVE, "list_year": 2026},
    "support": {**SUPPORT, "effective_on": BEFORE_MOVE},
    "closure": {"effective_on": BEFORE_MOVE, "reason": "moved_away"},
}


@pytest.mark.parametrize("kind", list(FACTS_BEFORE_THE_MOVE))
def test_the_old_commune_has_no_write_power_after_the_move(moved: Web, kind: str) -> None:
    before = _facts(moved)
    r = moved.post(f"/households/{CODE}/{kind}", FACTS_BEFORE_THE_MOVE[kind], "officer")
    problem = _problem(r, 403)
    assert "today" in problem["detail"] and "01537" in problem["detail"], problem
    assert _facts(moved) == before
    # nor can it read the household any more
    assert moved.get(f"/households/{CODE}", "officer").status_code == 403


@pytest.mark.parametrize("kind", list(FACTS_BEFORE_THE_MOVE))
def test_the_new_commune_cannot_record_facts_dated_before_the_household_arrived(
    moved: Web, kind: str
) -> None:
    before = _facts(moved)
    r = moved.post(f"/households/{CODE}/{kind}", FACTS_BEFORE_THE_MOVE[kind], "officer_vq")
    problem = _problem(r, 403)
    assert BEFORE_MOVE in problem["detail"], problem
    assert _facts(moved) == before


@pytest.mark.parametrize("user", ["province", "admin"])
def test_late_entries_go_through_a_unit_that_holds_both_dates(moved: Web, user: str) -> None:
    late = FACTS_BEFORE_THE_MOVE["recognitions"]
    r = moved.post(f"/households/{CODE}/recognitions", late, user)
    assert r.status_code == 201, r.json
    # and the new commune keeps recording what happens after the move
    r = moved.post(f"/households/{CODE}/support", {**SUPPORT, "effective_on": AFTER_MOVE})
    assert r.status_code == 201, r.json
    r = moved.post(
        f"/households/{CODE}/support", {**SUPPORT, "effective_on": AFTER_MOVE}, "officer_vq"
    )
    assert r.status_code == 201, r.json


def test_retractions_and_batch_decisions_follow_the_same_rule(moved: Web) -> None:
    support = moved.post(f"/households/{CODE}/support", FACTS_BEFORE_THE_MOVE["support"], "admin")
    version = support.json["version"]
    before = _facts(moved)
    retraction = {"version": version, "reason": "entered twice"}
    for user in ("officer", "officer_vq"):
        _problem(moved.post(f"/households/{CODE}/retractions", retraction, user), 403)
    batch = {
        "effective_on": BEFORE_MOVE,
        "decision_number": "77/QĐ-UBND",
        "unit": "01561",
        "list_year": 2026,
        "items": [{"household_id": CODE, "status": "poor"}],
    }
    _problem(moved.post("/recognitions", batch, "officer"), 403)
    assert _facts(moved) == before
    assert moved.post(f"/households/{CODE}/retractions", retraction, "province").status_code == 201
    assert moved.post("/recognitions", batch, "province").status_code == 201


def test_facts_after_the_move_are_for_the_new_commune(moved: Web) -> None:
    after = {**SUPPORT, "effective_on": AFTER_MOVE}
    before = _facts(moved)
    _problem(moved.post(f"/households/{CODE}/support", after, "officer"), 403)
    assert _facts(moved) == before
    assert moved.post(f"/households/{CODE}/support", after, "officer_vq").status_code == 201
