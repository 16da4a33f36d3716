"""Rule ``self_retraction``: a fact voided by a retraction of the user who recorded it."""

from __future__ import annotations

from datetime import date

from domain.events import (
    Retracted,
    fact_type,
)
from domain.supervision.history import Anomaly, History
from domain.supervision.text import (
    fold_text,
)


def find(h: History, as_of: date) -> list[Anomaly]:
    """Retractions recorded by the user who recorded the fact they void."""
    out = []
    for r in h.facts:
        if type(r) is not Retracted or r.effective_on > as_of:
            continue
        target = h.fact(r.version)
        if fold_text(target.recorded_by) != fold_text(r.recorded_by):
            continue
        out.append(
            h.anomaly(
                "self_retraction",
                r.effective_on,
                [r.version, r.originator_version],
                f"{fact_type(target)} v{r.version} (recorded "
                f"{target.timestamp.isoformat()} by {target.recorded_by}) was retracted by "
                f"v{r.originator_version} ({r.timestamp.isoformat()}) by the same user; reason: "
                f"{r.reason!r}",
                r.originator_version,
                details={"user": r.recorded_by, "reason": r.reason},
                correctable=False,
            )
        )
    return out
