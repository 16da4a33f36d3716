"""The campaign's targets and the data tables the reports judge against."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from domain.standards import ClassificationInputError, StandardsCatalogue, UnknownStandardError
from domain.units import Unit

#: Annual reduction targets in percentage points (Decision 1722/QĐ-TTg, Decision 90/QĐ-TTg).
#: Poor districts: 4 pp a year, 5 for communes flagged especially difficult; ethnic-minority
#: households: 3 pp a year (1722: "3–4", 90: "more than 3").
TARGETS_PP: Mapping[str, int] = {"default": 4, "especially_difficult": 5, "ethnic_minority": 3}

#: Income of poor households against the baseline (end-2015): ×1.5 by 2020 nationally, ×2 in the
#: 30a poor districts such as Hạ Lang (Decision 1722/QĐ-TTg); both ends are reported.
INCOME_TARGET: Mapping[str, Any] = {
    "multiple": 2.0,
    "min_multiple": 1.5,
    "by_year": 2020,
    "baseline": "31 December of the year before the span (for 2016–2020: 2015-12-31)",
}

#: Where each reduction target comes from: the campaign's own (4, or 5 for especially difficult
#: communes) and the national programme's for ethnic-minority households (not the campaign's).
TARGET_BASIS: Mapping[str, str] = {
    "campaign": "the Hạ Lang campaign (4 points a year; 5 in especially difficult communes)",
    "national": "national: Decision 1722/QĐ-TTg (3–4 points a year for ethnic-minority "
    "households); not a target of the campaign",
}

#: Which deprivation indicators each support category addresses (support that matches one of the
#: household's own deprivations, in its latest assessment before the support, "addresses" it).
#: Categories not listed (production, credit, science_technology, social_assistance,
#: capacity_building, other) act on income, not on a deprivation indicator.
SUPPORT_ADDRESSES: Mapping[str, frozenset[str]] = {
    "housing": frozenset({"housing_quality", "housing_area"}),
    "water_sanitation": frozenset({"domestic_water", "hygienic_latrine", "waste_treatment"}),
    "education": frozenset({"adult_education", "child_school_attendance"}),
    "health": frozenset({"health_care_access", "health_insurance", "nutrition"}),
    "information": frozenset(
        {
            "telecom_use",
            "information_assets",
            "information_access",
            "internet_access",
            "digital_services",
        }
    ),
    "employment": frozenset({"employment", "dependants"}),
    "vocational_training": frozenset({"employment"}),
}

#: Exits followed by re-poverty within this many years count against a commune.
RE_POVERTY_WINDOW_YEARS = 2


def standard_for_list(standards: StandardsCatalogue, year: int) -> str | None:
    """The standard code of a list year (None when no standard covers it)."""
    try:
        return standards.for_list_year(year).code
    except (ClassificationInputError, UnknownStandardError):
        return None


def target_pp(unit: Unit | None, year: int) -> int:
    """The unit's annual reduction target (percentage points) in ``year``: 5 where the unit was
    flagged especially difficult in that year, else 4."""
    if unit is not None and unit.flagged_in(year).especially_difficult:
        return TARGETS_PP["especially_difficult"]
    return TARGETS_PP["default"]
