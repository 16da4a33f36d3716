"""Vietnam's 54 recognised ethnic groups and tolerant name matching.

Member records carry an ethnicity by its Vietnamese name, but the same group is written in many
ways ("Mông", "H'Mông", "Hmông", "Mèo"; composed or decomposed Unicode). This module maps any
accepted spelling to one canonical name, so that ``ethnic_minority`` (every group except Kinh) and
reports by ethnicity are computed consistently.

Parsing and matching are pure; the only I/O is :func:`load_ethnicities`, which reads the packaged
``domain/data/ethnicities.json``.
"""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

__all__ = [
    "Ethnicity",
    "EthnicityCatalogue",
    "EthnicityDataError",
    "UnknownEthnicityError",
    "load_ethnicities",
    "match_key",
]

# Apostrophe-like characters (dropped) and hyphen/dash-like characters (treated as spaces).
_APOSTROPHES = re.compile(r"['\u2018\u2019\u02bc\u02b9\u0060\u00b4]")
_SEPARATORS = re.compile(r"[\s\-\u2010\u2011\u2012\u2013\u2014\u2212_]+")
_TOP_KEYS = frozenset({"data_version", "codes_verified", "source", "majority", "groups"})
_GROUP_KEYS = frozenset({"code", "name", "variants"})
_MAX_SUGGESTIONS = 3
_SUGGESTION_CUTOFF = 0.6


class EthnicityDataError(ValueError):
    """The ethnicity data is malformed or ambiguous; raised at load time so that bad data cannot
    silently mis-classify members."""


class UnknownEthnicityError(ValueError):
    """A name matches no recognised ethnic group; the message suggests close matches so the
    caller can correct the input."""

    def __init__(self, name: str, suggestions: Iterable[str] = ()) -> None:
        self.name = name
        self.suggestions: tuple[str, ...] = tuple(suggestions)
        message = f"unknown ethnicity {name!r}"
        if self.suggestions:
            message += "; did you mean " + ", ".join(repr(s) for s in self.suggestions) + "?"
        super().__init__(message)


def match_key(name: str) -> str:
    """The form used to compare names: NFC, case-folded, apostrophes removed, and whitespace and
    hyphens removed, so "H'Mông", "Hmông" and "H Mông" compare equal, as do "Ê Đê" and "Êđê".
    Diacritics are kept: they distinguish names."""
    text = unicodedata.normalize("NFC", name).strip().casefold()
    text = _APOSTROPHES.sub("", text)
    text = _SEPARATORS.sub("", text)
    return unicodedata.normalize("NFC", text)


