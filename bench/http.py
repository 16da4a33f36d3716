"""``make bench``: the HTTP API through the real server (issue 4, item 6), beside baselines of the same run.

``bench_http(backend, settings, figures, Figure)`` starts ``chungtay serve --workers 2
--no-projections`` (gunicorn, as a subprocess, on ``127.0.0.1:<free port>``) on a store that
already holds the demo, drives it from this process with a small load generator (standard
library only: one keep-alive ``http.client.HTTPConnection`` per client thread, loopback only,
bounded by a request count and by time), and appends:

1. **status queries** (``GET /api/v1/households/{code}/status?as_of=…``, random demo households
   and random ``as_of`` dates 2016 → today, fixed seeds) per second with ``clients`` clients,
   beside ``GET /api/v1/health`` on the same server with the same clients (the trivial endpoint:
   routing, JSON, the access log, one tiny query). Goal: ratio ≥ 0.50.
2. **status p50 and p99** latency beside the health endpoint's p50 and p99.
3. **recording** (``POST /api/v1/households/{code}/support``) with ``clients`` clients, first on
   distinct households (one each), then all on one household (concurrent writers on the same
   aggregate: the server retries a conflicting save, else answers 409). Facts stored per second,
   beside the in-process rate of ``Households.deliver_support`` measured in the same run (one
   thread, other demo households, no HTTP). 201s, 409s and other statuses are counted, and the
   number of facts stored (each household's history through the API, before and after) must
   equal the number of 201s: ``notes["stored == 201s"]``; a mismatch raises.

Every rate counts *expected* answers only (200, or 201) per second of the phase's wall time;
anything else is in ``errors``. Each phase is bounded by ``seconds`` and ``max_requests``; the
first ``warmup`` requests of each client in the read phases are not measured (they open the
connections and each worker's application). The server is stopped with SIGTERM (graceful) and
waited for, whatever happens. The load generator shares the machine with the server: its CPU
share is in the notes (``client_cpu``, in cores).

Wiring (``bench/__main__.py``, inside ``bench_backend``, after ``bench_reports``)::

    from bench.http import bench_http
    bench_http(backend, settings, figures, Figure)

Alone: ``python -m bench.http --households 200 [--seconds 10] [--clients 8] [--backend sqlite]``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from infrastructure.settings import Settings
from web.bootstrap import build_application, initialise_store

LOOPBACK = "127.0.0.1"
ROOT = Path(__file__).resolve().parents[1]
API = "/api/v1"
WORKERS = 2
START_TIMEOUT = 30.0
STOP_TIMEOUT = 30.0  # gunicorn's graceful_timeout is 20 s

# (client number, request number within that client, the client's seeded Random) -> request
Request = tuple[str, str, bytes | None]
RequestFor = Callable[[int, int, random.Random], Request]

SUPPORT = {
    "category": "production",
    "programme": "135",
    "funding_source": "central",
    "amount_vnd": 1_500_000,
    "in_kind": None,
    "provider": "bench",
}


# -- the load generator ------------------------------------------------------------------------


def percentile(sorted_values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (``p`` in 0–100) of already sorted values; NaN when empty."""
    if not sorted_values:
        return float("nan")
    rank = min(len(sorted_values), max(1, math.ceil(p / 100 * len(sorted_values))))
    return sorted_values[rank - 1]


@dataclass
class LoadResult:
    """What one phase of load did: every answered request's latency and status, and failures."""

    clients: int
    seconds: float
    latencies: list[float]
    statuses: Counter[int]
    failures: Counter[str]
    ok: frozenset[int]
    client_cpu: float = 0.0
    _sorted: list[float] = field(default_factory=list, repr=False)

    @property
    def requests(self) -> int:
        """Requests sent (answered or not)."""
        return len(self.latencies) + sum(self.failures.values())

    @property
    def succeeded(self) -> int:
        """Answers with an expected status."""
        return sum(n for status, n in self.statuses.items() if status in self.ok)

    @property
    def errors(self) -> int:
        """Requests without an answer, plus answers with an unexpected status."""
        return self.requests - self.succeeded

    @property
    def rate(self) -> float:
        """Expected answers per second of wall time."""
        return self.succeeded / self.seconds if self.seconds > 0 else float("nan")

    def latency(self, p: float) -> float:
        """Percentile ``p`` of the answered requests' latencies, in seconds."""
        if len(self._sorted) != len(self.latencies):
            self._sorted = sorted(self.latencies)
        return percentile(self._sorted, p)

    @property
    def p50_ms(self) -> float:
        """Median latency, ms."""
        return self.latency(50) * 1e3

    @property
    def p99_ms(self) -> float:
        """99th-percentile latency, ms."""
        return self.latency(99) * 1e3

    def notes(self) -> dict[str, Any]:
        """A summary for a figure's notes."""
        return {
            "requests": self.requests,
            "errors": self.errors,
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            **({"failures": dict(self.failures)} if self.failures else {}),
            "seconds": round(self.seconds, 2),
            "clients": self.clients,
            "p50_ms": round(self.p50_ms, 2),
            "p99_ms": round(self.p99_ms, 2),
            "client_cpu": round(self.client_cpu, 2),
        }


