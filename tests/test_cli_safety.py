"""The command line handles secrets and files with care: the database password is never printed,
a mixed-case schema names one schema throughout, and ``export --out`` follows no planted link."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from click.testing import CliRunner
from psycopg import sql

from tests.cli_process import chungtay
from tests.conftest import PG_DB, PG_HOST, PG_PORT, PG_USER, pg_conninfo, require_postgres
from tests.factories import register
from web.bootstrap import build_application
from web.cli import cli

PASSWORD = "s3cr%40t-Pw"  # "s3cr@t-Pw", URL-encoded
PLAIN = "s3cr@t-Pw"


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
    runner = CliRunner()
    for args in (["init"], ["init", "--json"]):
        done = runner.invoke(cli, args, env=env)
        assert done.exit_code == 0, done.output
        for secret in (PASSWORD, PLAIN):
            assert secret not in done.output
        assert "***" in done.stdout
    # a server that does not answer: the failures name the store, not the password
    env["CHUNGTAY_DATABASE_URL"] = _secret_url(pg_schema, port=1)
    for args in (["status", "01564-0001"], ["audit", "verify"], ["user", "list"]):
        failed = runner.invoke(cli, args, env=env)
        assert failed.exit_code == 1, (args, failed.output)
        for secret in (PASSWORD, PLAIN):
            assert secret not in failed.output, (args, failed.output)
    bad = {**env, "CHUNGTAY_DATABASE_URL": _secret_url(pg_schema).replace("/test?", "?")}
    refused = runner.invoke(cli, ["status", "x"], env=bad)
    assert refused.exit_code == 1 and PASSWORD not in refused.output
    # an unexpected error, through the real entry point: a traceback with the password hidden
    crashed = chungtay(env, "init")
    assert crashed.returncode == 1 and "Traceback" in crashed.stderr
    for secret in (PASSWORD, PLAIN):
        assert secret not in crashed.stdout + crashed.stderr


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
