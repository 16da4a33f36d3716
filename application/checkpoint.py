"""A signed checkpoint: "the log held ``tree_size`` events with Merkle root ``root_hash``".

Printed by ``chungtay audit checkpoint`` to be kept outside the database, stored in the append-only
``checkpoints`` table, and carried by replay packs; parsed back with :meth:`Checkpoint.from_dict`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

HEX32 = re.compile(r"[0-9a-f]{64}")
"""A 32-byte hash in lowercase hex."""
HEX64 = re.compile(r"[0-9a-f]{128}")
"""A 64-byte signature in lowercase hex."""


@dataclass(frozen=True)
class Checkpoint:
    """A signed statement: the log held ``tree_size`` events with Merkle root ``root_hash``."""

    tree_size: int
    root_hash: bytes
    signed_at: str
    signature: bytes
    public_key: str
    key_id: str
    id: int | None = None
    access_log_size: int | None = None
    access_log_head: bytes | None = None

    @property
    def access_log(self) -> tuple[int, bytes] | None:
        """The access log's ``(size, head hash)`` the checkpoint signs, if it signs one."""
        if self.access_log_size is None or self.access_log_head is None:
            return None
        return self.access_log_size, self.access_log_head

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (what ``chungtay audit checkpoint`` prints)."""
        out = {
            "id": self.id,
            "tree_size": self.tree_size,
            "root_hash": self.root_hash.hex(),
            "signed_at": self.signed_at,
            "signature": self.signature.hex(),
            "public_key": self.public_key,
            "key_id": self.key_id,
        }
        if self.access_log is not None:
            out["access_log_size"] = self.access_log_size
            out["access_log_head"] = self.access_log_head.hex() if self.access_log_head else None
        return out

    @classmethod
    def from_dict(cls, d: Any, public_key: str | None = None) -> Checkpoint:
        """Parse a printed checkpoint; ``ValueError`` naming the first bad field."""
        if not isinstance(d, dict):
            raise ValueError("a checkpoint is a JSON object")
        size = d.get("tree_size")
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            raise ValueError("tree_size must be a non-negative integer")
        root = d.get("root_hash")
        if not isinstance(root, str) or not HEX32.fullmatch(root):
            raise ValueError("root_hash must be 64 lowercase hex digits")
        signature = d.get("signature")
        if not isinstance(signature, str) or not HEX64.fullmatch(signature):
            raise ValueError("signature must be 128 lowercase hex digits")
        signed_at = d.get("signed_at")
        if not isinstance(signed_at, str) or not signed_at:
            raise ValueError("signed_at must be a timestamp")
        key = public_key if public_key is not None else d.get("public_key")
        if not isinstance(key, str) or "PUBLIC KEY" not in key:
            raise ValueError("public_key must be a PEM public key")
        kid = d.get("key_id", "")
        if not isinstance(kid, str):
            raise ValueError("key_id must be hex text")
        cid = d.get("id")
        if cid is not None and (isinstance(cid, bool) or not isinstance(cid, int)):
            raise ValueError("id must be an integer or null")
        log_size, log_head = d.get("access_log_size"), d.get("access_log_head")
        if log_size is not None or log_head is not None:
            if isinstance(log_size, bool) or not isinstance(log_size, int) or log_size < 0:
                raise ValueError("access_log_size must be a non-negative integer")
            if not isinstance(log_head, str) or not HEX32.fullmatch(log_head):
                raise ValueError("access_log_head must be 64 lowercase hex digits")
        return cls(
            tree_size=size,
            root_hash=bytes.fromhex(root),
            signed_at=signed_at,
            signature=bytes.fromhex(signature),
            public_key=key,
            key_id=kid,
            id=cid,
            access_log_size=log_size,
            access_log_head=bytes.fromhex(log_head) if isinstance(log_head, str) else None,
        )
