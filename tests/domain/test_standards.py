"""Tests for domain.standards: the packaged data, classification at every line, and validation.

Expected figures and codes are written out here from CONTRACT §4 rather than read from the data,
so that a wrong edit to standards.json fails these tests.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import pickle
from collections.abc import Callable
from datetime import date
from importlib import resources
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.standards import (
    Classification,
    ClassificationInputError,
    IncomeLines,
    Indicator,
    Standard,
    StandardsCatalogue,
    StandardsDataError,
    UnknownStandardError,
    default_list_year,
    default_review_kind,
    load_standards,
)

CODES_2016 = (
    "health_care_access",
    "health_insurance",
    "adult_education",
    "child_school_attendance",
    "housing_quality",
    "housing_area",
    "domestic_water",
    "hygienic_latrine",
    "telecom_use",
    "information_assets",
)
CODES_2021 = (
    "employment",
    "dependants",
    "nutrition",
    "health_insurance",
    "adult_education",
    "child_school_attendance",
    "housing_quality",
    "housing_area",
    "domestic_water",
    "hygienic_latrine",
    "telecom_use",
    "information_access",
)
CODES_2026 = (
    "employment",
    "dependants",
    "nutrition",
    "health_insurance",
    "adult_education",
    "child_school_attendance",
    "housing_quality",
    "housing_area",
    "domestic_water",
    "hygienic_latrine",
    "waste_treatment",
    "telecom_use",
    "internet_access",
    "digital_services",
)
CODES = {"2016-2020": CODES_2016, "2021-2025": CODES_2021, "2026-2030": CODES_2026}

# (standard, area type, poverty line, near-poverty line) from CONTRACT §4.
LINES = [
    ("2016-2020", "rural", 700_000, 1_000_000),
    ("2016-2020", "urban", 900_000, 1_300_000),
    ("2021-2025", "rural", 1_500_000, None),
    ("2021-2025", "urban", 2_000_000, None),
    ("2026-2030", "rural", 2_200_000, None),
    ("2026-2030", "urban", 2_800_000, None),
]

POOR_BY_INCOME = ("poor", "income")
POOR_BY_DEPRIVATION = ("poor", "income_and_deprivation")
NEAR_POOR = ("near_poor", "near_poor_income")
ABOVE = ("not_poor", "above_lines")

# (rule family, line, offset from the line) -> (outcome with < 3 deprivations, outcome with >= 3)
EXPECTED_AROUND_LINE = {
    ("band", "poverty", -1): (POOR_BY_INCOME, POOR_BY_INCOME),
    ("band", "poverty", 0): (POOR_BY_INCOME, POOR_BY_INCOME),
    ("band", "poverty", +1): (NEAR_POOR, POOR_BY_DEPRIVATION),
    ("band", "near_poverty", -1): (NEAR_POOR, POOR_BY_DEPRIVATION),
    ("band", "near_poverty", 0): (NEAR_POOR, POOR_BY_DEPRIVATION),
    ("band", "near_poverty", +1): (ABOVE, ABOVE),
    ("and", "poverty", -1): (NEAR_POOR, POOR_BY_DEPRIVATION),
    ("and", "poverty", 0): (NEAR_POOR, POOR_BY_DEPRIVATION),
    ("and", "poverty", +1): (ABOVE, ABOVE),
}


def _line_cases() -> list[Any]:
    cases = []
    for standard, area, poverty, near in LINES:
        family = "band" if standard == "2016-2020" else "and"
        line_values = [("poverty", poverty)] + ([("near_poverty", near)] if near else [])
        for line_name, line_value in line_values:
            for offset in (-1, 0, +1):
                below_threshold, at_threshold = EXPECTED_AROUND_LINE[(family, line_name, offset)]
                for n_deprived in (0, 2, 3):
                    expected = at_threshold if n_deprived >= 3 else below_threshold
                    cases.append(
                        pytest.param(
                            standard,
                            area,
                            line_value + offset,
                            n_deprived,
                            expected,
                            {
                                "poverty_line": poverty,
                                "near_poverty_line": near,
                                "deprivation_threshold": 3,
                            },
                            id=f"{standard}-{area}-{line_name}{offset:+d}-{n_deprived}dep",
                        )
                    )
    return cases


@pytest.fixture(scope="module")
def catalogue() -> StandardsCatalogue:
    return load_standards()


@pytest.fixture()
def raw() -> dict[str, Any]:
    """A fresh deep copy of the packaged JSON, safe to mutate."""
    text = (resources.files("domain") / "data" / "standards.json").read_text(encoding="utf-8")
    return copy.deepcopy(json.loads(text))


# --- classification at every line -----------------------------------------------------------


@pytest.mark.parametrize(
    ("standard", "area", "income", "n_deprived", "expected", "thresholds"), _line_cases()
)
def test_classification_around_every_line(
    catalogue: StandardsCatalogue,
    standard: str,
    area: str,
    income: int,
    n_deprived: int,
    expected: tuple[str, str],
    thresholds: dict[str, int | None],
) -> None:
    deprived = list(CODES[standard][:n_deprived])
    result = catalogue.classify(standard, area, income, deprived)  # type: ignore[arg-type]
    assert (result.status, result.route) == expected
    assert result.thresholds == thresholds
    assert result.deprivation_count == n_deprived
    assert result.deprivations == tuple(sorted(deprived))
    assert (result.standard, result.area_type, result.income_per_capita) == (standard, area, income)


def test_line_cases_cover_every_standard_area_and_line() -> None:
    ids = {p.id for p in _line_cases()}
    assert len(ids) == 2 * 2 * 3 * 3 + 4 * 1 * 3 * 3  # 2016-2020 has two lines per area
    assert "2016-2020-urban-near_poverty+1-3dep" in ids
    assert "2026-2030-rural-poverty+0-2dep" in ids


@pytest.mark.parametrize(
    ("standard", "area", "income", "expected"),
    [
        ("2016-2020", "rural", 0, POOR_BY_INCOME),
        ("2021-2025", "rural", 0, NEAR_POOR),
        ("2026-2030", "urban", 0, NEAR_POOR),
        ("2016-2020", "urban", 10**12, ABOVE),
        # an urban-only gap: above the rural line but at the urban one
        ("2021-2025", "urban", 1_500_001, NEAR_POOR),
        ("2021-2025", "rural", 1_500_001, ABOVE),
    ],
)
def test_classification_extremes_and_area_difference(
    catalogue: StandardsCatalogue, standard: str, area: str, income: int, expected: tuple[str, str]
) -> None:
    result = catalogue.classify(standard, area, income, [])  # type: ignore[arg-type]
    assert (result.status, result.route) == expected


def test_duplicate_deprivations_count_once(catalogue: StandardsCatalogue) -> None:
    result = catalogue.classify(
        "2021-2025", "rural", 1_000_000, ["telecom_use", "employment", "telecom_use"]
    )
    assert result.deprivations == ("employment", "telecom_use")
    assert result.deprivation_count == 2
    assert (result.status, result.route) == NEAR_POOR


def test_deprivations_accept_any_iterable(catalogue: StandardsCatalogue) -> None:
    codes = ("nutrition", "employment", "dependants")
    for value in (list(codes), tuple(codes), set(codes), iter(codes)):
        result = catalogue.classify("2026-2030", "urban", 2_800_000, value)
        assert result.deprivations == ("dependants", "employment", "nutrition")
        assert result.status == "poor"


def test_classification_to_dict_is_json_ready(catalogue: StandardsCatalogue) -> None:
    result = catalogue.classify(
        "2016-2020", "rural", 800_000, ["telecom_use", "health_insurance", "housing_area"]
    )
    as_dict = result.to_dict()
    assert as_dict == {
        "status": "poor",
        "route": "income_and_deprivation",
        "standard": "2016-2020",
        "area_type": "rural",
        "income_per_capita": 800_000,
        "deprivations": ["health_insurance", "housing_area", "telecom_use"],
        "deprivation_count": 3,
        "thresholds": {
            "poverty_line": 700_000,
            "near_poverty_line": 1_000_000,
            "deprivation_threshold": 3,
        },
    }
    assert type(as_dict["deprivations"]) is list
    assert json.loads(json.dumps(as_dict)) == as_dict
    as_dict["thresholds"]["poverty_line"] = 1
    assert result.thresholds["poverty_line"] == 700_000


def test_classification_is_frozen(catalogue: StandardsCatalogue) -> None:
    result = catalogue.classify("2021-2025", "rural", 1, [])
    assert isinstance(result, Classification)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.status = "poor"  # type: ignore[misc]


# monotonicity: more income never makes a household poorer; more deprivations never less poor
_RANK = {"not_poor": 0, "near_poor": 1, "poor": 2}


@given(
    standard=st.sampled_from(sorted(CODES)),
    area=st.sampled_from(["rural", "urban"]),
    incomes=st.tuples(st.integers(0, 4_000_000), st.integers(0, 4_000_000)).map(sorted),
    data=st.data(),
)
def test_classification_is_monotone(
    standard: str, area: str, incomes: list[int], data: st.DataObject
) -> None:
    catalogue = load_standards()
    fewer = data.draw(st.sets(st.sampled_from(CODES[standard])))
    more = fewer | data.draw(st.sets(st.sampled_from(CODES[standard])))
    low, high = incomes
    at_low = catalogue.classify(standard, area, low, fewer)  # type: ignore[arg-type]
    at_high = catalogue.classify(standard, area, high, fewer)  # type: ignore[arg-type]
    more_deprived = catalogue.classify(standard, area, low, more)  # type: ignore[arg-type]
    assert _RANK[at_high.status] <= _RANK[at_low.status]
    assert _RANK[more_deprived.status] >= _RANK[at_low.status]


# --- input validation --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("standard", "code", "valid"),
    [
        ("2016-2020", "information_assets", True),
        ("2021-2025", "information_assets", False),
        ("2026-2030", "information_assets", False),
        ("2016-2020", "health_care_access", True),
        ("2021-2025", "health_care_access", False),
        ("2016-2020", "information_access", False),
        ("2021-2025", "information_access", True),
        ("2026-2030", "information_access", False),
        ("2016-2020", "waste_treatment", False),
        ("2021-2025", "waste_treatment", False),
        ("2026-2030", "waste_treatment", True),
        ("2021-2025", "internet_access", False),
        ("2026-2030", "internet_access", True),
        ("2021-2025", "digital_services", False),
        ("2026-2030", "digital_services", True),
        ("2016-2020", "employment", False),
        ("2021-2025", "employment", True),
        ("2016-2020", "Health_Insurance", False),
        ("2016-2020", "", False),
    ],
)
def test_deprivation_codes_must_belong_to_the_standard(
    catalogue: StandardsCatalogue, standard: str, code: str, valid: bool
) -> None:
    if valid:
        result = catalogue.classify(standard, "rural", 100, [code])
        assert result.deprivations == (code,)
    else:
        with pytest.raises(ClassificationInputError) as excinfo:
            catalogue.classify(standard, "rural", 100, [code])
        message = str(excinfo.value)
        assert repr(code)[1:-1] in message and standard in message


@pytest.mark.parametrize("standard", sorted(CODES))
def test_every_contract_code_is_accepted(catalogue: StandardsCatalogue, standard: str) -> None:
    result = catalogue.classify(standard, "urban", 0, CODES[standard])
    assert result.deprivation_count == len(CODES[standard])


def test_unknown_codes_are_all_listed(catalogue: StandardsCatalogue) -> None:
    with pytest.raises(ClassificationInputError, match="information_assets, waste_treatment"):
        catalogue.classify(
            "2021-2025", "rural", 1, ["waste_treatment", "employment", "information_assets"]
        )


@pytest.mark.parametrize(
    "income", [1.0, 700_000.0, 700_000.5, True, False, -1, "700000", None, float("nan")]
)
def test_income_must_be_a_non_negative_int(catalogue: StandardsCatalogue, income: Any) -> None:
    with pytest.raises(ClassificationInputError, match="income_per_capita"):
        catalogue.classify("2016-2020", "rural", income, [])


@pytest.mark.parametrize("area", ["Rural", "URBAN", "", "suburban", None, 1])
def test_area_type_must_be_rural_or_urban(catalogue: StandardsCatalogue, area: Any) -> None:
    with pytest.raises(ClassificationInputError, match="area_type"):
        catalogue.classify("2021-2025", area, 1, [])


@pytest.mark.parametrize(
    "deprivations",
    ["employment", b"employment", None, 3, ["employment", 3], [None], {"employment": True}],
)
def test_deprivations_must_be_a_collection_of_codes(
    catalogue: StandardsCatalogue, deprivations: Any
) -> None:
    with pytest.raises(ClassificationInputError, match="deprivations"):
        catalogue.classify("2021-2025", "rural", 1, deprivations)


@pytest.mark.parametrize("code", ["2011-2015", "2016", "", None, 2016])
def test_unknown_standard(catalogue: StandardsCatalogue, code: Any) -> None:
    with pytest.raises(UnknownStandardError, match="known standards: 2016-2020") as excinfo:
        catalogue.classify(code, "rural", 1, [])
    assert isinstance(excinfo.value, ValueError)
    assert isinstance(excinfo.value, LookupError)


# --- standards, list years and review defaults -------------------------------------------------


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        (2016, "2016-2020"),
        (2020, "2016-2020"),
        (2021, "2016-2020"),
        (2022, "2021-2025"),
        (2025, "2021-2025"),
        (2026, "2021-2025"),
        (2027, "2026-2030"),
        (2030, "2026-2030"),
    ],
)
def test_list_year_to_standard(catalogue: StandardsCatalogue, year: int, expected: str) -> None:
    assert catalogue.for_list_year(year).code == expected


@pytest.mark.parametrize("year", [2015, 2031, 0, -2017])
def test_list_year_outside_every_standard(catalogue: StandardsCatalogue, year: int) -> None:
    with pytest.raises(UnknownStandardError, match=f"list year {year}"):
        catalogue.for_list_year(year)


@pytest.mark.parametrize("year", [2017.0, True, "2017", None])
def test_list_year_must_be_an_int(catalogue: StandardsCatalogue, year: Any) -> None:
    with pytest.raises(ClassificationInputError, match="list_year"):
        catalogue.for_list_year(year)


@pytest.mark.parametrize(
    ("day", "kind", "list_year"),
    [
        (date(2017, 8, 31), "regular", 2017),
        (date(2017, 9, 1), "periodic", 2018),
        (date(2017, 12, 14), "periodic", 2018),
        (date(2017, 12, 31), "periodic", 2018),
        (date(2018, 1, 1), "regular", 2018),
        (date(2021, 8, 31), "regular", 2021),
        (date(2021, 9, 1), "periodic", 2022),
    ],
)
def test_default_kind_and_list_year(day: date, kind: str, list_year: int) -> None:
    assert default_review_kind(day) == kind
    assert default_list_year(day, kind) == list_year  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("day", "kind", "list_year", "expected"),
    [
        (date(2015, 9, 1), "periodic", None, "2016-2020"),
        (date(2017, 11, 1), "periodic", None, "2016-2020"),
        (date(2021, 8, 31), None, None, "2016-2020"),
        (date(2021, 9, 1), "periodic", None, "2021-2025"),
        (date(2021, 12, 31), "periodic", None, "2021-2025"),
        (date(2021, 10, 1), "regular", None, "2016-2020"),
        (date(2021, 3, 1), "periodic", None, "2021-2025"),
        (date(2021, 10, 1), "regular", 2021, "2016-2020"),
        (date(2021, 10, 1), "regular", 2022, "2021-2025"),
        (date(2026, 6, 30), None, None, "2021-2025"),
        (date(2026, 8, 31), None, None, "2021-2025"),
        (date(2026, 9, 1), "periodic", None, "2026-2030"),
        (date(2027, 1, 1), None, None, "2026-2030"),
        (date(2030, 8, 31), None, None, "2026-2030"),
    ],
)
def test_standard_for(
    catalogue: StandardsCatalogue,
    day: date,
    kind: Any,
    list_year: int | None,
    expected: str,
) -> None:
    assert catalogue.standard_for(day, kind=kind, list_year=list_year).code == expected


@pytest.mark.parametrize(
    ("day", "required"),
    [
        (date(2021, 1, 1), False),
        (date(2021, 8, 31), False),
        (date(2021, 9, 1), True),
        (date(2021, 12, 14), True),
        (date(2021, 12, 31), True),
        (date(2022, 1, 1), False),
    ],
)
def test_an_assessment_from_september_to_december_must_say_its_kind(
    catalogue: StandardsCatalogue, day: date, required: bool
) -> None:
    if not required:
        assert catalogue.resolve_review(day).kind == "regular"
        return
    with pytest.raises(ClassificationInputError, match="must say its kind") as caught:
        catalogue.resolve_review(day)
    assert caught.value.field == "kind"
    for kind, year in (("periodic", day.year + 1), ("regular", day.year)):
        assert catalogue.resolve_review(day, kind=kind).list_year == year


@pytest.mark.parametrize(
    ("day", "kind"),
    [
        (date(2015, 8, 31), None),
        (date(2030, 9, 1), "periodic"),
        (date(2015, 12, 1), "regular"),
    ],
)
def test_standard_for_outside_every_standard(
    catalogue: StandardsCatalogue, day: date, kind: Any
) -> None:
    with pytest.raises(UnknownStandardError, match="no standard covers"):
        catalogue.standard_for(day, kind=kind)


def test_resolve_review_reports_the_choices_it_applied(catalogue: StandardsCatalogue) -> None:
    selection = catalogue.resolve_review(date(2021, 11, 5), kind="periodic")
    assert (selection.kind, selection.list_year, selection.standard.code) == (
        "periodic",
        2022,
        "2021-2025",
    )
    regular = catalogue.resolve_review(date(2021, 11, 5), kind="regular")
    assert (regular.list_year, regular.standard.code) == (2021, "2016-2020")
    same = catalogue.resolve_review(date(2021, 11, 5), kind="periodic", standard="2021-2025")
    assert same.standard.code == "2021-2025"


@pytest.mark.parametrize(
    ("day", "kind", "list_year", "standard"),
    [
        (date(2021, 11, 5), "periodic", None, "2016-2020"),  # the 2022 list is Decree 07's
        (date(2021, 11, 5), "regular", None, "2021-2025"),  # the 2021 list is Decision 59's
        (date(2026, 10, 1), "periodic", None, "2021-2025"),  # 2027: Decree 351
        (date(2019, 3, 1), None, 2019, "2026-2030"),
    ],
)
def test_an_explicit_standard_must_apply_to_the_list_year(
    catalogue: StandardsCatalogue, day: date, kind: Any, list_year: int | None, standard: str
) -> None:
    with pytest.raises(ClassificationInputError, match="does not apply to the list") as caught:
        catalogue.resolve_review(day, kind=kind, list_year=list_year, standard=standard)
    assert caught.value.field == "standard"


@pytest.mark.parametrize("kind", ["Periodic", "annual", "", 1])
def test_review_kind_is_validated(catalogue: StandardsCatalogue, kind: Any) -> None:
    with pytest.raises(ClassificationInputError, match="kind"):
        catalogue.standard_for(date(2020, 1, 1), kind=kind)
    with pytest.raises(ClassificationInputError, match="kind"):
        default_list_year(date(2020, 1, 1), kind)


@pytest.mark.parametrize("day", ["2020-09-01", None, 20200901])
def test_effective_on_must_be_a_date(catalogue: StandardsCatalogue, day: Any) -> None:
    with pytest.raises(ClassificationInputError, match="effective_on"):
        default_review_kind(day)
    with pytest.raises(ClassificationInputError, match="effective_on"):
        catalogue.standard_for(day)


# --- the packaged data ---------------------------------------------------------------------------


def test_load_standards_is_cached() -> None:
    assert load_standards() is load_standards()


def test_catalogue_contents(catalogue: StandardsCatalogue) -> None:
    assert catalogue.codes == ("2016-2020", "2021-2025", "2026-2030")
    assert isinstance(catalogue.data_version, str) and catalogue.data_version
    for code, codes in CODES.items():
        assert catalogue.get(code).indicator_codes == codes


@pytest.mark.parametrize(
    ("code", "legal_basis", "list_years", "rule", "provisional"),
    [
        (
            "2016-2020",
            "Decision 59/2015/QĐ-TTg",
            range(2016, 2022),
            "income_or_band_deprivation",
            False,
        ),
        ("2021-2025", "Decree 07/2021/NĐ-CP", range(2022, 2027), "income_and_deprivation", False),
        ("2026-2030", "Decree 351/2025/NĐ-CP", range(2027, 2031), "income_and_deprivation", True),
    ],
)
def test_standard_metadata(
    catalogue: StandardsCatalogue,
    code: str,
    legal_basis: str,
    list_years: range,
    rule: str,
    provisional: bool,
) -> None:
    standard = catalogue.get(code)
    assert standard.legal_basis == legal_basis
    assert standard.list_years == tuple(list_years)
    assert standard.rule == rule
    assert standard.provisional is provisional
    assert standard.deprivation_threshold == 3


@pytest.mark.parametrize(("code", "area", "poverty", "near"), LINES)
def test_lines(
    catalogue: StandardsCatalogue, code: str, area: str, poverty: int, near: int | None
) -> None:
    standard = catalogue.get(code)
    assert standard.poverty_line(area) == poverty  # type: ignore[arg-type]
    assert standard.near_poverty_line(area) == near  # type: ignore[arg-type]


def test_line_lookup_rejects_unknown_area(catalogue: StandardsCatalogue) -> None:
    with pytest.raises(ClassificationInputError, match="area_type"):
        catalogue.get("2016-2020").poverty_line("mountain")  # type: ignore[arg-type]


def test_provisional_standard_says_its_indicators_are_unverified(
    catalogue: StandardsCatalogue,
) -> None:
    note = catalogue.get("2026-2030").note
    assert note is not None and "unverified" in note


def test_unverified_indicators_are_flagged(catalogue: StandardsCatalogue) -> None:
    verified = {
        code: {i.code for i in catalogue.get(code).indicators if i.verified} for code in CODES
    }
    # only the thresholds sourced in the rules brief ([S9]) count as verified
    assert verified == {
        "2016-2020": set(),
        "2021-2025": {"employment", "dependants", "nutrition"},
        "2026-2030": set(),
    }


def test_indicator_labels(catalogue: StandardsCatalogue) -> None:
    standard = catalogue.get("2016-2020")
    assert standard.indicator("health_care_access").label_vi == "Tiếp cận các dịch vụ y tế"
    assert standard.indicator("health_insurance").label_vi == "Bảo hiểm y tế"
    for code in CODES:
        for indicator in catalogue.get(code).indicators:
            assert not indicator.label_vi.isascii(), indicator.code  # diacritics present
            assert indicator.label_en.isascii() and indicator.label_en
            assert indicator.dimension and indicator.deprived_if
    with pytest.raises(ClassificationInputError, match="waste_treatment"):
        standard.indicator("waste_treatment")


def test_standards_are_immutable(catalogue: StandardsCatalogue) -> None:
    standard = catalogue.get("2021-2025")
    with pytest.raises(dataclasses.FrozenInstanceError):
        standard.deprivation_threshold = 1  # type: ignore[misc]
    with pytest.raises(TypeError):
        standard.lines["rural"] = IncomeLines(poverty=1)  # type: ignore[index]
    assert isinstance(standard.indicators, tuple)
    assert isinstance(standard.indicators[0], Indicator)


def test_catalogue_survives_copy_pickle_and_asdict(catalogue: StandardsCatalogue) -> None:
    assert copy.deepcopy(catalogue) == catalogue
    assert pickle.loads(pickle.dumps(catalogue)) == catalogue
    as_dict = dataclasses.asdict(catalogue.get("2016-2020"))
    assert as_dict["lines"]["urban"] == {"poverty": 900_000, "near_poverty": 1_300_000}
    json.dumps(as_dict)


def test_to_dict_round_trips(catalogue: StandardsCatalogue, raw: dict[str, Any]) -> None:
    again = StandardsCatalogue.from_dict(catalogue.to_dict())
    assert again == catalogue
    assert again.to_dict() == catalogue.to_dict()
    assert StandardsCatalogue.from_dict(raw) == catalogue


# --- catalogue validation ------------------------------------------------------------------------

Mutation = Callable[[dict[str, Any]], None]


def _set(path: tuple[Any, ...], value: Any) -> Mutation:
    def mutate(d: dict[str, Any]) -> None:
        target: Any = d
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return mutate


def _delete(path: tuple[Any, ...]) -> Mutation:
    def mutate(d: dict[str, Any]) -> None:
        target: Any = d
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return mutate


def _duplicate_first_indicator(d: dict[str, Any]) -> None:
    indicators = d["standards"][1]["indicators"]
    indicators.append(copy.deepcopy(indicators[0]))


def _duplicate_standard(d: dict[str, Any]) -> None:
    d["standards"].append(copy.deepcopy(d["standards"][0]))


S16, S21, S26 = ("standards", 0), ("standards", 1), ("standards", 2)

VALIDATION_CASES = [
    ("missing data_version", _delete(("data_version",)), "missing key(s) 'data_version'"),
    ("empty data_version", _set(("data_version",), ""), "data_version"),
    ("data_version not text", _set(("data_version",), 20261129), "data_version"),
    ("standards not a list", _set(("standards",), {}), "standards must be a list"),
    ("no standards", _set(("standards",), []), "standards must not be empty"),
    ("unknown top-level key", _set(("version",), "x"), "unknown key(s) 'version'"),
    ("missing rule", _delete((*S16, "rule")), "(2016-2020): missing key(s) 'rule'"),
    ("missing lines", _delete((*S21, "lines")), "(2021-2025): missing key(s) 'lines'"),
    ("missing code", _delete((*S21, "code")), "standards[1]: missing key(s) 'code'"),
    ("missing indicators", _delete((*S26, "indicators")), "'indicators'"),
    ("unknown standard key", _set((*S16, "near_povery"), 1), "unknown key(s) 'near_povery'"),
    ("missing area", _delete((*S21, "lines", "urban")), "no entry for area type 'urban'"),
    ("unknown area", _set((*S21, "lines", "suburban"), {"poverty": 1}), "suburban"),
    ("missing poverty line", _delete((*S16, "lines", "rural", "poverty")), "'poverty'"),
    ("string line", _set((*S16, "lines", "rural", "poverty"), "700000"), "positive integer"),
    ("float line", _set((*S21, "lines", "rural", "poverty"), 1500000.0), "positive integer"),
    ("bool line", _set((*S21, "lines", "rural", "poverty"), True), "positive integer"),
    ("negative line", _set((*S26, "lines", "urban", "poverty"), -1), "positive integer"),
    ("zero line", _set((*S26, "lines", "urban", "poverty"), 0), "positive integer"),
    ("negative near line", _set((*S16, "lines", "urban", "near_poverty"), -5), "positive integer"),
    ("float near line", _set((*S16, "lines", "urban", "near_poverty"), 1.3e6), "positive integer"),
    (
        "near line below poverty line",
        _set((*S16, "lines", "rural", "near_poverty"), 600_000),
        "near_poverty line 600000 must be above the poverty line 700000",
    ),
    (
        "near line equal to poverty line",
        _set((*S16, "lines", "urban", "near_poverty"), 900_000),
        "must be above the poverty line",
    ),
    (
        "band rule without near line",
        _set((*S16, "lines", "urban", "near_poverty"), None),
        "needs a near_poverty line for 'urban'",
    ),
    (
        "near line under income-and-deprivation rule",
        _set((*S21, "lines", "rural", "near_poverty"), 2_250_000),
        "near_poverty must be null",
    ),
    ("unknown rule", _set((*S21, "rule"), "income_only"), "unknown rule 'income_only'"),
    ("duplicate indicator", _duplicate_first_indicator, "duplicate indicator code(s): employment"),
    ("no indicators", _set((*S16, "indicators"), []), "indicators must not be empty"),
    ("indicator missing code", _delete((*S16, "indicators", 0, "code")), "indicators[0]"),
    ("indicator bad code", _set((*S16, "indicators", 0, "code"), "Health Care"), "lower_snake"),
    ("indicator empty label", _set((*S16, "indicators", 1, "label_vi"), " "), "label_vi"),
    ("indicator verified text", _set((*S16, "indicators", 1, "verified"), "no"), "verified"),
    ("indicator unknown key", _set((*S16, "indicators", 1, "weight"), 10), "'weight'"),
    (
        "overlapping list years",
        _set((*S21, "list_years"), [2021, 2022, 2023, 2024, 2025, 2026]),
        "list year 2021 is covered by both standard '2016-2020' and standard '2021-2025'",
    ),
    ("duplicate list year", _set((*S26, "list_years"), [2027, 2027]), "duplicates"),
    ("empty list years", _set((*S26, "list_years"), []), "list_years must not be empty"),
    ("list year text", _set((*S26, "list_years"), ["2027"]), "integer years"),
    ("list years not a list", _set((*S26, "list_years"), 2027), "list_years must be a list"),
    ("duplicate standard", _duplicate_standard, "duplicate standard code '2016-2020'"),
    ("threshold zero", _set((*S16, "deprivation_threshold"), 0), "deprivation_threshold"),
    ("threshold text", _set((*S16, "deprivation_threshold"), "3"), "deprivation_threshold"),
    ("threshold too high", _set((*S16, "deprivation_threshold"), 11), "from 1 to 10"),
    ("provisional text", _set((*S26, "provisional"), "yes"), "provisional"),
    ("empty legal basis", _set((*S16, "legal_basis"), ""), "legal_basis"),
]


def test_unmodified_data_is_valid(raw: dict[str, Any]) -> None:
    assert StandardsCatalogue.from_dict(raw).codes == ("2016-2020", "2021-2025", "2026-2030")


@pytest.mark.parametrize(
    ("mutate", "message"),
    [pytest.param(mutate, message, id=name) for name, mutate, message in VALIDATION_CASES],
)
def test_catalogue_validation(raw: dict[str, Any], mutate: Mutation, message: str) -> None:
    mutate(raw)
    with pytest.raises(StandardsDataError) as excinfo:
        StandardsCatalogue.from_dict(raw)
    assert message in str(excinfo.value)


@pytest.mark.parametrize("data", [[], "standards", None])
def test_catalogue_must_be_an_object(data: Any) -> None:
    with pytest.raises(StandardsDataError, match="must be an object"):
        StandardsCatalogue.from_dict(data)


def test_direct_construction_is_validated() -> None:
    indicator = Indicator("a", "Ă", "A", "d", "x", verified=False)
    with pytest.raises(StandardsDataError, match="unknown rule"):
        Standard(
            code="X",
            legal_basis="L",
            list_years=(2000,),
            rule="income",  # type: ignore[arg-type]
            lines={"rural": IncomeLines(1), "urban": IncomeLines(2)},
            indicators=(indicator,),
            deprivation_threshold=1,
        )
    with pytest.raises(StandardsDataError, match="positive integer"):
        IncomeLines(poverty=-1)
