"""Benchmarks of the read models and reports (issue 5), each beside a baseline of the same run.

``bench_reports(backend, settings, figures, Figure)`` appends:

1. **rebuild** of the read models (2,000 notifications per transaction), events/s, beside a plain scan-and-decode of the same log
   (``select_notifications`` in pages of 1,000 and ``mapper.to_domain_event``; best of two);
   goal ≥ 0.40.
2. **projection lag**: with ``projections run`` polling in a thread (defaults: 0.02 s, backing
   off to 0.5 s when idle), the time from a write's return until the read models include it,
   median over writes spaced 0.2–1.2 s apart, beside the write's own latency.
3. PostgreSQL only: the **annual report** and the **as-of poverty report** for a generated
   province of 150,000 households (goal < 2 s each), beside the same figures by replaying every
   household. The 150,000 households are generated *straight into the read-model tables* with
   SQL (a scratch schema; rows shaped exactly as the projection writes them: ten years of
   decisions, each superseded knowledge version kept), because recording them as events would
   take far longer than the bench's budget. The replay baseline is measured on the demo store's
   households (all of them) and extrapolated linearly to 150,000 — it says so in its notes.

When the store is empty, a demo of ``CHUNGTAY_BENCH_REPORT_HOUSEHOLDS`` (default 1,500)
households is generated first.
"""

from __future__ import annotations

import itertools
import os
import random
import statistics
import threading
import time
import uuid
from datetime import date
from typing import Any

import psycopg
from psycopg import sql

from application.commands import Recognise
from application.reports import ReplaySource, annual_report, load_histories, poverty_report
from infrastructure.projections import build_projection
from infrastructure.read_models import ReadModelSource
from infrastructure.store import StoreConfig, parse_database_url
from web.bootstrap import build_application, initialise_store

LARGE_HOUSEHOLDS = int(os.environ.get("CHUNGTAY_BENCH_LARGE_HOUSEHOLDS", "150000"))
DEMO_HOUSEHOLDS = int(os.environ.get("CHUNGTAY_BENCH_REPORT_HOUSEHOLDS", "1500"))
REBUILD_BATCH = 2000  # as `chungtay projections rebuild` (notifications per transaction)


def _scan_and_decode(app: Any) -> tuple[int, float]:
    start = 0
    count = 0
    began = time.perf_counter()
    mapper = app.mapper
    while True:
        page = app.recorder.select_notifications(start, 1000, inclusive_of_start=False)
        if not page:
            break
        for n in page:
            mapper.to_domain_event(n)
        count += len(page)
        start = page[-1].id
    return count, time.perf_counter() - began


def bench_reports(backend: str, settings: Any, figures: list[Any], Figure: Any) -> None:
    """All report figures for one backend (see the module docstring)."""
    app = build_application(settings)
    config = parse_database_url(settings.database_url)
    try:
        if not app.recorder.max_notification_id():
            from demo import generate_demo

            generate_demo(app, households=DEMO_HOUSEHOLDS, seed=11)
        _rebuild(backend, app, config, figures, Figure)
        _lag(backend, app, config, figures, Figure)
        if config.is_postgres:
            _large(backend, app, config, figures, Figure)
    finally:
        app.close()


def _rebuild(backend: str, app: Any, config: StoreConfig, figures: list[Any], Figure: Any) -> None:
    scans = [_scan_and_decode(app) for _ in range(2)]
    events, scan_seconds = min(scans, key=lambda s: s[1])
    projection = build_projection(app, config, batch_size=REBUILD_BATCH)
    try:
        began = time.perf_counter()
        applied = projection.rebuild()
        seconds = time.perf_counter() - began
    finally:
        projection.close()
    figures.append(
        Figure(
            backend,
            f"read-model rebuild ({applied:,} events)",
            applied / seconds,
            "events/s",
            events / scan_seconds,
            "scan+decode of the same log",
            goal="≥ 0.40",
            notes={"seconds": round(seconds, 2), "scan_seconds": round(scan_seconds, 2)},
        )
    )


