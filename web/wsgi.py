"""The WSGI entry point for gunicorn: ``gunicorn 'web.wsgi:create_app()'``.

Importing this module creates nothing. ``create_app()`` builds the Flask app from the
environment (``CHUNGTAY_*``) and still connects to nothing: the Households application and the
account store are created by the first request in each worker process, after the fork, so a
preloading master (``--preload``) never shares a connection with its workers.
"""

from __future__ import annotations

from web.app import create_app

__all__ = ["create_app"]
