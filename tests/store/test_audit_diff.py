"""``audit diff``: late entries and corrections show up, with the facts that caused them."""

from __future__ import annotations

from datetime import date

from application.changes import status_diff
from application.commands import Recognise, Retract
from tests.factories import register


def test_a_late_exit_and_a_retraction_show_up_with_their_causes(app, clock) -> None:
    a = register(app, code="01564-0001").household_id
    b = register(app, code="01564-0002").household_id
    c = register(app, code="01549-0003", unit="01549").household_id
    for hid in (a, b, c):
        app.recognise(
            Recognise(
                household=hid,
                effective_on=date(2019, 12, 1),
                recorded_by="o",
                status="poor",
                decision_number="1/QĐ",
                signed_by="chair",
            )
        )
    t1 = clock.advance(days=1)
    clock.advance(days=1)
    late = app.recognise(
        Recognise(
            household=a,
            effective_on=date(2020, 12, 1),
            recorded_by="late.officer",
            status="not_poor",
            decision_number="7/QĐ",
            signed_by="chair",
        )
    )
    wrong = app.recognise(
        Recognise(
            household=b,
            effective_on=date(2022, 12, 1),
            recorded_by="o",
            status="near_poor",
            decision_number="8/QĐ",
            signed_by="chair",
        )
    )  # after as_of: no change on D
    app.recognise(
        Recognise(
            household=c,
            effective_on=date(2020, 12, 1),
            recorded_by="o",
            status="not_poor",
            decision_number="9/QĐ",
            signed_by="chair",
        )
    )  # other commune: out of the unit
    t2 = clock.advance(days=1)

    report = status_diff(app, unit="01564", as_of=date(2021, 6, 30), known_from=t1, known_to=t2)
    assert report["households_examined"] == 2
    assert [c["household_id"] for c in report["changes"]] == [a]
    change = report["changes"][0]
    assert change["before"]["status"] == "poor" and change["after"]["status"] == "not_poor"
    assert change["after"]["transition"] == "exited_poverty"
    assert [f["version"] for f in change["caused_by"]] == [late.version]
    assert change["caused_by"][0]["recorded_by"] == "late.officer"

    clock.advance(days=1)
    app.retract(
        Retract(
            household=a,
            version=late.version,
            reason="entered on the wrong household",
            recorded_by="o",
        )
    )
    t3 = clock.advance(days=1)
    undone = status_diff(app, unit="048", as_of=date(2021, 6, 30), known_from=t2, known_to=t3)
    assert [c["household_id"] for c in undone["changes"]] == [a]
    assert undone["changes"][0]["caused_by"][0]["type"] == "retraction"
    assert (
        status_diff(app, unit="01564", as_of=date(2021, 6, 30), known_from=t1, known_to=t3)[
            "changes"
        ]
        == []
    )
    assert wrong.version == 3