def _lag(backend: str, app: Any, config: StoreConfig, figures: list[Any], Figure: Any) -> None:
    """Write a decision, then wait until the read models (followed by ``run``) include it."""
    projection = build_projection(app, config)
    stop = threading.Event()
    worker = threading.Thread(target=projection.run, args=(stop,), daemon=True)
    worker.start()
    rng = random.Random(5)
    lags: list[float] = []
    writes: list[float] = []
    try:
        projection.wait_for(projection.head(), timeout=120)
        candidates = list(itertools.islice(app.household_ids(), 200))
        rng.shuffle(candidates)
        for hid in candidates:
            if len(lags) >= 12:
                break
            time.sleep(rng.uniform(0.2, 1.2))
            began = time.perf_counter()
            try:
                app.recognise(
                    Recognise(
                        household=hid,
                        effective_on=app.today(),
                        recorded_by="bench",
                        status=rng.choice(["poor", "near_poor", "not_poor"]),
                        decision_number="bench/QĐ",
                        signed_by="bench",
                    )
                )
            except Exception:  # a closed household refuses new facts: take another
                continue
            written = time.perf_counter()
            target = int(app.recorder.max_notification_id())
            while projection.position() < target:
                time.sleep(0.002)
            lags.append(time.perf_counter() - written)
            writes.append(written - began)
    finally:
        stop.set()
        worker.join(timeout=30)
        projection.close()
    if not lags:
        return
    figures.append(
        Figure(
            backend,
            "projection lag after a write (median)",
            statistics.median(lags) * 1e3,
            "ms",
            statistics.median(writes) * 1e3,
            "the write itself",
            higher_is_better=False,
            notes={
                "writes": len(lags),
                "max_ms": round(max(lags) * 1e3, 1),
                "wakeup": "LISTEN/NOTIFY"
                if config.is_postgres
                else "poll 0.02 s, doubling to 0.5 s",
            },
        )
    )


_COMMUNES_2016 = (
    "01534", "01537", "01540", "01543", "01546", "01549", "01552", "01555",
    "01558", "01561", "01564", "01567", "01570", "01573",
)  # fmt: skip

