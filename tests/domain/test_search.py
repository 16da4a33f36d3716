"""Accent-insensitive search keys: what an officer types finds what the record holds."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.search import fold_text, matches, search_key, search_terms


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Nông Văn Tư", "nong van tu"),
        ("Đàm Thị Hoa", "dam thi hoa"),
        ("đường", "duong"),
        ("  Bản   Khau ", "ban khau"),
        ("NÀ LỦNG", "na lung"),
        ("Hoàng Đức Anh", "hoang duc anh"),
        ("01564-0042", "01564-0042"),
        ("", ""),
    ],
)
def test_folding(text: str, folded: str) -> None:
    assert fold_text(text) == folded


@given(st.text())
def test_composed_and_decomposed_spellings_fold_alike(text: str) -> None:
    assert fold_text(unicodedata.normalize("NFC", text)) == fold_text(
        unicodedata.normalize("NFD", text)
    )
    assert fold_text(fold_text(text)) == fold_text(text)


def test_every_word_must_occur() -> None:
    key = search_key("01564-0001", "Nông Văn Tư", "Bản Khau")
    assert matches(key, search_terms("Nong Van Tu"))
    assert matches(key, search_terms("tu khau 0001"))
    assert not matches(key, search_terms("tu hoa"))
    assert matches(key, search_terms(""))  # no words: everything
    assert search_terms("Tư tu TƯ") == ("tu",)
