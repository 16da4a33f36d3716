"""Keys that can be trusted and rotated (both stores).

* ``audit verify`` vouches for signatures only with a trusted public key (``--public-key``, the
  setting ``CHUNGTAY_AUDIT_PUBLIC_KEY``, or the local signing key), else exits 1, unless told
  to trust the embedded keys;
* ``init`` never replaces the key of a store that has checkpoints;
* ``audit rotate-key`` records an append-only rotation signed by both keys, and verification
  follows the chain; a retired key cannot fork it;
* a key file that others may read is refused;
* the access log is hash-chained, verified, and its head signed by each checkpoint.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from application.audit import Audit
from application.commands import DeliverSupport
from infrastructure import signing
from tests.factories import register
from tests.store.test_tamper import Attacker
from web.bootstrap import build_audit
from web.cli import cli


def _env(store: Any, **extra: str) -> dict[str, str]:
    return {
        "CHUNGTAY_DATABASE_URL": store.url,
        "CHUNGTAY_SIGNING_KEY": str(store.settings.signing_key),
        "CHUNGTAY_AUDIT_PUBLIC_KEY": "",
        **extra,
    }


def _run(env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(cli, list(args), env=env)


@pytest.fixture
def signed(store: Any, make_app: Any, clock: Any) -> dict[str, Any]:
    """A store with households and one checkpoint; the signing key's public half saved aside."""
    env = _env(store)
    assert _run(env, "init").exit_code == 0
    app = make_app(clock)
    for i in range(3):
        register(app, code=f"01564-03{i:02d}")
    made = _run(env, "audit", "checkpoint", "--json")
    assert made.exit_code == 0, made.output
    public = store.settings.signing_key.parent / "published.pem"
    public.write_text(json.loads(made.stdout)["public_key"])
    return {"env": env, "public": public, "key_id": json.loads(made.stdout)["key_id"]}


def _without_key(store: Any, signed: dict[str, Any]) -> dict[str, str]:
    """The environment of an auditor's machine: same database, no signing key."""
    return {**signed["env"], "CHUNGTAY_SIGNING_KEY": str(store.settings.signing_key) + ".absent"}


# -- a trusted key ------------------------------------------------------------------------------


def test_verify_without_a_trusted_key_exits_1(store: Any, signed: dict[str, Any]) -> None:
    env = _without_key(store, signed)
    untrusted = _run(env, "audit", "verify", "--json")
    assert untrusted.exit_code == 1, untrusted.output
    report = json.loads(untrusted.stdout)
    assert report["ok"] is False and "no trusted public key" in report["first_problem"]
    assert report["problems"][0]["kind"] == "untrusted"
    # told explicitly, it trusts the embedded keys
    embedded = _run(env, "audit", "verify", "--trust-embedded-keys", "--json")
    assert embedded.exit_code == 0, embedded.output
    assert "trusted as asked" in json.loads(embedded.stdout)["trust"]
    # a given key, or the setting, vouches for the signatures
    given = _run(env, "audit", "verify", "--public-key", str(signed["public"]), "--json")
    assert given.exit_code == 0, given.output
    assert json.loads(given.stdout)["trusted_key_id"] == signed["key_id"]
    setting = _run({**env, "CHUNGTAY_AUDIT_PUBLIC_KEY": str(signed["public"])}, "audit", "verify")
    assert setting.exit_code == 0, setting.output
    # ... and another key does not
    other = store.settings.signing_key.parent / "other.pem"
    other.write_text(signing.public_key_pem(Ed25519PrivateKey.generate()))
    wrong = _run(env, "audit", "verify", "--public-key", str(other))
    assert wrong.exit_code == 1 and "does not match the trusted key" in wrong.stdout


def test_an_empty_store_needs_no_key_to_verify(store: Any) -> None:
    env = {**_env(store), "CHUNGTAY_SIGNING_KEY": str(store.settings.signing_key) + ".absent"}
    result = _run(env, "audit", "verify")
    assert result.exit_code == 0, result.output


# -- init never replaces a key --------------------------------------------------------------


def test_init_never_replaces_the_key_of_a_store_with_checkpoints(
    store: Any, signed: dict[str, Any]
) -> None:
    key_file = store.settings.signing_key
    key_file.rename(key_file.with_name("kept-safe.key"))
    again = _run(signed["env"], "init")
    assert again.exit_code == 1
    assert signed["key_id"] in again.stderr and "restore" in again.stderr
    assert not key_file.exists()  # no new key was made
    refused = _run(signed["env"], "audit", "checkpoint")
    assert refused.exit_code == 1 and signed["key_id"] in refused.stderr
    # a different key in its place is not taken either
    signing.write_private_key(key_file, Ed25519PrivateKey.generate())
    assert _run(signed["env"], "init").exit_code == 1
    assert _run(signed["env"], "audit", "checkpoint").exit_code == 1
    # the right key restored: everything works again
    key_file.unlink()
    key_file.with_name("kept-safe.key").rename(key_file)
    assert _run(signed["env"], "init").exit_code == 0
    assert _run(signed["env"], "audit", "checkpoint").exit_code == 0
    assert _run(signed["env"], "audit", "verify").exit_code == 0


