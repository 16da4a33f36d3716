"""Fault tests: real processes killed with SIGKILL, a real PostgreSQL stopped and started.

The PostgreSQL that is restarted is a private cluster these tests create with ``initdb`` in a
temporary directory and run on a port of their own (as the ``postgres`` user when run as root),
so the shared server is never touched. The server under test is ``chungtay serve`` (gunicorn)
started as a subprocess; the CLI commands run as subprocesses too, as an operator runs them.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.cli_process import ROOT
from tests.conftest import REQUIRE_PG

pytestmark = pytest.mark.faults


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def children(pid: int) -> list[int]:
    """The live child processes of ``pid`` (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(entry.name))
    return found


# -- a private PostgreSQL cluster -----------------------------------------------------------


def _postgres_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


@dataclass
class Cluster:
    """A PostgreSQL cluster of the test's own: its data directory, port and ``pg_ctl``."""

    bin: Path
    data: Path
    port: int
    restarts: int = 0

    def _as_postgres(self) -> list[str]:
        return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def run(self, tool: str, *args: str) -> subprocess.CompletedProcess:
        """Run one of the server's programs as the cluster's owner."""
        return subprocess.run(
            [*self._as_postgres(), str(self.bin / tool), *args],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )

    def start(self) -> None:
        """Start and wait until it accepts connections."""
        self.run("pg_ctl", "-D", str(self.data), "-l", str(self.data / "server.log"), "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        """Stop (``fast`` disconnects every client and shuts down cleanly)."""
        self.run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def restart_after(self, down_seconds: float) -> None:
        """Stop, stay down a while, start again."""
        self.stop()
        time.sleep(down_seconds)
        self.start()
        self.restarts += 1

    def url(self, schema: str = "public") -> str:
        """The chungtay database URL of a schema in this cluster."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres?schema={schema}"


@pytest.fixture(scope="session")
def cluster() -> Iterator[Cluster]:
    """A private PostgreSQL cluster for this test session (trust authentication)."""
    binaries = _postgres_bin()
    if binaries is None or (os.geteuid() == 0 and shutil.which("runuser") is None):
        if REQUIRE_PG:
            pytest.fail("the fault tests need PostgreSQL's initdb and pg_ctl")
        pytest.skip("no initdb/pg_ctl on this machine")
    base = Path(tempfile.mkdtemp(prefix="chungtay-faults-pg-", dir="/tmp"))
    data = base / "data"
    data.mkdir()
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
        shutil.chown(data, "postgres", "postgres")
    c = Cluster(binaries, data, free_port())
    c.run("initdb", "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
    with (data / "postgresql.conf").open("a") as conf:
        conf.write(
            f"\nport = {c.port}\nlisten_addresses = '127.0.0.1'\n"
            f"unix_socket_directories = '{data}'\nfsync = off\nmax_connections = 200\n"
        )
    c.start()
    try:
        yield c
    finally:
        with contextlib.suppress(Exception):
            c.stop("immediate")
        shutil.rmtree(base, ignore_errors=True)


# -- the server under test ------------------------------------------------------------------


@dataclass
class Server:
    """``chungtay serve`` running as a subprocess, with an admin token."""

    process: subprocess.Popen
    base: str
    token: str
    env: dict[str, str]
    log: Path
    kills: int = 0

    def workers(self) -> list[int]:
        """The gunicorn workers alive now."""
        return children(self.process.pid)

    def kill_a_worker(self) -> bool:
        """SIGKILL one worker (the master starts another); False when none is up."""
        workers = self.workers()
        if not workers:
            return False
        with contextlib.suppress(ProcessLookupError):
            os.kill(workers[self.kills % len(workers)], signal.SIGKILL)
            self.kills += 1
        return True

    def request(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        """One HTTP request; raises ``OSError`` when the connection fails."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(
            self.base + path,
            data=data,
            method=method,
            headers={
                "Authorization": f"Bearer {self.token}",
                "Content-Type": "application/json",
                **(headers or {}),
            },
        )
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                return resp.status, dict(resp.headers), resp.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read()
        except http.client.HTTPException as e:  # the answer was cut off (the worker died)
            raise ConnectionError(f"{type(e).__name__}: {e}") from e


def start_server(env: dict[str, str], token: str, log: Path, workers: int = 2) -> Server:
    """Start ``chungtay serve`` and wait until it answers."""
    port = free_port()
    env = {**env, "CHUNGTAY_BIND": f"127.0.0.1:{port}"}
    out = log.open("ab")
    process = subprocess.Popen(
        [sys.executable, "-m", "web", "serve", "--workers", str(workers), "--no-projections"],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    server = Server(process, f"http://127.0.0.1:{port}/api/v1", token, env, log)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if server.request("GET", "/health")[0] == 200 and len(server.workers()) >= workers:
                return server
        except OSError:
            pass
        if process.poll() is not None:
            raise RuntimeError(f"the server exited: {log.read_text()[-2000:]}")
        time.sleep(0.2)
    stop_server(server)
    raise RuntimeError(f"the server did not start: {log.read_text()[-2000:]}")


def stop_server(server: Server) -> None:
    """TERM the master (graceful), KILL the group if it lingers."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.process.pid, signal.SIGTERM)
    try:
        server.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.process.pid, signal.SIGKILL)
        server.process.wait(timeout=10)


@dataclass
class Tally:
    """What the clients saw, for the report."""

    requests: int = 0
    acknowledged: dict[str, dict[str, Any]] = field(default_factory=dict)
    attempts: int = 0
    replayed: int = 0
    connection_errors: int = 0
    statuses: dict[int, int] = field(default_factory=dict)

    def summary(self) -> str:
        """One line for the test log."""
        return (
            f"{self.requests} requests, {len(self.acknowledged)} acknowledged "
            f"({self.replayed} by a replay of a lost answer), {self.attempts} attempts, "
            f"{self.connection_errors} connection errors, "
            f"statuses {dict(sorted(self.statuses.items()))}"
        )


def audit_passes(settings: Any) -> None:
    """Sign a checkpoint over what the store holds and verify the whole ledger against it."""
    from web.audit_bootstrap import build_audit

    audit = build_audit(settings)
    audit.ensure_signing_key()
    audit.checkpoint()
    report = audit.verify()
    assert report.ok, report.first_problem
