"""The command line handles secrets and files with care: the database password is never printed,
a mixed-case schema names one schema throughout, and ``export --out`` follows no planted link."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner
from psycopg import sql

from tests.conftest import PG_DB, PG_HOST, PG_PORT, PG_USER, pg_conninfo, require_postgres
from tests.factories import register
from web.bootstrap import build_application
from web.cli import cli

PASSWORD = "s3cr%40t-Pw"  # "s3cr@t-Pw", URL-encoded
PLAIN = "s3cr@t-Pw"
ROOT = Path(__file__).resolve().parent.parent


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """The real entry point (``python -m web``), as an operator runs it."""
    return subprocess.run(
        [sys.executable, "-m", "web", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def pg_schema() -> Iterator[str]:
    """A schema name in mixed case; the lower-case schema it denotes is dropped afterwards."""
    require_postgres()
    name = f"MiXeD_{uuid.uuid4().hex[:10]}"
    yield name
    with psycopg.connect(pg_conninfo(), autocommit=True) as conn:
        for schema in (name, name.lower()):
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


def _secret_url(schema: str, port: int = PG_PORT) -> str:
    return f"postgresql://{PG_USER}:{PASSWORD}@{PG_HOST}:{port}/{PG_DB}?schema={schema}"


def test_init_and_errors_never_print_the_database_password(pg_schema: str, tmp_path) -> None:
    env = {
        "CHUNGTAY_DATABASE_URL": _secret_url(pg_schema),  # trust auth: the password is unused
        "CHUNGTAY_SIGNING_KEY": str(tmp_path / "k.key"),
    }
    for args in (["init"], ["init", "--json"]):
        done = _cli(env, *args)
        assert done.returncode == 0, done.stderr
        for secret in (PASSWORD, PLAIN):
            assert secret not in done.stdout + done.stderr
        assert "***" in done.stdout
    # a server that does not answer: the failures name the store, not the password
    env["CHUNGTAY_DATABASE_URL"] = _secret_url(pg_schema, port=1)
    for args in (["status", "01564-0001"], ["init"], ["audit", "verify"], ["user", "list"]):
        failed = _cli(env, *args)
        assert failed.returncode == 1, (args, failed.stderr)
        for secret in (PASSWORD, PLAIN):
            assert secret not in failed.stdout + failed.stderr, (args, failed.stderr)
    bad = {**env, "CHUNGTAY_DATABASE_URL": _secret_url(pg_schema).replace("/test?", "?")}
    refused = _cli(bad, "status", "x")
    assert refused.returncode == 1 and PASSWORD not in refused.stderr + refused.stdout


def test_a_mixed_case_schema_is_one_schema_throughout(pg_schema: str, tmp_path) -> None:
    url = f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/{PG_DB}?schema={pg_schema}"
    env = {"CHUNGTAY_DATABASE_URL": url, "CHUNGTAY_SIGNING_KEY": str(tmp_path / "k.key")}
    runner = CliRunner()
    assert runner.invoke(cli, ["init"], env=env).exit_code == 0
    from infrastructure.settings import Settings

    app = build_application(Settings(database_url=url))
    try:
        register(app, code="01564-0001")
    finally:
        app.close()
    shown = runner.invoke(cli, ["status", "01564-0001", "--json"], env=env)
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout)["code"] == "01564-0001"
    with psycopg.connect(pg_conninfo()) as conn:
        schemas = {
            r[0]
            for r in conn.execute(
                "SELECT schema_name FROM information_schema.schemata WHERE lower(schema_name) = %s",
                (pg_schema.lower(),),
            )
        }
    assert schemas == {pg_schema.lower()}


def test_export_follows_no_link_planted_at_its_paths(tmp_path) -> None:
    from infrastructure.settings import Settings
    from web.bootstrap import initialise_store

    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    settings = Settings(database_url=url, signing_key=tmp_path / "k.key")
    initialise_store(settings)
    app = build_application(settings)
    try:
        register(app, code="01564-0001")
    finally:
        app.close()
    env = {"CHUNGTAY_DATABASE_URL": url, "CHUNGTAY_SIGNING_KEY": str(settings.signing_key)}
    assert CliRunner().invoke(cli, ["init"], env=env).exit_code == 0
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    out = tmp_path / "out" / "pack.json"
    out.parent.mkdir()
    for planted in (out.with_name(out.name + ".tmp"), out.with_name(f".{out.name}.tmp")):
        planted.symlink_to(victim)
    made = CliRunner().invoke(
        cli, ["export", "household", "01564-0001", "--out", str(out)], env=env
    )
    assert made.exit_code == 0, made.output
    assert victim.read_text() == "precious"
    assert not out.is_symlink() and json.loads(out.read_text())["code"] == "01564-0001"
    # a link at the output path itself is replaced, never written through
    out.unlink()
    out.symlink_to(victim)
    made = CliRunner().invoke(
        cli, ["export", "household", "01564-0001", "--out", str(out)], env=env
    )
    assert made.exit_code == 0, made.output
    assert victim.read_text() == "precious" and not out.is_symlink()
    assert [
        p.name for p in out.parent.iterdir() if p.name.endswith(".tmp") and not p.is_symlink()
    ] == []
