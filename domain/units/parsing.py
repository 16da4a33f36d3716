"""Parsing and checking the unit data (the parsed ``domain/data/units.json``), field by field."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from domain.units.model import (
    AREA_TYPES,
    KINDS_BY_LEVEL,
    LEVELS,
    Unit,
    UnitDataError,
    UnitFlags,
)

# Commune kinds whose area type is fixed: a xã is rural, a phường or thị trấn urban.
_COMMUNE_KIND_AREA: Mapping[str, str] = {"xã": "rural", "phường": "urban", "thị trấn": "urban"}

_CODE_LENGTH: Mapping[str, int] = {"province": 2, "district": 3, "commune": 5}

_UNIT_KEYS = frozenset(
    {
        "code",
        "code_verified",
        "name",
        "level",
        "kind",
        "area_type",
        "parent",
        "valid_from",
        "valid_to",
        "flags",
        "successor",
        "notes",
    }
)
_REQUIRED_UNIT_KEYS = _UNIT_KEYS - {"code_verified", "notes", "successor"}
_FLAG_VALUES = ("especially_difficult", "difficult", "border", "verified")
_FLAG_KEYS = frozenset({"valid_from", "valid_to", *_FLAG_VALUES})
TOP_KEYS = frozenset({"data_version", "source", "notes", "units"})

ONE_DAY = timedelta(days=1)


def _parse_date(value: Any, what: str) -> date:
    if not isinstance(value, str):
        raise UnitDataError(f"{what}: expected an ISO date string, got {value!r}")
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise UnitDataError(f"{what}: invalid ISO date {value!r}") from exc


def _optional_date(value: Any, what: str) -> date | None:
    return None if value is None else _parse_date(value, what)


def _optional_str(raw: Mapping[str, Any], key: str, what: str) -> str | None:
    value = raw.get(key)
    if value is not None and (not isinstance(value, str) or not value):
        raise UnitDataError(f"{what}: {key} must be a non-empty string or null, got {value!r}")
    return value


def _parse_flag_period(value: Any, what: str) -> UnitFlags:
    if not isinstance(value, Mapping) or not _FLAG_KEYS <= set(value) <= {*_FLAG_KEYS, "basis"}:
        raise UnitDataError(
            f"{what}: flags must have exactly the keys {sorted(_FLAG_KEYS)} (and a basis)"
        )
    for name in _FLAG_VALUES:
        if not isinstance(value[name], bool):
            raise UnitDataError(f"{what}: flag {name} must be a boolean")
    basis = value.get("basis", "")
    if not isinstance(basis, str):
        raise UnitDataError(f"{what}: basis must be a string")
    return UnitFlags(
        valid_from=_parse_date(value["valid_from"], f"{what} valid_from"),
        valid_to=_optional_date(value["valid_to"], f"{what} valid_to"),
        especially_difficult=value["especially_difficult"],
        difficult=value["difficult"],
        border=value["border"],
        verified=value["verified"],
        basis=basis,
    )


def _parse_flags(value: Any, what: str, start: date, end: date | None) -> tuple[UnitFlags, ...]:
    """Flag periods that follow one another without gap or overlap over ``[start, end]``."""
    if not isinstance(value, list) or not value:
        raise UnitDataError(f"{what}: flags must be a non-empty list of periods")
    periods = tuple(_parse_flag_period(v, f"{what} flags[{i}]") for i, v in enumerate(value))
    expected = start
    for i, p in enumerate(periods):
        if p.valid_from != expected:
            raise UnitDataError(
                f"{what}: flags[{i}] starts on {p.valid_from.isoformat()}; the flag periods must "
                f"follow one another from the unit's valid_from (expected {expected.isoformat()})"
            )
        if p.valid_to is None:
            if i != len(periods) - 1 or end is not None:
                raise UnitDataError(f"{what}: flags[{i}] never ends but the unit does")
            return periods
        if p.valid_to < p.valid_from:
            raise UnitDataError(f"{what}: flags[{i}] ends before it starts")
        expected = p.valid_to + ONE_DAY
    if end is None or periods[-1].valid_to != end:
        raise UnitDataError(f"{what}: the flag periods must end when the unit does")
    return periods


def _check_identity(raw: Mapping[str, Any], what: str) -> tuple[str, str]:
    code, level = raw["code"], raw["level"]
    if level not in LEVELS:
        raise UnitDataError(f"{what}: unknown level {level!r}")
    if not isinstance(code, str) or not code.isdigit() or len(code) != _CODE_LENGTH[level]:
        raise UnitDataError(
            f"{what}: a {level} code must be {_CODE_LENGTH[level]} digits, got {code!r}"
        )
    return code, level


def _check_kind(raw: Mapping[str, Any], level: str, what: str) -> tuple[str, str, str]:
    name = raw["name"]
    if not isinstance(name, str) or not name.strip():
        raise UnitDataError(f"{what}: name must be a non-empty string")
    kind = raw["kind"]
    if kind not in KINDS_BY_LEVEL[level]:
        raise UnitDataError(f"{what}: unknown kind {kind!r} for level {level}")
    area_type = raw["area_type"]
    if area_type not in AREA_TYPES:
        raise UnitDataError(f"{what}: unknown area_type {area_type!r}")
    if level == "commune" and _COMMUNE_KIND_AREA.get(kind, area_type) != area_type:
        raise UnitDataError(f"{what}: a {kind} must have area_type {_COMMUNE_KIND_AREA[kind]!r}")
    return name, kind, area_type


def _check_keys(raw: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(raw, Mapping):
        raise UnitDataError(f"{what}: expected an object")
    unknown = set(raw) - _UNIT_KEYS
    if unknown:
        raise UnitDataError(f"{what}: unknown fields {sorted(unknown)}")
    missing = _REQUIRED_UNIT_KEYS - set(raw)
    if missing:
        raise UnitDataError(f"{what}: missing fields {sorted(missing)}")
    return raw


def parse_unit(raw: Any, index: int) -> Unit:
    """One unit version from its JSON object; raises :class:`UnitDataError` naming the field."""
    what = f"units[{index}]"
    raw = _check_keys(raw, what)
    code, level = _check_identity(raw, what)
    what = f"unit {code} ({what})"
    name, kind, area_type = _check_kind(raw, level, what)
    parent = _optional_str(raw, "parent", what)
    if (parent is None) != (level == "province"):
        raise UnitDataError(
            f"{what}: a {level} must {'not ' if level == 'province' else ''}have a parent"
        )
    valid_from = _parse_date(raw["valid_from"], f"{what} valid_from")
    valid_to = _optional_date(raw["valid_to"], f"{what} valid_to")
    if valid_to is not None and valid_to < valid_from:
        raise UnitDataError(
            f"{what}: valid_to {valid_to.isoformat()} is before valid_from {valid_from.isoformat()}"
        )
    notes = raw.get("notes", "")
    if not isinstance(notes, str):
        raise UnitDataError(f"{what}: notes must be a string")
    code_verified = raw.get("code_verified", True)
    if not isinstance(code_verified, bool):
        raise UnitDataError(f"{what}: code_verified must be a boolean")
    return Unit(
        code=code,
        name=name,
        level=level,
        kind=kind,
        area_type=area_type,
        parent=parent,
        valid_from=valid_from,
        valid_to=valid_to,
        flags=_parse_flags(raw["flags"], what, valid_from, valid_to),
        successor=_optional_str(raw, "successor", what),
        notes=notes,
        code_verified=code_verified,
    )
