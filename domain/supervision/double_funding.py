"""Rule ``double_funding``: the same support from two providers within 30 days."""

from __future__ import annotations

from datetime import date
from typing import Any

from domain.events import (
    SupportDelivered,
)
from domain.supervision.history import Anomaly, History
from domain.supervision.rules import Limits
from domain.supervision.text import (
    fold_text,
    vnd,
)


def find(h: History, as_of: date, limits: Limits) -> list[Anomaly]:
    """Pairs of the same support (category, programme, amount) from two providers, at most
    ``limits.double_funding_days`` apart, the first not yet retracted when the second was recorded."""
    groups: dict[tuple[str, str, int], list[Any]] = {}
    for s in h.facts:
        if type(s) is SupportDelivered and s.effective_on <= as_of:
            groups.setdefault((s.category, fold_text(s.programme), s.amount_vnd), []).append(s)
    out = []
    for same in groups.values():
        if len(same) < 2:
            continue
        for j, later in enumerate(same):
            live = None
            for earlier in same[:j]:
                if fold_text(earlier.provider) == fold_text(later.provider):
                    continue
                apart = abs((later.effective_on - earlier.effective_on).days)
                if apart > limits.double_funding_days:
                    continue
                if live is None:
                    live = {f.originator_version for f in h.live_known_by(later.originator_version)}
                if earlier.originator_version not in live:
                    continue  # already retracted when the second was recorded
                a, b = earlier.originator_version, later.originator_version
                out.append(
                    h.anomaly(
                        "double_funding",
                        max(earlier.effective_on, later.effective_on),
                        [a, b],
                        f"the same support ({later.category}, programme {later.programme!r}, "
                        f"{vnd(later.amount_vnd)}) was recorded from {earlier.provider!r} "
                        f"(v{a}, {earlier.effective_on.isoformat()}) and from "
                        f"{later.provider!r} (v{b}, {later.effective_on.isoformat()}), "
                        f"{apart} days apart (limit {limits.double_funding_days})",
                        b,
                        details={
                            "days_apart": apart,
                            "providers": [earlier.provider, later.provider],
                            "amount_vnd": later.amount_vnd,
                        },
                    )
                )
    return out
