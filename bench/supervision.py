"""``make bench``: the district-wide anomaly scan (issue 6) beside a plain scan of the same log.

The figure is the wall time of :func:`application.supervision.scan_anomalies` over the whole
store (reading and decoding the notification log, then every rule for every household); the
baseline, measured in the same run, is the reading alone: the same pages of
``select_notifications``, each event decoded with the application's mapper and grouped by
household, with the garbage collector paused as the scan pauses it. The ratio (baseline ÷ scan)
is therefore the share of the scan spent just getting the facts. Goal: under 5 s for 6,000
demo households on PostgreSQL.

Wiring (``bench/__main__.py``, inside ``bench_backend`` once the demo is loaded)::

    from bench.supervision import bench_supervision
    bench_supervision(backend, settings, figures, Figure)
"""

from __future__ import annotations

import time
from typing import Any

from application.supervision import PAGE_SIZE, gc_paused, iter_log, scan_anomalies
from infrastructure.settings import Settings
from web.bootstrap import build_application


def _read_log(app: Any) -> int:
    groups: dict[Any, list[Any]] = {}
    with gc_paused():
        for event in iter_log(app, PAGE_SIZE):
            groups.setdefault(event.originator_id, []).append(event)
    return len(groups)


def bench_supervision(
    backend: str, settings: Settings, figures: list[Any], Figure: type, *, runs: int = 2
) -> None:
    """Append the anomaly-scan figure for ``backend`` (best of ``runs``) to ``figures``."""
    app = build_application(settings)
    try:
        households = _read_log(app)  # also warms the database's cache for both measurements
        base, value, cpu = float("inf"), float("inf"), float("inf")
        result: dict[str, Any] = {}
        for _ in range(runs):
            start = time.perf_counter()
            _read_log(app)
            base = min(base, time.perf_counter() - start)
            start, cpu_start = time.perf_counter(), time.process_time()
            result = scan_anomalies(app)
            value = min(value, time.perf_counter() - start)
            cpu = min(cpu, time.process_time() - cpu_start)
        figures.append(
            Figure(
                backend,
                f"anomaly scan, whole store ({households} households)",
                value,
                "s",
                base,
                "read + decode the same log",
                higher_is_better=False,
                goal="< 5 s for 6,000 households on PostgreSQL",
                notes={
                    "anomalies": result.get("count"),
                    "by_rule": result.get("by_rule"),
                    "scan_cpu_seconds": round(cpu, 2),
                    "rules_seconds": round(value - base, 2),
                },
            )
        )
    finally:
        app.close()
