"""Tests for the ethnic-group catalogue (domain/ethnicity.py, domain/data/ethnicities.json)."""

from __future__ import annotations

import copy
import json
import re
import unicodedata
from importlib import resources
from typing import Any

import pytest

from domain.ethnicity import (
    Ethnicity,
    EthnicityCatalogue,
    EthnicityDataError,
    UnknownEthnicityError,
    load_ethnicities,
    match_key,
)

ALL_54 = [
    "Kinh", "Tày", "Thái", "Hoa", "Khmer", "Mường", "Nùng", "Mông", "Dao", "Gia Rai", "Ngái",
    "Ê Đê", "Ba Na", "Xơ Đăng", "Sán Chay", "Cơ Ho", "Chăm", "Sán Dìu", "Hrê", "Mnông", "Ra Glai",
    "Xtiêng", "Bru-Vân Kiều", "Thổ", "Giáy", "Cơ Tu", "Gié Triêng", "Mạ", "Khơ Mú", "Co", "Tà Ôi",
    "Chơ Ro", "Kháng", "Xinh Mun", "Hà Nhì", "Chu Ru", "Lào", "La Chí", "La Ha", "Phù Lá",
    "La Hủ", "Lự", "Lô Lô", "Chứt", "Mảng", "Pà Thẻn", "Cơ Lao", "Cống", "Bố Y", "Si La",
    "Pu Péo", "Brâu", "Ơ Đu", "Rơ Măm",
]  # fmt: skip


@pytest.fixture(scope="module")
def cat() -> EthnicityCatalogue:
    return load_ethnicities()


@pytest.fixture
def raw() -> dict[str, Any]:
    text = resources.files("domain").joinpath("data/ethnicities.json").read_text(encoding="utf-8")
    return copy.deepcopy(json.loads(text))


def test_all_54_groups_present_in_code_order(cat: EthnicityCatalogue) -> None:
    assert len(ALL_54) == len(set(ALL_54)) == 54
    assert cat.names == tuple(ALL_54)
    assert len(cat) == 54
    assert [g.code for g in cat.groups] == [f"{i:02d}" for i in range(1, 55)]
    assert cat.by_code("01").name == "Kinh"
    assert cat.by_code("07").name == "Nùng"
    assert cat.codes_verified is False
    assert load_ethnicities() is cat


def test_names_are_nfc(cat: EthnicityCatalogue) -> None:
    for name in cat.names:
        assert unicodedata.is_normalized("NFC", name), name


@pytest.mark.parametrize("name", ALL_54)
def test_every_canonical_name_resolves_to_itself(cat: EthnicityCatalogue, name: str) -> None:
    assert cat.canonical(name) == name
    assert cat.canonical(name.upper()) == name
    assert cat.canonical(unicodedata.normalize("NFD", name)) == name


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("Nu\u0300ng", "Nùng"),  # NFD input
        ("  nùng  ", "Nùng"),
        ("TÀY", "Tày"),
        ("H'Mông", "Mông"),
        ("H\u2019Mông", "Mông"),  # typographic apostrophe
        ("Hmông", "Mông"),
        ("H Mông", "Mông"),
        ("Hmong", "Mông"),
        ("Mèo", "Mông"),
        ("Ê-đê", "Ê Đê"),
        ("Êđê", "Ê Đê"),
        ("ê  đê", "Ê Đê"),
        ("Jrai", "Gia Rai"),
        ("Gia-rai", "Gia Rai"),
        ("Khơ-me", "Khmer"),
        ("Hán", "Hoa"),
        ("Bru Vân Kiều", "Bru-Vân Kiều"),
        ("Bru \u2013 Vân Kiều", "Bru-Vân Kiều"),  # en dash
        ("Vân Kiều", "Bru-Vân Kiều"),
        ("Ta Ôi", "Tà Ôi"),
        ("Co Lao", "Cơ Lao"),
        ("Stiêng", "Xtiêng"),
        ("M'Nông", "Mnông"),
        ("Giẻ Triêng", "Gié Triêng"),
    ],
)
def test_variants_resolve(cat: EthnicityCatalogue, given: str, expected: str) -> None:
    assert cat.canonical(given) == expected


