"""The fold gives the same answers after a round trip through either store, however saved."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.domain.test_time_model import REGISTERED_ON, build, histories

_codes = itertools.count()


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    history=histories,
    cuts=st.lists(st.integers(1, 30), max_size=6),
    probes=st.lists(st.tuples(st.integers(-10, 4000), st.integers(0, 30)), min_size=1, max_size=5),
)
def test_answers_do_not_depend_on_how_events_were_batched_into_saves(
    app, history, cuts, probes
) -> None:
    household = build(history, code=f"01549-{next(_codes):05d}")
    events = list(household.collect_events())
    # Save in the generated chunk sizes (one transaction each), the rest in one go.
    position = 0
    for size in cuts:
        if position >= len(events):
            break
        app.save(*events[position : position + size])
        position += size
    if position < len(events):
        app.save(*events[position:])
    stored = app.get(household.id)
    assert stored.version == household.version
    for as_of_day, cut in probes:
        as_of = REGISTERED_ON + timedelta(days=as_of_day)
        known_at = household.facts[min(cut, len(household.facts) - 1)].timestamp
        for moment in (known_at, None):
            assert stored.situation(as_of, moment) == household.situation(as_of, moment)
    assert stored.situation(date.max) == household.situation(date.max)
