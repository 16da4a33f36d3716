"""Verification of the stored log and signed checkpoints, on SQLite and PostgreSQL.

:class:`SQLiteAuditLog` and :class:`PostgresAuditLog` (in :mod:`infrastructure.audit_stores`)
implement the application's :class:`application.audit.AuditLog` port with the algorithm shared
here: ``verify`` makes one pass over the raw stored rows in notification order, inside one read
snapshot, streaming pages (:mod:`infrastructure.log_scan`), then checks hash rows without events,
the access log's chain, the chain of signing keys, and each checkpoint: the log still has
``tree_size`` events, the root at that size matches, the key is one the verifier trusts, the
signature verifies.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from cryptography.exceptions import UnsupportedAlgorithm

from application.audit import (
    AuditError,
    Checkpoint,
    CheckpointCheck,
    KeyRotation,
    PackEvent,
    Problem,
    VerificationReport,
)
from infrastructure import merkle, signing
from infrastructure.access_chain import AccessLogCheck, check_access_log
from infrastructure.hashing import GENESIS, event_hash
from infrastructure.key_chain import KeyChain, build_chain, vouched_keys
from infrastructure.log_scan import INF, Scan, read_ahead
from infrastructure.store import StoreConfig

PAGE = 5000
"""Rows fetched per round trip while streaming the log."""


# -- primitives for offline verification (application.replay_pack.ProofPrimitives) ----------


class Proofs:
    """Hash chain, Merkle and Ed25519 primitives; needs no database."""

    genesis = GENESIS

    def event_hash(
        self, prev: bytes, originator_id: UUID, version: int, topic: str, state: bytes
    ) -> bytes:
        """The chained hash of one stored event (:func:`infrastructure.hashing.event_hash`)."""
        return event_hash(prev, originator_id, version, topic, state)

    def verify_inclusion(
        self, entry: bytes, index: int, size: int, proof: Sequence[bytes], root_hash: bytes
    ) -> bool:
        """RFC 9162 inclusion proof check."""
        return merkle.verify_inclusion(entry, index, size, proof, root_hash)

    def verify_checkpoint(self, checkpoint: Checkpoint, public_key: str) -> bool:
        """Whether the checkpoint's signature verifies with ``public_key`` (PEM)."""
        message = signing.checkpoint_message(
            checkpoint.tree_size, checkpoint.root_hash, checkpoint.signed_at, checkpoint.access_log
        )
        return signing.verify_signature(public_key, message, checkpoint.signature)

    def verify_statement(
        self, statement: dict[str, Any], signature: bytes, public_key: str
    ) -> bool:
        """Whether ``signature`` over the statement's canonical JSON verifies."""
        return signing.verify_signature(public_key, signing.statement_message(statement), signature)

    def key_id(self, public_key: str) -> str:
        """SHA-256 of the raw public key; ``ValueError`` if it is not an Ed25519 PEM key."""
        try:
            return signing.key_id(public_key)
        except (ValueError, TypeError, UnsupportedAlgorithm) as e:
            raise ValueError(str(e) or "not a PEM public key") from None


