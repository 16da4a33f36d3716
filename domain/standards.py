"""Poverty standards (chuẩn nghèo) as data, and the pure classification rule that applies them.

Vietnam has changed its multidimensional poverty standard three times in the period this backend
covers (Decision 59/2015/QĐ-TTg, Decree 07/2021/NĐ-CP, Decree 351/2025/NĐ-CP). The income lines,
the deprivation indicators and the list years each standard governs are *data*
(``domain/data/standards.json``), so that a corrected figure or indicator wording never needs a code
change. This module turns that data into validated, immutable objects and classifies a household
from (standard, area type, income per capita, deprived indicators).

Apart from :func:`load_standards`, which reads the packaged JSON, nothing here performs I/O.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from importlib import resources
from typing import Any, Final, Literal, cast, get_args

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

_PERIODIC_FIRST_MONTH: Final = 9  # the periodic review runs 1 September - 14 December
_INDICATOR_CODE = re.compile(r"^[a-z][a-z0-9_]*$")


class _FrozenDict(dict[Any, Any]):
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
    while a data error remains a server fault. The message names the problem.
    """


def _is_int(value: object) -> bool:
    """True for real integers; ``bool`` is an ``int`` subclass but never a valid amount or year."""
    return isinstance(value, int) and not isinstance(value, bool)


def _check_text(value: object, name: str) -> None:
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
            _check_text(getattr(self, name), f"indicator {self.code!r}: {name}")
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
        if not _is_int(self.poverty) or self.poverty <= 0:
            raise StandardsDataError(
                f"poverty line must be a positive integer (VND per person per month), "
                f"got {self.poverty!r}"
            )
        if self.near_poverty is None:
            return
        if not _is_int(self.near_poverty) or self.near_poverty <= 0:
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


