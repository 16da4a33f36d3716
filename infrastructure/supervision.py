"""SQL implementations of :class:`application.supervision.PlanStore` for SQLite and PostgreSQL.

The tables come from ``migrations/*/0005_inspection_plans.sql`` (``chungtay init``); they are
append-only there (triggers refuse UPDATE and DELETE). A plan is written in one transaction:
its row and its households' rows, or nothing. Plans are rare, so each operation opens its own
connection (nothing is held open, which is also safe across a gunicorn fork).
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any

import psycopg
from psycopg import sql

from application.supervision import DuplicatePlan, InspectionPlan, PlannedHousehold, PlanStore
from infrastructure.store import StoreConfig

_PLAN_COLUMNS = "plan_id, unit, year, size, seed, as_of, drawn_at, drawn_by, population, body"
_HOUSEHOLD_COLUMNS = "plan_id, position, household_id, code, commune, weight, score, anomalies"


def plan_store(config: StoreConfig) -> PlanStore:
    """The plan store for the configured backend."""
    if config.is_postgres:
        return PostgresPlanStore(config)
    assert config.sqlite_path is not None
    return SQLitePlanStore(str(config.sqlite_path))


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


def _plan(row: Sequence[Any], households: Sequence[Sequence[Any]]) -> InspectionPlan:
    body = row[9] if isinstance(row[9], dict) else json.loads(row[9])
    as_of = row[5] if isinstance(row[5], date) else date.fromisoformat(row[5])
    drawn_at = row[6] if isinstance(row[6], datetime) else datetime.fromisoformat(row[6])
    return InspectionPlan(
        plan_id=row[0],
        unit=row[1],
        year=int(row[2]),
        size=int(row[3]),
        seed=int(row[4]),
        as_of=as_of,
        drawn_at=drawn_at,
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
                anomalies=tuple(h[7] if isinstance(h[7], list) else json.loads(h[7])),
            )
            for h in households
        ),
    )


class SQLitePlanStore:
    """Plans in the same SQLite file as the event store."""

    def __init__(self, path: str) -> None:
        self.path = path

    @contextmanager
    def _connect(self, *, write: bool = False) -> Iterator[sqlite3.Connection]:
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        finally:
            conn.close()

    def add(self, plan: InspectionPlan) -> None:
        """Record a plan and its households in one transaction."""
        try:
            with self._connect(write=True) as c:
                c.execute(
                    f"INSERT INTO inspection_plans ({_PLAN_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?)",
                    (
                        plan.plan_id,
                        plan.unit,
                        plan.year,
                        plan.size,
                        plan.seed,
                        plan.as_of.isoformat(),
                        plan.drawn_at.astimezone(UTC).isoformat(timespec="microseconds"),
                        plan.drawn_by,
                        plan.population,
                        _body(plan),
                    ),
                )
                c.executemany(
                    f"INSERT INTO inspection_plan_households ({_HOUSEHOLD_COLUMNS}) "
                    "VALUES (?,?,?,?,?,?,?,?)",
                    _household_rows(plan),
                )
        except sqlite3.IntegrityError as e:
            raise DuplicatePlan(f"plan {plan.plan_id} could not be recorded: {e}") from None

    def _households(self, c: sqlite3.Connection, plan_id: str) -> list[Sequence[Any]]:
        return c.execute(
            f"SELECT {_HOUSEHOLD_COLUMNS} FROM inspection_plan_households WHERE plan_id = ? "
            "ORDER BY position",
            (plan_id,),
        ).fetchall()

    def get(self, plan_id: str) -> InspectionPlan | None:
        """The plan with that id."""
        with self._connect() as c:
            row = c.execute(
                f"SELECT {_PLAN_COLUMNS} FROM inspection_plans WHERE plan_id = ?", (plan_id,)
            ).fetchone()
            if row is None:
                return None
            return _plan(row, self._households(c, plan_id))

    def list(self, *, unit: str | None = None, year: int | None = None) -> list[InspectionPlan]:
        """Plans in the order they were recorded."""
        where, params = [], []
        if unit is not None:
            where.append("unit = ?")
            params.append(unit)
        if year is not None:
            where.append("year = ?")
            params.append(year)
        clause = (" WHERE " + " AND ".join(where)) if where else ""
        with self._connect() as c:
            rows = c.execute(
                f"SELECT {_PLAN_COLUMNS} FROM inspection_plans{clause} ORDER BY rowid", params
            ).fetchall()
            return [_plan(r, self._households(c, r[0])) for r in rows]

    def close(self) -> None:
        """Nothing is held open."""


class PostgresPlanStore:
    """Plans in the store's PostgreSQL schema."""

    def __init__(self, config: StoreConfig) -> None:
        self.conninfo = config.psycopg_conninfo()
        self.schema = config.schema

    @contextmanager
    def _connect(self) -> Iterator[psycopg.Connection]:
        with psycopg.connect(self.conninfo) as conn:
            conn.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(self.schema)))
            yield conn  # the with-block commits on success, rolls back on error

    def add(self, plan: InspectionPlan) -> None:
        """Record a plan and its households in one transaction."""
        try:
            with self._connect() as c, c.cursor() as cur:
                cur.execute(
                    f"INSERT INTO inspection_plans ({_PLAN_COLUMNS}) "
                    "VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s::jsonb)",
                    (
                        plan.plan_id,
                        plan.unit,
                        plan.year,
                        plan.size,
                        plan.seed,
                        plan.as_of,
                        plan.drawn_at,
                        plan.drawn_by,
                        plan.population,
                        _body(plan),
                    ),
                )
                cur.executemany(
                    f"INSERT INTO inspection_plan_households ({_HOUSEHOLD_COLUMNS}) "
                    "VALUES (%s,%s,%s,%s,%s,%s,%s,%s::jsonb)",
                    [(r[0], r[1], uuid.UUID(r[2]), *r[3:]) for r in _household_rows(plan)],
                )
        except psycopg.errors.IntegrityError as e:
            raise DuplicatePlan(f"plan {plan.plan_id} could not be recorded: {e}") from None

    def _households(self, c: psycopg.Connection, plan_id: str) -> list[Sequence[Any]]:
        return c.execute(
            f"SELECT {_HOUSEHOLD_COLUMNS} FROM inspection_plan_households WHERE plan_id = %s "
            "ORDER BY position",
            (plan_id,),
        ).fetchall()

    def get(self, plan_id: str) -> InspectionPlan | None:
        """The plan with that id."""
        with self._connect() as c:
            row = c.execute(
                f"SELECT {_PLAN_COLUMNS} FROM inspection_plans WHERE plan_id = %s", (plan_id,)
            ).fetchone()
            if row is None:
                return None
            return _plan(row, self._households(c, plan_id))

    def list(self, *, unit: str | None = None, year: int | None = None) -> list[InspectionPlan]:
        """Plans in the order they were recorded."""
        where: list[str] = []
        params: list[Any] = []
        if unit is not None:
            where.append("unit = %s")
            params.append(unit)
        if year is not None:
            where.append("year = %s")
            params.append(year)
        clause = (" WHERE " + " AND ".join(where)) if where else ""
        with self._connect() as c:
            rows = c.execute(
                f"SELECT {_PLAN_COLUMNS} FROM inspection_plans{clause} ORDER BY seq", params
            ).fetchall()
            return [_plan(r, self._households(c, r[0])) for r in rows]

    def close(self) -> None:
        """Nothing is held open."""
