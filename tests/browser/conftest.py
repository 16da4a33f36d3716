"""A real server on a free port, over a small demo store, for tests in headless Chromium.

The store is built through the command line as a user would (``init``, ``demo``, users and
tokens), then one household's decision is corrected through the HTTP API, so that ``known_at``
can be moved back before the correction. The server is ``chungtay serve`` (gunicorn, one worker).

Chromium is Debian's package (``/usr/bin/chromium``), driven by Playwright with its
``executable_path``. Without it these tests skip, unless ``CHUNGTAY_REQUIRE_BROWSER=1`` (as
``.ci/run`` sets), when a missing browser is a failure. Screenshots go to
``CHUNGTAY_SCREENSHOTS`` (default ``var/screenshots``).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHUNGTAY_CHROMIUM", "/usr/bin/chromium")
REQUIRE_BROWSER = os.environ.get("CHUNGTAY_REQUIRE_BROWSER") == "1"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _require_browser() -> None:
    problem = None
    if not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
        problem = f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError as e:
            problem = f"playwright is not installed ({e})"
    if problem is None:
        return
    if REQUIRE_BROWSER:
        pytest.fail(f"a browser is required (CHUNGTAY_REQUIRE_BROWSER=1): {problem}")
    pytest.skip(problem)


def screenshot_dir() -> Path:
    """Where screenshots are kept (created)."""
    path = Path(os.environ.get("CHUNGTAY_SCREENSHOTS") or ROOT / "var" / "screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Site:
    """The running server, its tokens and the corrected household."""

    base: str
    tokens: dict[str, str]
    corrected: str = ""
    before_correction: str = ""
    status_before: str = ""
    status_after: str = ""
    commune: str = ""
    today: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def api(self, method: str, path: str, body: Any = None, user: str = "admin") -> Any:
        """Call the JSON API as ``user``."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            self.base + "/api/v1" + path,
            data=data,
            method=method,
            headers={
                "Authorization": f"Bearer {self.tokens[user]}",
                "Content-Type": "application/json",
            },
        )
        with urllib.request.urlopen(request, timeout=30) as resp:
            return json.loads(resp.read())


def _cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "web", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, f"chungtay {' '.join(args)}: {done.stderr}"
    return done.stdout.strip()


def _wait_until_up(base: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server stopped (exit {server.returncode})")
        try:
            with urllib.request.urlopen(base + "/api/v1/health", timeout=2):
                return
        except OSError:  # refused while starting, or slow to answer on a busy machine
            time.sleep(0.2)
    raise RuntimeError("the server did not answer within 60 s")


def _correct_a_decision(site: Site) -> None:
    """Retract one household's latest decision and record the other status instead."""
    listing = site.api("GET", "/households?status=poor&per_page=50")
    for item in listing["items"]:
        history = site.api("GET", f"/households/{item['code']}/history")["facts"]
        decisions = [f for f in history if f["type"] == "recognition" and not f["retracted_by"]]
        if decisions and decisions[-1]["data"]["status"] == "poor":
            break
    else:
        raise AssertionError("the demo has no household recognised poor")
    latest = decisions[-1]
    code = item["code"]
    site.corrected, site.commune = code, item["unit"]["code"]
    site.before_correction = history[-1]["recorded_at"]
    site.api(
        "POST",
        f"/households/{code}/retractions",
        {"version": latest["version"], "reason": "nhập nhầm diện hộ"},
    )
    site.api(
        "POST",
        f"/households/{code}/recognitions",
        {
            "effective_on": latest["effective_on"],
            "status": "near_poor",
            "decision_number": latest["data"]["decision_number"] + "-ĐC",
            "signed_by": latest["data"]["signed_by"],
            "list_year": latest["data"]["list_year"],
        },
    )
    site.status_before, site.status_after = "poor", "near_poor"
    site.today = site.api("GET", f"/households/{code}/status")["as_of"]


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """A server over a 40-household demo store with one corrected decision."""
    _require_browser()
    home = tmp_path_factory.mktemp("browser-store")
    port = _free_port()
    env = {
        **os.environ,
        "CHUNGTAY_DATABASE_URL": f"sqlite:///{home / 'store.sqlite'}",
        "CHUNGTAY_SIGNING_KEY": str(home / "signing.key"),
        "CHUNGTAY_BIND": f"127.0.0.1:{port}",
    }
    _cli(env, "init")
    _cli(env, "demo", "--households", "40", "--seed", "11")
    users = {"admin": ["--role", "admin"], "auditor": ["--role", "auditor"]}
    users["inspector.test"] = ["--role", "inspector", "--unit", "04"]
    tokens = {}
    for name, args in users.items():
        _cli(env, "user", "add", name, *args)
        tokens[name] = _cli(env, "token", "issue", name)
    server = subprocess.Popen(
        [sys.executable, "-m", "web", "serve", "--workers", "1"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_until_up(base, server)
        site = Site(base=base, tokens=tokens)
        _correct_a_decision(site)
        yield site
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture(scope="session")
def browser(site: Site) -> Iterator[Any]:
    """Headless Chromium."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