def test_minority_status(cat: EthnicityCatalogue) -> None:
    assert cat.majority == "Kinh"
    assert cat.is_minority("Kinh") is False
    assert cat.is_minority("kinh") is False
    assert cat.is_minority("Việt") is False
    assert cat.is_minority("Tày") is True
    assert cat.is_minority("Nu\u0300ng") is True
    assert cat.is_minority("H'Mông") is True
    assert sum(cat.is_minority(n) for n in cat.names) == 53


@pytest.mark.parametrize(
    ("given", "suggestion"),
    [("Tay", "Tày"), ("Nung", "Nùng"), ("Muong", "Mường"), ("Kin", "Kinh"), ("Ede", "Ê Đê")],
)
def test_unknown_is_rejected_with_suggestion(
    cat: EthnicityCatalogue, given: str, suggestion: str
) -> None:
    with pytest.raises(UnknownEthnicityError) as excinfo:
        cat.canonical(given)
    err = excinfo.value
    assert err.suggestions[0] == suggestion
    assert str(err).startswith(f"unknown ethnicity {given!r}; did you mean {suggestion!r}")
    assert isinstance(err, ValueError)


@pytest.mark.parametrize("given", ["Xyz", "", "   ", "Kinh Tày"])
def test_unknown_without_close_match(cat: EthnicityCatalogue, given: str) -> None:
    with pytest.raises(UnknownEthnicityError) as excinfo:
        cat.canonical(given)
    assert cat.find(given) is None
    if not given.strip() or given == "Xyz":
        assert excinfo.value.suggestions == ()
        assert str(excinfo.value) == f"unknown ethnicity {given!r}"


def test_is_minority_rejects_unknown(cat: EthnicityCatalogue) -> None:
    with pytest.raises(UnknownEthnicityError):
        cat.is_minority("Klingon")


def test_match_key() -> None:
    assert match_key("H'Mông") == match_key("hmông") == match_key("H \u2019 Mông")
    assert match_key("Mông") != match_key("Mường")
    assert match_key("Nu\u0300ng") == "nùng"


def test_round_trip(cat: EthnicityCatalogue, raw: dict[str, Any]) -> None:
    again = EthnicityCatalogue.from_dict(cat.to_dict())
    assert again.names == cat.names
    assert again.groups == cat.groups
    assert EthnicityCatalogue.from_dict(raw).groups == cat.groups
    assert Ethnicity("08", "Mông", ("H'Mông",)).to_dict() == {
        "code": "08",
        "name": "Mông",
        "variants": ["H'Mông"],
    }


def _group(raw: dict[str, Any], name: str) -> dict[str, Any]:
    return next(g for g in raw["groups"] if g["name"] == name)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda r: _group(r, "Tày").update(code="01"), "duplicate code '01'"),
        (lambda r: _group(r, "Tày").update(code="2"), "code must be two digits"),
        (lambda r: _group(r, "Tày")["variants"].append("Nùng"), "is ambiguous with"),
        (lambda r: _group(r, "Tày")["variants"].append("h'mong"), "is ambiguous with"),
        (lambda r: _group(r, "Tày")["variants"].append(" - "), "empty name or variant"),
        (lambda r: _group(r, "Tày").update(variants="Tay"), "variants must be a list"),
        (lambda r: _group(r, "Tày").update(name=""), "name must be a non-empty string"),
        (lambda r: _group(r, "Tày").update(name="Ta\u0300y"), "must be NFC"),
        (lambda r: _group(r, "Tày").update(extra=1), "expected the fields"),
        (lambda r: r.update(majority="Việt"), "majority group 'Việt' is not a listed name"),
        (lambda r: r.update(majority="Martian"), "majority group 'Martian'"),
        (lambda r: r.update(groups={}), "groups must be a list"),
        (lambda r: r.update(data_version=None), "data_version must be a non-empty string"),
        (lambda r: r.update(codes_verified="no"), "codes_verified must be a boolean"),
        (lambda r: r.update(other=1), "unknown top-level fields"),
    ],
)
def test_validation_errors(raw: dict[str, Any], mutate: Any, message: str) -> None:
    EthnicityCatalogue.from_dict(raw)  # the unmodified data is valid
    mutate(raw)
    with pytest.raises(EthnicityDataError, match=re.escape(message)):
        EthnicityCatalogue.from_dict(raw)


def test_ethnicity_is_frozen(cat: EthnicityCatalogue) -> None:
    with pytest.raises(AttributeError):
        cat.groups[0].name = "x"  # type: ignore[misc]