def run_load(
    port: int,
    request_for: RequestFor,
    *,
    clients: int,
    seconds: float,
    max_requests: int,
    headers: dict[str, str] | None = None,
    ok: frozenset[int] = frozenset({200}),
    warmup: int = 0,
    seed: int = 0,
    host: str = LOOPBACK,
    timeout: float = 10.0,
) -> LoadResult:
    """Send requests from ``clients`` threads, each on its own keep-alive connection.

    Every client builds its requests with ``request_for(client, n, rng)`` (``rng`` seeded from
    ``seed`` and the client number; warm-up requests get negative ``n``), sends them one after
    the other and stops at the deadline (``seconds`` after all clients have warmed up and start
    together) or after its share of ``max_requests``, whichever comes first.
    """
    if host not in (LOOPBACK, "localhost", "::1"):
        raise ValueError(f"the load generator only talks to loopback, not {host!r}")
    if clients < 1 or max_requests < 0 or seconds <= 0:
        raise ValueError("need clients ≥ 1, max_requests ≥ 0 and seconds > 0")
    base_headers = {"Accept": "application/json", **(headers or {})}
    quotas = [max_requests // clients + (c < max_requests % clients) for c in range(clients)]
    start: list[float] = []
    barrier = threading.Barrier(clients, action=lambda: start.append(time.perf_counter()))

    def send(conn: http.client.HTTPConnection, request: Request) -> tuple[int, float]:
        method, path, body = request
        hdrs = (
            base_headers if body is None else {**base_headers, "Content-Type": "application/json"}
        )
        began = time.perf_counter()
        conn.request(method, path, body=body, headers=hdrs)
        resp = conn.getresponse()
        resp.read()
        took = time.perf_counter() - began
        if resp.will_close:
            conn.close()  # the next request reconnects
        return resp.status, took

    def client(c: int) -> tuple[list[float], Counter[int], Counter[str], float]:
        rng = random.Random(seed * 1_000_003 + c)
        conn = http.client.HTTPConnection(host, port, timeout=timeout)
        latencies: list[float] = []
        statuses: Counter[int] = Counter()
        failures: Counter[str] = Counter()
        try:
            for n in range(warmup):
                try:
                    send(conn, request_for(c, -1 - n, rng))
                except (OSError, http.client.HTTPException):
                    conn.close()
            barrier.wait(timeout=timeout + 60)
            deadline = start[0] + seconds
            for n in range(quotas[c]):
                if time.perf_counter() >= deadline:
                    break
                request = request_for(c, n, rng)
                try:
                    status, took = send(conn, request)
                except (OSError, http.client.HTTPException) as e:
                    failures[type(e).__name__] += 1
                    conn.close()
                    time.sleep(0.01)  # no busy loop against a dead server
                    continue
                latencies.append(took)
                statuses[status] += 1
            return latencies, statuses, failures, time.perf_counter()
        except BaseException:
            barrier.abort()  # the other clients must not wait for this one
            raise
        finally:
            conn.close()

    cpu_before = time.process_time()
    with ThreadPoolExecutor(max_workers=clients, thread_name_prefix="bench-http") as pool:
        results = [f.result() for f in [pool.submit(client, c) for c in range(clients)]]
    cpu = time.process_time() - cpu_before
    latencies = [x for r in results for x in r[0]]
    statuses = sum((r[1] for r in results), Counter())
    failures = sum((r[2] for r in results), Counter())
    elapsed = max(r[3] for r in results) - start[0]
    return LoadResult(
        clients,
        elapsed,
        latencies,
        statuses,
        failures,
        ok,
        client_cpu=cpu / elapsed if elapsed > 0 else 0.0,
    )


# -- the server --------------------------------------------------------------------------------


def free_port() -> int:
    """A TCP port free on loopback right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((LOOPBACK, 0))
        return int(s.getsockname()[1])


def server_env(settings: Settings, signing_key: Path, port: int) -> dict[str, str]:
    """The environment of the ``chungtay`` commands: this store, this key, this port."""
    path = os.environ.get("PYTHONPATH")
    return {
        **os.environ,
        "CHUNGTAY_DATABASE_URL": settings.database_url,
        "CHUNGTAY_SIGNING_KEY": str(signing_key),
        "CHUNGTAY_BIND": f"{LOOPBACK}:{port}",
        "CHUNGTAY_TIMEZONE": settings.timezone,
        "PYTHONPATH": f"{ROOT}{os.pathsep}{path}" if path else str(ROOT),
    }


def chungtay(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """Run one ``chungtay`` command (``python -m web``, the same interpreter)."""
    return subprocess.run(
        [sys.executable, "-m", "web", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def admin_token(env: dict[str, str], name: str = "bench-admin") -> str:
    """Create an admin user (unless it exists) and issue a token for it, through the CLI."""
    added = chungtay(env, "user", "add", name, "--role", "admin")
    if added.returncode != 0 and "exists already" not in added.stderr:
        raise RuntimeError(f"chungtay user add failed ({added.returncode}): {added.stderr}")
    issued = chungtay(env, "token", "issue", name)
    if issued.returncode != 0 or not issued.stdout.strip():
        raise RuntimeError(f"chungtay token issue failed ({issued.returncode}): {issued.stderr}")
    return issued.stdout.strip()


def _tail(log: Path, lines: int = 30) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


@contextmanager
def serving(env: dict[str, str], port: int, log: Path, workers: int = WORKERS) -> Iterator[None]:
    """``chungtay serve`` running until the block ends; then SIGTERM and wait (KILL if stuck)."""
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "web", "serve", "--workers", str(workers), "--no-projections"],
            env=env,
            cwd=ROOT,
            stdout=out,  # the access log: a file, so a full pipe can never block the server
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"chungtay serve exited with {server.returncode}:\n{_tail(log)}")
            try:
                conn = http.client.HTTPConnection(LOOPBACK, port, timeout=2)
                try:
                    conn.request("GET", f"{API}/health")
                    resp = conn.getresponse()
                    resp.read()
                    if resp.status == 200:
                        break
                finally:
                    conn.close()
            except (OSError, http.client.HTTPException):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"chungtay serve not healthy after {START_TIMEOUT:.0f} s:\n{_tail(log)}"
                )
            time.sleep(0.1)
        yield
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def api_json(port: int, token: str, path: str) -> Any:
    """One authenticated GET, its JSON answer (raises on anything but 200)."""
    conn = http.client.HTTPConnection(LOOPBACK, port, timeout=30)
    try:
        conn.request("GET", path, headers={"Authorization": f"Bearer {token}"})
        resp = conn.getresponse()
        body = resp.read()
        if resp.status != 200:
            raise RuntimeError(f"GET {path}: {resp.status} {body[:300]!r}")
        return json.loads(body)
    finally:
        conn.close()


def facts_stored(port: int, token: str, codes: Sequence[str]) -> int:
    """Facts recorded for these households, counted through the API (their histories)."""
    return sum(len(api_json(port, token, f"{API}/households/{c}/history")["facts"]) for c in codes)


# -- the bench ---------------------------------------------------------------------------------


def _demo_codes(settings: Settings, wanted: int, seed: int = 11) -> tuple[list[str], list[str]]:
    """(codes of a sample of demo households, the codes among them not closed)."""
    app = build_application(settings)
    try:
        ids = list(app.household_ids())
        sample = random.Random(seed).sample(ids, min(wanted, len(ids)))
        today = app.today()
        codes, open_codes = [], []
        for hid in sample:
            household = app.get(hid)
            code = household.facts[0].code
            codes.append(code)
            if not household.situation(today).closed:
                open_codes.append(code)
        return codes, open_codes
    finally:
        app.close()


def _in_process_support(
    settings: Settings, codes: Sequence[str], on: date, seconds: float, limit: int
) -> tuple[float, int]:
    """Facts/s of ``Households.deliver_support`` in this process, one thread, no HTTP."""
    app = build_application(settings)
    try:
        app.deliver_support(codes[0], effective_on=on, recorded_by="bench", **SUPPORT)  # warm
        done = 0
        start = time.perf_counter()
        deadline = start + seconds
        while done < limit and time.perf_counter() < deadline:
            app.deliver_support(
                codes[done % len(codes)], effective_on=on, recorded_by="bench", **SUPPORT
            )
            done += 1
        return done / (time.perf_counter() - start), done
    finally:
        app.close()


def bench_http(
    backend: str,
    settings: Settings,
    figures: list[Any],
    Figure: type,
    *,
    seconds: float = 10.0,
    clients: int = 8,
    max_requests: int = 200_000,
    workers: int = WORKERS,
) -> None:
    """Append the HTTP figures for ``backend`` (see the module's docstring) to ``figures``."""
    codes, open_codes = _demo_codes(settings, wanted=max(400, 4 * clients))
    if len(open_codes) < 2 * clients + 1:
        raise RuntimeError(f"need {2 * clients + 1} open demo households, found {len(open_codes)}")
    distinct, single, in_process = (
        open_codes[:clients],
        open_codes[clients],
        open_codes[clients + 1 : 2 * clients + 1],
    )
    app = build_application(settings)
    today = app.today()
    app.close()
    first = date(2016, 1, 1)
    span = (min(date(2026, 12, 31), today) - first).days
    support_body = json.dumps({"effective_on": today.isoformat(), **SUPPORT}).encode()
    base_rate, base_n = _in_process_support(
        settings, in_process, today, seconds=max(1.0, seconds / 2), limit=5_000
    )

    with tempfile.TemporaryDirectory(prefix="chungtay-bench-http-") as tmp:
        signing_key = (
            settings.signing_key if settings.signing_key.is_absolute() else Path(tmp, "signing.key")
        )
        port = free_port()
        env = server_env(settings, signing_key, port)
        token = admin_token(env)
        auth = {"Authorization": f"Bearer {token}"}
        log = Path(tmp, "serve.log")
        with serving(env, port, log, workers):
            common = {"clients": clients, "seconds": seconds, "max_requests": max_requests}

            def health(_c: int, _n: int, _rng: random.Random) -> Request:
                return "GET", f"{API}/health", None

            def status(_c: int, _n: int, rng: random.Random) -> Request:
                as_of = first + timedelta(days=rng.randint(0, span))
                return "GET", f"{API}/households/{rng.choice(codes)}/status?as_of={as_of}", None

            base = run_load(port, health, headers=auth, warmup=20, seed=1, **common)
            reads = run_load(port, status, headers=auth, warmup=20, seed=2, **common)

            recording: dict[str, tuple[LoadResult, int]] = {}
            for label, targets in (("distinct", distinct), ("one", [single])):

                def support(
                    c: int, _n: int, _rng: random.Random, t: list[str] = targets
                ) -> Request:
                    return "POST", f"{API}/households/{t[c % len(t)]}/support", support_body

                before = facts_stored(port, token, targets)
                result = run_load(
                    port, support, headers=auth, ok=frozenset({201}), seed=3, **common
                )
                recording[label] = (result, facts_stored(port, token, targets) - before)

    server = {"workers": workers, "threads_per_worker": 4, "cores": os.cpu_count()}
    figures.append(
        Figure(
            backend,
            f"HTTP status queries ({clients} clients)",
            reads.rate,
            "req/s",
            base.rate,
            "GET /health, same server",
            goal="≥ 0.50",
            notes={"status": reads.notes(), "health": base.notes(), "server": server},
        )
    )
    for p in (50, 99):
        figures.append(
            Figure(
                backend,
                f"HTTP status p{p} ({clients} clients)",
                reads.latency(p) * 1e3,
                "ms",
                base.latency(p) * 1e3,
                f"GET /health p{p}, same server",
                higher_is_better=False,
            )
        )
    mismatches = []
    for label, (result, stored) in recording.items():
        created, conflicts = result.statuses.get(201, 0), result.statuses.get(409, 0)
        agrees = stored == created
        if not agrees:
            mismatches.append(f"{label}: {stored} facts stored, {created} answered 201")
        where = f"{clients} households" if label == "distinct" else "one household"
        figures.append(
            Figure(
                backend,
                f"HTTP recording ({clients} clients, {where})",
                result.rate,
                "facts/s",
                base_rate,
                "deliver_support in-process, 1 thread",
                notes={
                    "201": created,
                    "409": conflicts,
                    "other": result.errors - conflicts,
                    "stored": stored,
                    "stored == 201s": agrees,
                    **result.notes(),
                    "baseline_facts": base_n,
                },
            )
        )
    if mismatches:
        raise AssertionError("facts stored ≠ 201 answers: " + "; ".join(mismatches))


# -- alone -------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Load a demo into a temporary store, run :func:`bench_http`, print the figures."""
    from bench.__main__ import Figure, store
    from demo import generate_demo

    parser = argparse.ArgumentParser(prog="python -m bench.http")
    parser.add_argument("--households", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=10.0, help="per phase (4 phases)")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args(argv)

    @contextmanager
    def fresh() -> Iterator[Settings]:
        if args.backend != "sqlite":
            with store(args.backend) as settings:
                yield settings
            return
        with tempfile.TemporaryDirectory(prefix="chungtay-bench-") as tmp:
            settings = Settings(
                database_url=f"sqlite:///{tmp}/bench-{uuid.uuid4().hex[:6]}.sqlite",
                signing_key=Path(tmp, "signing.key"),
            )
            initialise_store(settings)
            yield settings

    figures: list[Any] = []
    with fresh() as settings:
        app = build_application(settings)
        try:
            generate_demo(app, households=args.households, seed=7)
        finally:
            app.close()
        bench_http(
            args.backend, settings, figures, Figure, seconds=args.seconds, clients=args.clients
        )
    for f in figures:
        print(f.line())
        print("          " + json.dumps(f.notes, ensure_ascii=False, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
