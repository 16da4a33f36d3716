"""Poverty standards (chuẩn nghèo) as data, and the pure classification rule that applies them.

Vietnam has changed its multidimensional poverty standard three times in the period this backend
covers (Decision 59/2015/QĐ-TTg, Decree 07/2021/NĐ-CP, Decree 351/2025/NĐ-CP). The income lines,
the deprivation indicators and the list years each standard governs are *data*
(``domain/data/standards.json``), so that a corrected figure or indicator wording never needs a code
change. This package turns that data into validated, immutable objects and classifies a household
from (standard, area type, income per capita, deprived indicators).

Apart from :func:`load_standards`, which reads the packaged JSON, nothing here performs I/O.
"""

from domain.standards.catalogue import (
    ReviewSelection,
    StandardsCatalogue,
    default_list_year,
    default_review_kind,
    load_standards,
)
from domain.standards.model import (
    AREA_TYPES,
    REVIEW_KINDS,
    RULES,
    AreaType,
    Classification,
    ClassificationInputError,
    IncomeLines,
    Indicator,
    PovertyStatus,
    ReviewKind,
    Route,
    Rule,
    StandardsDataError,
    UnknownStandardError,
)
from domain.standards.standard import (
    Standard,
)

__all__ = [
    "AREA_TYPES",
    "REVIEW_KINDS",
    "RULES",
    "AreaType",
    "Classification",
    "ClassificationInputError",
    "IncomeLines",
    "Indicator",
    "PovertyStatus",
    "ReviewKind",
    "ReviewSelection",
    "Route",
    "Rule",
    "Standard",
    "StandardsCatalogue",
    "StandardsDataError",
    "UnknownStandardError",
    "default_list_year",
    "default_review_kind",
    "load_standards",
]