def _fold(key: str) -> str:
    """``key`` without diacritics (đ → d), used only to rank suggestions."""
    decomposed = unicodedata.normalize("NFD", key.replace("đ", "d"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass(frozen=True, slots=True)
class Ethnicity:
    """One recognised ethnic group: its ordinal code in the official list, its canonical
    Vietnamese name and the alternative spellings accepted for it."""

    code: str
    name: str
    variants: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, as stored in ``ethnicities.json``."""
        return {"code": self.code, "name": self.name, "variants": list(self.variants)}


class EthnicityCatalogue:
    """The validated list of ethnic groups with tolerant lookup. It exists so that every module
    canonicalises ethnicity names, and derives minority status, in the same way."""

    __slots__ = (
        "_by_code",
        "_by_key",
        "_codes_verified",
        "_data_version",
        "_groups",
        "_majority",
        "_source",
    )

    def __init__(
        self,
        data_version: str,
        groups: Iterable[Ethnicity],
        *,
        majority: str = "Kinh",
        codes_verified: bool = False,
        source: str = "",
    ) -> None:
        """Build and validate a catalogue; raises :class:`EthnicityDataError` if names, variants
        or codes are ambiguous or the majority group is not listed."""
        if not isinstance(data_version, str) or not data_version:
            raise EthnicityDataError("data_version must be a non-empty string")
        self._data_version = data_version
        self._groups: tuple[Ethnicity, ...] = tuple(sorted(groups, key=lambda g: g.code))
        self._codes_verified = codes_verified
        self._source = source
        self._by_code: dict[str, Ethnicity] = {}
        self._by_key: dict[str, Ethnicity] = {}
        for group in self._groups:
            if group.code in self._by_code:
                raise EthnicityDataError(f"duplicate code {group.code!r}")
            self._by_code[group.code] = group
            for spelling in (group.name, *group.variants):
                key = match_key(spelling)
                if not key:
                    raise EthnicityDataError(f"{group.name}: empty name or variant")
                other = self._by_key.get(key)
                if other is not None and other is not group:
                    raise EthnicityDataError(
                        f"{spelling!r} of {group.name} is ambiguous with {other.name}"
                    )
                self._by_key[key] = group
        major = self._by_key.get(match_key(majority))
        if major is None or major.name != majority:
            raise EthnicityDataError(f"majority group {majority!r} is not a listed name")
        self._majority = major

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> EthnicityCatalogue:
        """Parse and validate the ``ethnicities.json`` document (pure; no I/O)."""
        if not isinstance(d, Mapping):
            raise EthnicityDataError("expected a JSON object at the top level")
        unknown = set(d) - _TOP_KEYS
        if unknown:
            raise EthnicityDataError(f"unknown top-level fields {sorted(unknown)}")
        raw_groups = d.get("groups")
        if not isinstance(raw_groups, list):
            raise EthnicityDataError("groups must be a list")
        codes_verified = d.get("codes_verified", False)
        if not isinstance(codes_verified, bool):
            raise EthnicityDataError("codes_verified must be a boolean")
        majority = d.get("majority", "Kinh")
        if not isinstance(majority, str):
            raise EthnicityDataError("majority must be a string")
        data_version = d.get("data_version")
        if not isinstance(data_version, str) or not data_version:
            raise EthnicityDataError("data_version must be a non-empty string")
        source = d.get("source", "")
        if not isinstance(source, str):
            raise EthnicityDataError("source must be a string")
        return cls(
            data_version,
            (_parse_group(raw, i) for i, raw in enumerate(raw_groups)),
            majority=majority,
            codes_verified=codes_verified,
            source=source,
        )

    @property
    def data_version(self) -> str:
        """Version label of the data."""
        return self._data_version

    @property
    def codes_verified(self) -> bool:
        """Whether the ordinal codes were checked against the official list (currently not)."""
        return self._codes_verified

    @property
    def names(self) -> tuple[str, ...]:
        """The canonical names, in code order (Kinh first)."""
        return tuple(g.name for g in self._groups)

    @property
    def groups(self) -> tuple[Ethnicity, ...]:
        """All groups, in code order."""
        return self._groups

    @property
    def majority(self) -> str:
        """The canonical name of the majority group; every other group is a minority."""
        return self._majority.name

    def find(self, name: str) -> Ethnicity | None:
        """The group ``name`` denotes (any accepted spelling), or ``None``."""
        if not isinstance(name, str):
            return None
        return self._by_key.get(match_key(name))

    def get(self, name: str) -> Ethnicity:
        """The group ``name`` denotes; raises :class:`UnknownEthnicityError` with suggestions."""
        group = self.find(name)
        if group is None:
            raise UnknownEthnicityError(str(name), self.suggest(str(name)))
        return group

    def by_code(self, code: str) -> Ethnicity:
        """The group with the given ordinal code ("01" = Kinh); raises ``KeyError``."""
        return self._by_code[code]

    def canonical(self, name: str) -> str:
        """The canonical Vietnamese name for any accepted spelling of a group (NFC, case,
        whitespace, hyphen and apostrophe tolerant); raises :class:`UnknownEthnicityError`."""
        return self.get(name).name

    def is_minority(self, name: str) -> bool:
        """Whether the group is an ethnic minority: every group except the majority (Kinh)."""
        return self.get(name) is not self._majority

    def suggest(self, name: str, limit: int = _MAX_SUGGESTIONS) -> list[str]:
        """Canonical names close to ``name``, best first (also ignoring diacritics)."""
        key = match_key(name)
        if not key:
            return []
        folded = _fold(key)
        scores: dict[str, float] = {}
        for candidate, group in self._by_key.items():
            score = max(
                difflib.SequenceMatcher(None, key, candidate).ratio(),
                difflib.SequenceMatcher(None, folded, _fold(candidate)).ratio(),
            )
            if score >= _SUGGESTION_CUTOFF and score > scores.get(group.name, 0.0):
                scores[group.name] = score
        ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
        return [name for name, _ in ranked[:limit]]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form; ``from_dict(to_dict())`` gives an equivalent catalogue."""
        return {
            "data_version": self._data_version,
            "codes_verified": self._codes_verified,
            "source": self._source,
            "majority": self.majority,
            "groups": [g.to_dict() for g in self._groups],
        }

    def __len__(self) -> int:
        return len(self._groups)

    def __repr__(self) -> str:
        return f"EthnicityCatalogue(data_version={self._data_version!r}, groups={len(self)})"


def _parse_group(raw: Any, index: int) -> Ethnicity:
    what = f"groups[{index}]"
    if not isinstance(raw, Mapping):
        raise EthnicityDataError(f"{what}: expected an object")
    if set(raw) - _GROUP_KEYS or not {"code", "name"} <= set(raw):
        raise EthnicityDataError(f"{what}: expected the fields {sorted(_GROUP_KEYS)}")
    code, name, variants = raw["code"], raw["name"], raw.get("variants", [])
    if not isinstance(code, str) or not (len(code) == 2 and code.isdigit()):
        raise EthnicityDataError(f"{what}: code must be two digits, got {code!r}")
    if not isinstance(name, str) or not name.strip():
        raise EthnicityDataError(f"{what}: name must be a non-empty string")
    if name != unicodedata.normalize("NFC", name).strip():
        raise EthnicityDataError(f"{what}: name {name!r} must be NFC without outer spaces")
    if not isinstance(variants, list) or not all(isinstance(v, str) for v in variants):
        raise EthnicityDataError(f"{what}: variants must be a list of strings")
    return Ethnicity(code=code, name=name, variants=tuple(variants))


@lru_cache(maxsize=1)
def load_ethnicities() -> EthnicityCatalogue:
    """Load the packaged catalogue (``domain/data/ethnicities.json``); cached, read once."""
    text = resources.files("domain").joinpath("data/ethnicities.json").read_text(encoding="utf-8")
    return EthnicityCatalogue.from_dict(json.loads(text))
