"""Field rules shared by every way in: the HTTP API, the command line and the CSV import.

Each rule is stated once here and applied whole (``fullmatch``, never ``match`` with ``$``, which
lets a trailing newline through): a value that is not exactly right is refused with a message a
clerk can act on, never trimmed or repaired into something valid. The OpenAPI document publishes
the same patterns (``*_PATTERN``).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from domain.errors import FactRejected
from domain.text import nfc

CODE_LETTER = r"0-9A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u024F\u1E00-\u1EFF"
"""Digits and the letters of the Latin script (ASCII, Latin-1, Latin Extended-A/B and Extended
Additional: every Vietnamese letter with its diacritics, in NFC), as a regular-expression class."""

HOUSEHOLD_CODE_PATTERN = rf"[{CODE_LETTER}][{CODE_LETTER}./-]{{0,39}}"
"""A household code (mã hộ): 1–40 letters, digits, ``-``, ``.``, ``/``, starting with a letter or
digit, after NFC. No white space, control or format character (zero-width, right-to-left mark or
override) and no letter of another script (right-to-left letters, look-alike Cyrillic or Greek)
can make two codes that read the same."""

UNIT_CODE_PATTERN = r"[0-9]{2,5}"
"""An administrative unit code: province ``04``, district ``048``, commune ``01558``."""

ISO_DATE_PATTERN = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
"""A civil date written exactly ``YYYY-MM-DD`` (ASCII digits only)."""

MAX_MONEY = 1_000_000_000_000
"""An upper bound on any VND amount (a trillion): larger is a typing error."""

MONEY_PATTERN = r"[0-9]{1,13}"
"""Whole VND as digits, no separators (at most 13 digits: a trillion)."""

SHORT_TEXT = 200
LONG_TEXT = 4000
MIN_YEAR = 1900
MAX_YEAR = 2100

_HOUSEHOLD_CODE = re.compile(HOUSEHOLD_CODE_PATTERN)
_UNIT_CODE = re.compile(UNIT_CODE_PATTERN)
_ISO_DATE = re.compile(ISO_DATE_PATTERN)
_MONEY = re.compile(MONEY_PATTERN)

REFUSED_IN_TEXT = (
    r"\u0000-\u001F\u007F-\u009F\u00AD\u0600-\u0605\u061C\u06DD\u070F\u0890-\u0891\u08E2"
    r"\u180E\u200B-\u200F\u2028-\u202E\u2060-\u2064\u2066-\u206F\uFEFF\uFFF9-\uFFFB"
)
"""The characters of the Basic Multilingual Plane that no text field accepts (control, format,
line and paragraph separators; Unicode 14), as a regular-expression class (a data table, checked
against :func:`refused_character` by the tests). A lone surrogate is refused before any field is
read; the few format characters beyond the BMP (tags) are refused too but not listed here."""

TEXT_PATTERN = rf"[^{REFUSED_IN_TEXT}]*"
"""Free text on one line, as the OpenAPI document states it."""

MULTILINE_TEXT_PATTERN = rf"(?:[\t\n\r]|[^{REFUSED_IN_TEXT}])*"
"""Free text over several lines: as :data:`TEXT_PATTERN`, and tabs and line breaks."""

_REFUSED_CATEGORIES = frozenset({"Cc", "Cs", "Cf", "Zl", "Zp"})
"""Control, lone surrogate, format (zero-width, bidirectional overrides), line and paragraph
separators: never part of a name, a number or a note as a person typed it."""
_MULTILINE_ALLOWED = frozenset("\n\r\t")


class FieldRejected(FactRejected):
    """A value that breaks a field rule (answered 422 with its field path)."""


def household_code(value: object, field: str = "code") -> str:
    """The household code (in NFC), if ``value`` is exactly one (:data:`HOUSEHOLD_CODE_PATTERN`)."""
    if isinstance(value, str) and len(value) <= 4 * 40:
        code = unicodedata.normalize("NFC", value)
        if _HOUSEHOLD_CODE.fullmatch(code):
            return code
    raise FieldRejected(
        field,
        "a household code is 1 to 40 letters, digits, '-', '.' or '/', starting with a letter or "
        f"digit, nothing else (e.g. 01558-0042); got {_shown(value)}",
    )


def unit_code(value: object, field: str = "unit") -> str:
    """The unit code, if ``value`` is exactly one (see :data:`UNIT_CODE_PATTERN`)."""
    if not isinstance(value, str) or not _UNIT_CODE.fullmatch(value):
        raise FieldRejected(
            field,
            "a unit code is 2 to 5 digits (e.g. 04, 048, 01558), nothing else; "
            f"got {_shown(value)}",
        )
    return value


def is_unit_code(value: object) -> bool:
    """Whether ``value`` is exactly a unit code."""
    return isinstance(value, str) and _UNIT_CODE.fullmatch(value) is not None


def iso_date(value: object, field: str = "effective_on") -> date:
    """A civil date from its exact ``YYYY-MM-DD`` text."""
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise FieldRejected(field, f"not a valid date: write it as YYYY-MM-DD; got {_shown(value)}")


def money(value: object, field: str) -> int:
    """An amount of VND: an integer from 0 to :data:`MAX_MONEY`."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_MONEY:
        raise FieldRejected(field, f"must be a whole number of VND from 0 to {MAX_MONEY:,}")
    return value


def parse_money(text: str, field: str) -> int:
    """An amount of VND written as digits (a CSV cell, a command-line option)."""
    if not _MONEY.fullmatch(text):
        raise FieldRejected(
            field,
            f"must be a whole number of VND from 0 to {MAX_MONEY:,}, digits only "
            f"(no separators, signs or decimals); got {_shown(text)}",
        )
    return money(int(text), field)


def parse_year(text: str, field: str) -> int:
    """A calendar year written as digits."""
    if not re.fullmatch(r"[0-9]{4}", text) or not MIN_YEAR <= int(text) <= MAX_YEAR:
        raise FieldRejected(
            field, f"must be a year from {MIN_YEAR} to {MAX_YEAR}; got {_shown(text)}"
        )
    return int(text)


def refused_character(value: str, *, multiline: bool = False) -> str | None:
    """The first character no text field accepts (control, format, separator), or None."""
    for ch in value:
        if unicodedata.category(ch) in _REFUSED_CATEGORIES and not (
            multiline and ch in _MULTILINE_ALLOWED
        ):
            return ch
    return None


def text(
    value: object,
    field: str,
    *,
    max_length: int = SHORT_TEXT,
    multiline: bool = False,
    blank: bool = False,
) -> str:
    """Free text: NFC, trimmed, without control or format characters, within a length limit."""
    if not isinstance(value, str):
        raise FieldRejected(field, "must be text")
    if len(value) > max_length:
        raise FieldRejected(field, f"longer than {max_length} characters")
    bad = refused_character(value, multiline=multiline)
    if bad is not None:
        raise FieldRejected(
            field, f"must not contain control or format characters (found U+{ord(bad):04X})"
        )
    cleaned = nfc(value)
    if not cleaned and not blank:
        raise FieldRejected(field, "must not be empty")
    return cleaned


def _shown(value: object) -> str:
    """A value as it can be shown in a message (escaped, shortened)."""
    shown = ascii(value)
    return shown if len(shown) <= 60 else shown[:57] + "..."