class _SQLAuditLog:
    """What both stores share: the verification algorithm, signing and the use of the key."""

    read_ahead = False
    """Fetch pages in a background thread (worth it when the database is another process)."""

    def __init__(self, signing_key: Path, public_key_file: Path | None = None) -> None:
        self.signing_key = Path(signing_key)
        self.public_key_file = public_key_file
        self.proofs = Proofs()

    # store-specific, implemented by the subclasses
    def _snapshot(self) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def append_rotation(self, rotation: KeyRotation) -> KeyRotation:  # pragma: no cover
        """Store a key rotation (append-only)."""
        raise NotImplementedError

    # -- keys ------------------------------------------------------------------------------

    def _private_key(self) -> Any:
        try:
            return signing.load_signing_key(self.signing_key)
        except signing.SigningKeyError as e:
            raise AuditError(str(e)) from None

    def configured_public_key(self) -> str | None:
        """The public half of ``CHUNGTAY_SIGNING_KEY``, or None if there is no key file."""
        if not self.signing_key.exists():
            return None
        return signing.public_key_pem(self._private_key())

    def key_id(self, public_key: str) -> str:
        """The id of a PEM public key."""
        try:
            return self.proofs.key_id(public_key)
        except ValueError as e:
            raise AuditError(f"not an Ed25519 public key: {e}") from None

    def create_signing_key(self) -> str:
        """Create the configured key file (refused if it exists); its public key."""
        key = signing.Ed25519PrivateKey.generate()
        if not signing.write_private_key(self.signing_key, key):
            raise AuditError(f"a key file exists at {self.signing_key} already")
        return signing.public_key_pem(key)

    def sign(
        self,
        tree_size: int,
        root_hash: bytes,
        signed_at: datetime,
        access_log: tuple[int, bytes] | None = None,
    ) -> Checkpoint:
        """Sign ``(tree_size, root_hash, signed_at)`` and the access log's ``(size, head)``."""
        key = self._private_key()
        when = signing.format_signed_at(signed_at)
        message = signing.checkpoint_message(tree_size, root_hash, when, access_log)
        return Checkpoint(
            tree_size=tree_size,
            root_hash=root_hash,
            signed_at=when,
            signature=signing.sign(key, message),
            public_key=signing.public_key_pem(key),
            key_id=signing.key_id(key),
            access_log_size=access_log[0] if access_log else None,
            access_log_head=access_log[1] if access_log else None,
        )

    def sign_statement(self, statement: dict[str, Any]) -> bytes:
        """Sign a statement's canonical JSON with the configured key."""
        return signing.sign(self._private_key(), signing.statement_message(statement))

    def pending_key_id(self) -> str | None:
        """The id of the new key of a rotation under way (``<key file>.next``)."""
        try:
            return signing.pending_key_id(self.signing_key)
        except signing.SigningKeyError as e:
            raise AuditError(str(e)) from None

    def rotate_signing_key(self, after_checkpoint: int, rotated_at: datetime) -> KeyRotation:
        """A new key: kept beside the current one until the rotation is stored, then installed
        in its place (the retired key is kept as ``<key file>.retired-<key id>``). Run again
        after a crash, it finishes the rotation it finds recorded."""
        try:
            pending = signing.pending_key(self.signing_key)
        except signing.SigningKeyError as e:
            raise AuditError(str(e)) from None
        new_id = signing.key_id(pending)
        recorded = [r for r in self.rotations() if r.new_key_id == new_id]
        if recorded:
            rotation = recorded[-1]
        else:
            old = self._private_key()
            rotation = _signed_rotation(old, pending, after_checkpoint, rotated_at)
            rotation = self.append_rotation(rotation)
        signing.install_pending_key(self.signing_key, rotation.old_key_id)
        return rotation

    def verify_checkpoint(self, checkpoint: Checkpoint, public_key: str) -> bool:
        """Whether the checkpoint's signature verifies with ``public_key``."""
        return self.proofs.verify_checkpoint(checkpoint, public_key)

    def rotations(self) -> list[KeyRotation]:
        """Stored key rotations, oldest first."""
        with self._snapshot() as snap:
            return snap.rotations()

    def checkpoints(self) -> list[Checkpoint]:
        """Stored checkpoints, oldest first."""
        with self._snapshot() as snap:
            return snap.checkpoints()

    # -- verification ------------------------------------------------------------------------

    def verify(
        self,
        *,
        external: Checkpoint | None = None,
        trusted_public_key: str | None = None,
        trust_embedded: bool = False,
        full_root: bool = False,
    ) -> VerificationReport:
        """One pass over the whole log in one snapshot (see the module docstring)."""
        started = time.perf_counter()
        report = VerificationReport()
        anchor, report.trust = self._anchor(trusted_public_key)
        anchor_id = self.key_id(anchor) if anchor else None
        with self._snapshot() as snap:
            checkpoints, rotations = snap.checkpoints(), snap.rotations()
            sizes = {c.tree_size for c in checkpoints}
            if external is not None:
                sizes.add(external.tree_size)
            scan = Scan(sizes, None if full_root else max(sizes, default=0))
            pages = snap.pages()
            for page in read_ahead(pages) if self.read_ahead else pages:
                scan.feed(page)
            report.households = len(scan.households)
            report.hash_rows = snap.hash_row_count()
            suspects = set(scan.flagged)
            if report.hash_rows != scan.matched:
                suspects.update(snap.orphan_households())
            for key in sorted(suspects, key=str):
                events, hash_rows = snap.household_detail(key)
                hh = scan.households.get(key) or scan._household(key)
                scan.analyse(scan.name(hh), events, hash_rows)
            access = check_access_log(
                snap.access_rows(), {c.access_log_size or 0 for c in checkpoints}
            )
        report.events = scan.count
        if scan.count <= scan.limit:
            report.tree_size, report.root_hash = scan.count, scan.root()
        report.access_log_rows, report.access_log_unchained = access.rows, access.unchained
        report.access_log_head = access.head
        scan.problems.extend(access.problems)
        chain = build_chain(checkpoints, rotations)
        scan.problems.extend(chain.problems)
        report.key_chain = list(chain.keys)
        if external is not None and not chain.keys and trust_embedded and anchor_id is None:
            chain.keys.append(self.proofs.key_id(external.public_key))
        vouched = vouched_keys(chain, anchor_id, trust_embedded)
        if anchor_id is None:
            report.trust = self._untrusted(scan, trust_embedded, bool(checkpoints or external))
        checks = _Checks(self.proofs, scan, chain, vouched, access)
        report.checkpoints = [
            checks.check(cp, f"checkpoint {cp.id}", order) for order, cp in enumerate(checkpoints)
        ]
        if external is not None:
            report.external = checks.check(external, "external checkpoint", len(checkpoints))
        report.trusted_key_id = anchor_id
        report.problems = [p for _, p in sorted(scan.problems, key=lambda item: item[0])]
        report.seconds = time.perf_counter() - started
        return report

    def _anchor(self, trusted_public_key: str | None) -> tuple[str | None, str]:
        if trusted_public_key:
            return trusted_public_key, "the given public key"
        if self.public_key_file is not None:
            try:
                text = self.public_key_file.read_text(encoding="ascii")
            except (OSError, UnicodeDecodeError) as e:
                raise AuditError(
                    f"cannot read the trusted public key {self.public_key_file}: {e}"
                ) from None
            return text, f"the configured public key ({self.public_key_file})"
        configured = self.configured_public_key()
        if configured:
            return configured, f"the configured signing key ({self.signing_key})"
        return None, "none"

    @staticmethod
    def _untrusted(scan: Scan, trust_embedded: bool, signed: bool) -> str:
        if trust_embedded:
            return "the keys stored with the checkpoints (trusted as asked; they vouch for nothing)"
        if signed:
            scan.add(
                INF - 1,
                Problem(
                    "untrusted",
                    "no trusted public key, so no signature can be vouched for: give "
                    "--public-key, set CHUNGTAY_AUDIT_PUBLIC_KEY, or verify where the signing "
                    "key is (or, knowingly, --trust-embedded-keys)",
                    checkpoint="trust",
                ),
            )
        return "none: no public key was given or configured and there is no signing key here"

    # -- export ----------------------------------------------------------------------------

    def inclusion_proofs(
        self, leaf_indices: Sequence[int], tree_size: int
    ) -> tuple[bytes, dict[int, list[bytes]]]:
        """Root of the first ``tree_size`` stored event hashes and the audit paths asked for."""
        with self._snapshot() as snap:

            def entries() -> Iterator[bytes]:
                for page in snap.hash_pages(tree_size):
                    for (h,) in page:
                        if h is None:
                            raise AuditError(
                                "an event has no hash row: run `chungtay audit verify`"
                            )
                        yield h

            try:
                return merkle.inclusion_proofs(entries(), leaf_indices, tree_size)
            except ValueError as e:
                raise AuditError(f"{e}: run `chungtay audit verify`") from None

    def household_events(self, household_id: UUID) -> list[PackEvent]:
        """One household's stored events in version order, with leaf indices and hashes."""
        with self._snapshot() as snap:
            rows = snap.household_events(household_id)
        out = []
        for _oid, version, topic, state, nid, leaf, prev, h in rows:
            if prev is None or h is None:
                raise AuditError(
                    f"household {household_id}, version {version} has no hash row: "
                    "run `chungtay audit verify`"
                )
            out.append(
                PackEvent(
                    originator_id=str(household_id),
                    originator_version=int(version),
                    topic=topic,
                    state=bytes(state),
                    notification_id=int(nid),
                    leaf_index=int(leaf),
                    prev_hash=bytes(prev),
                    hash=bytes(h),
                )
            )
        return out


