"""The store's chain of signing keys, and which of them a verifier may vouch for.

The first key is the one that signed the first checkpoint (or that the first rotation retires).
Each rotation, signed by the key it retires and by the new key, hands over to the new key from
the next checkpoint on. A verifier that trusts any key of an unbroken chain vouches for all of
them (each link is signed by both ends); each stored checkpoint must then be signed by the key in
force at its place in the chain. A rotation that starts from a key that is not the one in force
breaks the chain (someone with an old, retired key cannot fork it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from application.audit import Checkpoint, KeyRotation, Problem
from infrastructure import signing
from infrastructure.log_scan import INF


@dataclass
class KeyChain:
    """Key ids in the order they were in force, with the checkpoint id each was last used for."""

    keys: list[str] = field(default_factory=list)
    last_checkpoint: list[int] = field(default_factory=list)
    problems: list[tuple[int, Problem]] = field(default_factory=list)

    def key_for(self, checkpoint_id: int) -> str | None:
        """The key in force for the stored checkpoint ``checkpoint_id``."""
        for key, last in zip(self.keys, self.last_checkpoint, strict=False):
            if checkpoint_id <= last:
                return key
        return self.keys[-1] if self.keys else None


def _key_id(pem: str) -> str:
    try:
        return signing.key_id(pem)
    except Exception:  # any unreadable key: it matches no key id
        return ""


def build_chain(checkpoints: Sequence[Checkpoint], rotations: Sequence[KeyRotation]) -> KeyChain:
    """The chain of keys the stored checkpoints and rotations describe, with what breaks it."""
    chain = KeyChain()
    if rotations:
        chain.keys.append(_key_id(rotations[0].old_public_key))
    elif checkpoints:
        chain.keys.append(_key_id(checkpoints[0].public_key))
    previous_bound = 0
    for order, r in enumerate(rotations):
        label = f"key rotation {r.id}"
        found = []
        old_id, new_id = _key_id(r.old_public_key), _key_id(r.new_public_key)
        if (old_id, new_id) != (r.old_key_id, r.new_key_id):
            found.append(f"{label}: a key id does not match its public key")
        if old_id != chain.keys[-1]:
            found.append(
                f"{label}: it retires key {old_id}, but key {chain.keys[-1]} was in force "
                "(the chain of signing keys is broken)"
            )
        message = signing.statement_message(r.statement())
        if not signing.verify_signature(r.old_public_key, message, r.old_signature):
            found.append(f"{label}: the retired key's signature does not verify")
        if not signing.verify_signature(r.new_public_key, message, r.new_signature):
            found.append(f"{label}: the new key's signature does not verify")
        if r.after_checkpoint < previous_bound:
            found.append(f"{label}: it hands over before the previous rotation did")
        for message_text in found:
            chain.problems.append(
                (INF + 1000 + order, Problem("key_chain", message_text, checkpoint=label))
            )
        chain.last_checkpoint.append(r.after_checkpoint)
        chain.keys.append(new_id)
        previous_bound = max(previous_bound, r.after_checkpoint)
    return chain


def vouched_keys(chain: KeyChain, anchor_id: str | None, trust_embedded: bool) -> set[str]:
    """The key ids whose signatures count: every key of the chain when the anchor is one of
    them (or when the embedded keys are trusted), else the anchor alone."""
    if anchor_id is None:
        return set(chain.keys) if trust_embedded else set()
    return set(chain.keys) if anchor_id in chain.keys else {anchor_id}
