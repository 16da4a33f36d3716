"""``make bench``: each figure beside a baseline measured in the same run, as a ratio.

Baselines are plain SQL through sqlite3 / psycopg on the same rows, in the same batches and
transactions, so the ratio shows what the library, the domain and the hash chain cost.

Usage: ``python -m bench [--households N] [--backends sqlite,postgres] [--out FILE]
[--province] [--province-sizes 6000,120000] [--no-province]``. ``--province`` runs only the
province figures (:mod:`bench.province`); without it they run after the per-backend figures
unless ``--no-province``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from application import queries
from application.commands import DeliverSupport, Recognise, RegisterHousehold
from application.households import Households
from bench.http import bench_http
from bench.province import bench_province
from bench.reports import bench_reports
from bench.supervision import bench_supervision
from demo import generate_demo
from domain.household import Entry, Household
from infrastructure.settings import Settings
from infrastructure.store import parse_database_url
from web.bootstrap import build_application, initialise_store

PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=test"


@dataclass
class Figure:
    """One measured figure and its same-run baseline."""

    backend: str
    name: str
    value: float
    unit: str
    baseline: float
    baseline_what: str
    higher_is_better: bool = True
    goal: str = ""
    notes: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float:
        """Value ÷ baseline for rates; baseline ÷ value for times (so > 1 is always "faster")."""
        if self.higher_is_better:
            return self.value / self.baseline if self.baseline else float("nan")
        return self.baseline / self.value if self.value else float("nan")

    def line(self) -> str:
        """A printable row."""
        return (
            f"{self.backend:<9} {self.name:<44} {self.value:>12,.1f} {self.unit:<10} "
            f"baseline {self.baseline:>12,.1f} ({self.baseline_what}) ratio {self.ratio:6.2f}"
            + (f"  goal {self.goal}" if self.goal else "")
        )


@contextmanager
def store(backend: str) -> Iterator[Settings]:
    """A fresh, migrated store: a temporary SQLite file or a scratch PostgreSQL schema."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            settings = Settings(database_url=f"sqlite:///{tmp}/bench.sqlite")
            initialise_store(settings)
            yield settings
        return
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    settings = Settings(database_url=f"postgresql://postgres@127.0.0.1:5432/test?schema={schema}")
    initialise_store(settings)
    try:
        yield settings
    finally:
        if os.environ.get("CHUNGTAY_BENCH_KEEP") == "1":
            print(f"kept store {settings.database_url}", file=sys.stderr)
        else:
            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


class RawStore:
    """Plain-SQL access to the same database, for baselines."""

    def __init__(self, settings: Settings) -> None:
        self.config = parse_database_url(settings.database_url)
        if self.config.is_postgres:
            self.pg = psycopg.connect(self.config.psycopg_conninfo(), autocommit=True)
            self.pg.execute(
                sql.SQL("SET search_path TO {}").format(sql.Identifier(self.config.schema))
            )
            self.events = "households_events"
        else:
            self.lite = sqlite3.connect(self.config.sqlite_path, isolation_level=None)
            self.lite.execute("PRAGMA journal_mode=WAL")
            self.events = "stored_events"

    def close(self) -> None:
        """Close the connection."""
        (self.pg if self.config.is_postgres else self.lite).close()

    def all_rows(self) -> list[tuple[Any, ...]]:
        """Every stored event row in log order."""
        if self.config.is_postgres:
            q = "SELECT originator_id, originator_version, topic, state FROM households_events ORDER BY notification_id"
            return [tuple(r) for r in self.pg.execute(q)]
        q = "SELECT originator_id, originator_version, topic, state FROM stored_events ORDER BY rowid"
        return list(self.lite.execute(q))

    def create_copy_table(self) -> None:
        """An empty table shaped like the events table (no triggers, no hash chain)."""
        if self.config.is_postgres:
            self.pg.execute(
                "CREATE TABLE baseline_events (originator_id uuid NOT NULL, originator_version bigint NOT NULL, "
                "topic text, state bytea, notification_id bigserial, PRIMARY KEY (originator_id, originator_version))"
            )
            self.pg.execute("CREATE UNIQUE INDEX ON baseline_events (notification_id)")
        else:
            self.lite.execute(
                "CREATE TABLE baseline_events (originator_id TEXT, originator_version INTEGER, topic TEXT, "
                "state BLOB, PRIMARY KEY (originator_id, originator_version))"
            )

    def write_batches(self, batches: list[list[tuple[Any, ...]]]) -> None:
        """Insert each batch in its own transaction with plain SQL."""
        if self.config.is_postgres:
            for batch in batches:
                with self.pg.transaction(), self.pg.cursor() as cur:
                    cur.executemany(
                        "INSERT INTO baseline_events (originator_id, originator_version, topic, state) "
                        "VALUES (%s, %s, %s, %s)",
                        batch,
                    )
        else:
            for batch in batches:
                self.lite.execute("BEGIN")
                self.lite.executemany("INSERT INTO baseline_events VALUES (?,?,?,?)", batch)
                self.lite.execute("COMMIT")

    def read_household(self, hid: uuid.UUID) -> list[tuple[Any, ...]]:
        """The rows of one household, as the library selects them."""
        if self.config.is_postgres:
            return list(
                self.pg.execute(
                    "SELECT * FROM households_events WHERE originator_id = %s ORDER BY originator_version",
                    (hid,),
                    prepare=True,
                )
            )
        return list(
            self.lite.execute(
                "SELECT * FROM stored_events WHERE originator_id = ? ORDER BY originator_version",
                (hid.hex,),
            )
        )


