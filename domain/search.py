"""Accent-insensitive text search over Vietnamese names (tìm kiếm không dấu).

Officers type names without diacritics ("Nong Van Tu") and expect to find "Nông Văn Tư". Both the
stored key and the query are folded the same way: decomposed (NFD), combining marks dropped
(tone marks, breve, circumflex, horn), ``đ``/``Đ`` read as ``d``, case folded, white space
collapsed. A query matches when every one of its words occurs in the key.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

_STROKED_D = str.maketrans({"đ": "d", "Đ": "d"})
_NO_MARKS = dict.fromkeys(c for c in range(0x20000) if unicodedata.combining(chr(c)))
"""Every character with a combining class (they all lie below U+20000): removed by folding."""


def fold_text(text: str) -> str:
    """``text`` without diacritics, in lower case, with single spaces between words."""
    decomposed = unicodedata.normalize("NFD", text.translate(_STROKED_D))
    return " ".join(decomposed.translate(_NO_MARKS).casefold().split())


@lru_cache(maxsize=65536)
def search_key(*parts: str | None) -> str:
    """The folded key a household is found by (its code, head's name and village)."""
    return fold_text(" ".join(p for p in parts if p))


def search_terms(query: str) -> tuple[str, ...]:
    """The folded words of a query, each of which must occur in a key (duplicates dropped)."""
    return tuple(dict.fromkeys(fold_text(query).split()))


def matches(key: str, terms: tuple[str, ...]) -> bool:
    """Whether every term occurs in ``key`` (what the SQL ``LIKE`` filters compute)."""
    return all(term in key for term in terms)
