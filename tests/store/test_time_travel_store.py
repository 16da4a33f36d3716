"""The fold gives the same answers after a round trip through either store, however saved."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from application.commands import DeliverSupport, Recognise, Retract
from domain.situation import fold
from tests.domain.test_time_model import (
    REGISTERED_ON,
    TODAY,
    as_of_days,
    build,
    histories,
    valid_time_view,
)

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


# The properties of tests/domain/test_time_model.py, checked again through the application on
# each store (facts saved, reloaded, and new facts recorded by the application's commands).

_more = itertools.count(50_000)


def _stored(app, history):
    household = build(history, code=f"01549-{next(_more):05d}")
    app.save(household)
    return app.get(household.id)


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(history=histories, as_of_day=as_of_days, cut=st.integers(0, 30))
def test_a_later_recording_never_changes_an_answer_known_earlier_on_the_store(
    app, history, as_of_day, cut
) -> None:
    stored = _stored(app, history)
    known_at = stored.facts[min(cut, len(stored.facts) - 1)].timestamp
    as_of = REGISTERED_ON + timedelta(days=as_of_day)
    prefix = [f for f in stored.facts if f.timestamp <= known_at]
    assert app.situation(stored.id, as_of, known_at) == fold(
        str(stored.id), prefix, as_of, known_at
    )


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    history=histories,
    as_of_day=st.integers(0, 3500),
    later=st.integers(1, 400),
    status=st.sampled_from(["poor", "near_poor", "not_poor"]),
)
def test_a_fact_effective_later_never_changes_an_earlier_answer_on_the_store(
    app, clock, history, as_of_day, later, status
) -> None:
    stored = _stored(app, history)
    if stored.situation(date.max).closed:
        return
    as_of = REGISTERED_ON + timedelta(days=as_of_day)
    effective = min(as_of + timedelta(days=later), TODAY)
    if effective <= as_of:
        return
    before = valid_time_view(app.situation(stored.id, as_of))
    clock.advance(seconds=1)
    app.recognise(
        Recognise(
            household=stored.id,
            effective_on=effective,
            recorded_by="o",
            status=status,
            decision_number="late/QĐ",
            signed_by="chair",
        )
    )
    clock.advance(seconds=1)
    app.deliver_support(
        DeliverSupport(
            household=stored.id,
            effective_on=effective,
            recorded_by="o",
            category="health",
            programme="p",
            funding_source="f",
            amount_vnd=1,
            in_kind=None,
            provider="x",
        )
    )
    assert valid_time_view(app.situation(stored.id, as_of)) == before


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    history=histories,
    as_of_day=as_of_days,
    day=st.integers(0, 3800),
    status=st.sampled_from(["poor", "near_poor", "not_poor"]),
)
def test_retracting_and_re_recording_restores_the_answer_on_the_store(
    app, clock, history, as_of_day, day, status
) -> None:
    stored = _stored(app, history)
    if stored.situation(date.max).closed:
        return
    effective = min(REGISTERED_ON + timedelta(days=day), TODAY)
    as_of = REGISTERED_ON + timedelta(days=as_of_day)

    def decide():
        clock.advance(seconds=1)
        return app.recognise(
            Recognise(
                household=stored.id,
                effective_on=effective,
                recorded_by="o",
                status=status,
                decision_number="7/QĐ",
                signed_by="chair",
            )
        )

    first = decide()
    answer = valid_time_view(app.situation(stored.id, as_of))
    clock.advance(seconds=1)
    app.retract(Retract(household=stored.id, version=first.version, reason="typo", recorded_by="o"))
    decide()
    assert valid_time_view(app.situation(stored.id, as_of)) == answer
