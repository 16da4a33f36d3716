"""The vocabulary of the standards, their errors, and the value types a standard is made of."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Final, Literal, get_args

AreaType = Literal["rural", "urban"]
"""Area type of the household's unit; rural and urban units have different income lines."""

PovertyStatus = Literal["poor", "near_poor", "not_poor"]
"""Outcome of a classification, in the contract's vocabulary."""

Route = Literal["income", "income_and_deprivation", "near_poor_income", "above_lines"]
"""Which rule qualified the household; stored because policies differ by route (2016-2020)."""

Rule = Literal["income_or_band_deprivation", "income_and_deprivation"]
"""Shape of a standard's classification rule.

``income_or_band_deprivation`` (2016-2020): poor by income alone at or below the poverty line, or
by income in the near-poor band plus enough deprivations. ``income_and_deprivation`` (2021-2025 and
later): poor only with income at or below the line *and* enough deprivations.
"""

ReviewKind = Literal["periodic", "regular"]
"""Annual periodic review (định kỳ) or monthly regular review (thường xuyên)."""

AREA_TYPES: Final[tuple[AreaType, ...]] = get_args(AreaType)
"""All valid area types, for validation and iteration."""

RULES: Final[tuple[Rule, ...]] = get_args(Rule)
"""All classification rules the code knows how to apply."""

REVIEW_KINDS: Final[tuple[ReviewKind, ...]] = get_args(ReviewKind)
"""All review kinds."""

PERIODIC_FIRST_MONTH: Final = 9  # the periodic review runs 1 September - 14 December
_INDICATOR_CODE = re.compile(r"^[a-z][a-z0-9_]*$")


class FrozenDict(dict[Any, Any]):
    """A read-only dict: unlike ``MappingProxyType`` it survives pickle, deepcopy and ``asdict``."""

    def _readonly(self, *args: object, **kwargs: object) -> None:
        raise TypeError(f"{type(self).__name__} is read-only")

    __setitem__ = __delitem__ = __ior__ = _readonly
    clear = pop = popitem = setdefault = update = _readonly  # type: ignore[assignment]

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (dict(self),))


class StandardsDataError(ValueError):
    """The standards data is malformed; raised while building the catalogue, never at request time.

    It exists so that a bad edit to ``standards.json`` fails loudly at start-up with a message that
    names the offending standard and field, instead of misclassifying households later.
    """


class UnknownStandardError(ValueError, LookupError):
    """No standard has the requested code, or no standard covers the requested list year.

    A ``ValueError`` so that callers can report it as bad input, and a ``LookupError`` (like
    ``KeyError``, without its quoted message) because it is a failed look-up.
    """


class ClassificationInputError(ValueError):
    """Caller-supplied input to classification or standard selection is invalid.

    Separate from :class:`StandardsDataError` so that the API can answer 4xx for bad requests
    while a data error remains a server fault. The message names the problem; ``field``, when
    known, the input at fault.
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def is_int(value: object) -> bool:
    """True for real integers; ``bool`` is an ``int`` subclass but never a valid amount or year."""
    return isinstance(value, int) and not isinstance(value, bool)


def check_text(value: object, name: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise StandardsDataError(f"{name} must be a non-empty string, got {value!r}")


@dataclass(frozen=True)
class Indicator:
    """One deprivation indicator of a standard (e.g. health insurance).

    Exists so that indicator codes, their Vietnamese and English labels and the deprivation
    condition travel together, and so that unverified wording is flagged (``verified``) rather than
    silently trusted.
    """

    code: str
    label_vi: str
    label_en: str
    dimension: str
    deprived_if: str
    verified: bool

    def __post_init__(self) -> None:
        if not isinstance(self.code, str) or not _INDICATOR_CODE.fullmatch(self.code):
            raise StandardsDataError(
                f"indicator code must be lower_snake_case text, got {self.code!r}"
            )
        for name in ("label_vi", "label_en", "dimension", "deprived_if"):
            check_text(getattr(self, name), f"indicator {self.code!r}: {name}")
        if not isinstance(self.verified, bool):
            raise StandardsDataError(
                f"indicator {self.code!r}: verified must be true or false, got {self.verified!r}"
            )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, in the same shape as the packaged data."""
        return {
            "code": self.code,
            "label_vi": self.label_vi,
            "label_en": self.label_en,
            "dimension": self.dimension,
            "deprived_if": self.deprived_if,
            "verified": self.verified,
        }


@dataclass(frozen=True)
class IncomeLines:
    """Income lines of one area type, in VND per person per month.

    ``near_poverty`` is the top of the near-poor band under the 2016-2020 rule; it is ``None`` for
    standards whose rule uses the poverty line alone.
    """

    poverty: int
    near_poverty: int | None = None

    def __post_init__(self) -> None:
        if not is_int(self.poverty) or self.poverty <= 0:
            raise StandardsDataError(
                f"poverty line must be a positive integer (VND per person per month), "
                f"got {self.poverty!r}"
            )
        if self.near_poverty is None:
            return
        if not is_int(self.near_poverty) or self.near_poverty <= 0:
            raise StandardsDataError(
                f"near_poverty line must be a positive integer (VND per person per month) or "
                f"null, got {self.near_poverty!r}"
            )
        if self.near_poverty <= self.poverty:
            raise StandardsDataError(
                f"near_poverty line {self.near_poverty} must be above the poverty line "
                f"{self.poverty}"
            )

    def to_dict(self) -> dict[str, int | None]:
        """JSON-ready form, in the same shape as the packaged data."""
        return {"poverty": self.poverty, "near_poverty": self.near_poverty}


@dataclass(frozen=True)
class Classification:
    """Result of classifying one household under one standard.

    Carries the inputs and thresholds that produced the status, so that a stored classification
    can be explained and audited later without re-reading the standards data.
    """

    status: PovertyStatus
    route: Route
    standard: str
    area_type: AreaType
    income_per_capita: int
    deprivations: tuple[str, ...]
    deprivation_count: int
    thresholds: dict[str, int | None] = field(hash=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (lists instead of tuples, fresh dicts) for the API, CLI and events."""
        return {
            "status": self.status,
            "route": self.route,
            "standard": self.standard,
            "area_type": self.area_type,
            "income_per_capita": self.income_per_capita,
            "deprivations": list(self.deprivations),
            "deprivation_count": self.deprivation_count,
            "thresholds": dict(self.thresholds),
        }
