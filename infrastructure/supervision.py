"""The SQL implementation of :class:`application.supervision.PlanStore`, on either store.

The tables come from ``migrations/*/0005_inspection_plans.sql`` (``chungtay init``); they are
append-only there (triggers refuse UPDATE and DELETE). A plan is written in one transaction:
its row and its households' rows, or nothing. What differs between SQLite and PostgreSQL is said by
:class:`infrastructure.sql.Dialect`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from application.supervision import DuplicatePlan, InspectionPlan, PlannedHousehold, PlanStore
from infrastructure.sql import Connections, Dialect
from infrastructure.store import StoreConfig

_PLAN_COLUMNS = "plan_id, unit, year, size, seed, as_of, drawn_at, drawn_by, population, body"
_HOUSEHOLD_COLUMNS = "plan_id, position, household_id, code, commune, weight, score, anomalies"


def plan_store(config: StoreConfig) -> PlanStore:
    """The plan store of the configured store."""
    return SqlPlanStore(config)


def _body(plan: InspectionPlan) -> str:
    return json.dumps(
        {"strata": plan.strata, "method": plan.method}, ensure_ascii=False, sort_keys=True
    )


def _household_rows(plan: InspectionPlan) -> list[tuple[Any, ...]]:
    return [
        (
            plan.plan_id,
            h.position,
            h.household_id,
            h.code,
            h.commune,
            h.weight,
            h.score,
            json.dumps(list(h.anomalies)),
        )
        for h in plan.households
    ]


def _plan(d: Dialect, row: Sequence[Any], households: Sequence[Sequence[Any]]) -> InspectionPlan:
    body = d.read_json(row[9])
    return InspectionPlan(
        plan_id=row[0],
        unit=row[1],
        year=int(row[2]),
        size=int(row[3]),
        seed=int(row[4]),
        as_of=d.read_day(row[5]),
        drawn_at=d.read_time(row[6]),
        drawn_by=row[7],
        population=int(row[8]),
        strata=body.get("strata", {}),
        method=body.get("method", {}),
        households=tuple(
            PlannedHousehold(
                position=int(h[1]),
                household_id=str(h[2]),
                code=h[3],
                commune=h[4],
                weight=float(h[5]),
                score=None if h[6] is None else float(h[6]),
                anomalies=d.read_texts(h[7]),
            )
            for h in households
        ),
    )


class SqlPlanStore:
    """Plans in the store's own database. Plans are rare: nothing is held open between
    operations beyond the adapter's connections."""

    def __init__(self, config: StoreConfig) -> None:
        self.connections = Connections(config, pool_size=2, name="chungtay-plans")
        self.dialect = self.connections.dialect

    def add(self, plan: InspectionPlan) -> None:
        """Record a plan and its households in one transaction."""
        d = self.dialect
        json_mark = d.json_mark()
        try:
            with self.connections.transaction(write=True) as c:
                c.execute(
                    d.sql(
                        f"INSERT INTO inspection_plans ({_PLAN_COLUMNS}) "
                        f"VALUES (?,?,?,?,?,?,?,?,?,{json_mark})"
                    ),
                    (
                        plan.plan_id,
                        plan.unit,
                        plan.year,
                        plan.size,
                        plan.seed,
                        d.day(plan.as_of),
                        d.time(plan.drawn_at),
                        plan.drawn_by,
                        plan.population,
                        _body(plan),
                    ),
                )
                c.cursor().executemany(
                    d.sql(
                        f"INSERT INTO inspection_plan_households ({_HOUSEHOLD_COLUMNS}) "
                        f"VALUES (?,?,?,?,?,?,?,{json_mark})"
                    ),
                    [(r[0], r[1], d.uuid(r[2]), *r[3:]) for r in _household_rows(plan)],
                )
        except d.integrity_errors as e:
            raise DuplicatePlan(f"plan {plan.plan_id} could not be recorded: {e}") from None

    def _households(self, c: Any, plan_id: str) -> list[Sequence[Any]]:
        return c.execute(
            self.dialect.sql(
                f"SELECT {_HOUSEHOLD_COLUMNS} FROM inspection_plan_households WHERE plan_id = ? "
                "ORDER BY position"
            ),
            (plan_id,),
        ).fetchall()

    def get(self, plan_id: str) -> InspectionPlan | None:
        """The plan with that id."""
        d = self.dialect
        with self.connections.transaction() as c:
            row = c.execute(
                d.sql(f"SELECT {_PLAN_COLUMNS} FROM inspection_plans WHERE plan_id = ?"),
                (plan_id,),
            ).fetchone()
            if row is None:
                return None
            return _plan(d, row, self._households(c, plan_id))

    def list(self, *, unit: str | None = None, year: int | None = None) -> list[InspectionPlan]:
        """Plans in the order they were recorded."""
        d = self.dialect
        where: list[str] = []
        params: list[Any] = []
        if unit is not None:
            where.append("unit = ?")
            params.append(unit)
        if year is not None:
            where.append("year = ?")
            params.append(year)
        clause = (" WHERE " + " AND ".join(where)) if where else ""
        order = "seq" if d.postgres else "rowid"
        with self.connections.transaction() as c:
            rows = c.execute(
                d.sql(f"SELECT {_PLAN_COLUMNS} FROM inspection_plans{clause} ORDER BY {order}"),
                params,
            ).fetchall()
            return [_plan(d, r, self._households(c, r[0])) for r in rows]

    def close(self) -> None:
        """Close the store's connections."""
        self.connections.close()
