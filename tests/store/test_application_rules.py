"""Reference data checked by the application on both stores: units, ethnic groups, standards."""

from __future__ import annotations

from datetime import date

import pytest

from application.commands import Assess, Relocate
from application.errors import InvalidInput
from tests.factories import HEAD, register


@pytest.mark.parametrize(
    ("unit", "on", "accepted"),
    [
        ("01534", date(2025, 6, 30), True),  # Minh Long, last day
        ("01534", date(2025, 7, 1), False),  # merged into Lý Quốc
        ("01570", date(2020, 2, 29), True),  # Thái Đức before the 2020 merger
        ("01570", date(2020, 3, 1), False),
        ("01558", date(2025, 7, 1), True),  # the code now means Xã Lý Quốc
        ("048", date(2017, 1, 1), False),  # a district, not a commune
        ("99999", date(2017, 1, 1), False),
    ],
)
def test_a_fact_naming_a_unit_not_valid_on_its_date_is_refused(
    app, unit: str, on: date, accepted: bool
) -> None:
    if accepted:
        assert register(app, code=f"{unit}-1", unit=unit, effective_on=on).version == 1
    else:
        with pytest.raises(InvalidInput) as caught:
            register(app, code=f"{unit}-1", unit=unit, effective_on=on)
        assert caught.value.field == "unit"
        assert not list(app.household_ids())


def test_relocation_checks_the_unit_on_its_date(app) -> None:
    hid = register(app).household_id
    with pytest.raises(InvalidInput):
        app.relocate(
            Relocate(
                household=hid,
                unit="01549",
                village="Bản Mới",
                effective_on=date(2025, 8, 1),
                recorded_by="o",
            )
        )
    moved = app.relocate(
        Relocate(
            household=hid,
            unit="01537",
            village="Bản Mới",
            effective_on=date(2025, 8, 1),
            recorded_by="o",
        )
    )
    situation = app.situation(hid, date(2025, 8, 2))
    assert (moved.version, situation.unit, situation.village) == (2, "01537", "Bản Mới")


def test_area_type_defaults_from_the_unit_and_follows_the_merger(app) -> None:
    from application import queries

    hid = register(app, code="01558-0009", unit="01558", effective_on=date(2018, 1, 1)).household_id
    assert app.situation(hid, date(2018, 1, 2)).area_type == "urban"  # Thanh Nhật town
    before = queries.status(app, hid, date(2025, 6, 30))
    after = queries.status(app, hid, date(2025, 7, 1))
    assert (before["unit"]["code"], before["area_type"]) == ("01558", "urban")
    assert (after["unit"]["code"], after["unit"]["name"], after["area_type"]) == (
        "01561",
        "Xã Hạ Lang",
        "rural",
    )


def test_ethnicity_is_canonical_and_derives_the_minority_flag(app) -> None:
    mong = register(app, code="A-1", ethnicity="H'Mông").household_id
    kinh = register(app, code="A-2", ethnicity="kinh").household_id
    assert app.situation(mong, date(2018, 1, 1)).ethnicity == "Mông"
    assert app.situation(mong, date(2018, 1, 1)).ethnic_minority is True
    assert app.situation(kinh, date(2018, 1, 1)).ethnic_minority is False
    with pytest.raises(InvalidInput) as caught:
        register(app, code="A-3", ethnicity="Klingon")
    assert caught.value.field == "ethnicity"


@pytest.mark.parametrize(
    ("effective_on", "deprivations", "standard"),
    [
        (date(2021, 10, 1), ["information_assets"], "2021-2025"),  # periodic 2021 → list 2022
        (date(2021, 8, 31), ["information_access"], "2016-2020"),  # regular 2021 → list 2021
        (date(2026, 9, 1), ["information_access"], "2026-2030"),  # periodic 2026 → list 2027
    ],
)
def test_indicators_are_checked_against_the_standard_that_applies(
    app, effective_on, deprivations, standard
) -> None:
    hid = register(app).household_id
    with pytest.raises(InvalidInput) as caught:
        app.assess(
            Assess(
                household=hid,
                effective_on=effective_on,
                kind="periodic" if effective_on.month >= 9 else None,
                recorded_by="o",
                income_per_capita=100,
                deprivations=deprivations,
                assessor="r",
            )
        )
    assert caught.value.field == "deprivations"
    assert standard in str(caught.value)
    assert app.get(hid).version == 1


def test_assessment_answers_with_its_classification_and_choices(app) -> None:
    hid = register(app, members=[dict(HEAD)]).household_id
    answer = app.assess(
        Assess(
            household=hid,
            effective_on=date(2021, 10, 1),
            kind="periodic",
            recorded_by="o",
            income_per_capita=1_500_000,
            deprivations=["employment", "nutrition", "health_insurance"],
            assessor="r",
        )
    )
    assert answer.standard == "2021-2025" and answer.list_year == 2022
    assert answer.kind == "periodic"
    c = answer.classification
    assert (c.status, c.route, c.deprivation_count) == (
        "poor",
        "income_and_deprivation",
        3,
    )
