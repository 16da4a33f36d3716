"""Backup and restore as ``docs/operations.md`` describes them, on both stores.

A checkpoint is signed and kept outside the database with the public key; the store is backed up
online (SQLite's backup API; ``pg_dump``) while the application is open; more facts are recorded
after the backup; the backup is restored into a fresh database (a new file; a new database in a
private PostgreSQL cluster, with ``pg_restore``) and verified, with no signing key at hand,
against the checkpoint signed before the backup.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
import pytest

from application import queries
from infrastructure.migrations import pending
from infrastructure.settings import Settings
from infrastructure.store import parse_database_url
from tests.cli_process import chungtay
from tests.conftest import PG_DB, PG_HOST, PG_PORT, PG_USER
from tests.factories import register
from tests.faults.conftest import Cluster
from web.bootstrap import build_application

pytestmark = pytest.mark.faults


def _env(settings: Settings, **extra: str) -> dict[str, str]:
    return {
        "CHUNGTAY_DATABASE_URL": settings.database_url,
        "CHUNGTAY_SIGNING_KEY": str(settings.signing_key),
        **extra,
    }


def _record(settings: Settings, codes: range) -> None:
    app = build_application(settings)
    try:
        for i in codes:
            register(app, code=f"01564-05{i:02d}")
            app.assess(
                f"01564-05{i:02d}",
                effective_on=date(2017, 10, 2),
                kind="periodic",
                recorded_by="o",
                income_per_capita=650_000,
                deprivations=["health_insurance"],
                assessor="r",
            )
    finally:
        app.close()


def _backup(store: Any, tmp_path: Path) -> Path:
    """The online backup of the live store, while an application holds it open."""
    app = build_application(store.settings)
    try:
        app.recorder.max_notification_id()  # the store is open and in use
        if store.backend == "sqlite":
            target = tmp_path / "backup.sqlite"
            source = sqlite3.connect(store.sqlite_path)
            dest = sqlite3.connect(target)
            with dest:
                source.backup(dest)
            source.close()
            dest.close()
            return target
        target = tmp_path / "backup.dump"
        subprocess.run(
            [
                "pg_dump",
                f"--host={PG_HOST}",
                f"--port={PG_PORT}",
                f"--username={PG_USER}",
                f"--dbname={PG_DB}",
                f"--schema={store.schema}",
                "--format=custom",
                f"--file={target}",
            ],
            check=True,
            capture_output=True,
        )
        return target
    finally:
        app.close()


def _restore(store: Any, backup: Path, cluster: Cluster, tmp_path: Path) -> Settings:
    """The backup restored into a fresh database; settings with no signing key."""
    no_key = tmp_path / "no-signing-key-here.key"
    if store.backend == "sqlite":
        restored = tmp_path / "restored" / "chungtay.sqlite"
        restored.parent.mkdir()
        restored.write_bytes(backup.read_bytes())
        return Settings(database_url=f"sqlite:///{restored}", signing_key=no_key)
    database = f"restored_{store.schema}"
    admin = f"host=127.0.0.1 port={cluster.port} user=postgres dbname=postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database}"')
        conn.execute(f'CREATE DATABASE "{database}"')
    subprocess.run(
        [
            str(cluster.bin / "pg_restore"),
            "--host=127.0.0.1",
            f"--port={cluster.port}",
            "--username=postgres",
            f"--dbname={database}",
            "--no-owner",
            str(backup),
        ],
        check=True,
        capture_output=True,
    )
    url = f"postgresql://postgres@127.0.0.1:{cluster.port}/{database}?schema={store.schema}"
    return Settings(database_url=url, signing_key=no_key)


def test_a_restored_backup_verifies_against_a_checkpoint_signed_before_it(
    store: Any, cluster: Cluster, tmp_path: Path
) -> None:
    settings = store.settings
    assert chungtay(_env(settings), "init").returncode == 0
    _record(settings, range(5))
    signed = chungtay(_env(settings), "audit", "checkpoint", "--json")
    assert signed.returncode == 0, signed.stderr
    kept = tmp_path / "kept" / "checkpoint.json"  # kept outside the database, with the key
    kept.parent.mkdir()
    kept.write_text(signed.stdout)
    public = kept.parent / "signing-key.pub.pem"
    public.write_text(json.loads(signed.stdout)["public_key"])
    _record(settings, range(5, 8))  # before the backup, after the checkpoint
    app = build_application(settings)
    try:
        before = queries.status(app, "01564-0506", date(2018, 1, 1), app.now())
    finally:
        app.close()

    backup = _backup(store, tmp_path)
    _record(settings, range(8, 10))  # after the backup: not in it
    restored = _restore(store, backup, cluster, tmp_path)

    assert pending(parse_database_url(restored.database_url)) == []
    env = _env(restored)
    result = chungtay(
        env, "audit", "verify", "--checkpoint", str(kept), "--public-key", str(public), "--json"
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    report = json.loads(result.stdout)
    assert report["external_checkpoint"]["ok"] and report["events"] == 16
    assert [c["ok"] for c in report["checkpoints"]] == [True]
    # without the public key kept aside, nothing vouches for the signatures
    assert chungtay(env, "audit", "verify", "--checkpoint", str(kept)).returncode == 1
    app = build_application(restored)
    try:
        assert (
            queries.status(app, "01564-0506", date(2018, 1, 1), app.now())["status"]
            == (before["status"])
        )
        assert len(list(app.household_ids())) == 8
    finally:
        app.close()