class _Checks:
    """Checks of each checkpoint against the pass over the log, the access log and the keys."""

    def __init__(
        self,
        proofs: Proofs,
        scan: Scan,
        chain: KeyChain,
        vouched: set[str],
        access: AccessLogCheck,
    ) -> None:
        self.proofs = proofs
        self.scan = scan
        self.chain = chain
        self.vouched = vouched
        self.access = access

    def check(self, cp: Checkpoint, label: str, order: int) -> CheckpointCheck:
        """Every problem of one checkpoint (also added, in order, to the scan's problems)."""
        found = self._keys(cp, label) + self._log(cp, label)
        for kind, message in found:
            self.scan.add(INF + order, Problem(kind, message, checkpoint=label))
        return CheckpointCheck(
            label=label,
            id=cp.id,
            tree_size=cp.tree_size,
            root_hash=cp.root_hash.hex(),
            signed_at=cp.signed_at,
            key_id=self._kid(cp) or cp.key_id,
            ok=not found,
            problems=tuple(m for _, m in found),
        )

    def _kid(self, cp: Checkpoint) -> str:
        try:
            return self.proofs.key_id(cp.public_key)
        except ValueError:
            return ""

    def _keys(self, cp: Checkpoint, label: str) -> list[tuple[str, str]]:
        kid = self._kid(cp)
        if not kid:
            return [("key_mismatch", f"{label}: its public key is not an Ed25519 key")]
        found = []
        if cp.key_id and cp.key_id != kid:
            found.append(("key_mismatch", f"{label}: key id {cp.key_id} is not its public key's"))
        in_force = self.chain.key_for(cp.id) if cp.id is not None else None
        if in_force is not None and kid != in_force:
            found.append(
                (
                    "key_mismatch",
                    f"{label}: signed with key {kid}, but key {in_force} was in force "
                    "(see the key rotations)",
                )
            )
        elif self.vouched and kid not in self.vouched:
            expected = ", ".join(sorted(self.vouched))
            found.append(
                (
                    "key_mismatch",
                    f"{label}: public key does not match the trusted key "
                    f"(key id {kid}, expected {expected})",
                )
            )
        if not self.proofs.verify_checkpoint(cp, cp.public_key):
            found.append(("bad_signature", f"{label}: signature does not verify"))
        return found

    def _log(self, cp: Checkpoint, label: str) -> list[tuple[str, str]]:
        scan, found = self.scan, []
        if cp.tree_size > scan.count:
            found.append(
                (
                    "truncated",
                    f"log truncated: {label} covers {cp.tree_size} events, "
                    f"the log has {scan.count}",
                )
            )
        elif scan.roots.get(cp.tree_size) != cp.root_hash:
            found.append(
                (
                    "root_mismatch",
                    f"{label}: the log's first {cp.tree_size} events do not match its root hash "
                    "(events it covers were changed, removed, added or reordered)",
                )
            )
        if cp.access_log is not None:
            size, head = cp.access_log
            if size > self.access.rows:
                found.append(
                    (
                        "access_log_truncated",
                        f"access log truncated: {label} covers {size} reads, "
                        f"the access log has {self.access.rows}",
                    )
                )
            elif self.access.head_at(size) != head:
                found.append(
                    (
                        "access_log_mismatch",
                        f"{label}: the access log's first {size} rows do not match its head",
                    )
                )
        return found


def _signed_rotation(
    old: Any, new: Any, after_checkpoint: int, rotated_at: datetime
) -> KeyRotation:
    unsigned = KeyRotation(
        after_checkpoint=after_checkpoint,
        rotated_at=signing.format_signed_at(rotated_at),
        old_public_key=signing.public_key_pem(old),
        old_key_id=signing.key_id(old),
        new_public_key=signing.public_key_pem(new),
        new_key_id=signing.key_id(new),
        old_signature=b"",
        new_signature=b"",
    )
    message = signing.statement_message(unsigned.statement())
    return replace(
        unsigned, old_signature=signing.sign(old, message), new_signature=signing.sign(new, message)
    )


def audit_log_for(
    config: StoreConfig, signing_key: Path, public_key_file: Path | None = None
) -> _SQLAuditLog:
    """The audit port for a parsed database URL."""
    from infrastructure.audit_stores import PostgresAuditLog, SQLiteAuditLog

    if config.is_postgres:
        return PostgresAuditLog(config, signing_key, public_key_file)
    return SQLiteAuditLog(config, signing_key, public_key_file)
