"""Small helpers the rules share: calendar months, civil dates, folded names, fact references."""

from __future__ import annotations

import calendar
import re
import unicodedata
from datetime import date, datetime, time, tzinfo
from functools import lru_cache
from typing import Any

from domain.events import (
    fact_type,
)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` calendar months later (clamped to the month's last day)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def months_between(start: date, end: date) -> float:
    """Elapsed months from ``start`` to ``end`` (days ÷ 30.4375; negative if ``end`` is earlier)."""
    return (end - start).days / 30.4375


def local_date(moment: datetime, zone: tzinfo) -> date:
    """The civil date of ``moment`` in ``zone``."""
    return moment.astimezone(zone).date()


def end_of_day(day: date, zone: tzinfo) -> datetime:
    """The last microsecond of ``day`` in ``zone`` (an aware datetime)."""
    return datetime.combine(day, time.max, tzinfo=zone)


_NON_WORD = re.compile(r"[^0-9a-z]+")


@lru_cache(maxsize=65536)
def fold_text(text: str | None) -> str:
    """Case, Vietnamese diacritics and punctuation folded away: ``"Nghị quyết 30a"`` →
    ``"nghi quyet 30a"``. Used to match programme names and people's names."""
    if not text:
        return ""
    t = unicodedata.normalize("NFC", text).replace("Đ", "D").replace("đ", "d")
    t = "".join(c for c in unicodedata.normalize("NFD", t) if not unicodedata.combining(c))
    return _NON_WORD.sub(" ", t.casefold()).strip()


def person_keys(name: str | None) -> frozenset[str]:
    """The folded forms under which a person or body is recognised: the whole name and, for
    ``"Nông Văn Tú, Phó Chủ tịch UBND xã"``, the name before the first comma."""
    if not name:
        return frozenset()
    keys = {fold_text(name), fold_text(name.split(",")[0])}
    return frozenset(k for k in keys if k)


def fact_ref(f: Any) -> dict[str, Any]:
    """A short, JSON-ready description of one fact (what an anomaly lists as its evidence)."""
    return {
        "version": f.originator_version,
        "type": fact_type(f),
        "effective_on": f.effective_on.isoformat(),
        "recorded_at": f.timestamp.isoformat(),
        "recorded_by": f.recorded_by,
    }


def vnd(amount: int) -> str:
    return f"{amount:,} VND"
