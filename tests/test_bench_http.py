"""The HTTP bench's load generator, against a tiny WSGI server in this process (loopback)."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest

from bench.http import free_port, percentile, run_load

SLOW = 0.05


def tiny_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    """200 for GET, 201 for POST, 500 for /fail; /slow sleeps first."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    if length:
        environ["wsgi.input"].read(length)
    path = environ["PATH_INFO"]
    if path == "/slow":
        time.sleep(SLOW)
    if path == "/fail":
        status = "500 Internal Server Error"
    elif environ["REQUEST_METHOD"] == "POST":
        status = "201 Created"
    else:
        status = "200 OK"
    body = b'{"ok": true}'
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]


class ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def port() -> Iterator[int]:
    server = make_server(
        "127.0.0.1", 0, tiny_app, server_class=ThreadingServer, handler_class=QuietHandler
    )
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50.0
    assert percentile(values, 99) == 99.0
    assert percentile(values, 100) == 100.0
    assert percentile([7.0], 99) == 7.0
    assert percentile([], 50) != percentile([], 50)  # NaN


def test_stops_at_the_request_count_and_counts_statuses(port: int) -> None:
    def request(_c: int, n: int, _rng: random.Random) -> tuple[str, str, bytes | None]:
        if n % 10 == 0:
            return "GET", "/fail", None
        if n % 2:
            return "POST", "/things", b'{"a": 1}'
        return "GET", "/ok", None

    result = run_load(
        port, request, clients=4, seconds=30, max_requests=102, ok=frozenset({200, 201})
    )
    # quotas 26, 26, 25, 25: /fail at n = 0, 10, 20 for each; POST at odd n (13, 13, 12, 12)
    assert result.requests == 102
    assert result.errors == 12
    assert result.statuses == {500: 12, 201: 50, 200: 40}
    assert result.succeeded == 90
    assert not result.failures
    assert len(result.latencies) == 102
    assert result.seconds < 5
    assert result.rate == pytest.approx(90 / result.seconds)


def test_percentiles_of_the_latencies(port: int) -> None:
    def request(_c: int, n: int, _rng: random.Random) -> tuple[str, str, bytes | None]:
        return "GET", "/slow" if n % 5 == 0 else "/fast", None

    result = run_load(port, request, clients=4, seconds=30, max_requests=80)
    assert result.requests == 80 and result.errors == 0
    assert result.p50_ms < SLOW * 1e3  # 80 % of requests are fast
    assert result.p99_ms >= SLOW * 1e3  # 20 % sleep first
    assert min(result.latencies) > 0


def test_stops_by_time(port: int) -> None:
    def request(_c: int, _n: int, rng: random.Random) -> tuple[str, str, bytes | None]:
        return "GET", f"/ok?x={rng.random()}", None

    started = time.perf_counter()
    result = run_load(port, request, clients=2, seconds=0.4, max_requests=10**9, warmup=2)
    assert 0.4 <= result.seconds < 2.0
    assert time.perf_counter() - started < 3.0
    assert result.requests > 0 and result.errors == 0


def test_a_dead_server_is_errors_not_a_hang() -> None:
    dead = free_port()
    result = run_load(
        dead, lambda *_: ("GET", "/", None), clients=2, seconds=2, max_requests=6, timeout=1
    )
    assert result.requests == 6 and result.errors == 6
    assert result.failures == {"ConnectionRefusedError": 6}
    assert not result.latencies


def test_loopback_only() -> None:
    with pytest.raises(ValueError, match="loopback"):
        run_load(
            80,
            lambda *_: ("GET", "/", None),
            clients=1,
            seconds=1,
            max_requests=1,
            host="192.0.2.1",
        )
