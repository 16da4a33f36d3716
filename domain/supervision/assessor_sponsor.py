"""Rule ``assessor_is_sponsor``: an assessment made or recorded by the household's sponsor."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from domain.events import (
    Assessed,
    SponsorshipEnded,
    SponsorshipStarted,
)
from domain.supervision.history import Anomaly, History
from domain.supervision.text import (
    fold_text,
    person_keys,
)


def active_sponsorships(live: Sequence[Any], on: date) -> list[Any]:
    """The live sponsorships active on ``on`` (started on or before, not ended by then)."""
    ended = {f.sponsorship_id for f in live if type(f) is SponsorshipEnded and f.effective_on <= on}
    return [
        f
        for f in live
        if type(f) is SponsorshipStarted and f.effective_on <= on and f.sponsorship_id not in ended
    ]


def find(h: History, as_of: date) -> list[Anomaly]:
    """Assessments whose assessor or recording user is a sponsor active on the assessment's date."""
    sponsors = [f for f in h.facts if type(f) is SponsorshipStarted]
    if not sponsors:
        return []
    names: set[str] = set()
    for s in sponsors:
        names |= person_keys(s.sponsor.get("name"))
    out = []
    for a in h.facts:
        if type(a) is not Assessed or a.effective_on > as_of:
            continue
        who = {"assessor": fold_text(a.assessor), "recorded_by": fold_text(a.recorded_by)}
        if not names & set(who.values()):
            continue  # cheap: no sponsor ever bore either name
        v = a.originator_version
        for s in active_sponsorships(h.live_known_by(v), a.effective_on):
            keys = person_keys(s.sponsor.get("name"))
            roles = [role for role, name in who.items() if name in keys]
            if not roles:
                continue
            out.append(
                h.anomaly(
                    "assessor_is_sponsor",
                    a.effective_on,
                    [s.originator_version, v],
                    f"assessment v{v} of {a.effective_on.isoformat()} was made by "
                    f"{a.assessor!r} and recorded by {a.recorded_by!r}; "
                    f"{' and '.join(roles)} is the household's sponsor "
                    f"{s.sponsor.get('name')!r} (sponsorship v{s.originator_version} since "
                    f"{s.effective_on.isoformat()})",
                    v,
                    details={"sponsor": s.sponsor.get("name"), "as": roles},
                )
            )
    return out
