"""Parsing and validating the standards data (the parsed ``domain/data/standards.json``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from domain.standards.model import (
    IncomeLines,
    Indicator,
    StandardsDataError,
)
from domain.standards.standard import (
    Standard,
)

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


def mapping(value: object, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise StandardsDataError(f"{where} must be an object, got {type(value).__name__}")
    return value


def check_keys(data: Mapping[str, Any], required: set[str], optional: set[str], where: str) -> None:
    missing = sorted(required - data.keys())
    if missing:
        raise StandardsDataError(f"{where}: missing key(s) {', '.join(map(repr, missing))}")
    unknown = sorted(str(k) for k in data.keys() - required - optional)
    if unknown:
        raise StandardsDataError(f"{where}: unknown key(s) {', '.join(map(repr, unknown))}")


def parse_standard(raw: object, index: int) -> Standard:
    where = f"standards[{index}]"
    data = mapping(raw, where)
    code = data.get("code")
    if isinstance(code, str):
        where = f"{where} ({code})"
    check_keys(data, _STANDARD_REQUIRED, _STANDARD_OPTIONAL, where)
    list_years = data["list_years"]
    if not isinstance(list_years, list):
        raise StandardsDataError(f"{where}: list_years must be a list of years")
    raw_lines = mapping(data["lines"], f"{where}: lines")
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
    data = mapping(raw, where)
    check_keys(data, {"poverty"}, {"near_poverty"}, where)
    try:
        return IncomeLines(poverty=data["poverty"], near_poverty=data.get("near_poverty"))
    except StandardsDataError as exc:
        raise StandardsDataError(f"{where}: {exc}") from None


def _parse_indicator(raw: object, where: str) -> Indicator:
    data = mapping(raw, where)
    check_keys(data, _INDICATOR_KEYS, set(), where)
    try:
        return Indicator(**{key: data[key] for key in _INDICATOR_KEYS})
    except StandardsDataError as exc:
        raise StandardsDataError(f"{where}: {exc}") from None
