"""One poverty standard and its pure classification rule."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from domain.standards.model import (
    AREA_TYPES,
    RULES,
    AreaType,
    Classification,
    ClassificationInputError,
    FrozenDict,
    IncomeLines,
    Indicator,
    PovertyStatus,
    Route,
    Rule,
    StandardsDataError,
    check_text,
    is_int,
)


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
        check_text(self.code, "standard code")
        where = f"standard {self.code!r}"
        check_text(self.legal_basis, f"{where}: legal_basis")
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
            check_text(self.note, f"{where}: note")

    def _check_list_years(self, where: str) -> None:
        years = tuple(self.list_years)
        if not years:
            raise StandardsDataError(f"{where}: list_years must not be empty")
        for year in years:
            if not is_int(year) or year <= 0:
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
        frozen_lines = FrozenDict({area: self.lines[area] for area in AREA_TYPES})
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
        if not is_int(threshold) or not 1 <= threshold <= len(indicators):
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
    if not is_int(income):
        raise ClassificationInputError(
            f"income_per_capita must be an integer number of VND per person per month, "
            f"got {income!r} ({type(income).__name__})"
        )
    value = cast(int, income)
    if value < 0:
        raise ClassificationInputError(f"income_per_capita must be >= 0, got {value}")
    return value
