"""The command line under SIGKILL: the import and the demo killed mid-write (both stores).

What was committed stays whole (a batch of households is one transaction), nothing is
duplicated, ``audit verify`` passes on what is left, and running the import again completes it
exactly.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from infrastructure.settings import Settings
from tests.cli_process import ROOT, chungtay
from tests.factories import register
from tests.faults.conftest import audit_passes
from web.bootstrap import build_application, initialise_store

pytestmark = pytest.mark.faults

HOUSEHOLDS = 800
HEADER = (
    "code,effective_on,kind,income_per_capita,deprivations,assessor,status,decision_number,"
    "signed_by\n"
)


def _env(settings: Settings) -> dict[str, str]:
    return {
        "CHUNGTAY_DATABASE_URL": settings.database_url,
        "CHUNGTAY_SIGNING_KEY": str(settings.signing_key),
    }


def _events(settings: Settings) -> int:
    app = build_application(settings)
    try:
        return app.recorder.max_notification_id() or 0
    finally:
        app.close()


def _kill_when(process: subprocess.Popen, settings: Settings, events: int) -> int:
    """SIGKILL ``process`` once the store holds ``events`` events; the count then."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if _events(settings) >= events:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
            return _events(settings)
        time.sleep(0.02)
    raise AssertionError(f"it ended before writing {events} events: {process.poll()}")


def _facts_by_household(settings: Settings) -> dict[str, Counter[str]]:
    app = build_application(settings)
    try:
        out: dict[str, Counter[str]] = {}
        for hid in app.household_ids():
            facts = app.get(hid).facts
            assert [f.originator_version for f in facts] == list(range(1, len(facts) + 1))
            out[facts[0].code] = Counter(type(f).__name__ for f in facts)
        return out
    finally:
        app.close()


def test_the_import_killed_mid_write_resumes_exactly(store: Any, tmp_path: Path) -> None:
    settings = store.settings
    app = build_application(settings)
    try:
        with app.batch():
            for i in range(HOUSEHOLDS):
                register(app, code=f"01564-{i:04d}")
    finally:
        app.close()
    registered = _events(settings)
    rows = [
        f"01564-{i:04d},2017-10-02,periodic,{600_000 + i},health_insurance;domestic_water,Tổ rà soát,"
        f"poor,{i}/QĐ-UBND,Chủ tịch UBND xã\n"
        for i in range(HOUSEHOLDS)
    ]
    path = tmp_path / "review.csv"
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "web", "import", str(path)],
        cwd=ROOT,
        env={**os.environ, **_env(settings)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    at_kill = _kill_when(process, settings, registered + 2 * 200)  # a batch committed
    written = at_kill - registered
    assert 0 < written < 2 * HOUSEHOLDS, "the kill did not land mid-import"
    assert written % 400 == 0, f"{written} events: a batch was committed in part"
    partial = _facts_by_household(settings)
    assert all(c["Assessed"] == c["Recognised"] <= 1 for c in partial.values())
    audit_passes(settings)
    again = chungtay(_env(settings), "import", str(path), "--json")
    assert again.returncode == 0, again.stderr[-2000:]
    summary = json.loads(again.stdout[again.stdout.index("{") :])
    assert summary["assessments_skipped"] == summary["decisions_skipped"] == written // 2
    assert summary["assessments_recorded"] == HOUSEHOLDS - written // 2
    done = _facts_by_household(settings)
    assert len(done) == HOUSEHOLDS
    assert {c["Assessed"] for c in done.values()} == {1}
    assert {c["Recognised"] for c in done.values()} == {1}
    audit_passes(settings)
    print(f"\n[{store.backend}] import killed after {written} of {2 * HOUSEHOLDS} facts; re-run ok")


DEMO = ["demo", "--households", "400", "--seed", "11", "--to-year", "2022"]


def _demo_store(tmp_path: Path, name: str) -> Settings:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / name}.sqlite", signing_key=tmp_path / f"{name}.key"
    )
    initialise_store(settings)
    return settings


def _killed_demo(settings: Settings) -> int:
    process = subprocess.Popen(
        [sys.executable, "-m", "web", *DEMO],
        cwd=ROOT,
        env={**os.environ, **_env(settings)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return _kill_when(process, settings, 2000)


def test_the_demo_killed_mid_write_leaves_whole_households(store: Any, tmp_path: Path) -> None:
    settings = store.settings
    at_kill = _killed_demo(settings)
    full = _demo_store(tmp_path, "full")
    assert chungtay(_env(full), *DEMO).returncode == 0
    whole = _facts_by_household(full)
    partial = _facts_by_household(settings)
    assert 0 < len(partial) < len(whole), "the kill did not land mid-demo"
    assert len(partial) % 200 == 0, "a batch of households was committed in part"
    for code, facts in partial.items():
        assert facts == whole[code], code  # every household left is whole, none doubled
    audit_passes(settings)
    print(f"\n[{store.backend}] demo killed at {at_kill} events, {len(partial)} households whole")


def test_the_demo_killed_mid_write_completes_when_run_again(tmp_path: Path) -> None:
    settings = _demo_store(tmp_path, "killed")
    _killed_demo(settings)
    again = chungtay(_env(settings), *DEMO)
    assert again.returncode == 0, again.stderr[-1500:]
    full = _demo_store(tmp_path, "full")
    assert chungtay(_env(full), *DEMO).returncode == 0
    assert _facts_by_household(settings) == _facts_by_household(full)
    audit_passes(settings)
