"""Audit commands of the command line (CONTRACT §6), added to the ``chungtay`` group by
:func:`register_audit_commands`:

* ``chungtay audit checkpoint`` — verify the log, sign its Merkle tree head, store and print it;
* ``chungtay audit verify [--checkpoint FILE] [--public-key PEM] [--trust-embedded-keys]`` —
  recompute everything; without a trusted public key (``--public-key``, the setting
  ``CHUNGTAY_AUDIT_PUBLIC_KEY`` or the local signing key) signatures are not vouched for and it
  exits 1, unless told to trust the keys stored beside the checkpoints;
* ``chungtay audit rotate-key`` — a new signing key, recorded append-only, signed by both keys;
* ``chungtay export household ID_OR_CODE --out FILE`` — a self-contained replay pack;
* ``chungtay verify-pack FILE [--as-of D] [--known-at T]`` — check a pack with no database.

Each takes ``--json``. Exit status: 0 verified / done, 1 verification failed or not found,
2 usage error.
"""

from __future__ import annotations

import json
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click

from application.audit import AuditError, Checkpoint, VerificationFailed, VerificationReport
from application.errors import HouseholdNotFound
from application.replay_pack import PackReport, verify_pack
from web.cli_common import DATE, TIMESTAMP, current_settings, fail, write_new_file


def _dump(data: Any, pretty: bool = False) -> str:
    if pretty:
        return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _subgroup(cli: click.Group, name: str, help_text: str) -> click.Group:
    """The group ``name`` of ``cli`` (created if another module has not made it yet)."""
    existing = cli.commands.get(name)
    if isinstance(existing, click.Group):
        return existing
    group = click.Group(name=name, help=help_text)
    cli.add_command(group)
    return group


