"""Invariants of the household aggregate, each with a test that can fail."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from domain.errors import FactRejected
from domain.household import Entry, Household, household_id_for

NOW = datetime(2026, 11, 29, 3, 0, tzinfo=UTC)
TODAY = date(2026, 11, 29)
HEAD = {"name": "Hoàng Thị Mai", "birth_year": 1980, "sex": "female", "relation": "head"}


def new_household(effective_on: date = date(2017, 3, 1), **overrides: Any) -> Household:
    fields: dict[str, Any] = {
        "code": "01546-0007",
        "unit": "01546",
        "village": "Bản Thang",
        "head_name": HEAD["name"],
        "ethnicity": "Tày",
        "ethnic_minority": True,
        "members": [dict(HEAD)],
        "area_type": "rural",
    }
    fields.update(overrides)
    return Household.register(common(effective_on), **fields)


def common(effective_on: date) -> Entry:
    return Entry(effective_on, "officer", NOW, TODAY)


def support(h: Household, effective_on: date, amount: Any = 500_000) -> None:
    h.deliver_support(
        common(effective_on),
        category="housing",
        programme="167",
        funding_source="central",
        amount_vnd=amount,
        in_kind=None,
        provider="UBND xã",
    )


def test_the_id_is_derived_from_the_nfc_code() -> None:
    composed = new_household(code="Mường-1")
    assert composed.id == household_id_for("Mu\u031bo\u031b\u0300ng-1")


@pytest.mark.parametrize(
    ("effective_on", "accepted"),
    [
        (date(2017, 2, 28), False),
        (date(2017, 3, 1), True),
        (TODAY, True),
        (TODAY + timedelta(days=1), False),
    ],
)
def test_facts_lie_between_registration_and_today(effective_on: date, accepted: bool) -> None:
    h = new_household()
    if accepted:
        support(h, effective_on)
        assert h.version == 2
    else:
        with pytest.raises(FactRejected) as caught:
            support(h, effective_on)
        assert caught.value.field == "effective_on"
        assert h.version == 1


def test_registration_cannot_be_dated_in_the_future() -> None:
    with pytest.raises(FactRejected, match="future"):
        new_household(effective_on=TODAY + timedelta(days=1))


@pytest.mark.parametrize(
    ("amount", "accepted"),
    [(0, True), (1, True), (-1, False), (1.0, False), ("5", False), (True, False)],
)
def test_money_is_integer_vnd_not_negative(amount: Any, accepted: bool) -> None:
    h = new_household()
    if accepted:
        support(h, date(2018, 1, 1), amount)
        assert h.facts[-1].amount_vnd == amount
    else:
        with pytest.raises(FactRejected) as caught:
            support(h, date(2018, 1, 1), amount)
        assert caught.value.field == "amount_vnd"


def test_text_is_normalised_to_nfc_everywhere() -> None:
    decomposed = "Be\u0302\u0301 Va\u0306n Tu\u0300"
    h = new_household(
        head_name=decomposed,
        village="  Na\u0300 Thu\u0301ng ",
        members=[{**HEAD, "name": decomposed}],
    )
    registered = h.facts[0]
    assert registered.head_name == "Bế Văn Tù"
    assert registered.village == "Nà Thúng"
    assert registered.members[0]["name"] == "Bế Văn Tù"


def test_nothing_after_closure_except_a_retraction() -> None:
    h = new_household()
    h.close(common(date(2020, 5, 1)), reason="moved_away")
    with pytest.raises(FactRejected, match="closed"):
        support(h, date(2020, 4, 1))
    h.retract(Entry(TODAY, "officer", NOW, TODAY), version=2, reason="closed by mistake")
    support(h, date(2020, 6, 1))
    assert [type(f).__name__ for f in h.facts] == [
        "Registered",
        "Closed",
        "Retracted",
        "SupportDelivered",
    ]


@pytest.mark.parametrize(
    ("target", "message"),
    [
        (0, "no fact"),
        (9, "no fact"),
        (1, "registration"),
        (3, "retraction"),
        (2, "already retracted"),
    ],
)
def test_a_retraction_names_an_existing_not_yet_retracted_fact(target: int, message: str) -> None:
    h = new_household()
    support(h, date(2018, 1, 1))
    h.retract(Entry(TODAY, "officer", NOW, TODAY), version=2, reason="duplicate entry")
    with pytest.raises(FactRejected, match=message):
        h.retract(Entry(TODAY, "officer", NOW, TODAY), version=target, reason="again")
    assert h.version == 3


def test_recorded_at_strictly_increases_even_if_the_clock_does_not() -> None:
    h = new_household()
    earlier = NOW - timedelta(hours=1)
    h.deliver_support(
        Entry(date(2018, 1, 1), "o", earlier, TODAY),
        category="credit",
        programme="VBSP",
        funding_source="credit VBSP",
        amount_vnd=1,
        in_kind=None,
        provider="NHCSXH",
    )
    support(h, date(2018, 1, 2))
    stamps = [f.timestamp for f in h.facts]
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)


@pytest.mark.parametrize(
    ("change", "member", "field"),
    [
        ("added", {**HEAD, "relation": "child", "name": "Hoàng Thị Mai"}, "member.name"),
        ("removed", {"name": "Nobody"}, "member.name"),
        (
            "added",
            {"name": "Lý Văn A", "birth_year": 2019, "sex": "x", "relation": "child"},
            "member.sex",
        ),
        (
            "added",
            {"name": "Lý Văn A", "birth_year": 1700, "sex": "male", "relation": "child"},
            "member.birth_year",
        ),
        ("moved", {"name": "Lý Văn A"}, "change"),
    ],
)
def test_member_changes_are_checked(change: str, member: dict[str, Any], field: str) -> None:
    h = new_household()
    with pytest.raises(FactRejected) as caught:
        h.change_member(common(date(2019, 1, 1)), change=change, member=member, reason="birth")
    assert caught.value.field == field


def test_member_changes_are_folded_in_valid_time() -> None:
    h = new_household()
    child = {"name": "Lý Văn An", "birth_year": 2019, "sex": "male", "relation": "child"}
    h.change_member(common(date(2019, 5, 1)), change="added", member=child, reason="birth")
    assert [m["name"] for m in h.situation(date(2019, 4, 30)).members] == ["Hoàng Thị Mai"]
    assert [m["name"] for m in h.situation(date(2019, 5, 1)).members] == [
        "Hoàng Thị Mai",
        "Lý Văn An",
    ]


@pytest.mark.parametrize("status", ["poor", "near_poor", "not_poor"])
def test_a_recognition_contradicting_the_latest_assessment_is_recorded_and_flagged(
    status: str,
) -> None:
    h = new_household()
    h.assess(
        common(date(2017, 10, 1)),
        kind="periodic",
        list_year=2018,
        standard="2016-2020",
        area_type="rural",
        income_per_capita=600_000,
        deprivations=[],
        classification={"status": "poor", "route": "income", "thresholds": {}},
        assessor="r",
        form="B",
        standards_version="x",
    )
    h.recognise(
        common(date(2017, 12, 1)),
        status=status,
        decision_number="9/QĐ",
        list_year=2018,
        standard="2016-2020",
        signed_by="chair",
    )
    assert h.situation(date(2018, 1, 1)).contradicts_assessment is (status != "poor")


def test_unknown_vocabulary_is_refused() -> None:
    h = new_household()
    with pytest.raises(FactRejected) as caught:
        h.recognise(
            common(date(2018, 1, 1)),
            status="rich",
            decision_number="1",
            list_year=2018,
            standard="2016-2020",
            signed_by="c",
        )
    assert caught.value.field == "status"
    with pytest.raises(FactRejected) as caught:
        h.deliver_support(
            common(date(2018, 1, 1)),
            category="cash",
            programme="p",
            funding_source="f",
            amount_vnd=1,
            in_kind=None,
            provider="p",
        )
    assert caught.value.field == "category"
    assert h.version == 1
