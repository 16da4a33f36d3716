"""Accent-insensitive text search over Vietnamese names (tìm kiếm không dấu).

Officers type names without diacritics ("Nong Van Tu") and expect to find "Nông Văn Tư". Both the
stored key and the query are folded the same way: decomposed (NFD), combining marks dropped
(tone marks, breve, circumflex, horn), ``đ``/``Đ`` read as ``d``, case folded, white space
collapsed. A query matches when every one of its words occurs in the key.
"""

from __future__ import annotations

import unicodedata

_STROKED_D = str.maketrans({"đ": "d", "Đ": "d"})


def fold_text(text: str) -> str:
    """``text`` without diacritics, in lower case, with single spaces between words."""
    decomposed = unicodedata.normalize("NFD", text.translate(_STROKED_D))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


def search_key(*parts: str | None) -> str:
    """The folded key a household is found by (its code, head's name and village)."""
    return fold_text(" ".join(p for p in parts if p))


def search_terms(query: str) -> tuple[str, ...]:
    """The folded words of a query, each of which must occur in a key (duplicates dropped)."""
    return tuple(dict.fromkeys(fold_text(query).split()))


def matches(key: str, terms: tuple[str, ...]) -> bool:
    """Whether every term occurs in ``key`` (what the SQL ``LIKE`` filters compute)."""
    return all(term in key for term in terms)
