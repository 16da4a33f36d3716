"""``make bench`` (or ``python -m bench --province``): how the read side grows from a district to a province.

For each size (6,000 and 120,000 households by default), on PostgreSQL, in one run:

1. **load** — a fresh schema filled by the demo generator through the real write path (every
   fact a command of the application, hash chain included), timed; beside plain ``INSERT``s of
   the same rows in the same transactions (200 households each). The store write path alone
   (the same events re-encoded and written by the application's recorder) is measured on up to
   ``WRITE_PATH_EVENTS`` of them, beside plain ``INSERT``s of those rows.
2. **read-model rebuild** — every notification applied by the projection, beside reading and
   decoding the same log with the one log reader (best of two).
3. **household list** — ``GET /api/v1/households`` through ``chungtay serve`` (gunicorn), random
   pages, unfiltered and filtered (a commune of today and ``status=poor``), p50 and p95 beside
   ``GET /api/v1/health`` on the same server with the same clients.
4. **audit diff** — a commune, the status at the end of a year, knowledge time over the next
   year, answered from the read models (folding only the candidates), beside folding every
   household of the store (measured at the first size, extrapolated by households above it).
5. **projection lag** — a decision written, then waited for in the read models followed by
   ``projections run`` (woken by NOTIFY), median of 12.
6. **load one household** — ``Households.get`` beside a plain ``SELECT`` of its rows.

The demo generator places every household in the communes of Hạ Lang (the catalogue holds that
district's units only), so at 120,000 households a commune holds ~8,000 households, about ten
times a real one: per-commune figures are pessimistic.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import psycopg
from eventsourcing.persistence import StoredEvent

from application.changes import status_diff
from application.households import Households
from application.log_reader import LogReader
from bench.http import admin_token, api_json, free_port, run_load, server_env, serving
from bench.reports import _lag
from demo import generate_demo
from infrastructure.settings import Settings
from infrastructure.store import parse_database_url
from web.bootstrap import build_application, build_read_side, initialise_store, store_config

BATCH = 200
"""Households per transaction, as the demo writes them."""
WRITE_PATH_EVENTS = 400_000
"""At most this many events are written again through the store write path."""
SEED = 7
LIST_SECONDS = 10.0
CLIENTS = 4


def _households_batches(settings: Settings) -> Iterator[list[tuple[Any, ...]]]:
    """The stored rows in log order, grouped as the demo saved them (200 households each)."""
    config = store_config(settings)
    with psycopg.connect(config.psycopg_conninfo()) as conn:
        conn.execute(f"SET search_path TO {config.schema}")
        with conn.cursor(name="rows") as cur:
            cur.itersize = 20_000
            cur.execute(
                "SELECT originator_id, originator_version, topic, state FROM households_events "
                "ORDER BY notification_id"
            )
            batch: list[tuple[Any, ...]] = []
            seen: set[Any] = set()
            for row in cur:
                if row[0] not in seen and len(seen) == BATCH:
                    yield batch
                    batch, seen = [], set()
                seen.add(row[0])
                batch.append((row[0], row[1], row[2], bytes(row[3])))
            if batch:
                yield batch


def _plain_inserts(settings: Settings, batches: list[list[tuple[Any, ...]]]) -> float:
    """Seconds to INSERT the rows with plain SQL into a bare table, batch per transaction."""
    config = store_config(settings)
    with psycopg.connect(config.psycopg_conninfo(), autocommit=True) as conn:
        conn.execute(f"SET search_path TO {config.schema}")
        conn.execute(
            "CREATE TABLE IF NOT EXISTS baseline_events (originator_id uuid NOT NULL, "
            "originator_version bigint NOT NULL, topic text, state bytea, "
            "notification_id bigserial, PRIMARY KEY (originator_id, originator_version))"
        )
        conn.execute("TRUNCATE baseline_events")
        began = time.perf_counter()
        for batch in batches:
            with conn.transaction(), conn.cursor() as cur:
                cur.executemany(
                    "INSERT INTO baseline_events (originator_id, originator_version, topic, "
                    "state) VALUES (%s, %s, %s, %s)",
                    batch,
                )
        seconds = time.perf_counter() - began
        conn.execute("DROP TABLE baseline_events")
    return seconds


def _write_path(app: Households, batches: list[list[tuple[Any, ...]]], scratch: Any) -> float:
    """Seconds to write the same events through the application's mapper and recorder."""
    target = build_application(scratch)
    try:
        seconds = 0.0
        for batch in batches:
            events = [
                app.mapper.to_domain_event(
                    StoredEvent(originator_id=r[0], originator_version=r[1], topic=r[2], state=r[3])
                )
                for r in batch
            ]
            began = time.perf_counter()
            target.recorder.insert_events([target.mapper.to_stored_event(e) for e in events])
            seconds += time.perf_counter() - began
        return seconds
    finally:
        target.close()