@dataclass(frozen=True)
class Standard:
    """One poverty standard: its legal basis, list years, income lines, indicators and rule.

    Exists so that classification depends only on data: a standard is built from
    ``standards.json`` (use :meth:`StandardsCatalogue.from_dict`) and validates its own invariants.
    """

    code: str
    legal_basis: str
    list_years: tuple[int, ...]
    rule: Rule
    lines: Mapping[AreaType, IncomeLines] = field(hash=False)
    indicators: tuple[Indicator, ...]
    deprivation_threshold: int
    provisional: bool = False
    note: str | None = None

    def __post_init__(self) -> None:
        _check_text(self.code, "standard code")
        where = f"standard {self.code!r}"
        _check_text(self.legal_basis, f"{where}: legal_basis")
        self._check_list_years(where)
        if self.rule not in RULES:
            raise StandardsDataError(
                f"{where}: unknown rule {self.rule!r}; known rules: {', '.join(RULES)}"
            )
        self._check_lines(where)
        self._check_indicators(where)
        if not isinstance(self.provisional, bool):
            raise StandardsDataError(
                f"{where}: provisional must be true or false, got {self.provisional!r}"
            )
        if self.note is not None:
            _check_text(self.note, f"{where}: note")

    def _check_list_years(self, where: str) -> None:
        years = tuple(self.list_years)
        if not years:
            raise StandardsDataError(f"{where}: list_years must not be empty")
        for year in years:
            if not _is_int(year) or year <= 0:
                raise StandardsDataError(
                    f"{where}: list_years must hold integer years, got {year!r}"
                )
        if len(set(years)) != len(years):
            raise StandardsDataError(f"{where}: list_years has duplicates: {list(years)}")
        object.__setattr__(self, "list_years", tuple(sorted(years)))

    def _check_lines(self, where: str) -> None:
        if not isinstance(self.lines, Mapping):
            raise StandardsDataError(f"{where}: lines must be a mapping by area type")
        unknown = sorted(str(k) for k in self.lines if k not in AREA_TYPES)
        if unknown:
            raise StandardsDataError(
                f"{where}: unknown area type(s) in lines: {', '.join(unknown)}; "
                f"expected {', '.join(AREA_TYPES)}"
            )
        for area in AREA_TYPES:
            if area not in self.lines:
                raise StandardsDataError(f"{where}: lines has no entry for area type {area!r}")
            lines = self.lines[area]
            if not isinstance(lines, IncomeLines):
                raise StandardsDataError(f"{where}: lines.{area} must be IncomeLines")
            if self.rule == "income_or_band_deprivation" and lines.near_poverty is None:
                raise StandardsDataError(
                    f"{where}: rule {self.rule!r} needs a near_poverty line for {area!r}"
                )
            if self.rule == "income_and_deprivation" and lines.near_poverty is not None:
                raise StandardsDataError(
                    f"{where}: rule {self.rule!r} uses only the poverty line; "
                    f"lines.{area}.near_poverty must be null"
                )
        frozen_lines = _FrozenDict({area: self.lines[area] for area in AREA_TYPES})
        object.__setattr__(self, "lines", frozen_lines)

    def _check_indicators(self, where: str) -> None:
        indicators = tuple(self.indicators)
        if not indicators:
            raise StandardsDataError(f"{where}: indicators must not be empty")
        if not all(isinstance(i, Indicator) for i in indicators):
            raise StandardsDataError(f"{where}: indicators must be Indicator objects")
        codes = [i.code for i in indicators]
        duplicates = sorted({c for c in codes if codes.count(c) > 1})
        if duplicates:
            raise StandardsDataError(
                f"{where}: duplicate indicator code(s): {', '.join(duplicates)}"
            )
        threshold = self.deprivation_threshold
        if not _is_int(threshold) or not 1 <= threshold <= len(indicators):
            raise StandardsDataError(
                f"{where}: deprivation_threshold must be an integer from 1 to {len(indicators)} "
                f"(the number of indicators), got {threshold!r}"
            )
        object.__setattr__(self, "indicators", indicators)

    @property
    def indicator_codes(self) -> tuple[str, ...]:
        """Indicator codes in the order the standard lists them; the valid deprivation codes."""
        return tuple(i.code for i in self.indicators)

    def indicator(self, code: str) -> Indicator:
        """The indicator with this code, for labels; raises ``ClassificationInputError``."""
        for indicator in self.indicators:
            if indicator.code == code:
                return indicator
        raise ClassificationInputError(f"standard {self.code} has no indicator {code!r}")

    def _lines_for(self, area_type: object) -> IncomeLines:
        if not isinstance(area_type, str) or area_type not in AREA_TYPES:
            raise ClassificationInputError(
                f"area_type must be one of {', '.join(AREA_TYPES)}, got {area_type!r}"
            )
        return self.lines[cast(AreaType, area_type)]

    def poverty_line(self, area_type: AreaType) -> int:
        """Poverty line (VND per person per month); an income exactly on it is 'at or below'."""
        return self._lines_for(area_type).poverty

    def near_poverty_line(self, area_type: AreaType) -> int | None:
        """Top of the near-poor income band, or ``None`` if the rule uses the poverty line only."""
        return self._lines_for(area_type).near_poverty

    def thresholds(self, area_type: AreaType) -> dict[str, int | None]:
        """The figures a classification under this standard and area type is judged against."""
        lines = self._lines_for(area_type)
        return {
            "poverty_line": lines.poverty,
            "near_poverty_line": lines.near_poverty,
            "deprivation_threshold": self.deprivation_threshold,
        }

    def classify(
        self, area_type: AreaType, income_per_capita: int, deprivations: Iterable[str]
    ) -> Classification:
        """Classify a household under this standard (pure; validates every input).

        ``income_per_capita`` is integer VND per person per month; ``deprivations`` are indicator
        codes of this standard (duplicates are ignored). Lines are inclusive: an income exactly on a
        line is at or below it.
        """
        lines = self._lines_for(area_type)
        income = _check_income(income_per_capita)
        deprived = self._check_deprivations(deprivations)
        enough = len(deprived) >= self.deprivation_threshold

        status: PovertyStatus
        route: Route
        if self.rule == "income_or_band_deprivation":
            near_line = cast(int, lines.near_poverty)
            if income <= lines.poverty:
                status, route = "poor", "income"
            elif income <= near_line:
                status, route = (
                    ("poor", "income_and_deprivation")
                    if enough
                    else ("near_poor", "near_poor_income")
                )
            else:
                status, route = "not_poor", "above_lines"
        elif income <= lines.poverty:
            status, route = (
                ("poor", "income_and_deprivation") if enough else ("near_poor", "near_poor_income")
            )
        else:
            status, route = "not_poor", "above_lines"

        return Classification(
            status=status,
            route=route,
            standard=self.code,
            area_type=cast(AreaType, area_type),
            income_per_capita=income,
            deprivations=deprived,
            deprivation_count=len(deprived),
            thresholds=self.thresholds(area_type),
        )

    def _check_deprivations(self, deprivations: Iterable[str]) -> tuple[str, ...]:
        if isinstance(deprivations, str | bytes | Mapping) or not isinstance(
            deprivations, Iterable
        ):
            raise ClassificationInputError(
                f"deprivations must be a list of indicator codes, got {deprivations!r}"
            )
        codes = list(deprivations)
        not_text = [c for c in codes if not isinstance(c, str)]
        if not_text:
            raise ClassificationInputError(
                f"deprivations must be indicator codes (strings), got {not_text!r}"
            )
        valid = set(self.indicator_codes)
        unknown = sorted({c for c in codes if c not in valid})
        if unknown:
            raise ClassificationInputError(
                f"unknown deprivation code(s) for standard {self.code}: {', '.join(unknown)}; "
                f"valid codes: {', '.join(self.indicator_codes)}"
            )
        return tuple(sorted(set(codes)))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, in the same shape as the packaged data (for API and CLI listings)."""
        return {
            "code": self.code,
            "legal_basis": self.legal_basis,
            "list_years": list(self.list_years),
            "rule": self.rule,
            "lines": {area: self.lines[area].to_dict() for area in AREA_TYPES},
            "deprivation_threshold": self.deprivation_threshold,
            "provisional": self.provisional,
            "note": self.note,
            "indicators": [i.to_dict() for i in self.indicators],
        }


def _check_income(income: object) -> int:
    if not _is_int(income):
        raise ClassificationInputError(
            f"income_per_capita must be an integer number of VND per person per month, "
            f"got {income!r} ({type(income).__name__})"
        )
    value = cast(int, income)
    if value < 0:
        raise ClassificationInputError(f"income_per_capita must be >= 0, got {value}")
    return value


def _check_date(effective_on: object) -> date:
    if not isinstance(effective_on, date):
        raise ClassificationInputError(f"effective_on must be a date, got {effective_on!r}")
    return effective_on


def default_review_kind(effective_on: date) -> ReviewKind:
    """Review kind assumed when none is given: periodic from 1 September to 31 December.

    The periodic review runs 1 September - 14 December; decisions of the rest of December still
    belong to it. Any other date is a monthly regular review.
    """
    day = _check_date(effective_on)
    return "periodic" if day.month >= _PERIODIC_FIRST_MONTH else "regular"


def default_list_year(effective_on: date, kind: ReviewKind) -> int:
    """List year assumed when none is given: a periodic review of year N sets the list of N+1.

    A regular review takes effect from its decision date, so it amends the current year's list.
    """
    day = _check_date(effective_on)
    if kind not in REVIEW_KINDS:
        raise ClassificationInputError(
            f"kind must be one of {', '.join(REVIEW_KINDS)}, got {kind!r}"
        )
    return day.year + 1 if kind == "periodic" else day.year


@dataclass(frozen=True)
class ReviewSelection:
    """Review kind, list year and standard resolved for an assessment, defaults applied.

    Returned so that the caller can store the kind and list year it actually used next to the
    classification, rather than re-deriving them.
    """

    kind: ReviewKind
    list_year: int
    standard: Standard


@dataclass(frozen=True)
class StandardsCatalogue:
    """All known standards plus the data version they came from; the entry point for classifying.

    Exists so that "which standard applies" and "classify under it" are answered from one validated,
    immutable object that can be loaded once and shared.
    """

    data_version: str
    standards: tuple[Standard, ...]
    _by_code: Mapping[str, Standard] = field(init=False, repr=False, compare=False, hash=False)
    _by_year: Mapping[int, Standard] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        _check_text(self.data_version, "data_version")
        standards = tuple(self.standards)
        if not standards:
            raise StandardsDataError("standards must not be empty")
        by_code: dict[str, Standard] = {}
        by_year: dict[int, Standard] = {}
        for standard in standards:
            if not isinstance(standard, Standard):
                raise StandardsDataError(f"standards must be Standard objects, got {standard!r}")
            if standard.code in by_code:
                raise StandardsDataError(f"duplicate standard code {standard.code!r}")
            by_code[standard.code] = standard
            for year in standard.list_years:
                if year in by_year:
                    raise StandardsDataError(
                        f"list year {year} is covered by both standard {by_year[year].code!r} "
                        f"and standard {standard.code!r}; list_years must not overlap"
                    )
                by_year[year] = standard
        object.__setattr__(self, "standards", standards)
        object.__setattr__(self, "_by_code", _FrozenDict(by_code))
        object.__setattr__(self, "_by_year", _FrozenDict(by_year))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> StandardsCatalogue:
        """Build and validate a catalogue from the parsed ``standards.json`` (pure, no I/O).

        Raises :class:`StandardsDataError` naming the standard and field at fault for missing or
        unknown keys, non-integer or non-positive lines, a near-poverty line not above the poverty
        line, duplicate indicator codes, overlapping list years and unknown rules.
        """
        top = _mapping(data, "standards data")
        _check_keys(top, {"data_version", "standards"}, set(), "standards data")
        raw_standards = top["standards"]
        if not isinstance(raw_standards, list):
            raise StandardsDataError(
                f"standards must be a list, got {type(raw_standards).__name__}"
            )
        standards = tuple(_parse_standard(raw, i) for i, raw in enumerate(raw_standards))
        return cls(data_version=top["data_version"], standards=standards)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form that :meth:`from_dict` accepts back."""
        return {
            "data_version": self.data_version,
            "standards": [s.to_dict() for s in self.standards],
        }

    @property
    def codes(self) -> tuple[str, ...]:
        """Codes of all standards, oldest first as listed in the data."""
        return tuple(s.code for s in self.standards)

    def get(self, code: str) -> Standard:
        """The standard with this code; raises :class:`UnknownStandardError` listing known ones."""
        standard = self._by_code.get(code) if isinstance(code, str) else None
        if standard is None:
            raise UnknownStandardError(
                f"unknown standard {code!r}; known standards: {', '.join(self.codes)}"
            )
        return standard

    def for_list_year(self, year: int) -> Standard:
        """The standard that governs the poor/near-poor list of this year.

        Raises :class:`UnknownStandardError` when no standard covers the year.
        """
        if not _is_int(year):
            raise ClassificationInputError(f"list_year must be an integer year, got {year!r}")
        standard = self._by_year.get(year)
        if standard is None:
            covered = sorted(self._by_year)
            raise UnknownStandardError(
                f"no standard covers list year {year}; covered list years: "
                f"{covered[0]}-{covered[-1]}"
            )
        return standard

    def resolve_review(
        self,
        effective_on: date,
        kind: ReviewKind | None = None,
        list_year: int | None = None,
        standard: str | None = None,
    ) -> ReviewSelection:
        """Apply the contract's defaults: kind by date, list year by kind, standard by list year.

        An explicit ``standard`` code wins over the list year's standard (it is not cross-checked).
        """
        day = _check_date(effective_on)
        resolved_kind = default_review_kind(day) if kind is None else kind
        if resolved_kind not in REVIEW_KINDS:
            raise ClassificationInputError(
                f"kind must be one of {', '.join(REVIEW_KINDS)}, got {resolved_kind!r}"
            )
        year = default_list_year(day, resolved_kind) if list_year is None else list_year
        if not _is_int(year):
            raise ClassificationInputError(f"list_year must be an integer year, got {year!r}")
        chosen = self.for_list_year(year) if standard is None else self.get(standard)
        return ReviewSelection(kind=resolved_kind, list_year=year, standard=chosen)

    def standard_for(
        self,
        effective_on: date,
        kind: ReviewKind | None = None,
        list_year: int | None = None,
    ) -> Standard:
        """The standard in force for an assessment dated ``effective_on``.

        ``kind`` defaults by date (:func:`default_review_kind`), ``list_year`` by kind
        (:func:`default_list_year`); an explicit ``list_year`` wins over both.
        """
        return self.resolve_review(effective_on, kind=kind, list_year=list_year).standard

    def classify(
        self,
        standard_code: str,
        area_type: AreaType,
        income_per_capita: int,
        deprivations: Iterable[str],
    ) -> Classification:
        """Classify a household under the named standard; see :meth:`Standard.classify`."""
        return self.get(standard_code).classify(area_type, income_per_capita, deprivations)


