"""Ed25519 signatures over audit checkpoints, and the signing key file.

A checkpoint says "on ``signed_at`` the log held ``tree_size`` events and its Merkle root was
``root_hash``" (and, since the access log is chained, "the access log held ``access_log_size``
rows ending in hash ``access_log_head``"). What is signed is the canonical JSON of exactly those
fields::

    {"access_log_head":"<hex>","access_log_size":<int>,
     "root_hash":"<64 lowercase hex>","signed_at":"<ISO 8601 UTC>","tree_size":<int>}

(keys sorted, no spaces, UTF-8; the two access-log fields only when present), so anyone can
re-create the message from a printed checkpoint. Key rotations and the signed head of one
household in a replay pack are signed the same way (:func:`statement_message`).

The key file (``CHUNGTAY_SIGNING_KEY``) holds the private key as unencrypted PKCS#8 PEM, mode
0600: a key file that others may read is refused. A key's id is the SHA-256 of its raw 32-byte
public key, in hex.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey


class SigningKeyError(Exception):
    """The signing key file is missing or does not hold an Ed25519 private key."""


def ensure_signing_key(path: Path | str) -> Ed25519PrivateKey:
    """Load the key at ``path``, creating it (and its directory) first if it does not exist.

    Creation is exclusive (``O_EXCL``), so two concurrent ``chungtay init`` runs end up with
    the same key; the file is written with mode 0600.
    """
    path = Path(path)
    if path.exists():
        return load_signing_key(path)
    key = Ed25519PrivateKey.generate()
    if not write_private_key(path, key):
        return load_signing_key(path)
    return key


def write_private_key(path: Path, key: Ed25519PrivateKey) -> bool:
    """Write ``key`` to a new file at ``path`` (mode 0600, never over an existing file, never
    through a symbolic link); False if ``path`` exists already."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
        f.flush()
        os.fsync(f.fileno())
    os.chmod(path, 0o600)  # the umask may have narrowed it; never wider than 0600
    return True


def load_signing_key(path: Path | str) -> Ed25519PrivateKey:
    """The Ed25519 private key in the PEM file at ``path``; refused if others may read it."""
    path = Path(path)
    try:
        mode = path.stat().st_mode
        data = path.read_bytes()
    except FileNotFoundError:
        raise SigningKeyError(
            f"no signing key at {path}: run `chungtay init` (or set CHUNGTAY_SIGNING_KEY)"
        ) from None
    except OSError as e:
        raise SigningKeyError(f"cannot read the signing key {path}: {e.strerror or e}") from None
    if mode & 0o077:
        raise SigningKeyError(
            f"the signing key {path} may be read by others (mode {stat.S_IMODE(mode):04o}); "
            f"it is not used: make it private with `chmod 600 {path}` (and consider rotating "
            "it with `chungtay audit rotate-key` if others may have read it)"
        )
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as e:
        raise SigningKeyError(f"{path} does not hold an unencrypted PEM private key: {e}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyError(f"{path} holds a {type(key).__name__}, not an Ed25519 key")
    return key


def public_key_pem(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """The public key as SubjectPublicKeyInfo PEM text."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def load_public_key(pem: str | bytes) -> Ed25519PublicKey:
    """Parse a PEM public key; ``ValueError`` unless it is an Ed25519 key."""
    data = pem.encode("ascii") if isinstance(pem, str) else pem
    key = serialization.load_pem_public_key(data)
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError(f"not an Ed25519 public key but a {type(key).__name__}")
    return key


def key_id(key: Ed25519PrivateKey | Ed25519PublicKey | str) -> str:
    """SHA-256 of the raw 32-byte public key, hex (``str`` = a PEM public key)."""
    if isinstance(key, str):
        key = load_public_key(key)
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def format_signed_at(moment: datetime) -> str:
    """The canonical text of a signing time: UTC, microseconds, ``+00:00``."""
    if moment.tzinfo is None:
        raise ValueError("a signing time needs a time zone")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def checkpoint_message(
    tree_size: int,
    root_hash: bytes,
    signed_at: str,
    access_log: tuple[int, bytes] | None = None,
) -> bytes:
    """The bytes a checkpoint's signature covers (canonical JSON, see the module docstring);
    ``access_log`` is the access log's ``(size, head hash)`` when the checkpoint covers it."""
    fields: dict[str, object] = {
        "root_hash": root_hash.hex(),
        "signed_at": signed_at,
        "tree_size": tree_size,
    }
    if access_log is not None:
        fields["access_log_size"], fields["access_log_head"] = access_log[0], access_log[1].hex()
    return statement_message(fields)


def statement_message(fields: dict[str, object]) -> bytes:
    """A signed statement's bytes: canonical JSON (sorted keys, no spaces, UTF-8)."""
    return json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode(
        "utf-8"
    )


def sign(key: Ed25519PrivateKey, message: bytes) -> bytes:
    """An Ed25519 signature (64 bytes)."""
    return key.sign(message)


def verify_signature(public_key: str | Ed25519PublicKey, message: bytes, signature: bytes) -> bool:
    """Whether ``signature`` over ``message`` verifies with ``public_key`` (PEM or key)."""
    try:
        key = load_public_key(public_key) if isinstance(public_key, str) else public_key
        key.verify(signature, message)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def _pending_path(path: Path) -> Path:
    return path.with_name(path.name + ".next")


def pending_key(path: Path) -> Ed25519PrivateKey:
    """The next key of a rotation under way (``<key file>.next``), created if there is none."""
    pending = _pending_path(path)
    if not pending.exists() and write_private_key(pending, key := Ed25519PrivateKey.generate()):
        return key
    return load_signing_key(pending)


def pending_key_id(path: Path) -> str | None:
    """The id of the next key of a rotation under way, if there is one."""
    pending = _pending_path(path)
    return key_id(load_signing_key(pending)) if pending.exists() else None


def install_pending_key(path: Path, retired_key_id: str) -> None:
    """Make the pending key the signing key; the retired one stays beside it, readable only
    by its owner, as ``<key file>.retired-<first 16 digits of its id>`` (destroy it when the
    rotation was made because it leaked)."""
    pending = _pending_path(path)
    if not pending.exists():
        return
    retired = path.with_name(f"{path.name}.retired-{retired_key_id[:16]}")
    if path.exists() and not retired.exists():
        os.link(path, retired)
    os.replace(pending, path)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
