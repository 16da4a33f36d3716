"""The closed vocabularies of the ledger (roles, statuses, kinds of facts), in one place.

The API schemas, the aggregate's invariants and the demo generator all draw on these tuples, so
a word is added to the language of the system in exactly one place.
"""

from __future__ import annotations

from typing import Final

STATUSES: Final = ("poor", "near_poor", "not_poor")
"""Poverty status of a household (hộ nghèo / hộ cận nghèo / không nghèo)."""

AREA_TYPES: Final = ("rural", "urban")
"""Nông thôn / thành thị: which income line applies."""

REVIEW_KINDS: Final = ("periodic", "regular")
"""Rà soát định kỳ (1 Sep – 14 Dec, for next year's list) / rà soát thường xuyên (monthly)."""

TRANSITIONS: Final = (
    "newly_poor",
    "re_poor",
    "exited_poverty",
    "newly_near_poor",
    "re_near_poor",
    "exited_near_poverty",
    "unchanged",
    "baseline",
)
"""How a commune decision moved the household (phát sinh, tái nghèo, thoát nghèo, ...); a
``baseline`` establishes the lists of a new standard and is not a movement."""

ROUTES: Final = ("income", "income_and_deprivation", "near_poor_income", "above_lines")

SEXES: Final = ("male", "female")
RELATIONS: Final = (
    "head",
    "spouse",
    "child",
    "parent",
    "sibling",
    "grandchild",
    "grandparent",
    "other",
)
MEMBER_CHANGES: Final = ("added", "removed", "updated")

SUPPORT_CATEGORIES: Final = (
    "production",
    "employment",
    "credit",
    "vocational_training",
    "science_technology",
    "housing",
    "education",
    "health",
    "water_sanitation",
    "information",
    "social_assistance",
    "capacity_building",
    "other",
)
SPONSOR_KINDS: Final = ("agency", "official", "enterprise", "mass_organisation", "individual")
INSPECTION_OUTCOMES: Final = ("confirmed", "discrepancy", "misuse_suspected")
FINDING_SEVERITIES: Final = ("info", "minor", "major", "critical")
CLOSURE_REASONS: Final = ("dissolved", "merged", "moved_away", "deceased")
COMPLAINT_OUTCOMES: Final = ("upheld", "rejected", "withdrawn")
