"""The anomaly rules: their codes, severities and meanings, and the numbers they use."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

from domain.vocabulary import FINDING_SEVERITIES


@dataclass(frozen=True)
class Rule:
    """One anomaly rule: its code, default severity and what it means."""

    code: str
    severity: str
    title: str
    description: str

    def to_dict(self) -> dict[str, str]:
        """JSON-ready form."""
        return {
            "code": self.code,
            "severity": self.severity,
            "title": self.title,
            "description": self.description,
        }


RULES: Final[dict[str, Rule]] = {
    r.code: r
    for r in (
        Rule(
            "reserved_programme_ineligible",
            "major",
            "Support from a reserved programme to an ineligible household",
            "Support from a programme reserved for poor or near-poor households (programme rules "
            "are data) delivered on a date when the household was neither, as known when the "
            "support was recorded.",
        ),
        Rule(
            "recognition_contradicts_assessment",
            "major",
            "Decision contradicts the assessment",
            "A commune decision whose status differs from the classification of the latest "
            "assessment dated on or before it, as known when the decision was recorded.",
        ),
        Rule(
            "re_poverty_within_24_months",
            "minor",
            "Re-poverty within 24 months of an exit",
            "A household recognised poor again at most 24 calendar months after a decision that "
            "took it out of poverty.",
        ),
        Rule(
            "poor_without_sponsor",
            "minor",
            "Poor household without a sponsor for more than 90 days",
            "A household recognised poor had no active sponsorship for more than 90 consecutive "
            "days.",
        ),
        Rule(
            "exit_registration_without_support",
            "minor",
            "Registered to exit, no support within 12 months",
            "A household registered to exit poverty received no support in the 12 months that "
            "followed, while it stayed registered (not exited, not closed).",
        ),
        Rule(
            "double_funding",
            "major",
            "Same support from two providers within 30 days",
            "Two supports with the same category, programme and amount, from two different "
            "providers, dated at most 30 days apart.",
        ),
        Rule(
            "late_entry",
            "minor",
            "Fact recorded more than 90 days after it took effect",
            "A fact whose recording date is more than 90 days after its effective date (major "
            "beyond 365 days).",
        ),
        Rule(
            "self_retraction",
            "minor",
            "Retraction by the user who recorded the fact",
            "A fact voided by a retraction recorded by the same user who recorded the fact.",
        ),
        Rule(
            "assessor_is_sponsor",
            "critical",
            "Assessment by the household's sponsor",
            "An assessment whose assessor or recording user is the household's active sponsor on "
            "the assessment date (conflict of interest).",
        ),
    )
}
"""Every rule, by code."""

RULE_CODES: Final = tuple(RULES)

SEVERITY_RANK: Final = {s: i for i, s in enumerate(FINDING_SEVERITIES)}
"""info < minor < major < critical (the severities of inspection findings)."""

SEVERITY_POINTS: Final = {"info": 0.0, "minor": 1.0, "major": 3.0, "critical": 5.0}
"""How much an open anomaly adds to a household's inspection weight."""


@dataclass(frozen=True)
class Limits:
    """The numbers of the rules (days and months), in one place."""

    late_entry_days: int = 90
    late_entry_major_days: int = 365
    sponsor_gap_days: int = 90
    re_poverty_months: int = 24
    exit_support_months: int = 12
    double_funding_days: int = 30
    on_time_days: int = 90
    """Entries recorded within this many days of taking effect are on time (window rules)."""
    sponsorship_from: date = date(2017, 11, 9)
    """Sponsorship of every poor household was asked for by the campaign (notice 393/PĐ-UBND of
    9 November 2017); days without a sponsor are counted from then on."""


LIMITS: Final = Limits()
