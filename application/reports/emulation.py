"""The emulation report (thi đua): communes ranked on the campaign's criteria, with reasons,
and exemplary households (registered to exit, exited, not poor again within two years)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from application.reports.errors import ReportError
from application.reports.replay import HouseholdReplay, add_years
from application.reports.scope import UnitScope, unit_dict
from application.reports.targets import RE_POVERTY_WINDOW_YEARS
from domain.events import ExitRegistered
from domain.situation import StatusPeriod
from domain.units import UnitCatalogue


def _margin(row: Mapping[str, Any]) -> float | None:
    r = row["reduction"]
    if not r or r.get("reduction_pp") is None:
        return None
    return round(r["reduction_pp"] - r["target_pp"], 2)


def _re_poor_share(row: Mapping[str, Any]) -> float | None:
    return row["re_poverty"]["share"]


CRITERIA: tuple[dict[str, Any], ...] = (
    {
        "name": "reduction_against_target_pp",
        "value": _margin,
        "higher_is_better": True,
        "label": "reduction minus target (pp)",
    },
    {
        "name": "sponsor_coverage_percent",
        "value": lambda row: row["sponsorship"]["share"],
        "higher_is_better": True,
        "label": "poor households with an active sponsor (%)",
    },
    {
        "name": "re_poverty_percent",
        "value": _re_poor_share,
        "higher_is_better": False,
        "label": "exits of the year followed by re-poverty within two years (%)",
    },
    {
        "name": "registered_exits_percent",
        "value": lambda row: row["exit_registrations"]["share"],
        "higher_is_better": True,
        "label": "households registered to exit that exited (%)",
    },
)
"""The criteria, each with how to read it from a campaign row and which way is better."""

METHOD = (
    "each commune is ranked on every criterion (1 = best; missing figures rank last); the score "
    "is the sum of ranks, lower is better; ties go to the larger reduction against target, then "
    "to the unit code"
)


def _better(w: Any, v: Any, c: Mapping[str, Any]) -> bool:
    return w > v if c["higher_is_better"] else w < v


def _reasons(
    row: Mapping[str, Any], values: Mapping[str, Any], ranks: Mapping[str, int], n: int
) -> list[str]:
    reasons = []
    for c in CRITERIA:
        v = values[c["name"]]
        shown = "no figure" if v is None else f"{v}"
        reasons.append(f"{c['label']}: {shown} (rank {ranks[c['name']]} of {n})")
    r = row["reduction"]
    if r and r.get("target_met") is not None:
        reasons.insert(
            0,
            f"reduction {r['reduction_pp']} pp against a target of {r['target_pp']} pp: "
            + ("met" if r["target_met"] else "not met"),
        )
    return reasons


def rank_communes(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Rank communes on :data:`CRITERIA` (sum of ranks) with the reasons for each rank."""
    n = len(rows)
    ranks: list[dict[str, int]] = [{} for _ in rows]
    values: list[dict[str, Any]] = [{} for _ in rows]
    for c in CRITERIA:
        vals = [c["value"](row) for row in rows]
        for i, v in enumerate(vals):
            values[i][c["name"]] = v
            # competition ranking: 1 + number of strictly better values
            ranks[i][c["name"]] = (
                n if v is None else 1 + sum(1 for w in vals if w is not None and _better(w, v, c))
            )
    order = sorted(
        range(n),
        key=lambda i: (
            sum(ranks[i].values()),
            -(values[i]["reduction_against_target_pp"] or -1e9),
            rows[i]["unit"]["code"],
        ),
    )
    return [
        {
            "rank": place,
            "unit": rows[i]["unit"],
            "score": sum(ranks[i].values()),
            "criteria": {
                c["name"]: {"value": values[i][c["name"]], "rank": ranks[i][c["name"]]}
                for c in CRITERIA
            },
            "reasons": _reasons(rows[i], values[i], ranks[i], n),
        }
        for place, i in enumerate(order, start=1)
    ]


def _fell_back(exit_p: StatusPeriod, timeline: Sequence[StatusPeriod]) -> bool:
    window_end = add_years(exit_p.valid_from, RE_POVERTY_WINDOW_YEARS)
    return any(
        q.transition == "re_poor" and exit_p.valid_from < q.valid_from <= window_end
        for q in timeline
    )


def _exemplary(
    r: HouseholdReplay, scope: UnitScope, year: int, today: date
) -> dict[str, Any] | None:
    latest = r.latest()
    registrations = [f for f in r.live() if isinstance(f, ExitRegistered)]
    if not registrations:
        return None
    for p in latest.timeline:
        if p.transition != "exited_poverty" or p.valid_from.year != year:
            continue
        before = [f for f in registrations if f.effective_on <= p.valid_from]
        if not before or _fell_back(p, latest.timeline):
            continue
        s = r.on(p.valid_from)
        assert s.unit is not None and s.unit_named_on is not None
        group = scope.on(p.valid_from).place(s.unit, s.unit_named_on)
        if group is None:
            continue
        return {
            "household_id": r.hid,
            "code": latest.code,
            "unit": unit_dict(group, p.valid_from),
            "exit_registered_on": before[-1].effective_on.isoformat(),
            "target_year": before[-1].target_year,
            "exited_on": p.valid_from.isoformat(),
            "decision": p.decision["number"] if p.decision else None,
            "ethnic_minority": latest.ethnic_minority,
            "sponsor": (s.sponsor or {}).get("name"),
            "window_complete": add_years(p.valid_from, RE_POVERTY_WINDOW_YEARS) <= today,
        }
    return None


def exemplary_households(
    histories: Mapping[uuid.UUID, list[Any]],
    units: UnitCatalogue,
    unit: str,
    year: int,
    known_at: datetime | None,
    *,
    today: date,
) -> list[dict[str, Any]]:
    """Households that registered to exit, exited poverty in ``year`` and were not poor again
    within two years of the exit (as far as the record shows)."""
    scope = UnitScope(units, unit, today=today, by="commune")
    found = []
    for hid, facts in histories.items():
        r = HouseholdReplay(hid, facts, known_at)
        if not r.latest().known:
            continue
        household = _exemplary(r, scope, year, today)
        if household is not None:
            found.append(household)
    return sorted(found, key=lambda h: (h["unit"]["code"], h["code"]))


def top_unit(units: UnitCatalogue, day: date) -> str:
    """The province valid on ``day`` (the emulation's default unit)."""
    provinces = [u for u in units.valid_on(day) if u.level == "province"]
    if not provinces:
        raise ReportError("unit", f"no province is valid on {day.isoformat()}")
    return provinces[0].code
