"""``chungtay serve``: gunicorn with several workers, one application instance per worker.

The WSGI app is loaded in each worker after fork (no ``preload_app``), because the event store's
connection pool must not be shared across processes. Access logs go to standard output, and a
TERM signal lets workers finish their requests (graceful shutdown).
"""

from __future__ import annotations

import multiprocessing
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


def run_server(settings: Settings, workers: int | None = None) -> None:
    """Serve until stopped."""
    ChungtayServer(server_options(settings, workers)).run()
