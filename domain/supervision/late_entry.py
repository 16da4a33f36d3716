"""Rule ``late_entry``: a fact recorded more than 90 days after it took effect."""

from __future__ import annotations

from datetime import date, tzinfo

from domain.events import (
    Retracted,
    fact_type,
)
from domain.supervision.history import Anomaly, History
from domain.supervision.rules import Limits
from domain.supervision.text import (
    local_date,
)


def find(h: History, as_of: date, zone: tzinfo, limits: Limits) -> list[Anomaly]:
    """Facts whose local recording date lies more than ``limits.late_entry_days`` after their
    effective date (major beyond ``limits.late_entry_major_days``)."""
    out = []
    for f in h.facts:
        if type(f) is Retracted or f.effective_on > as_of:
            continue
        if (f.timestamp.date() - f.effective_on).days < limits.late_entry_days:
            continue  # a local date is at most a day off the UTC one: surely on time
        days = (local_date(f.timestamp, zone) - f.effective_on).days
        if days <= limits.late_entry_days:
            continue
        v = f.originator_version
        out.append(
            h.anomaly(
                "late_entry",
                f.effective_on,
                [v],
                f"{fact_type(f)} v{v} took effect on {f.effective_on.isoformat()} but was "
                f"recorded on {local_date(f.timestamp, zone).isoformat()} by {f.recorded_by}: "
                f"{days} days later (limit {limits.late_entry_days})",
                v,
                severity="major" if days > limits.late_entry_major_days else None,
                details={"days_late": days, "type": fact_type(f)},
            )
        )
    return out
