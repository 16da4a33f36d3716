"""``chungtay serve``: gunicorn with several workers, one application instance per worker.

The WSGI app is loaded in each worker after fork (no ``preload_app``), because the event store's
connection pool must not be shared across processes. Access logs go to standard output, and a
TERM signal lets workers finish their requests (graceful shutdown).
"""

from __future__ import annotations

import multiprocessing
import subprocess
import sys
import threading
import time
from typing import Any

from gunicorn.app.base import BaseApplication

from infrastructure.settings import Settings


class ChungtayServer(BaseApplication):
    """A gunicorn application configured from :class:`Settings`, not from a config file."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        """Apply our options to gunicorn's settings."""
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        """Create the Flask app inside the worker process."""
        from web.wsgi import create_app

        return create_app()


class ProjectionSupervisor:
    """Keeps ``chungtay projections run`` alive beside the web workers, restarting it if it dies.

    The read models behind the reports are kept up to date by that separate process; the
    supervisor restarts it with a growing delay (1 s to 60 s) and stops it when the server stops.
    """

    def __init__(self, command: list[str] | None = None) -> None:
        self.command = command or [sys.executable, "-m", "web", "projections", "run"]
        self.stopping = threading.Event()
        self.process: subprocess.Popen[bytes] | None = None
        self.thread = threading.Thread(target=self._loop, name="projection-supervisor", daemon=True)
        self.restarts = 0

    def start(self) -> None:
        """Start supervising (in a thread of the calling process)."""
        self.thread.start()

    def _loop(self) -> None:
        delay = 1.0
        while not self.stopping.is_set():
            started = time.monotonic()
            self.process = subprocess.Popen(self.command)
            code = self.process.wait()
            if self.stopping.is_set():
                return
            self.restarts += 1
            delay = 1.0 if time.monotonic() - started > 60 else min(delay * 2, 60.0)
            print(
                f"chungtay: projection process exited with {code}; restarting in {delay:.0f} s",
                file=sys.stderr,
                flush=True,
            )
            self.stopping.wait(delay)

    def stop(self) -> None:
        """Stop the projection process (SIGTERM, then SIGKILL after 10 s)."""
        self.stopping.set()
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


def server_options(settings: Settings, workers: int | None = None) -> dict[str, Any]:
    """The gunicorn options ``chungtay serve`` uses."""
    return {
        "bind": settings.bind,
        "workers": workers or multiprocessing.cpu_count() * 2 + 1,
        "worker_class": "gthread",
        "threads": 4,
        "accesslog": "-",
        "errorlog": "-",
        "graceful_timeout": 20,
        "timeout": 60,
        "preload_app": False,
        "proc_name": "chungtay",
    }


def run_server(settings: Settings, workers: int | None = None, *, projections: bool = True) -> None:
    """Serve until stopped; with ``projections``, also supervise the read-model projection."""
    options = server_options(settings, workers)
    if projections:
        supervisor = ProjectionSupervisor()
        options["when_ready"] = lambda _server: supervisor.start()
        options["on_exit"] = lambda _server: supervisor.stop()
    ChungtayServer(options).run()
