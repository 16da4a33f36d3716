"""The msgspec transcoder writes the library's bytes and reads what the library wrote, on both stores."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from eventsourcing.persistence import JSONTranscoder
from hypothesis import given
from hypothesis import strategies as st

from application.commands import Recognise
from application.households import Households
from infrastructure.store import parse_database_url
from infrastructure.transcoding import MsgspecTranscoder
from tests.factories import register
from tests.store.test_read_models import _small_history
from web.bootstrap import build_application, build_audit


def transcoders() -> tuple[JSONTranscoder, MsgspecTranscoder]:
    """The library's transcoder and ours, with the application's transcodings."""
    app = Households()
    ours = MsgspecTranscoder()
    app.register_transcodings(ours)
    return app.mapper.transcoder, ours  # type: ignore[return-value]


SCALARS = (
    st.text()
    | st.integers()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | st.booleans()
    | st.none()
    | st.dates()
    | st.datetimes(timezones=st.just(UTC))
    | st.uuids()
    | st.decimals(allow_nan=False, allow_infinity=False)
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def _outcome(fn: Any, *args: Any) -> Any:
    try:
        return ("ok", fn(*args))
    except Exception as e:
        return ("error", type(e).__name__)


@given(st.dictionaries(st.text(max_size=10), VALUES, max_size=6))
def test_the_bytes_are_the_librarys(state: dict[str, Any]) -> None:
    library, ours = transcoders()
    expected = _outcome(library.encode, state)
    assert _outcome(ours.encode, state) == expected
    if expected[0] == "ok":
        assert ours.decode(expected[1]) == library.decode(expected[1])


@pytest.mark.parametrize(
    "data",
    [
        b'{"a":1e400,"b":NaN}',
        b'{"x":{"_type_":"date_iso","_data_":"2020-02-29"},"y":[{"_type_":"uuid_hex",'
        b'"_data_":"' + uuid.UUID(int=7).hex.encode() + b'"}]}',
        b'{"_type_":"decimal_str","_data_":"1.10"}',
        b'{"n":123456789012345678901234567890,"s":"a\\u0000b\\n"}',
    ],
)
def test_what_the_library_reads_is_read_alike(data: bytes) -> None:
    library, ours = transcoders()
    assert ours.decode(data) == library.decode(data)


def test_an_unregistered_name_is_refused_alike() -> None:
    library, ours = transcoders()
    data = b'{"_type_":"nope","_data_":1}'
    assert _outcome(ours.decode, data) == _outcome(library.decode, data)
    assert _outcome(ours.encode, {"t": timedelta(1)}) == _outcome(
        library.encode, {"t": timedelta(1)}
    )


def _library_app(store: Any, clock: Any) -> Households:
    env = parse_database_url(store.url).eventsourcing_env()
    assert "TRANSCODER_TOPIC" not in env
    return Households(env=env, clock=clock)


def test_events_stored_by_the_library_transcoder_read_alike(store, clock) -> None:
    old = _library_app(store, clock)
    new = build_application(store.settings, clock=clock)
    try:
        assert type(new.mapper.transcoder) is MsgspecTranscoder
        ids = _small_history(old, clock)  # stored by the library's transcoder
        clock.advance(days=1)
        new.recognise(
            Recognise(
                household=ids[0],
                effective_on=date(2025, 12, 1),
                recorded_by="o",
                status="near_poor",
                decision_number="x",
                signed_by="c",
            )
        )
        register(new, code="01564-0777", head_name="Đàm Thị Hoa")
        for hid in [*ids, new.household_id("01564-0777")]:
            mine, theirs = new.get(hid).facts, old.get(hid).facts
            assert [vars(f) for f in mine] == [vars(f) for f in theirs]
            stored = new.recorder.select_events(new.household_id(hid))
            for event, s in zip(mine, stored, strict=True):
                assert new.mapper.to_stored_event(event).state == s.state
                assert old.mapper.to_stored_event(event).state == s.state
        assert build_audit(store.settings).verify().ok
    finally:
        new.close()
        old.close()


def test_a_moment_is_read_alone(store, clock) -> None:
    app = build_application(store.settings, clock=clock)
    try:
        register(app)
        (n,) = app.recorder.select_notifications(0, 10, inclusive_of_start=False)
        from infrastructure.transcoding import MsgspecStamps

        assert MsgspecStamps().recorded_at(n.state) == clock.current
        assert clock.current == datetime(2026, 11, 29, 3, 0, tzinfo=UTC)
    finally:
        app.close()
