"""Text hygiene for facts: Vietnamese arrives both composed (NFC) and decomposed (NFD).

Two spellings of "Nùng" that differ only in Unicode normal form must be the same fact, so every
string that enters a fact is normalised to NFC here, once.
"""

from __future__ import annotations

import unicodedata
from typing import Any


def nfc(text: str) -> str:
    """Return ``text`` in Unicode normal form C with surrounding white space removed."""
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return text.strip()


def normalise(value: Any) -> Any:
    """Normalise every string inside ``value`` (recursing through dicts, lists and tuples)."""
    if isinstance(value, str):
        return nfc(value)
    if isinstance(value, dict):
        return {nfc(k) if isinstance(k, str) else k: normalise(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [normalise(v) for v in value]
    return value
