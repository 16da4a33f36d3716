"""Ed25519 signatures over audit checkpoints, and the signing key file.

A checkpoint says "on ``signed_at`` the log held ``tree_size`` events and its Merkle root was
``root_hash``". What is signed is the canonical JSON of exactly those three fields::

    {"root_hash":"<64 lowercase hex>","signed_at":"<ISO 8601 UTC>","tree_size":<int>}

(keys sorted, no spaces, UTF-8), so anyone can re-create the message from a printed checkpoint.
The key file (``CHUNGTAY_SIGNING_KEY``) holds the private key as unencrypted PKCS#8 PEM, mode
0600; a key's id is the SHA-256 of its raw 32-byte public key, in hex.
"""

from __future__ import annotations

import hashlib
import json
import os
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
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return load_signing_key(path)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    os.chmod(path, 0o600)  # the umask may have narrowed it; never wider than 0600
    return key


def load_signing_key(path: Path | str) -> Ed25519PrivateKey:
    """The Ed25519 private key in the PEM file at ``path``."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SigningKeyError(
            f"no signing key at {path}: run `chungtay init` (or set CHUNGTAY_SIGNING_KEY)"
        ) from None
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


def checkpoint_message(tree_size: int, root_hash: bytes, signed_at: str) -> bytes:
    """The bytes a checkpoint's signature covers (canonical JSON, see the module docstring)."""
    return json.dumps(
        {"root_hash": root_hash.hex(), "signed_at": signed_at, "tree_size": tree_size},
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    ).encode("utf-8")


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