def test_a_key_file_others_may_read_is_refused(store: Any, signed: dict[str, Any]) -> None:
    key_file = store.settings.signing_key
    os.chmod(key_file, 0o644)
    for args in (("audit", "checkpoint"), ("audit", "verify"), ("init",)):
        result = _run(signed["env"], *args)
        assert result.exit_code == 1, (args, result.output)
        assert "chmod 600" in result.stderr, (args, result.stderr)
    with pytest.raises(signing.SigningKeyError, match="read by others"):
        signing.load_signing_key(key_file)
    os.chmod(key_file, 0o600)
    assert _run(signed["env"], "audit", "verify").exit_code == 0


# -- rotation ---------------------------------------------------------------------------------


def test_rotate_key_and_verify_along_the_chain(
    store: Any, signed: dict[str, Any], make_app: Any, clock: Any
) -> None:
    env = signed["env"]
    old_key = signing.load_signing_key(store.settings.signing_key)
    rotated = _run(env, "audit", "rotate-key", "--json")
    assert rotated.exit_code == 0, rotated.output
    rotation = json.loads(rotated.stdout)
    assert rotation["old_key_id"] == signed["key_id"] != rotation["new_key_id"]
    assert rotation["after_checkpoint"] == 1
    new_key = signing.load_signing_key(store.settings.signing_key)
    assert signing.key_id(new_key) == rotation["new_key_id"]
    retired = store.settings.signing_key.with_name(
        f"{store.settings.signing_key.name}.retired-{signed['key_id'][:16]}"
    )
    assert signing.key_id(signing.load_signing_key(retired)) == signed["key_id"]
    # both keys signed the rotation
    statement = {k: rotation[k] for k in ("after_checkpoint", "rotated_at", "old_key_id")}
    statement |= {
        "statement": "key_rotation",
        "new_key_id": rotation["new_key_id"],
        "new_public_key": rotation["new_public_key"],
    }
    message = signing.statement_message(statement)
    for key, sig in ((old_key, "old_signature"), (new_key, "new_signature")):
        assert signing.verify_signature(
            signing.public_key_pem(key), message, bytes.fromhex(rotation[sig])
        )
    register(make_app(clock), code="01564-0399")
    made = _run(env, "audit", "checkpoint", "--json")
    assert made.exit_code == 0, made.output
    assert json.loads(made.stdout)["key_id"] == rotation["new_key_id"]
    # the new local key, or the old published one, vouches for both checkpoints
    for args in ((), ("--public-key", str(signed["public"]))):
        result = _run(env, "audit", "verify", "--json", *args)
        assert result.exit_code == 0, result.output
        report = json.loads(result.stdout)
        assert report["key_chain"] == [signed["key_id"], rotation["new_key_id"]]
        assert [c["ok"] for c in report["checkpoints"]] == [True, True]


def test_a_retired_key_can_neither_sign_nor_fork_the_chain(
    store: Any, signed: dict[str, Any], clock: Any
) -> None:
    env = signed["env"]
    old_key = signing.load_signing_key(store.settings.signing_key)
    assert _run(env, "audit", "rotate-key").exit_code == 0
    audit: Audit = build_audit(store.settings, clock=clock)
    report = audit.log.verify(full_root=True)
    assert report.ok, report.first_problem
    # someone holding the retired key signs a checkpoint after the rotation ...
    forged = audit.log.sign(report.tree_size, report.root_hash, clock(), None)
    forged = signing_with(old_key, forged)
    audit.log.append_checkpoint(forged)
    result = _run(env, "audit", "verify", "--json")
    assert result.exit_code == 1
    problem = json.loads(result.stdout)["problems"][0]
    assert problem["kind"] == "key_mismatch" and "was in force" in problem["message"]