def _scan_and_decode(app: Households) -> float:
    began = time.perf_counter()
    for _ in LogReader(app).events():
        pass
    return time.perf_counter() - began


def _list_load(
    settings: Settings, households: int, figures: list[Any], Figure: Any, label: str
) -> None:
    """p50 and p95 of household-list pages through the real server, beside /health."""
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        # The load comes from one user's token on CLIENTS connections: let that user run as
        # many list requests at once as there are clients (the default limit would answer 429).
        env = {
            **server_env(settings, Path(tmp) / "signing.key", port),
            "CHUNGTAY_EXPENSIVE_PER_USER": str(CLIENTS),
        }
        token = admin_token(env)
        headers = {"Authorization": f"Bearer {token}"}
        with serving(env, port, Path(tmp) / "serve.log"):
            today = date.today()
            communes = [
                u["code"]
                for u in api_json(port, token, "/api/v1/units")["units"]
                if u.get("level") == "commune"
            ]
            total = api_json(port, token, "/api/v1/households?per_page=1")["total"]
            filtered = {
                c: api_json(port, token, f"/api/v1/households?unit={c}&status=poor&per_page=1")[
                    "total"
                ]
                for c in communes
            }
            per_page = 50

            def unfiltered(_c: int, _n: int, rng: random.Random) -> tuple[str, str, None]:
                page = rng.randint(1, max(1, -(-total // per_page)))
                return "GET", f"/api/v1/households?per_page={per_page}&page={page}", None

            def by_commune(_c: int, _n: int, rng: random.Random) -> tuple[str, str, None]:
                commune = rng.choice(communes)
                page = rng.randint(1, max(1, -(-filtered[commune] // per_page)))
                return (
                    "GET",
                    f"/api/v1/households?unit={commune}&status=poor&per_page={per_page}&page={page}",
                    None,
                )

            def health(_c: int, _n: int, _rng: random.Random) -> tuple[str, str, None]:
                return "GET", "/api/v1/health", None

            common = {
                "clients": CLIENTS,
                "seconds": LIST_SECONDS,
                "max_requests": 5000,
                "headers": headers,
                "warmup": 3,
            }
            base = run_load(port, health, seed=1, **common)
            for name, request_for in (("unfiltered", unfiltered), ("commune, poor", by_commune)):
                result = run_load(port, request_for, seed=2, **common)
                if result.errors:
                    raise RuntimeError(f"list requests failed: {result.notes()}")
                figures.append(
                    Figure(
                        "postgres",
                        f"GET /households p95, {name} ({label})",
                        result.latency(95) * 1e3,
                        "ms",
                        base.latency(95) * 1e3,
                        "GET /health p95, same server and clients",
                        higher_is_better=False,
                        goal="< 50 ms at 120,000; growth ≤ 1.5×",
                        notes={
                            **result.notes(),
                            "households": households,
                            "total": total,
                            "today": today.isoformat(),
                        },
                    )
                )


def _audit_diff(
    app: Households,
    settings: Settings,
    households: int,
    replay_per_household: float | None,
    figures: list[Any],
    Figure: Any,
    label: str,
) -> float:
    """A commune over one year of knowledge time; returns the replay's seconds per household."""
    read_side = build_read_side(settings, app)
    year = 2023
    kw = {
        "unit": "01558",
        "as_of": date(year, 12, 31),
        "known_from": datetime(year + 1, 1, 1, tzinfo=UTC),
        "known_to": datetime(year + 2, 1, 1, tzinfo=UTC),
    }
    try:
        read_side.refresh()
        timings = []
        for _ in range(3):
            began = time.perf_counter()
            answer = status_diff(app, read_models=read_side, **kw)
            timings.append(time.perf_counter() - began)
        seconds = min(timings)
    finally:
        read_side.close()
    extrapolated = replay_per_household is not None
    if replay_per_household is None:
        began = time.perf_counter()
        reference = status_diff(app, **kw)
        replay_per_household = (time.perf_counter() - began) / households
        assert reference == answer, "the read models and the replay disagree"
    figures.append(
        Figure(
            "postgres",
            f"audit diff, a commune over one year ({label})",
            seconds * 1e3,
            "ms",
            replay_per_household * households * 1e3,
            "fold every household" + (" (extrap.)" if extrapolated else ""),
            higher_is_better=False,
            goal="< 1 s at 120,000",
            notes={
                "changed": answer["households_changed"],
                "examined": answer["households_examined"],
                **{k: str(v) for k, v in kw.items()},
            },
        )
    )
    return replay_per_household


def _load_one(
    app: Households, settings: Settings, figures: list[Any], Figure: Any, label: str
) -> None:
    config = store_config(settings)
    ids = list(itertools.islice(app.household_ids(), 50_000))
    sample = random.Random(1).sample(ids, min(300, len(ids)))
    with psycopg.connect(config.psycopg_conninfo(), autocommit=True) as conn:
        conn.execute(f"SET search_path TO {config.schema}")
        loads, selects = [], []
        for _ in range(2):  # interleaved: the machine is shared
            for hid in sample:
                began = time.perf_counter()
                app.get(hid)
                loads.append(time.perf_counter() - began)
                began = time.perf_counter()
                list(
                    conn.execute(
                        "SELECT * FROM households_events WHERE originator_id = %s "
                        "ORDER BY originator_version",
                        (hid,),
                        prepare=True,
                    )
                )
                selects.append(time.perf_counter() - began)
    figures.append(
        Figure(
            "postgres",
            f"load one household ({label})",
            statistics.median(loads) * 1e3,
            "ms",
            statistics.median(selects) * 1e3,
            "plain SELECT of its rows",
            higher_is_better=False,
            goal="≤ 3× its plain SELECT",
        )
    )


def read_figures(
    app: Households,
    settings: Settings,
    households: int,
    replay: float | None,
    figures: list[Any],
    Figure: Any,
) -> float:
    """The figures that read a loaded store (list, audit diff, one household, lag)."""
    label = f"{households:,} households"
    _list_load(settings, households, figures, Figure, label)
    replay = _audit_diff(app, settings, households, replay, figures, Figure, label)
    _load_one(app, settings, figures, Figure, label)
    lag: list[Any] = []
    _lag("postgres", app, parse_database_url(settings.database_url), lag, Figure)
    for f in lag:
        f.name = f"{f.name} ({label})"
        f.goal = "< 50 ms"
    figures.extend(lag)
    return replay


def _rebuild(
    app: Households, settings: Settings, events: int, figures: list[Any], Figure: Any, label: str
) -> None:
    """The read models rebuilt from the log, beside reading and decoding the same log."""
    from infrastructure.projections import build_projection

    scan = min(_scan_and_decode(app) for _ in range(2))
    projection = build_projection(app, parse_database_url(settings.database_url), batch_size=2000)
    try:
        began = time.perf_counter()
        applied = projection.rebuild()
        rebuild = time.perf_counter() - began
    finally:
        projection.close()
    figures.append(
        Figure(
            "postgres",
            f"read-model rebuild ({label})",
            applied / rebuild,
            "events/s",
            events / scan,
            "scan+decode of the same log (one log reader)",
            goal="≥ 0.40",
            notes={"seconds": round(rebuild, 1), "scan_seconds": round(scan, 1)},
        )
    )


def bench_province_size(
    households: int, figures: list[Any], Figure: Any, store: Any, replay: float | None
) -> float:
    """Every figure at one size; returns the audit-diff replay cost per household."""
    label = f"{households:,} households"
    with store("postgres") as settings:
        app = build_application(settings)
        try:
            began = time.perf_counter()
            summary = generate_demo(app, households=households, seed=SEED, batch_size=BATCH)
            load_seconds = time.perf_counter() - began
            batches = list(_households_batches(settings))
            events = sum(len(b) for b in batches)
            plain = _plain_inserts(settings, batches)
            figures.append(
                Figure(
                    "postgres",
                    f"load through the write path ({label})",
                    events / load_seconds,
                    "events/s",
                    events / plain,
                    "plain INSERTs of the same rows, same batches",
                    notes={
                        "events": events,
                        "seconds": round(load_seconds, 1),
                        "baseline_seconds": round(plain, 1),
                        "households": summary.households,
                    },
                )
            )
            prefix, n = [], 0
            for b in batches:
                if n >= WRITE_PATH_EVENTS:
                    break
                prefix.append(b)
                n += len(b)
            del batches
            plain_prefix = _plain_inserts(settings, prefix)
            with store("postgres") as scratch:
                written = _write_path(app, prefix, scratch)
            figures.append(
                Figure(
                    "postgres",
                    f"demo import: store write path ({label})",
                    n / written,
                    "events/s",
                    n / plain_prefix,
                    "plain INSERTs of the same rows, same batches",
                    goal="≥ 0.40",
                    notes={"events": n},
                )
            )
            del prefix
            _rebuild(app, settings, events, figures, Figure, label)
            replay = read_figures(app, settings, households, replay, figures, Figure)
        finally:
            app.close()
    return replay


class Announced(list[Any]):
    """Figures printed as soon as they are measured (a long run shows what it has so far)."""

    def append(self, figure: Any) -> None:
        """Keep and print one figure."""
        super().append(figure)
        print(figure.line(), flush=True)

    def extend(self, figures: Any) -> None:
        """Keep and print each figure."""
        for figure in figures:
            self.append(figure)


def bench_province(sizes: list[int], figures: list[Any], Figure: Any, store: Any) -> None:
    """Every province figure at each size, smallest first (the replay is measured there)."""
    replay: float | None = None
    measured = Announced()
    for households in sorted(sizes):
        replay = bench_province_size(households, measured, Figure, store, replay)
    figures.extend(measured)


def _reapply_read_models(settings: Settings) -> None:
    """Recreate the household-list tables of a kept store as the current migration has them."""
    config = store_config(settings)
    with psycopg.connect(config.psycopg_conninfo(), autocommit=True) as conn:
        conn.execute(f"SET search_path TO {config.schema}")
        conn.execute("DROP TABLE IF EXISTS rm_household_list, rm_household_versions")
        conn.execute("DROP INDEX IF EXISTS rm_status_periods_known_from_idx")
        conn.execute("DROP INDEX IF EXISTS rm_status_periods_known_to_idx")
        conn.execute("DELETE FROM schema_migrations WHERE version = '0009_household_list'")
    initialise_store(settings)


def main(argv: list[str] | None = None) -> int:
    """Re-measure the read side of stores kept by ``CHUNGTAY_BENCH_KEEP=1`` (no new load), in
    one run, smallest first: ``--reuse URL --households N`` once per store."""
    parser = argparse.ArgumentParser(prog="python -m bench.province")
    parser.add_argument("--reuse", action="append", required=True, help="a kept store's URL")
    parser.add_argument("--households", action="append", type=int, required=True)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    if len(args.reuse) != len(args.households):
        parser.error("give --households once per --reuse")
    from bench.__main__ import Figure

    figures = Announced()
    replay: float | None = None
    for households, url in sorted(zip(args.households, args.reuse, strict=True)):
        settings = Settings(database_url=url)
        _reapply_read_models(settings)
        app = build_application(settings)
        try:
            label = f"{households:,} households"
            _rebuild(app, settings, LogReader(app).head(), figures, Figure, label)
            replay = read_figures(app, settings, households, replay, figures, Figure)
        finally:
            app.close()
    if args.out:
        args.out.write_text(
            json.dumps([f.__dict__ | {"ratio": f.ratio} for f in figures], indent=2, default=str)
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