_GENERATE = [
    """
    CREATE TEMP TABLE g_h ON COMMIT DROP AS
    SELECT i, md5('bench-' || i)::uuid AS hid,
           (%(communes)s::text[])[1 + i %% cardinality(%(communes)s::text[])] AS unit,
           i %% 10 <> 0 AS em
    FROM generate_series(1, %(n)s) AS i
    """,
    """
    INSERT INTO rm_household_attributes (household_id, valid_from, valid_to, known_from,
        known_to, code, unit_code, unit_named_on, village, area_type, ethnic_minority,
        sponsor_active, exit_registered, closed, notification_id)
    SELECT hid, DATE '2016-01-05', NULL, TIMESTAMPTZ '2016-01-08 03:00+00', NULL,
           unit || '-B' || i, unit, DATE '2016-01-05', 'Bản ' || (i %% 9),
           CASE WHEN unit = '01558' THEN 'urban' ELSE 'rural' END, em, false, false, false, i
    FROM g_h
    """,
    """
    CREATE TEMP TABLE g_r ON COMMIT DROP AS
    SELECT h.hid, h.i, y, d AS valid_from,
           ((d + 5) + TIME '03:00') AT TIME ZONE 'UTC' AS known_from,
           CASE WHEN r < 420 - 35 * (y - 2016) THEN 'poor'
                WHEN r < 650 - 30 * (y - 2016) THEN 'near_poor' ELSE 'not_poor' END AS status,
           CASE WHEN y = 2016 THEN 2016 ELSE y + 1 END AS list_year
    FROM g_h h
    CROSS JOIN generate_series(2016, 2025) AS y
    CROSS JOIN LATERAL (SELECT CASE WHEN y = 2016 THEN DATE '2016-01-20'
                                    ELSE make_date(y, 12, 10) END AS d) AS dd
    CROSS JOIN LATERAL (SELECT abs(hashtext(h.i::text || '-' || y::text)) %% 1000 AS r) AS z
    """,
    """
    CREATE TEMP TABLE g_p ON COMMIT DROP AS
    SELECT hid, i, valid_from, lead(valid_from) OVER w AS valid_to, known_from,
           lead(known_from) OVER w AS next_known, status, list_year,
           CASE WHEN list_year <= 2021 THEN '2016-2020' WHEN list_year <= 2026 THEN '2021-2025'
                ELSE '2026-2030' END AS standard,
           lag(status) OVER w AS prev,
           coalesce(bool_or(status = 'poor') OVER (w ROWS BETWEEN UNBOUNDED PRECEDING
                                                   AND 1 PRECEDING), false) AS ever_poor,
           coalesce(bool_or(status = 'near_poor') OVER (w ROWS BETWEEN UNBOUNDED PRECEDING
                                                        AND 1 PRECEDING), false) AS ever_near,
           row_number() OVER w AS k
    FROM g_r WINDOW w AS (PARTITION BY hid ORDER BY valid_from)
    """,
    """
    CREATE TEMP TABLE g_t ON COMMIT DROP AS
    SELECT *, CASE
        WHEN status = 'poor' THEN CASE WHEN prev = 'poor' THEN 'unchanged'
             WHEN ever_poor THEN 're_poor' ELSE 'newly_poor' END
        WHEN status = 'near_poor' THEN CASE WHEN prev = 'poor' THEN 'exited_poverty'
             WHEN prev = 'near_poor' THEN 'unchanged'
             WHEN ever_near THEN 're_near_poor' ELSE 'newly_near_poor' END
        ELSE CASE WHEN prev = 'poor' THEN 'exited_poverty'
             WHEN prev = 'near_poor' THEN 'exited_near_poverty' ELSE 'unchanged' END
        END AS transition
    FROM g_p
    """,
    # The registration's not-poor period: open until the first decision was recorded, then ended.
    """
    INSERT INTO rm_status_periods (household_id, valid_from, valid_to, known_from, known_to,
        status, recognised, standard, transition, list_year, decision_number, decision_version,
        notification_id)
    SELECT hid, DATE '2016-01-05', NULL, TIMESTAMPTZ '2016-01-08 03:00+00', known_from,
           'not_poor', false, NULL::text, NULL::text, NULL::int, NULL::text, NULL::bigint, i
    FROM g_t WHERE k = 1
    UNION ALL
    SELECT hid, DATE '2016-01-05', valid_from, known_from, NULL,
           'not_poor', false, NULL::text, NULL::text, NULL::int, NULL::text, NULL::bigint, i
    FROM g_t WHERE k = 1
    """,
    # Each decision's period: open (as first recorded), then ended by the next decision.
    """
    INSERT INTO rm_status_periods (household_id, valid_from, valid_to, known_from, known_to,
        status, recognised, standard, transition, list_year, decision_number, decision_version,
        notification_id)
    SELECT hid, valid_from, NULL, known_from, next_known, status, true, standard, transition,
           list_year, list_year || '/QĐ', k + 1, i FROM g_t
    UNION ALL
    SELECT hid, valid_from, valid_to, next_known, NULL, status, true, standard, transition,
           list_year, list_year || '/QĐ', k + 1, i FROM g_t WHERE valid_to IS NOT NULL
    """,
]


def _large_store(config: StoreConfig) -> tuple[Any, StoreConfig]:
    from infrastructure.settings import Settings

    schema = f"bench_rm_{uuid.uuid4().hex[:10]}"
    auth = config.user + (f":{config.password}" if config.password else "")
    url = f"postgresql://{auth}@{config.host}:{config.port}/{config.dbname}?schema={schema}"
    settings = Settings(database_url=url)
    initialise_store(settings)
    return settings, parse_database_url(url)


def _median_time(fn: Any, repeat: int = 3) -> float:
    samples = []
    for _ in range(repeat):
        began = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - began)
    return statistics.median(samples)


