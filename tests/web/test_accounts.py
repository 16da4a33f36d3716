"""Users and tokens on both stores: hashes only, revocation, an append-only access log, the CLI."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from datetime import UTC, datetime

import click
import psycopg
import pytest
from click.testing import CliRunner

from application.accounts import AccountError, DuplicateUser, UnknownUser
from tests.web.conftest import H_NEW, Web
from web.cli_accounts import register_account_commands


def test_tokens_are_stored_only_as_hashes(web: Web) -> None:
    issued = web.accounts.issue_token("auditor")
    conn = web.store.connect_sql()
    rows = conn.execute("SELECT * FROM tokens").fetchall()
    conn.close()
    flat = " ".join(str(v) for row in rows for v in row)
    for token in [*web.tokens.values(), issued.token]:
        assert token not in flat
    assert hashlib.sha256(issued.token.encode()).hexdigest() in flat
    assert len(issued.token) >= 43  # token_urlsafe(32)


@pytest.mark.parametrize(
    "statement", ["UPDATE access_log SET user_name = 'x'", "DELETE FROM access_log"]
)
def test_the_access_log_refuses_changes(web: Web, statement: str) -> None:
    assert web.get(f"/households/{H_NEW}", "auditor").status_code == 200
    conn = web.store.connect_sql()
    with pytest.raises((psycopg.Error, sqlite3.Error), match="append-only"):
        conn.execute(statement)
    if web.store.backend == "postgres":
        with pytest.raises(psycopg.Error, match="append-only"):
            conn.execute("TRUNCATE access_log")
    count = conn.execute("SELECT count(*) FROM access_log").fetchone()[0]
    conn.close()
    assert count == 1


def test_user_rules(web_sqlite: Web) -> None:
    accounts = web_sqlite.accounts
    with pytest.raises(DuplicateUser):
        accounts.add_user("admin", "admin")
    with pytest.raises(AccountError, match="units"):
        accounts.add_user("o2", "officer")  # an officer needs a unit
    with pytest.raises(AccountError, match="not valid today"):
        accounts.add_user("o3", "officer", ["048"])  # the district ended in 2025
    with pytest.raises(AccountError, match="no such unit"):
        accounts.add_user("o4", "officer", ["99999"])
    with pytest.raises(AccountError, match="role"):
        accounts.add_user("o5", "mayor")
    with pytest.raises(AccountError, match="name"):
        accounts.add_user("two words", "admin")
    with pytest.raises(UnknownUser):
        accounts.issue_token("nobody")
    user = accounts.add_user("o6", "inspector", ["04", "04"])
    assert user.units == ("04",)


def test_cli_user_and_token_commands(web: Web) -> None:
    @click.group()
    def cli() -> None:
        """Test group."""

    register_account_commands(cli, settings=lambda: web.store.settings)
    runner = CliRunner()
    r = runner.invoke(cli, ["user", "add", "ana", "--role", "officer", "--unit", "01561", "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["units"] == ["01561"]
    r = runner.invoke(cli, ["token", "issue", "ana"])
    assert r.exit_code == 0, r.output
    token = r.stdout.strip()
    assert "\n" not in token and len(token) >= 43
    assert "tok_" in r.stderr
    token_id = r.stderr.split("token id ")[1].split()[0]
    web.tokens["ana"] = token
    assert web.get(f"/households/{H_NEW}", "ana").status_code == 200
    r = runner.invoke(cli, ["token", "revoke", token_id])
    assert r.exit_code == 0, r.output
    assert web.get(f"/households/{H_NEW}", "ana").status_code == 401
    assert runner.invoke(cli, ["token", "revoke", "tok_nope"]).exit_code == 1
    assert runner.invoke(cli, ["token", "issue", "nobody"]).exit_code == 1
    assert runner.invoke(cli, ["user", "add", "ana", "--role", "admin"]).exit_code == 1
    assert runner.invoke(cli, ["user", "add", "bo", "--role", "mayor"]).exit_code == 2
    r = runner.invoke(cli, ["user", "add", "bo", "--role", "officer", "--unit", "048"])
    assert r.exit_code == 2 and "048" in r.stderr
    r = runner.invoke(cli, ["user", "list", "--json"])
    assert "ana" in {u["name"] for u in json.loads(r.stdout)}


def test_access_log_times_come_from_the_server_clock(web_sqlite: Web) -> None:
    web_sqlite.clock.current = datetime(2026, 11, 29, 4, 0, tzinfo=UTC)
    web_sqlite.get(f"/households/{H_NEW}", "auditor")
    entry = web_sqlite.get("/audit/access-log", "auditor").json["items"][0]
    assert entry["at"] == "2026-11-29T04:00:00+00:00"


def _cli(web: Web) -> tuple[click.Group, CliRunner]:
    @click.group()
    def cli() -> None:
        """Test group."""

    register_account_commands(cli, settings=lambda: web.store.settings)
    return cli, CliRunner()


def test_a_disabled_users_tokens_get_401(web: Web) -> None:
    cli, runner = _cli(web)
    second = web.accounts.issue_token("officer")
    assert web.get(f"/households/{H_NEW}", "officer").status_code == 200
    r = runner.invoke(cli, ["user", "disable", "officer", "--json"])
    assert r.exit_code == 0, r.output
    disabled_at = json.loads(r.stdout)["disabled_at"]
    assert disabled_at is not None
    for token in (web.tokens["officer"], second.token):
        headers = {"Authorization": f"Bearer {token}"}
        for r in (
            web.client().get(f"/api/v1/households/{H_NEW}", headers=headers),
            web.client().post(f"/api/v1/households/{H_NEW}/support", json={}, headers=headers),
        ):
            assert r.status_code == 401 and "disabled" in r.json["detail"]
    assert web.get(f"/households/{H_NEW}", "inspector").status_code == 200  # others unaffected
    # disabling twice keeps the first time; the user is kept, and gets no new token
    again = runner.invoke(cli, ["user", "disable", "officer", "--json"])
    assert again.exit_code == 0 and json.loads(again.stdout)["disabled_at"] == disabled_at
    assert runner.invoke(cli, ["token", "issue", "officer"]).exit_code == 2
    listed = json.loads(runner.invoke(cli, ["user", "list", "--json"]).stdout)
    assert {u["name"]: u["disabled_at"] for u in listed}["officer"] == disabled_at
    assert runner.invoke(cli, ["user", "disable", "nobody"]).exit_code == 1


def test_tokens_are_listed_without_the_token_or_its_hash(web: Web) -> None:
    cli, runner = _cli(web)
    web.clock.advance(seconds=1)  # listed oldest first
    issued = web.accounts.issue_token("inspector")
    web.accounts.revoke_token(issued.token_id)
    r = runner.invoke(cli, ["token", "list", "inspector", "--json"])
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)
    assert [row["user"] for row in rows] == ["inspector", "inspector"]
    assert rows[-1]["token_id"] == issued.token_id and rows[-1]["revoked_at"] is not None
    assert rows[0]["revoked_at"] is None
    everyone = json.loads(runner.invoke(cli, ["token", "list", "--json"]).stdout)
    assert {row["user"] for row in everyone} == set(web.tokens)
    text = runner.invoke(cli, ["token", "list"]).stdout
    for token in [*web.tokens.values(), issued.token]:
        assert token not in text and token not in r.stdout
        assert hashlib.sha256(token.encode()).hexdigest() not in text + r.stdout
    assert issued.token_id in text and "revoked" in text
    assert runner.invoke(cli, ["token", "list", "nobody"]).exit_code == 1


@pytest.mark.parametrize(
    ("name", "units"),
    [("ana\n", ()), ("ana", ("01561\n",)), ("ana", (" 01561",)), ("ana", ("0156１",))],
)
def test_names_and_unit_codes_are_matched_whole(
    web_sqlite: Web, name: str, units: tuple[str, ...]
) -> None:
    with pytest.raises(AccountError):
        web_sqlite.accounts.add_user(name, "officer", units or ("01561",))
