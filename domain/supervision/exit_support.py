"""Rule ``exit_registration_without_support``: registered to exit, no support within 12 months."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo

from domain.events import (
    Closed,
    ExitRegistered,
    SupportDelivered,
)
from domain.supervision.history import Anomaly, History
from domain.supervision.rules import Limits
from domain.supervision.text import (
    add_months,
    end_of_day,
)


def find(
    h: History, as_of: date, known_at: datetime, zone: tzinfo, limits: Limits
) -> list[Anomaly]:
    """Registrations to exit whose 12 months passed without support, exit or closure, judged as
    known 90 days after the window closed (entries within 90 days of taking effect are on time;
    a support entered later is itself a late entry and does not clear it)."""
    out = []
    for e in h.facts:
        if type(e) is not ExitRegistered:
            continue
        deadline = add_months(e.effective_on, limits.exit_support_months)
        if deadline >= as_of:
            continue  # the 12 months are not over on as_of
        moment = max(
            e.timestamp,
            min(
                known_at,
                end_of_day(deadline + timedelta(days=limits.on_time_days), zone).astimezone(UTC),
            ),
        )
        p = h.prefix_at(moment)
        live = h.live_known_by(p)
        if not any(f is e for f in live):
            continue  # retracted by then
        window = (e.effective_on, deadline)
        if any(
            type(f) is SupportDelivered and window[0] <= f.effective_on <= window[1] for f in live
        ):
            continue
        if any(type(f) is Closed and f.effective_on <= deadline for f in live):
            continue
        timeline = h.timeline_for(p, deadline)
        if any(
            t.transition == "exited_poverty" and window[0] <= t.valid_from <= window[1]
            for t in timeline
        ):
            continue  # it exited within the window: the registration was fulfilled
        v = e.originator_version
        out.append(
            h.anomaly(
                "exit_registration_without_support",
                deadline,
                [v],
                f"registered to exit poverty on {e.effective_on.isoformat()} (v{v}, target "
                f"{e.target_year}); no support took effect from then to {deadline.isoformat()} "
                f"({limits.exit_support_months} months) and the household was neither exited "
                f"nor closed by then, as recorded by {moment.isoformat()}",
                moment,
                details={
                    "registered_on": e.effective_on.isoformat(),
                    "window_until": deadline.isoformat(),
                    "target_year": e.target_year,
                },
            )
        )
    return out
