"""Rule ``re_poverty_within_24_months``: poor again at most 24 calendar months after an exit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from domain.events import (
    Recognised,
)
from domain.situation import StatusPeriod
from domain.supervision.history import Anomaly, History
from domain.supervision.rules import Limits
from domain.supervision.text import (
    add_months,
    months_between,
)


def repoverty_pairs(
    timeline: Sequence[StatusPeriod], months: int
) -> list[tuple[StatusPeriod, StatusPeriod]]:
    """(exit, re-poor) pairs of a timeline at most ``months`` apart."""
    pairs = []
    last_exit: StatusPeriod | None = None
    for p in timeline:
        if p.transition == "exited_poverty":
            last_exit = p
        elif p.transition == "re_poor" and last_exit is not None:
            if p.valid_from <= add_months(last_exit.valid_from, months):
                pairs.append((last_exit, p))
            last_exit = None
    return pairs


def _explain(exit_p: StatusPeriod, back: StatusPeriod, months: float, limit: int) -> str:
    return (
        f"exited poverty by decision "
        f"{exit_p.decision['number'] if exit_p.decision else '?'} "
        f"(v{exit_p.version}) of {exit_p.valid_from.isoformat()}, recognised poor "
        f"again by decision {back.decision['number'] if back.decision else '?'} "
        f"(v{back.version}) of {back.valid_from.isoformat()}: "
        f"{months:.1f} months later (limit {limit})"
    )


def find(h: History, as_of: date, limits: Limits) -> list[Anomaly]:
    """Re-poverty within the limit, each pair reported once, when the decision that completes it
    was recorded."""
    out: list[Anomaly] = []
    seen_pairs: set[tuple[int, int]] = set()
    cache: dict[int, list[tuple[StatusPeriod, StatusPeriod]]] = {}
    for r in h.facts:
        if type(r) is not Recognised or r.effective_on > as_of:
            continue
        v = r.originator_version
        day = h.horizon(v)
        timeline = h.timeline_for(v, day, cut=False)
        pairs = cache.get(id(timeline))
        if pairs is None:
            pairs = cache[id(timeline)] = repoverty_pairs(timeline, limits.re_poverty_months)
        for exit_p, back in pairs:
            pair = (exit_p.version or 0, back.version or 0)
            if (
                pair in seen_pairs
                or v not in pair
                or back.valid_from > as_of
                or back.valid_from > day  # not yet known when fact v was recorded
            ):
                continue
            seen_pairs.add(pair)
            months = months_between(exit_p.valid_from, back.valid_from)
            out.append(
                h.anomaly(
                    "re_poverty_within_24_months",
                    back.valid_from,
                    pair,
                    _explain(exit_p, back, months, limits.re_poverty_months),
                    v,
                    details={
                        "exited_on": exit_p.valid_from.isoformat(),
                        "re_poor_on": back.valid_from.isoformat(),
                        "months": round(months, 1),
                    },
                )
            )
    return out