def _read_json(path: Path, what: str, param: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise click.BadParameter(
            f"{path} is not a readable JSON {what}: {e}", param_hint=param
        ) from None


def _verify_text(report: VerificationReport) -> str:
    lines = []
    if report.ok:
        lines.append(
            f"OK: {report.events} events of {report.households} households verified "
            f"({report.events / report.seconds if report.seconds else 0:,.0f} events/s)"
        )
    else:
        lines.append(f"FAILED: {report.first_problem}")
        if len(report.problems) > 1:
            lines.append(f"  ({len(report.problems) - 1} more problem(s); --json lists them)")
    for c in report.checkpoints:
        lines.append(
            f"  checkpoint {c.id}: {c.tree_size} events, signed {c.signed_at}: "
            + ("ok" if c.ok else "; ".join(c.problems))
        )
    if report.external is not None:
        c = report.external
        lines.append(
            f"  external checkpoint: {c.tree_size} events, signed {c.signed_at}: "
            + ("ok" if c.ok else "; ".join(c.problems))
        )
    if report.trusted_key_id:
        lines.append(f"  trusted key id: {report.trusted_key_id} ({report.trust})")
    else:
        lines.append(f"  trusted key: {report.trust}")
    return "\n".join(lines)


def _pack_text(report: PackReport) -> str:
    lines = [
        ("OK" if report.ok else "FAILED")
        + f": replay pack of household {report.household_id} ({report.events} events)"
    ]
    if report.key_id:
        lines.append(f"  key id: {report.key_id} (compare it with the published key id)")
    if report.checkpoint:
        cp = report.checkpoint
        lines.append(
            f"  checkpoint {cp['id']}: {cp['tree_size']} events, root {cp['root_hash']}, "
            f"signed {cp['signed_at']}"
        )
    lines.extend(f"  problem: {p}" for p in report.problems)
    lines.extend(f"  warning: {w}" for w in report.warnings)
    if report.status is not None:
        lines.append(f"  status as of {report.as_of}, as known at {report.known_at}:")
    return "\n".join(lines)


@click.command("checkpoint")
@click.option("--json", "as_json", is_flag=True, help="one line of JSON")
def checkpoint_command(as_json: bool) -> None:
    """Verify the log, then sign and store its Merkle tree head; print the checkpoint.

    Keep the printed JSON outside the database: `audit verify --checkpoint FILE` checks
    the store against it later.
    """
    from web.audit_bootstrap import build_audit

    try:
        cp = build_audit(current_settings()).checkpoint()
    except VerificationFailed as e:
        if as_json:
            click.echo(_dump(e.report.to_dict()))
        fail(str(e))
    except AuditError as e:
        fail(str(e))
    click.echo(_dump(cp.to_dict(), pretty=not as_json))


@click.command("verify")
@click.option(
    "--checkpoint",
    "checkpoint_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="a checkpoint kept outside the database (as printed by `audit checkpoint`)",
)
@click.option(
    "--public-key",
    "public_key_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="PEM public key to trust (default: CHUNGTAY_AUDIT_PUBLIC_KEY, else the local "
    "signing key's)",
)
@click.option(
    "--trust-embedded-keys",
    is_flag=True,
    help="with no trusted key, accept the public keys stored beside the checkpoints (they "
    "vouch for nothing against someone who can write to the database)",
)
@click.option("--json", "as_json", is_flag=True, help="the full report as JSON")
def verify_command(
    checkpoint_file: Path | None,
    public_key_file: Path | None,
    trust_embedded_keys: bool,
    as_json: bool,
) -> None:
    """Recompute every hash chain, version sequence, Merkle root and signature.

    Signatures are vouched for with a trusted public key and the store's chain of key
    rotations from it; with none, verification fails (exit 1) unless --trust-embedded-keys.
    """
    from web.audit_bootstrap import build_audit

    external = None
    if checkpoint_file is not None:
        data = _read_json(checkpoint_file, "checkpoint", "--checkpoint")
        try:
            external = Checkpoint.from_dict(data)
        except ValueError as e:
            raise click.BadParameter(str(e), param_hint="--checkpoint") from None
    trusted = None
    if public_key_file is not None:
        try:
            trusted = public_key_file.read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError) as e:
            raise click.BadParameter(str(e), param_hint="--public-key") from None
    try:
        report = build_audit(current_settings()).verify(
            external, trusted, trust_embedded=trust_embedded_keys
        )
    except AuditError as e:
        fail(str(e))
    if as_json:
        click.echo(_dump(report.to_dict(), pretty=True))
    else:
        click.echo(_verify_text(report))
    sys.exit(0 if report.ok else 1)


@click.command("rotate-key")
@click.option("--json", "as_json", is_flag=True, help="the rotation as JSON")
def rotate_key_command(as_json: bool) -> None:
    """Replace the signing key: the rotation is recorded append-only, signed by the current
    key and the new one, and later checkpoints are signed with the new key.

    The retired key is kept beside the key file (`.retired-<id>`); publish the new key id.
    An interrupted rotation is finished by running the command again.
    """
    from web.audit_bootstrap import build_audit

    try:
        rotation = build_audit(current_settings()).rotate_key()
    except AuditError as e:
        fail(str(e))
    if as_json:
        click.echo(_dump(rotation.to_dict(), pretty=True))
    else:
        click.echo(
            f"signing key rotated: {rotation.old_key_id} -> {rotation.new_key_id} "
            f"(rotation {rotation.id}, after checkpoint {rotation.after_checkpoint}); "
            "publish the new key id"
        )


@click.command("household")
@click.argument("household")
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="the pack file to write",
)
@click.option("--json", "as_json", is_flag=True, help="a JSON summary")
def export_household_command(household: str, out: Path, as_json: bool) -> None:
    """Write the replay pack of household ID_OR_CODE (verifiable with `verify-pack`)."""
    from web.audit_bootstrap import build_audit
    from web.bootstrap import build_application

    settings = current_settings()
    app = build_application(settings)
    try:
        pack = build_audit(settings).export_household(app, household)
    except HouseholdNotFound as e:
        fail(str(e))
    except VerificationFailed as e:
        fail(f"cannot export: {e}")
    except AuditError as e:
        fail(str(e))
    finally:
        app.close()
    write_new_file(out, _dump(pack, pretty=True) + "\n")
    summary = {
        "file": str(out),
        "household_id": pack["household_id"],
        "code": pack["code"],
        "events": len(pack["events"]),
        "checkpoint": {
            k: pack["checkpoint"][k] for k in ("id", "tree_size", "root_hash", "signed_at")
        },
        "key_id": pack["checkpoint"]["key_id"],
    }
    if as_json:
        click.echo(_dump(summary, pretty=True))
    else:
        click.echo(
            f"wrote {out}: household {pack['household_id']} ({pack['code']}), "
            f"{summary['events']} events, checkpoint {summary['checkpoint']['id']} "
            f"({summary['checkpoint']['tree_size']} events), key id {summary['key_id']}"
        )


@click.command("verify-pack")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--as-of", type=DATE, default=None, help="default: the pack's own date")
@click.option("--known-at", type=TIMESTAMP, default=None, help="default: the pack's own moment")
@click.option("--json", "as_json", is_flag=True, help="the full report as JSON")
def verify_pack_command(
    file: Path, as_of: date | None, known_at: datetime | None, as_json: bool
) -> None:
    """Verify a replay pack with no database and print the household's status object.

    The status object goes to standard output exactly as the server serialises it; the
    findings (and the key id to compare with the published one) go to standard error.
    """
    from web.audit_bootstrap import build_proofs

    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        data = None
        report = PackReport(problems=[f"not a valid replay pack: {e}"])
    else:
        report = verify_pack(data, build_proofs(), as_of=as_of, known_at=known_at)
    if as_json:
        click.echo(_dump(report.to_dict(), pretty=True))
    else:
        click.echo(_pack_text(report), err=True)
        if report.ok and report.status_json is not None:
            click.echo(report.status_json)
    sys.exit(0 if report.ok else 1)


def register_audit_commands(cli: click.Group) -> None:
    """Add ``audit checkpoint|verify|rotate-key``, ``export household`` and ``verify-pack``."""
    audit = _subgroup(cli, "audit", "Sign the store, verify it, see what changed.")
    export = _subgroup(cli, "export", "Self-contained exports.")
    audit.add_command(checkpoint_command)
    audit.add_command(verify_command)
    audit.add_command(rotate_key_command)
    export.add_command(export_household_command)
    cli.add_command(verify_pack_command)
