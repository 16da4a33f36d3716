"""Rule ``reserved_programme_ineligible``: support from a reserved programme to a household
that was neither poor nor near-poor (nor, where the programme allows it, newly exited)."""

from __future__ import annotations

from datetime import date

from domain.events import (
    SupportDelivered,
)
from domain.supervision.history import Anomaly, History, exits_before, status_on
from domain.supervision.programmes import ProgrammeCatalogue
from domain.supervision.text import (
    vnd,
)


def find(h: History, as_of: date, programmes: ProgrammeCatalogue) -> list[Anomaly]:
    """Supports on or before ``as_of`` under a reserved programme, to a household that was not
    admitted on the support's date, as known when the support was recorded."""
    out = []
    for s in h.facts:
        if type(s) is not SupportDelivered or s.effective_on > as_of:
            continue
        rules = programmes.matching(s)
        if not rules:
            continue
        v = s.originator_version
        timeline = h.timeline_for(v, s.effective_on, cut=False)
        period = status_on(timeline, s.effective_on)
        status = period.status if period is not None else "not_poor"
        if any(status in r.eligible_statuses for r in rules):
            continue
        exits = exits_before(timeline, s.effective_on)
        if any(r.admits(status, exits, s.effective_on) for r in rules):
            continue
        versions = [v]
        decided = ""
        if period is not None and period.version is not None:
            versions.append(period.version)
            decided = (
                f" by decision {period.decision['number'] if period.decision else '?'} of "
                f"{period.valid_from.isoformat()} (v{period.version})"
            )
        elif period is None or not period.recognised:
            decided = " (never recognised poor or near-poor by then)"
        last_exit = f"; last exit {exits[-1][0].isoformat()}" if exits else ""
        out.append(
            h.anomaly(
                "reserved_programme_ineligible",
                s.effective_on,
                versions,
                f"support v{v} ({s.category}, programme {s.programme!r}, funding "
                f"{s.funding_source!r}, {vnd(s.amount_vnd)}, provider {s.provider!r}) took "
                f"effect on {s.effective_on.isoformat()}, when the household was {status}"
                f"{decided}{last_exit}; "
                + (
                    f"the programme rules {', '.join(r.describe() for r in rules)} admit"
                    if len(rules) > 1
                    else f"the programme rule {rules[0].describe()} admits"
                )
                + " no such household",
                v,
                details={
                    "status": status,
                    "programme_rules": [r.code for r in rules],
                    "unverified_rule": any(not r.verified for r in rules),
                    "amount_vnd": s.amount_vnd,
                    "last_exit": exits[-1][0].isoformat() if exits else None,
                },
            )
        )
    return out
