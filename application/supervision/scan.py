"""Anomaly scans: every explained anomaly of the households of a unit."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from application.errors import InvalidInput
from application.households import Households
from application.supervision.log import gc_paused, load_histories
from application.supervision.population import Histories, Scope, check_unit, population
from domain.supervision import (
    RULE_CODES,
    RULES,
    SEVERITY_RANK,
    Anomaly,
    ProgrammeCatalogue,
    household_anomalies,
    load_programmes,
)


def _kinds(kinds: Iterable[str] | None) -> tuple[str, ...]:
    if kinds is None:
        return RULE_CODES
    chosen = tuple(dict.fromkeys(kinds))
    unknown = [k for k in chosen if k not in RULES]
    if unknown:
        raise InvalidInput(
            "kind", f"unknown rule {', '.join(unknown)}; one of {', '.join(RULE_CODES)}"
        )
    return chosen


def _order(a: Anomaly) -> tuple[Any, ...]:
    return (-SEVERITY_RANK[a.severity], a.code or "", a.on, a.versions, a.rule)


def _scan(
    app: Households,
    histories: Histories,
    unit: str | None,
    as_of: date,
    known_at: datetime,
    in_scope: Scope | None,
    programmes: ProgrammeCatalogue,
    chosen: tuple[str, ...],
) -> tuple[list[Anomaly], int]:
    found: list[Anomaly] = []
    examined = 0
    for hid, facts, _s, _commune_code in population(
        app,
        histories,
        unit=unit,
        as_of=as_of,
        known_at=known_at,
        in_scope=in_scope,
        address_only=in_scope is None,
    ):
        examined += 1
        found.extend(
            household_anomalies(
                str(hid),
                facts,
                as_of=as_of,
                known_at=known_at,
                zone=app.zone,
                programmes=programmes,
                kinds=chosen,
            )
        )
    return found, examined


def scan_anomalies(
    app: Households,
    *,
    unit: str | None = None,
    as_of: date | None = None,
    kinds: Iterable[str] | None = None,
    known_at: datetime | None = None,
    in_scope: Scope | None = None,
    histories: Histories | None = None,
    programmes: ProgrammeCatalogue | None = None,
) -> dict[str, Any]:
    """Every anomaly on or before ``as_of`` of the households of ``unit`` (None = all), from the
    record as it stands at ``known_at`` (default now), each evaluated as known when its facts were
    recorded. Sorted by severity (critical first), then household code and date."""
    as_of = as_of or app.today()
    known_at = known_at or app.now()
    chosen = _kinds(kinds)
    check_unit(app, unit, as_of)
    histories = load_histories(app) if histories is None else histories
    programmes = programmes or load_programmes()
    with gc_paused():
        found, examined = _scan(app, histories, unit, as_of, known_at, in_scope, programmes, chosen)
    found.sort(key=_order)
    by_rule = {k: 0 for k in chosen}
    by_severity = {k: 0 for k in SEVERITY_RANK}
    for a in found:
        by_rule[a.rule] += 1
        by_severity[a.severity] += 1
    return {
        "unit": unit,
        "as_of": as_of.isoformat(),
        "known_at": known_at.isoformat(),
        "kinds": list(chosen),
        "rules": [RULES[k].to_dict() for k in chosen],
        "programmes_data_version": programmes.data_version,
        "households_examined": examined,
        "households_with_anomalies": len({a.household_id for a in found}),
        "count": len(found),
        "open": sum(1 for a in found if a.open),
        "by_rule": by_rule,
        "by_severity": by_severity,
        "anomalies": [a.to_dict() for a in found],
    }
