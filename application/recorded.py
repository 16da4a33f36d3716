"""What recording a fact answers (201): the household, its new version and the recording moment,
and for some facts what the server decided or created. The API's schemas dump these objects."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.standards import Classification


@dataclass(frozen=True)
class Recorded:
    """A fact stored: the household's new ``version`` (for ``If-Match``) and ``recorded_at``."""

    household_id: str
    version: int
    recorded_at: datetime


@dataclass(frozen=True)
class Registered(Recorded):
    """A household registered, with its code as stored (NFC)."""

    code: str


@dataclass(frozen=True)
class Assessed(Recorded):
    """An assessment recorded, with the classification the server computed and the review's
    kind, list year and standard as resolved."""

    classification: Classification
    kind: str
    list_year: int
    standard: str


@dataclass(frozen=True)
class Recognised(Recorded):
    """A decision recorded, with the transition it makes on its date."""

    transition: str | None
    status: str
    contradicts_assessment: bool


@dataclass(frozen=True)
class SponsorshipStarted(Recorded):
    """A sponsorship started; its id ends it later."""

    sponsorship_id: str


@dataclass(frozen=True)
class ComplaintFiled(Recorded):
    """A complaint filed; its id records the resolution later."""

    complaint_id: str


@dataclass(frozen=True)
class BatchRecognised:
    """One decision recorded for many households."""

    decision_number: str
    effective_on: str
    items: list[Recognised]
