"""Separation of duties: who may not inspect a household."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from domain.events import (
    Assessed,
    Recognised,
)
from domain.situation import unvoided
from domain.supervision.assessor_sponsor import active_sponsorships
from domain.supervision.text import (
    fold_text,
    person_keys,
)


def duty_conflict(facts: Sequence[Any], inspector: str, today: date) -> str | None:
    """Why ``inspector`` may not inspect this household, or None.

    They may not if they assessed it (an assessment they recorded or made as assessor), recognised
    it (a decision they recorded or signed), or sponsor it (an active sponsorship in their name
    today). Retracted facts count: having done the work is the conflict.
    """
    me = person_keys(inspector)
    if not me:
        return None
    for f in facts:
        kind = type(f)
        if kind is Assessed:
            if fold_text(f.recorded_by) in me or fold_text(f.assessor) in me:
                role = "recorded" if fold_text(f.recorded_by) in me else "made, as assessor,"
                return (
                    f"{inspector} {role} assessment v{f.originator_version} of "
                    f"{f.effective_on.isoformat()} of this household; an inspector may not "
                    "inspect a household they assessed"
                )
        elif kind is Recognised and (
            fold_text(f.recorded_by) in me or fold_text(f.signed_by) in me
        ):
            role = "recorded" if fold_text(f.recorded_by) in me else "signed"
            return (
                f"{inspector} {role} decision {f.decision_number} (v{f.originator_version}) of "
                f"{f.effective_on.isoformat()} recognising this household {f.status}; an "
                "inspector may not inspect a household they recognised"
            )
    if facts:
        live = unvoided(facts)
        for s in active_sponsorships(live, today):
            if me & person_keys(s.sponsor.get("name")):
                return (
                    f"{inspector} is the active sponsor of this household (sponsorship "
                    f"v{s.originator_version} since {s.effective_on.isoformat()}); an inspector "
                    "may not inspect a household they sponsor"
                )
    return None
