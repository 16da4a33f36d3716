"""The ledger on both stores: round trip, duplicates, hash chain, append-only, concurrency."""

from __future__ import annotations

import sqlite3
import threading
from datetime import date

import psycopg
import pytest

from application.commands import Assess, DeliverSupport, Recognise, RegisterExit
from application.errors import DuplicateHousehold, StaleVersion
from application.households import Households
from infrastructure.hashing import GENESIS, event_hash
from tests.factories import register


def _events_table(store) -> str:
    return "households_events" if store.backend == "postgres" else "stored_events"


def test_facts_survive_a_reload_in_another_application(app: Households, make_app, clock) -> None:
    hid = register(app).household_id
    app.assess(
        Assess(
            household=hid,
            effective_on=date(2017, 10, 2),
            kind="periodic",
            recorded_by="o",
            income_per_capita=700_000,
            deprivations=["health_insurance"],
            assessor="reviewer",
        )
    )
    app.recognise(
        Recognise(
            household=hid,
            effective_on=date(2017, 12, 5),
            recorded_by="o",
            status="poor",
            decision_number="88/QĐ-UBND",
            signed_by="Chủ tịch UBND xã",
        )
    )
    other = make_app(clock)
    situation = other.situation(hid, date(2018, 6, 1))
    assert (situation.status, situation.transition, situation.version) == ("poor", "newly_poor", 3)
    assert situation.classification["route"] == "income"


def test_a_code_registers_once(app: Households) -> None:
    first = register(app)
    with pytest.raises(DuplicateHousehold) as caught:
        register(app, village="Other")
    assert caught.value.existing_id == first.household_id


def test_every_event_has_a_chained_hash_over_its_stored_bytes(app: Households) -> None:
    hid = register(app).household_id
    for year in (2017, 2018):
        app.assess(
            Assess(
                household=hid,
                effective_on=date(year, 10, 2),
                kind="periodic",
                recorded_by="o",
                income_per_capita=900_000,
                deprivations=[],
                assessor="r",
            )
        )
    uid = app.household_id(hid)
    stored = app.recorder.select_events(uid)
    hashes = app.hashes(uid)
    prev = GENESIS
    for s in stored:
        expected = event_hash(prev, s.originator_id, s.originator_version, s.topic, s.state)
        assert hashes[s.originator_version] == expected
        prev = expected
    assert len(hashes) == 3


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE {t} SET originator_version = originator_version + 100",
        "DELETE FROM {t}",
        "TRUNCATE {t}",
    ],
)
def test_the_event_table_refuses_changes(app: Households, store, statement: str) -> None:
    register(app)
    if store.backend == "sqlite" and statement.startswith("TRUNCATE"):
        statement = "DELETE FROM {t} WHERE 1"  # SQLite's truncate is a DELETE without WHERE
    conn = store.connect_sql()
    errors = (psycopg.Error, sqlite3.Error)
    for table in (_events_table(store), "event_hashes"):
        with pytest.raises(errors, match="append-only"):
            conn.execute(statement.format(t=table))
    count = conn.execute(f"SELECT count(*) FROM {_events_table(store)}").fetchone()[0]
    conn.close()
    assert count == 1


def test_if_match_with_a_stale_version_is_refused_and_stores_nothing(app: Households) -> None:
    hid = register(app).household_id
    with pytest.raises(StaleVersion):
        app.register_exit(
            RegisterExit(
                household=hid,
                expected_version=7,
                effective_on=date(2018, 1, 1),
                recorded_by="o",
                target_year=2019,
                plan=None,
            )
        )
    assert app.get(hid).version == 1


def test_parallel_writers_to_one_household_lose_nothing(store, make_app) -> None:
    setup = make_app()
    hid = register(setup, effective_on=date(2016, 1, 1)).household_id
    writers, per_writer = 4, 6
    errors: list[BaseException] = []

    def work(n: int) -> None:
        app = make_app()
        try:
            for i in range(per_writer):
                app.deliver_support(
                    DeliverSupport(
                        household=hid,
                        effective_on=date(2018, 1, 1 + i),
                        recorded_by=f"w{n}",
                        category="production",
                        programme="135",
                        funding_source="central",
                        amount_vnd=1_000_000 + n,
                        in_kind=None,
                        provider=f"p{n}",
                    )
                )
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    reader = make_app()
    assert reader.get(hid).version == 1 + writers * per_writer
    assert len(reader.hashes(reader.household_id(hid))) == 1 + writers * per_writer