_STANDARD_REQUIRED: Final = {
    "code",
    "legal_basis",
    "list_years",
    "rule",
    "lines",
    "deprivation_threshold",
    "indicators",
}
_STANDARD_OPTIONAL: Final = {"provisional", "note"}
_INDICATOR_KEYS: Final = {"code", "label_vi", "label_en", "dimension", "deprived_if", "verified"}


def _mapping(value: object, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise StandardsDataError(f"{where} must be an object, got {type(value).__name__}")
    return value


def _check_keys(
    data: Mapping[str, Any], required: set[str], optional: set[str], where: str
) -> None:
    missing = sorted(required - data.keys())
    if missing:
        raise StandardsDataError(f"{where}: missing key(s) {', '.join(map(repr, missing))}")
    unknown = sorted(str(k) for k in data.keys() - required - optional)
    if unknown:
        raise StandardsDataError(f"{where}: unknown key(s) {', '.join(map(repr, unknown))}")


def _parse_standard(raw: object, index: int) -> Standard:
    where = f"standards[{index}]"
    data = _mapping(raw, where)
    code = data.get("code")
    if isinstance(code, str):
        where = f"{where} ({code})"
    _check_keys(data, _STANDARD_REQUIRED, _STANDARD_OPTIONAL, where)
    list_years = data["list_years"]
    if not isinstance(list_years, list):
        raise StandardsDataError(f"{where}: list_years must be a list of years")
    raw_lines = _mapping(data["lines"], f"{where}: lines")
    lines = {
        area: _parse_lines(value, f"{where}: lines.{area}") for area, value in raw_lines.items()
    }
    raw_indicators = data["indicators"]
    if not isinstance(raw_indicators, list):
        raise StandardsDataError(f"{where}: indicators must be a list")
    indicators = tuple(
        _parse_indicator(value, f"{where}: indicators[{i}]")
        for i, value in enumerate(raw_indicators)
    )
    try:
        return Standard(
            code=data["code"],
            legal_basis=data["legal_basis"],
            list_years=tuple(list_years),
            rule=data["rule"],
            lines=lines,
            indicators=indicators,
            deprivation_threshold=data["deprivation_threshold"],
            provisional=data.get("provisional", False),
            note=data.get("note"),
        )
    except StandardsDataError as exc:
        if isinstance(code, str) and code.strip():
            raise  # the message already names the standard
        raise StandardsDataError(f"{where}: {exc}") from None


def _parse_lines(raw: object, where: str) -> IncomeLines:
    data = _mapping(raw, where)
    _check_keys(data, {"poverty"}, {"near_poverty"}, where)
    try:
        return IncomeLines(poverty=data["poverty"], near_poverty=data.get("near_poverty"))
    except StandardsDataError as exc:
        raise StandardsDataError(f"{where}: {exc}") from None


def _parse_indicator(raw: object, where: str) -> Indicator:
    data = _mapping(raw, where)
    _check_keys(data, _INDICATOR_KEYS, set(), where)
    try:
        return Indicator(**{key: data[key] for key in _INDICATOR_KEYS})
    except StandardsDataError as exc:
        raise StandardsDataError(f"{where}: {exc}") from None


@lru_cache(maxsize=1)
def load_standards() -> StandardsCatalogue:
    """Load, validate and cache the packaged ``domain/data/standards.json``.

    The only I/O in this module. Cached because the data is immutable for the process's lifetime;
    call ``load_standards.cache_clear()`` in tests that need a fresh read.
    """
    resource = resources.files(__package__ or "domain") / "data" / "standards.json"
    try:
        data = json.loads(resource.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise StandardsDataError(f"standards.json is not valid JSON: {exc}") from exc
    return StandardsCatalogue.from_dict(data)