def timed(fn: Callable[[], Any]) -> float:
    """Seconds taken by one call."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def per_call(fn: Callable[[Any], Any], items: list[Any]) -> float:
    """Median seconds per call over ``items``."""
    samples = []
    for item in items:
        start = time.perf_counter()
        fn(item)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def bench_backend(backend: str, households: int, figures: list[Figure]) -> None:
    """All figures for one backend."""
    with store(backend) as settings:
        app = build_application(settings)
        raw = RawStore(settings)
        try:
            batch_size = 200
            elapsed = timed(
                lambda: generate_demo(app, households=households, seed=7, batch_size=batch_size)
            )
            rows = raw.all_rows()
            events = len(rows)
            # Same rows, same households per transaction, plain SQL.
            by_household: dict[Any, list[tuple[Any, ...]]] = {}
            for r in rows:
                by_household.setdefault(r[0], []).append(r)
            ids = list(by_household)
            batches = [
                [row for hid in ids[i : i + batch_size] for row in by_household[hid]]
                for i in range(0, len(ids), batch_size)
            ]
            raw.create_copy_table()
            base = timed(lambda: raw.write_batches(batches))
            figures.append(
                Figure(
                    backend,
                    f"demo generation end to end ({households} households)",
                    events / elapsed,
                    "events/s",
                    events / base,
                    "plain INSERTs of the same rows, same batches",
                    notes={
                        "events": events,
                        "seconds": round(elapsed, 2),
                        "baseline_seconds": round(base, 2),
                    },
                )
            )
            replay_demo_events(backend, app, rows, batches, base, figures)
            verification(backend, settings, raw, events, figures)
            rng = random.Random(1)
            sample = [
                uuid.UUID(str(h)) if not isinstance(h, uuid.UUID) else h
                for h in rng.sample(ids, min(300, len(ids)))
            ]
            load = per_call(app.get, sample)
            base_load = per_call(raw.read_household, sample)
            figures.append(
                Figure(
                    backend,
                    "load one household",
                    load * 1e3,
                    "ms",
                    base_load * 1e3,
                    "plain SELECT of its rows",
                    higher_is_better=False,
                )
            )

            now = app.now()
            probes = [
                (
                    h,
                    date(rng.randint(2016, 2026), rng.randint(1, 12), 1),
                    now - timedelta(days=rng.randint(0, 3000)),
                )
                for h in sample
            ]
            status_time = per_call(lambda p: _status_or_none(app, *p), probes)
            figures.append(
                Figure(
                    backend,
                    "status query (random as_of, known_at)",
                    status_time * 1e3,
                    "ms",
                    base_load * 1e3,
                    "plain SELECT of its rows",
                    higher_is_better=False,
                )
            )

            # The anomaly scan runs on the demo district alone, before any extra households.
            bench_supervision(backend, settings, figures, Figure)
            long_history(app, raw, backend, figures)
            chain_cost(settings, backend, figures)
        finally:
            raw.close()
            app.close()
        bench_reports(backend, settings, figures, Figure)
        bench_http(backend, settings, figures, Figure)  # last: it adds users and facts


def replay_demo_events(
    backend: str,
    app: Households,
    rows: list[tuple[Any, ...]],
    batches: list[list[tuple[Any, ...]]],
    baseline_seconds: float,
    figures: list[Figure],
) -> None:
    """The store's write path alone: the demo's events saved again, in the same batches.

    The events are decoded from the stored rows first (not timed), then written through the
    application's mapper (JSON encoding) and recorder (library insert plus hash chain), one
    transaction per batch, into a fresh store, beside plain INSERTs of the same serialized rows.
    """
    decoded: dict[Any, Any] = {}
    for r in rows:
        from eventsourcing.persistence import StoredEvent

        decoded[(r[0], r[1])] = app.mapper.to_domain_event(
            StoredEvent(originator_id=r[0], originator_version=r[1], topic=r[2], state=bytes(r[3]))
        )
    event_batches = [[decoded[(r[0], r[1])] for r in batch] for batch in batches]
    with store(backend) as fresh:
        target = build_application(fresh)
        try:
            seconds = timed(
                lambda: [
                    target.recorder.insert_events([target.mapper.to_stored_event(e) for e in batch])
                    for batch in event_batches
                ]
            )
        finally:
            target.close()
    n = len(rows)
    figures.append(
        Figure(
            backend,
            "demo import: store write path, same batches",
            n / seconds,
            "events/s",
            n / baseline_seconds,
            "plain INSERTs of the same rows, same batches",
            goal="≥ 0.40 on PostgreSQL",
            notes={
                "events": n,
                "seconds": round(seconds, 2),
                "baseline_seconds": round(baseline_seconds, 2),
            },
        )
    )


def verification(
    backend: str, settings: Settings, raw: RawStore, events: int, figures: list[Figure]
) -> None:
    """Whole-store verification beside hashing the same bytes with plain hashlib."""
    import hashlib

    from web.bootstrap import build_audit

    audit = build_audit(settings)
    report: list[Any] = []
    seconds = timed(lambda: report.append(audit.verify()))
    assert report[0].ok, report[0]

    def read_and_hash() -> None:
        for r in raw.all_rows():
            hashlib.sha256(bytes(r[3])).digest()

    states = [bytes(r[3]) for r in raw.all_rows()]
    read_hash = timed(read_and_hash)
    in_memory = timed(lambda: [hashlib.sha256(b).digest() for b in states])
    for what, base in (
        ("plain SELECT of the rows + hashlib", read_hash),
        ("hashlib over the bytes in memory", in_memory),
    ):
        figures.append(
            Figure(
                backend,
                "audit verify (whole store)",
                events / seconds,
                "events/s",
                events / base,
                what,
                goal="≥ 0.50",
            )
        )


def _status_or_none(app: Households, hid: uuid.UUID, as_of: date, known_at: datetime) -> Any:
    try:
        return queries.status(app, str(hid), as_of, known_at)
    except LookupError:
        return None


def long_history(app: Households, raw: RawStore, backend: str, figures: list[Figure]) -> None:
    """Status of a household with 200 facts at random (as_of, known_at)."""
    code = f"01564-L{uuid.uuid4().hex[:6]}"
    head = {"name": "Lương Văn Hải", "birth_year": 1970, "sex": "male", "relation": "head"}
    app.register(
        RegisterHousehold(
            recorded_by="bench",
            effective_on=date(2016, 1, 1),
            code=code,
            unit="01564",
            village="Bản Khau",
            head_name=head["name"],
            ethnicity="Nùng",
            members=[head],
        )
    )
    rng = random.Random(2)
    for i in range(199):
        day = date(2016, 1, 2) + timedelta(days=i * 18)
        if i % 3 == 0:
            app.recognise(
                Recognise(
                    household=code,
                    effective_on=day,
                    recorded_by="bench",
                    status=rng.choice(["poor", "near_poor", "not_poor"]),
                    decision_number=f"{i}/QĐ",
                    signed_by="chair",
                )
            )
        else:
            app.deliver_support(
                DeliverSupport(
                    household=code,
                    effective_on=day,
                    recorded_by="bench",
                    category="production",
                    programme="135",
                    funding_source="central",
                    amount_vnd=100_000 * i,
                    in_kind=None,
                    provider="xã",
                )
            )
    hid = app.household_id(code)
    facts = app.get(hid).facts
    probes = [
        (date(2016, 1, 1) + timedelta(days=rng.randint(0, 3800)), rng.choice(facts).timestamp)
        for _ in range(200)
    ]
    value = per_call(lambda p: queries.status(app, code, p[0], p[1]), probes)
    base = per_call(lambda _p: raw.read_household(hid), probes)
    figures.append(
        Figure(
            backend,
            "status, household with 200 facts",
            value * 1e3,
            "ms",
            base * 1e3,
            "plain SELECT of its 200 rows",
            higher_is_better=False,
        )
    )


def chain_cost(settings: Settings, backend: str, figures: list[Figure]) -> None:
    """Write cost of the hash chain: the same events saved with and without it."""

    def households(prefix: str) -> list[Household]:
        made = []
        now = datetime(2026, 1, 1, tzinfo=UTC)
        head = {"name": "Bế Thị Lan", "birth_year": 1985, "sex": "female", "relation": "head"}
        for n in range(400):
            h = Household.register(
                Entry(date(2016, 1, 1), "b", now, date(2026, 11, 29)),
                code=f"{prefix}-{n}",
                unit="01564",
                village="v",
                head_name=head["name"],
                ethnicity="Tày",
                ethnic_minority=True,
                members=[head],
                area_type="rural",
            )
            for i in range(9):
                h.deliver_support(
                    Entry(date(2017, 1, 1 + i), "b", now, date(2026, 11, 29)),
                    category="health",
                    programme="p",
                    funding_source="f",
                    amount_vnd=i,
                    in_kind=None,
                    provider="x",
                )
            made.append(h)
        return made

    config = parse_database_url(settings.database_url)
    env = config.eventsourcing_env()
    if config.is_postgres:
        plain_env = {
            **env,
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "CREATE_TABLE": "y",
            "POSTGRES_SCHEMA": config.schema,
        }
    else:
        plain_env = {
            **env,
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "CREATE_TABLE": "y",
            "SQLITE_DBNAME": str(Path(str(config.sqlite_path)).with_name("plain.sqlite")),
        }

    class PlainHouseholds(Households):
        name = "PlainHouseholds"

    chained = build_application(settings)
    plain = PlainHouseholds(env=plain_env)
    try:
        results = {"plain": float("inf"), "chained": float("inf")}
        for round_ in range(3):  # interleaved, best of three: the machine is shared
            for label, target in (("plain", plain), ("chained", chained)):
                batch = households(f"{label}{round_}")
                seconds = timed(lambda t=target, b=batch: [t.save(h) for h in b])
                results[label] = min(results[label], seconds)
        events = 400 * 10
        figures.append(
            Figure(
                backend,
                "write with hash chain (1 household/txn)",
                events / results["chained"],
                "events/s",
                events / results["plain"],
                "library recorder without chain",
                goal="cost ≤ 1.3× (ratio ≥ 0.77)",
                notes={"cost_x": round(results["chained"] / results["plain"], 3)},
            )
        )
    finally:
        chained.close()
        plain.close()


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks and print (and optionally write) the figures."""
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--households", type=int, default=6000)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--out", type=Path, default=None, help="write the figures as JSON here")
    parser.add_argument(
        "--province", action="store_true", help="only the province figures (PostgreSQL)"
    )
    parser.add_argument("--no-province", action="store_true", help="skip the province figures")
    parser.add_argument(
        "--province-sizes",
        default="6000,120000",
        help="households per province run, comma-separated",
    )
    args = parser.parse_args(argv)
    figures: list[Figure] = []
    print(
        f"chungtay benchmarks — {platform.python_version()}, {platform.machine()}, households={args.households}"
    )
    if not args.province:
        for backend in args.backends.split(","):
            bench_backend(backend.strip(), args.households, figures)
            for f in figures:
                if f.backend == backend.strip():
                    print(f.line(), flush=True)
    if args.province or not args.no_province:
        sizes = [int(n) for n in args.province_sizes.split(",")]
        bench_province(sizes, figures, Figure, store)
    if args.out:
        args.out.write_text(
            json.dumps([f.__dict__ | {"ratio": f.ratio} for f in figures], indent=2, default=str)
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
