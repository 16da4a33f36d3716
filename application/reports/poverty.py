"""The poverty report: households, poor and near-poor on a date, by child unit and flag."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from application.reports.scope import UnitScope, unit_dict
from application.reports.sources import ReportSource
from application.reports.tally import Tally, tally_by_group
from domain.units import UnitCatalogue


def poverty_report(
    source: ReportSource,
    units: UnitCatalogue,
    *,
    unit: str,
    as_of: date,
    known_at: datetime | None,
    today: date,
    units_mode: str = "historical",
) -> dict[str, Any]:
    """Households, poor, near-poor and rates on ``as_of`` as known at ``known_at``, by child
    unit and by ethnic-minority flag."""
    scope = UnitScope(units, unit, mode=units_mode, today=today)
    day = scope.on(as_of)
    total, groups = tally_by_group(source.census(as_of, known_at), day)
    for g in scope.groups_on(as_of):
        groups.setdefault(g.key, (g, Tally()))
    return {
        "report": "poverty",
        "unit": scope.named(as_of),
        "as_of": as_of.isoformat(),
        "units": units_mode,
        **total.figures(),
        "by_ethnic_minority": {
            "ethnic_minority": total.figures(em=True),
            "not_ethnic_minority": total.others(),
        },
        "by_unit": [
            {
                "unit": unit_dict(g, as_of),
                **t.figures(),
                "ethnic_minority": t.figures(em=True),
            }
            for g, t in sorted(groups.values(), key=lambda gt: (gt[0].code, gt[0].valid_from))
        ],
        "notes": [n for n in (day.note, scope.coverage_note(as_of)) if n],
    }
