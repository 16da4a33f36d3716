"""Programmes reserved to poor or near-poor households, as data (``data/programmes.json``)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from importlib import resources
from typing import Any, Final

from domain.supervision.text import (
    add_months,
    fold_text,
)
from domain.vocabulary import STATUSES


class ProgrammeDataError(ValueError):
    """``programmes.json`` is malformed."""


@dataclass(frozen=True)
class FieldMatch:
    """How one support field must read: a whole value, or a whole-word phrase inside it."""

    equals: frozenset[str]
    contains: tuple[str, ...]

    def matches(self, value: str | None) -> bool:
        """Whether the (folded) value matches."""
        folded = fold_text(value)
        if not folded:
            return False
        if folded in self.equals:
            return True
        padded = f" {folded} "
        return any(f" {phrase} " in padded for phrase in self.contains)


@dataclass(frozen=True)
class ProgrammeRule:
    """A programme reserved to some statuses (and possibly to households newly out of them)."""

    code: str
    name: str
    match: Mapping[str, FieldMatch]
    eligible_statuses: frozenset[str]
    newly_exited_months: int | None
    newly_exited_from: frozenset[str]
    valid_from: date | None
    valid_to: date | None
    basis: str
    verified: bool
    note: str

    def in_force(self, on: date) -> bool:
        """Whether the rule applies to support delivered on ``on``."""
        return (self.valid_from is None or on >= self.valid_from) and (
            self.valid_to is None or on <= self.valid_to
        )

    def matches_fields(self, support: Any) -> bool:
        """Whether a support fact's fields match (whatever its date)."""
        return all(m.matches(getattr(support, name, None)) for name, m in self.match.items())

    def matches(self, support: Any) -> bool:
        """Whether a support fact falls under this programme rule (on its date)."""
        return self.in_force(support.effective_on) and self.matches_fields(support)

    def admits(self, status: str, exits: Sequence[tuple[date, str]], on: date) -> bool:
        """Whether a household with ``status`` on ``on`` (and these earlier exits: date and the
        status it left) may receive the programme's support."""
        if status in self.eligible_statuses:
            return True
        if self.newly_exited_months is None:
            return False
        return any(
            left in self.newly_exited_from
            and exited <= on <= add_months(exited, self.newly_exited_months)
            for exited, left in exits
        )

    def describe(self) -> str:
        """``30a (reserved to poor, near_poor; unverified)``."""
        reserved = ", ".join(sorted(self.eligible_statuses))
        extra = (
            f", or exited from {', '.join(sorted(self.newly_exited_from))} within "
            f"{self.newly_exited_months} months"
            if self.newly_exited_months
            else ""
        )
        return (
            f"{self.code} (reserved to {reserved}{extra}"
            + ("" if self.verified else "; rule unverified")
            + ")"
        )


@dataclass(frozen=True)
class ProgrammeCatalogue:
    """The programme rules of ``programmes.json``."""

    data_version: str
    rules: tuple[ProgrammeRule, ...]
    _cache: dict[tuple[Any, ...], tuple[ProgrammeRule, ...]] = field(
        default_factory=dict, compare=False, hash=False, repr=False
    )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ProgrammeCatalogue:
        """Parse and check the JSON document."""
        try:
            rules = tuple(_parse_programme(p) for p in data["programmes"])
            version = str(data["data_version"])
        except (KeyError, TypeError, ValueError) as e:
            raise ProgrammeDataError(f"programmes.json: {e}") from None
        codes = [r.code for r in rules]
        if len(set(codes)) != len(codes):
            raise ProgrammeDataError("programmes.json: programme codes must be unique")
        return cls(version, rules)

    def matching(self, support: Any) -> list[ProgrammeRule]:
        """The rules a support fact falls under."""
        key = tuple(getattr(support, name, None) for name in _MATCHED_FIELDS)
        by_fields = self._cache.get(key)
        if by_fields is None:
            by_fields = tuple(r for r in self.rules if r.matches_fields(support))
            self._cache[key] = by_fields
        return [r for r in by_fields if r.in_force(support.effective_on)]


_MATCHED_FIELDS: Final = ("programme", "funding_source", "provider", "category")


def _parse_programme(raw: Mapping[str, Any]) -> ProgrammeRule:
    match: dict[str, FieldMatch] = {}
    for name, spec in raw["match"].items():
        if name not in _MATCHED_FIELDS:
            raise ValueError(f"{raw['code']}: cannot match on {name!r}")
        match[name] = FieldMatch(
            frozenset(fold_text(v) for v in spec.get("equals", ())),
            tuple(fold_text(v) for v in spec.get("contains", ())),
        )
    if not match:
        raise ValueError(f"{raw['code']}: 'match' names no field")
    statuses = frozenset(raw["eligible_statuses"])
    if not statuses <= set(STATUSES):
        raise ValueError(f"{raw['code']}: unknown status in eligible_statuses")
    newly = raw.get("newly_exited")
    return ProgrammeRule(
        code=str(raw["code"]),
        name=str(raw["name"]),
        match=match,
        eligible_statuses=statuses,
        newly_exited_months=int(newly["months"]) if newly else None,
        newly_exited_from=frozenset(newly["from"]) if newly else frozenset(),
        valid_from=date.fromisoformat(raw["valid_from"]) if raw.get("valid_from") else None,
        valid_to=date.fromisoformat(raw["valid_to"]) if raw.get("valid_to") else None,
        basis=str(raw.get("basis", "")),
        verified=bool(raw.get("verified", False)),
        note=str(raw.get("note", "")),
    )


@lru_cache(maxsize=1)
def load_programmes() -> ProgrammeCatalogue:
    """The packaged programme rules (``domain/data/programmes.json``); read once."""
    text = resources.files("domain").joinpath("data/programmes.json").read_text(encoding="utf-8")
    return ProgrammeCatalogue.from_dict(json.loads(text))
