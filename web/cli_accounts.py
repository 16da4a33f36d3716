"""``chungtay user add|list|disable`` and ``chungtay token issue|list|revoke``.

``token issue`` prints the token alone on standard output (so ``TOKEN=$(chungtay token issue
ana)`` works); its id and advice go to standard error. Only the token's SHA-256 hash is stored,
and ``token list`` never shows it. A disabled user's tokens are refused (401).
Exit status: 0 success, 1 the user or token was not found or already exists, 2 usage error.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

import click

from application.accounts import (
    ROLES,
    AccountError,
    Accounts,
    DuplicateUser,
    UnknownToken,
    UnknownUser,
)
from infrastructure.settings import Settings
from web.bootstrap import bootstrap
from web.cli_common import current_settings, require_store


@contextmanager
def open_accounts(settings: Settings) -> Iterator[Accounts]:
    """Accounts on the configured store; exit 1 when it is not initialised."""
    require_store(settings)
    with bootstrap(settings) as services:
        yield services.accounts


def _fail(message: str, code: int = 1) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def _run(action: Callable[[Accounts], Any], settings: Callable[[], Settings]) -> Any:
    try:
        with open_accounts(settings()) as accounts:
            return action(accounts)
    except (UnknownUser, UnknownToken, DuplicateUser) as e:
        _fail(e.message)
    except AccountError as e:
        _fail(f"{e.field}: {e.message}", 2)


def register_account_commands(
    cli: click.Group, *, settings: Callable[[], Settings] = current_settings
) -> None:
    """Attach the ``user`` and ``token`` command groups to the ``chungtay`` group."""

    @cli.group("user")
    def user() -> None:
        """Users: a name, a role and (for officers and inspectors) unit codes."""

    @user.command("add")
    @click.argument("name")
    @click.option("--role", required=True, type=click.Choice(ROLES), help="What the user may do.")
    @click.option(
        "--unit",
        "units",
        multiple=True,
        metavar="CODE",
        help="A unit code valid today (province 04, commune 01561); repeat for several.",
    )
    @click.option("--json", "as_json", is_flag=True, help="Print the user as JSON.")
    def user_add(name: str, role: str, units: tuple[str, ...], as_json: bool) -> None:
        """Create user NAME with a role (admin, officer, inspector, auditor)."""
        created = _run(lambda a: a.add_user(name, role, units), settings)
        if as_json:
            click.echo(json.dumps(created.to_dict(), ensure_ascii=False, indent=2))
        else:
            where = f" in {', '.join(created.units)}" if created.units else ""
            click.echo(f"user {created.name}: {created.role}{where}")

    @user.command("list")
    @click.option("--json", "as_json", is_flag=True, help="Print the users as JSON.")
    def user_list(as_json: bool) -> None:
        """List users."""
        users = _run(lambda a: a.store.list_users(), settings)
        if as_json:
            click.echo(json.dumps([u.to_dict() for u in users], ensure_ascii=False, indent=2))
        else:
            for u in users:
                disabled = f"\tdisabled {u.disabled_at.isoformat()}" if u.disabled_at else ""
                click.echo(f"{u.name}\t{u.role}\t{','.join(u.units)}{disabled}")

    @user.command("disable")
    @click.argument("name")
    @click.option("--json", "as_json", is_flag=True, help="Print the user as JSON.")
    def user_disable(name: str, as_json: bool) -> None:
        """Disable user NAME: all of their tokens are refused from now on (401).

        The user is kept (recorded facts name them); disabling twice keeps the first time.
        """
        disabled = _run(lambda a: a.disable_user(name), settings)
        if as_json:
            click.echo(json.dumps(disabled.to_dict(), ensure_ascii=False, indent=2))
        else:
            when = disabled.disabled_at.isoformat() if disabled.disabled_at else "?"
            click.echo(f"user {disabled.name} disabled since {when}")

    @cli.group("token")
    def token() -> None:
        """Bearer tokens for the HTTP API (stored only as SHA-256 hashes)."""

    @token.command("issue")
    @click.argument("name")
    @click.option("--json", "as_json", is_flag=True, help="Print token, id and user as JSON.")
    def token_issue(name: str, as_json: bool) -> None:
        """Issue a new token for user NAME; prints the token alone on standard output."""
        issued = _run(lambda a: a.issue_token(name), settings)
        if as_json:
            doc = {"token_id": issued.token_id, "token": issued.token, "user": issued.user.name}
            click.echo(json.dumps(doc, ensure_ascii=False, indent=2))
        else:
            click.echo(issued.token)
        click.echo(
            f"token id {issued.token_id} for {issued.user.name} ({issued.user.role}). "
            "It is shown only now: keep it secret; revoke it with "
            f"`chungtay token revoke {issued.token_id}`.",
            err=True,
        )

    @token.command("list")
    @click.argument("name", required=False)
    @click.option("--json", "as_json", is_flag=True, help="Print the tokens as JSON.")
    def token_list(name: str | None, as_json: bool) -> None:
        """List tokens (all, or user NAME's): id, user, issued, revoked. Never the token."""
        records = _run(lambda a: a.tokens(name), settings)
        if as_json:
            click.echo(json.dumps([r.to_dict() for r in records], ensure_ascii=False, indent=2))
            return
        for r in records:
            revoked = f"revoked {r.revoked_at.isoformat()}" if r.revoked_at else "active"
            click.echo(f"{r.token_id}\t{r.user_name}\tissued {r.created_at.isoformat()}\t{revoked}")

    @token.command("revoke")
    @click.argument("token_id")
    @click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
    def token_revoke(token_id: str, as_json: bool) -> None:
        """Revoke the token with id TOKEN_ID (as printed by `token issue`)."""
        _run(lambda a: a.revoke_token(token_id), settings)
        if as_json:
            click.echo(json.dumps({"token_id": token_id, "revoked": True}))
        else:
            click.echo(f"token {token_id} revoked", err=True)
