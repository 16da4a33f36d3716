"""The one log reader, and the projection's run loop waking on the library's NOTIFY (PostgreSQL)."""

from __future__ import annotations

import threading
from datetime import date

import pytest

from application.log_reader import LogReader
from infrastructure.transcoding import MsgspecStamps, stamp_reader
from tests.factories import register
from tests.store.test_read_models import _small_history, projection_for


def test_the_reader_pages_decodes_and_reads_moments_alone(store, app, clock) -> None:
    ids = _small_history(app, clock)
    reader = LogReader(app, page_size=4, stamps=stamp_reader(app.mapper))
    pages = list(reader.pages())
    assert all(len(p) <= 4 for p in pages) and sum(len(p) for p in pages) == reader.head()
    events = list(reader.events())
    assert [e.originator_version for e in events if str(e.originator_id) == ids[0]] == list(
        range(1, len(app.facts(ids[0])) + 1)
    )
    assert [str(i) for i in LogReader(app, 2).originator_ids(["domain.events:Registered"])] == ids
    assert list(app.household_ids()) == list(LogReader(app).originator_ids())[: len(ids)]
    for notifications in pages:
        for n in notifications:
            assert reader.recorded_at(n) == reader.decode(n).timestamp
    assert list(reader.events(after=reader.head())) == []
    with pytest.raises(ValueError):
        LogReader(app, 0)


def test_stamps_refuse_what_is_not_a_moment() -> None:
    stamps = MsgspecStamps()
    with pytest.raises(ValueError):
        stamps.recorded_at(b'{"timestamp":{"_type_":"date_iso","_data_":"2020-01-01"}}')


def test_the_run_loop_wakes_on_the_librarys_notify(store, app, clock) -> None:
    if store.backend != "postgres":
        pytest.skip("SQLite has no notifications: its run loop polls")
    hid = register(app, code="01564-0001").household_id
    projection = projection_for(app, store)
    stop = threading.Event()
    # Polling alone would wait 60 s between looks at the log; only a NOTIFY can wake it sooner.
    worker = threading.Thread(
        target=projection.run, args=(stop,), kwargs={"min_sleep": 60, "max_sleep": 60}
    )
    worker.start()
    try:
        assert projection.wait_for(projection.head(), timeout=20)
        for year in (2018, 2019, 2020):
            clock.advance(days=1)
            app.recognise(
                hid,
                effective_on=date(year, 12, 1),
                recorded_by="o",
                status="poor",
                decision_number=str(year),
                signed_by="c",
            )
            assert projection.wait_for(projection.head(), timeout=20)
    finally:
        stop.set()
        worker.join(timeout=70)
        projection.close()
    assert not worker.is_alive()