def _generate(large: StoreConfig, n: int) -> tuple[float, Any]:
    """Write ``n`` households straight into the read models; the seconds it took and the rows."""
    with psycopg.connect(large.psycopg_conninfo(), autocommit=True) as conn:
        conn.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(large.schema)))
        began = time.perf_counter()
        with conn.transaction():
            for statement in _GENERATE:
                conn.execute(statement, {"n": n, "communes": list(_COMMUNES_2016)})
        conn.execute("ANALYZE rm_status_periods")
        conn.execute("ANALYZE rm_household_attributes")
        generated = time.perf_counter() - began
        rows = conn.execute(
            "SELECT (SELECT count(*) FROM rm_status_periods), "
            "(SELECT count(*) FROM rm_household_attributes)"
        ).fetchone()
    return generated, rows


def _read_model_times(app: Any, large: StoreConfig, n: int) -> tuple[float, float, float]:
    """Poverty now, poverty as known in the past, annual: median seconds from the read models."""
    source = ReadModelSource(large)
    today, units, standards = app.today(), app.units, app.standards
    past = app.now().replace(year=2024, month=6, day=1)

    def poverty(on: date, known_at: Any) -> Any:
        return poverty_report(source, units, unit="04", as_of=on, known_at=known_at, today=today)

    try:
        check = poverty(date(2024, 12, 31), None)
        assert check["households"] == n, check["households"]
        return (
            _median_time(lambda: poverty(date(2024, 12, 31), None)),
            _median_time(lambda: poverty(date(2023, 12, 31), past)),
            _median_time(
                lambda: annual_report(
                    source, units, standards, unit="048", year=2024, known_at=None, today=today
                )
            ),
        )
    finally:
        source.close()


def _replay_times(app: Any) -> tuple[int, float, float]:
    """Households of the demo store, and the poverty and annual reports by replaying them all."""
    histories = load_histories(app)
    replay_load = _median_time(lambda: load_histories(app), repeat=1)
    today, units, standards = app.today(), app.units, app.standards

    def replay(fn: Any) -> float:
        rs = ReplaySource(app)
        rs._histories = histories
        return _median_time(lambda: fn(rs), repeat=1) + replay_load

    poverty = replay(
        lambda rs: poverty_report(
            rs, units, unit="04", as_of=date(2024, 12, 31), known_at=None, today=today
        )
    )
    annual = replay(
        lambda rs: annual_report(
            rs, units, standards, unit="048", year=2024, known_at=None, today=today
        )
    )
    return len(histories), poverty, annual


def _large(backend: str, app: Any, config: StoreConfig, figures: list[Any], Figure: Any) -> None:
    """Reports on 150,000 generated households (read models) beside replay (extrapolated)."""
    _settings, large = _large_store(config)
    n = LARGE_HOUSEHOLDS
    try:
        generated, rows = _generate(large, n)
        poverty_s, poverty_past_s, annual_s = _read_model_times(app, large, n)
        demo_n, replay_poverty, replay_annual = _replay_times(app)
        scale = n / demo_n
        notes = {
            "households": n,
            "rows": {"status_periods": rows[0], "attributes": rows[1]} if rows else None,
            "generated_with_sql_seconds": round(generated, 1),
            "replay": f"measured on {demo_n:,} demo households (load + fold), x{scale:.0f}",
        }
        for name, fast, slow, extra in (
            (
                "poverty",
                poverty_s,
                replay_poverty,
                {"as_known_at_2024_06_01_s": round(poverty_past_s, 3)},
            ),
            ("annual", annual_s, replay_annual, {}),
        ):
            figures.append(
                Figure(
                    backend,
                    f"{name} report, {n:,} households",
                    fast,
                    "s",
                    slow * scale,
                    "replay every household (extrap.)",
                    higher_is_better=False,
                    goal="< 2 s",
                    notes={**notes, **extra},
                )
            )
    finally:
        with psycopg.connect(config.psycopg_conninfo(), autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(large.schema))
            )
