"""Every standard, which one governs a list year, and the review a dated assessment belongs to."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from importlib import resources
from typing import Any

from domain.standards.model import (
    PERIODIC_FIRST_MONTH,
    REVIEW_KINDS,
    AreaType,
    Classification,
    ClassificationInputError,
    FrozenDict,
    ReviewKind,
    StandardsDataError,
    UnknownStandardError,
    check_text,
    is_int,
)
from domain.standards.parsing import (
    check_keys,
    mapping,
    parse_standard,
)
from domain.standards.standard import (
    Standard,
)


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
    return "periodic" if day.month >= PERIODIC_FIRST_MONTH else "regular"


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
        check_text(self.data_version, "data_version")
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
        object.__setattr__(self, "_by_code", FrozenDict(by_code))
        object.__setattr__(self, "_by_year", FrozenDict(by_year))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> StandardsCatalogue:
        """Build and validate a catalogue from the parsed ``standards.json`` (pure, no I/O).

        Raises :class:`StandardsDataError` naming the standard and field at fault for missing or
        unknown keys, non-integer or non-positive lines, a near-poverty line not above the poverty
        line, duplicate indicator codes, overlapping list years and unknown rules.
        """
        top = mapping(data, "standards data")
        check_keys(top, {"data_version", "standards"}, set(), "standards data")
        raw_standards = top["standards"]
        if not isinstance(raw_standards, list):
            raise StandardsDataError(
                f"standards must be a list, got {type(raw_standards).__name__}"
            )
        standards = tuple(parse_standard(raw, i) for i, raw in enumerate(raw_standards))
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
        if not is_int(year):
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
        """The review an assessment dated ``effective_on`` belongs to, and its standard.

        From 1 September to 31 December an assessment may belong to the periodic review (the next
        year's list) or to a regular one (this year's), so ``kind`` must be said; on other dates
        it defaults to ``regular``. The list year follows the kind, the standard the list year;
        an explicit ``standard`` must be the one of the list year. Errors name their ``field``.
        """
        day = _check_date(effective_on)
        if kind is None and day.month >= PERIODIC_FIRST_MONTH:
            raise ClassificationInputError(
                f"an assessment dated {day.isoformat()} (1 September to 31 December) must say its "
                "kind: periodic (the review for next year's list) or regular",
                "kind",
            )
        resolved_kind = "regular" if kind is None else kind
        if resolved_kind not in REVIEW_KINDS:
            raise ClassificationInputError(
                f"kind must be one of {', '.join(REVIEW_KINDS)}, got {resolved_kind!r}", "kind"
            )
        year = default_list_year(day, resolved_kind) if list_year is None else list_year
        if not is_int(year):
            raise ClassificationInputError(
                f"list_year must be an integer year, got {year!r}", "list_year"
            )
        applies = self.for_list_year(year)
        if standard is not None and self.get(standard) != applies:
            raise ClassificationInputError(
                f"standard {standard} does not apply to the list of {year}; that list is "
                f"judged under {applies.code}",
                "standard",
            )
        return ReviewSelection(kind=resolved_kind, list_year=year, standard=applies)

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


@lru_cache(maxsize=1)
def load_standards() -> StandardsCatalogue:
    """Load, validate and cache the packaged ``domain/data/standards.json``.

    The only I/O of the standards. Cached because the data is immutable for the process's lifetime;
    call ``load_standards.cache_clear()`` in tests that need a fresh read.
    """
    resource = resources.files("domain") / "data" / "standards.json"
    try:
        data = json.loads(resource.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise StandardsDataError(f"standards.json is not valid JSON: {exc}") from exc
    return StandardsCatalogue.from_dict(data)