def test_a_forked_rotation_breaks_the_chain(store: Any, signed: dict[str, Any], clock: Any) -> None:
    env = signed["env"]
    old_key = signing.load_signing_key(store.settings.signing_key)
    assert _run(env, "audit", "rotate-key").exit_code == 0
    audit: Audit = build_audit(store.settings, clock=clock)
    # the holder of the retired key records a rotation of their own from it
    from infrastructure.audit import _signed_rotation

    theirs = Ed25519PrivateKey.generate()
    audit.log.append_rotation(_signed_rotation(old_key, theirs, 1, clock()))
    result = _run(env, "audit", "verify", "--public-key", str(signed["public"]), "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert any("chain of signing keys is broken" in p["message"] for p in report["problems"])


def test_an_interrupted_rotation_is_finished_by_running_it_again(
    store: Any, signed: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    env = signed["env"]
    calls: list[Any] = []
    real = signing.install_pending_key

    def crash(*args: Any) -> None:
        calls.append(args)
        raise OSError("power cut")

    monkeypatch.setattr(signing, "install_pending_key", crash)
    assert _run(env, "audit", "rotate-key").exit_code != 0
    monkeypatch.setattr(signing, "install_pending_key", real)
    # the rotation is recorded; the key file is still the old key: checkpoints are refused
    assert _run(env, "audit", "checkpoint").exit_code == 1
    finished = _run(env, "audit", "rotate-key", "--json")
    assert finished.exit_code == 0, finished.output
    rotation = json.loads(finished.stdout)
    assert rotation["id"] == 1  # the same rotation, not a second one
    key_id = signing.key_id(signing.load_signing_key(store.settings.signing_key))
    assert key_id == rotation["new_key_id"]
    assert _run(env, "audit", "checkpoint").exit_code == 0
    assert _run(env, "audit", "verify").exit_code == 0


def signing_with(key: Ed25519PrivateKey, checkpoint: Any) -> Any:
    """The checkpoint signed again with ``key``."""
    from dataclasses import replace

    message = signing.checkpoint_message(
        checkpoint.tree_size, checkpoint.root_hash, checkpoint.signed_at, checkpoint.access_log
    )
    return replace(
        checkpoint,
        signature=signing.sign(key, message),
        public_key=signing.public_key_pem(key),
        key_id=signing.key_id(key),
    )


# -- the access log -------------------------------------------------------------------------


def _reads(store: Any, clock: Any, n: int) -> None:
    from application.accounts import Accounts, User
    from domain.units import load_units
    from infrastructure.accounts import account_store
    from web.bootstrap import store_config

    accounts_store = account_store(store_config(store.settings))
    try:
        accounts = Accounts(accounts_store, units=load_units(), clock=clock, today=lambda: None)
        auditor = User("aud", "auditor", (), clock())
        for i in range(n):
            clock.advance(seconds=1)
            accounts.record_access(auditor, [f"00000000-0000-0000-0000-00000000000{i}"], "GET /x")
    finally:
        accounts_store.close()


def test_the_access_log_is_chained_and_verified(
    store: Any, signed: dict[str, Any], clock: Any
) -> None:
    env = signed["env"]
    _reads(store, clock, 4)
    ok = _run(env, "audit", "verify", "--json")
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.stdout)["access_log_rows"] == 4
    evil = Attacker(store)
    try:
        evil.sql("UPDATE access_log SET user_name = 'someone else' WHERE id = 2")
    finally:
        evil.close()
    result = _run(env, "audit", "verify", "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["first_problem"] == (
        "access log row 2: the row does not match its hash"
    )


def test_a_checkpoint_signs_the_access_logs_head(
    store: Any, signed: dict[str, Any], clock: Any
) -> None:
    env = signed["env"]
    _reads(store, clock, 3)
    made = _run(env, "audit", "checkpoint", "--json")
    assert json.loads(made.stdout)["access_log_size"] == 3
    evil = Attacker(store)
    try:
        evil.sql("DELETE FROM access_log WHERE id = 3")  # the last read: no later row to break
    finally:
        evil.close()
    result = _run(env, "audit", "verify", "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["first_problem"] == (
        "access log truncated: checkpoint 2 covers 3 reads, the access log has 2"
    )


def test_replay_packs_catch_their_own_truncation(
    store: Any, signed: dict[str, Any], make_app: Any, clock: Any, tmp_path: Path
) -> None:
    from datetime import date

    env = signed["env"]
    app = make_app(clock)
    for day in (1, 2, 3):
        clock.advance(minutes=1)
        app.deliver_support(
            DeliverSupport(
                household="01564-0300",
                effective_on=date(2018, 1, day),
                recorded_by="o",
                category="production",
                programme="135",
                funding_source="central",
                amount_vnd=1_000_000,
                in_kind=None,
                provider="xã",
            )
        )
    out = tmp_path / "pack.json"
    assert _run(env, "export", "household", "01564-0300", "--out", str(out)).exit_code == 0
    pack = json.loads(out.read_text())
    assert pack["household_head"]["version"] == 4
    pack["events"] = pack["events"][:-1]  # the last fact cut off
    cut = tmp_path / "cut.json"
    cut.write_text(json.dumps(pack))
    moment = "2026-11-29T10:00:00+07:00"
    result = _run(env, "verify-pack", str(cut), "--as-of", "2018-06-01", "--known-at", moment)
    assert result.exit_code == 1
    assert "household_head" in result.stderr and "cut off" in result.stderr
