"""The HTTP server under faults: workers killed with SIGKILL mid-request (both stores), and the
PostgreSQL server stopped and started again mid-load (a private cluster).

Clients record facts with an ``Idempotency-Key`` each and retry, with the same key, whatever
happens (a dropped connection, 409 while a key is held, 500, 503) until they get their 201.
Afterwards: every request was acknowledged; each acknowledged fact is stored exactly once, at
the version its answer names; nothing unacknowledged is stored; a re-run of every request is a
replay that records nothing; ``audit checkpoint`` and ``audit verify`` pass.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql

from application.accounts import Accounts
from domain.units import load_units
from infrastructure.accounts import account_store
from infrastructure.settings import Settings
from tests.factories import register
from tests.faults.conftest import (
    Cluster,
    Server,
    Tally,
    audit_passes,
    start_server,
    stop_server,
)
from web.audit_bootstrap import build_audit
from web.bootstrap import build_application, initialise_store, store_config

pytestmark = pytest.mark.faults

HOUSEHOLDS = [f"01564-09{i:02d}" for i in range(6)]
SUPPORT = {
    "effective_on": "2018-05-02",
    "category": "production",
    "funding_source": "central",
    "amount_vnd": 2_500_000,
    "provider": "UBND xã",
}
LEASE_SECONDS = "2"


def prepare(settings: Settings) -> str:
    """Households to record on, an admin and its token; returns the token."""
    initialise_store(settings)
    build_audit(settings).ensure_signing_key()
    app = build_application(settings)
    try:
        with app.batch():
            for code in HOUSEHOLDS:
                register(app, code=code)
        store = account_store(store_config(settings))
        try:
            accounts = Accounts(store, units=load_units(), clock=app.now, today=app.today)
            accounts.add_user("loader", "admin")
            return accounts.issue_token("loader").token
        finally:
            store.close()
    finally:
        app.close()


def _env(settings: Settings) -> dict[str, str]:
    return {
        "CHUNGTAY_DATABASE_URL": settings.database_url,
        "CHUNGTAY_SIGNING_KEY": str(settings.signing_key),
        "CHUNGTAY_IDEMPOTENCY_LEASE": LEASE_SECONDS,
    }


def _body(i: int) -> dict[str, Any]:
    return {**SUPPORT, "programme": f"load-{i:04d}"}


def _record(server: Server, i: int, tally: Tally, lock: threading.Lock, deadline: float) -> None:
    """One logical request, retried with its key until acknowledged."""
    path = f"/households/{HOUSEHOLDS[i % len(HOUSEHOLDS)]}/support"
    key = {"Idempotency-Key": f"load-{i:04d}"}
    while time.monotonic() < deadline:
        try:
            status, headers, data = server.request("POST", path, _body(i), key)
        except OSError:
            with lock:
                tally.attempts += 1
                tally.connection_errors += 1
            time.sleep(0.1)
            continue
        with lock:
            tally.attempts += 1
            tally.statuses[status] = tally.statuses.get(status, 0) + 1
        if status == 201:
            with lock:
                tally.acknowledged[key["Idempotency-Key"]] = json.loads(data)
                tally.replayed += headers.get("Idempotent-Replayed") == "true"
            return
        assert status in (409, 500, 503), (status, data[:500])
        time.sleep(0.2 if status != 409 else min(float(headers.get("Retry-After", 1)), 0.5))


def run_load(
    server: Server,
    minimum: int,
    threads: int,
    fault: Callable[[], None],
    tallies: list[Tally] | None = None,
) -> Tally:
    """Requests from ``threads`` clients for as long as ``fault`` runs beside them (and at
    least ``minimum`` of them); each is retried with its key until acknowledged."""
    tally = Tally()
    if tallies is not None:
        tallies.append(tally)
    lock = threading.Lock()
    deadline = time.monotonic() + 240
    faulting = threading.Event()
    faulting.set()

    errors: list[BaseException] = []

    def client() -> None:
        while True:
            with lock:
                if errors or (not faulting.is_set() and tally.requests >= minimum):
                    return
                i = tally.requests
                tally.requests += 1
            try:
                _record(server, i, tally, lock, deadline)
            except BaseException as e:  # reported by the test, not lost in a thread
                errors.append(e)

    workers = [threading.Thread(target=client) for _ in range(threads)]
    for w in workers:
        w.start()
    try:
        fault()
    finally:
        faulting.clear()
        for w in workers:
            w.join()
    if errors:
        raise errors[0]
    return tally


def check_outcome(settings: Settings, server: Server, tally: Tally) -> None:
    """Acknowledged = stored, exactly once; a re-run replays; the ledger verifies."""
    assert len(tally.acknowledged) == tally.requests, tally.summary()
    app = build_application(settings)
    try:
        stored: dict[str, list[tuple[str, int]]] = {}
        for code in HOUSEHOLDS:
            for fact in app.get(code).facts:
                marker = getattr(fact, "programme", "")
                if marker.startswith("load-"):
                    stored.setdefault(marker, []).append(
                        (str(fact.originator_id), fact.originator_version)
                    )
    finally:
        app.close()
    duplicates = {k: v for k, v in stored.items() if len(v) > 1}
    assert duplicates == {}, duplicates
    assert set(stored) == set(tally.acknowledged), tally.summary()
    for key, answer in tally.acknowledged.items():
        assert stored[key] == [(answer["household_id"], answer["version"])], key
    # a client that lost every answer and sends everything again records nothing new
    again = Tally(requests=tally.requests)
    lock = threading.Lock()
    for i in range(tally.requests):
        _record(server, i, again, lock, time.monotonic() + 60)
    assert again.acknowledged == tally.acknowledged, again.summary()
    assert again.replayed == tally.requests, again.summary()  # each one a replay
    audit_passes(settings)


def test_workers_killed_mid_request_lose_and_duplicate_nothing(store: Any, tmp_path: Path) -> None:
    backend = store.backend
    settings = store.settings
    token = prepare(settings)
    server = start_server(_env(settings), token, tmp_path / "server.log")
    kills = 6

    def kill_workers() -> None:
        done = 0
        while done < kills:
            time.sleep(0.3)
            if server.kill_a_worker():
                done += 1

    try:
        tally = run_load(server, minimum=60, threads=8, fault=kill_workers)
        print(f"\n[{backend}] {server.kills} worker kills: {tally.summary()}")
        check_outcome(settings, server, tally)
    finally:
        stop_server(server)
    assert server.kills == kills


@pytest.fixture
def cluster_schema(cluster: Cluster, tmp_path: Path) -> Any:
    """A fresh schema in the private cluster, as settings."""
    schema = f"f_{uuid.uuid4().hex[:12]}"
    settings = Settings(database_url=cluster.url(schema), signing_key=tmp_path / "k.key")
    yield settings
    with psycopg.connect(
        f"host=127.0.0.1 port={cluster.port} user=postgres dbname=postgres", autocommit=True
    ) as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


def test_postgres_restarted_mid_load_loses_and_duplicates_nothing(
    cluster: Cluster, cluster_schema: Settings, tmp_path: Path
) -> None:
    settings = cluster_schema
    token = prepare(settings)
    server = start_server(_env(settings), token, tmp_path / "server.log")
    seen: Counter[str] = Counter()

    def restart_twice() -> None:
        for _ in range(2):
            time.sleep(1.0)
            before = server_attempts()
            cluster.restart_after(down_seconds=1.5)
            seen["restarts"] += 1
            seen["attempts while down"] += server_attempts() - before

    tally_box: list[Tally] = []

    def server_attempts() -> int:
        return tally_box[0].attempts if tally_box else 0

    try:
        tally = run_load(server, minimum=60, threads=8, fault=restart_twice, tallies=tally_box)
        print(
            f"\n[postgres restart] {seen['restarts']} restarts, {seen['attempts while down']} "
            f"attempts during them: {tally.summary()}"
        )
        check_outcome(settings, server, tally)
    finally:
        stop_server(server)
    assert seen["restarts"] == 2
    assert seen["attempts while down"] > 0, "no request ran while the server was down"
