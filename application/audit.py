"""Audit use cases: sign the log, verify it, export and verify replay packs.

The store-facing work (reading every stored event, recomputing chains and Merkle roots,
signing) sits behind the :class:`AuditLog` port, implemented in ``infrastructure.audit`` and
wired by the composition root (``web.bootstrap.build_audit``). This module decides what
the commands mean:

* a checkpoint is only signed over a log that verifies (otherwise signing would launder a
  tampered store), and only with the store's current key;
* verification vouches for signatures only with a key it trusts (given, configured, or the local
  signing key), following the store's chain of key rotations from it; trusting the keys stored
  beside the checkpoints must be asked for explicitly;
* the signing key of a store that has signed anything is never replaced, only rotated: the
  rotation is recorded, append-only, signed by the old key and by the new;
* a replay pack is built from the latest checkpoint signed with the current key that covers the
  household's events (making a new checkpoint first when there is none), and carries the
  household's head, signed, so that a pack cut short is caught.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol
from uuid import UUID

from application.errors import HouseholdNotFound
from application.replay_pack import (
    Checkpoint,
    PackEvent,
    build_pack,
    household_head_statement,
)

__all__ = [
    "Audit",
    "AuditError",
    "AuditLog",
    "Checkpoint",
    "CheckpointCheck",
    "KeyRotation",
    "PackEvent",
    "Problem",
    "VerificationFailed",
    "VerificationReport",
]


class AuditError(Exception):
    """The audit could not be carried out (no key, store not initialised, bad input)."""


class VerificationFailed(Exception):
    """The store failed verification; ``report`` says where."""

    def __init__(self, report: VerificationReport, action: str = "") -> None:
        first = report.first_problem or "verification failed"
        super().__init__(f"{action}: {first}" if action else first)
        self.report = report


@dataclass(frozen=True)
class Problem:
    """One broken place: what is wrong, and where (household and version, or checkpoint)."""

    kind: str
    message: str
    household_id: str | None = None
    version: int | None = None
    notification_id: int | None = None
    checkpoint: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "kind": self.kind,
            "message": self.message,
            "household_id": self.household_id,
            "version": self.version,
            "notification_id": self.notification_id,
            "checkpoint": self.checkpoint,
        }


@dataclass(frozen=True)
class CheckpointCheck:
    """The outcome for one checkpoint (stored, or given from outside the database)."""

    label: str
    id: int | None
    tree_size: int
    root_hash: str
    signed_at: str
    key_id: str
    ok: bool
    problems: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "label": self.label,
            "id": self.id,
            "tree_size": self.tree_size,
            "root_hash": self.root_hash,
            "signed_at": self.signed_at,
            "key_id": self.key_id,
            "ok": self.ok,
            "problems": list(self.problems),
        }


@dataclass(frozen=True)
class KeyRotation:
    """A new signing key, signed by the key it retires and by itself.

    Checkpoints with an id above ``after_checkpoint`` are signed with the new key.
    """

    after_checkpoint: int
    rotated_at: str
    old_public_key: str
    old_key_id: str
    new_public_key: str
    new_key_id: str
    old_signature: bytes
    new_signature: bytes
    id: int | None = None

    def statement(self) -> dict[str, Any]:
        """What both signatures cover."""
        return {
            "statement": "key_rotation",
            "after_checkpoint": self.after_checkpoint,
            "rotated_at": self.rotated_at,
            "old_key_id": self.old_key_id,
            "new_key_id": self.new_key_id,
            "new_public_key": self.new_public_key,
        }

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (what ``chungtay audit rotate-key`` prints)."""
        return {
            "id": self.id,
            **self.statement(),
            "old_public_key": self.old_public_key,
            "old_signature": self.old_signature.hex(),
            "new_signature": self.new_signature.hex(),
        }


@dataclass
class VerificationReport:
    """Everything ``audit verify`` found. ``problems`` is ordered: the first is the first
    broken place in the log (events by notification order, then checkpoints by id)."""

    events: int = 0
    households: int = 0
    hash_rows: int = 0
    tree_size: int | None = None
    root_hash: bytes | None = None
    checkpoints: list[CheckpointCheck] = field(default_factory=list)
    external: CheckpointCheck | None = None
    problems: list[Problem] = field(default_factory=list)
    trusted_key_id: str | None = None
    trust: str = ""
    key_chain: list[str] = field(default_factory=list)
    access_log_rows: int = 0
    access_log_unchained: int = 0
    access_log_head: bytes | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """No problem anywhere."""
        return not self.problems

    @property
    def first_problem(self) -> str | None:
        """The message of the first broken place."""
        return self.problems[0].message if self.problems else None

    def to_dict(self, max_problems: int = 1000) -> dict[str, Any]:
        """JSON-ready report (at most ``max_problems`` problems listed; all are counted)."""
        return {
            "ok": self.ok,
            "first_problem": self.first_problem,
            "problem_count": len(self.problems),
            "problems": [p.to_dict() for p in self.problems[:max_problems]],
            "events": self.events,
            "households": self.households,
            "hash_rows": self.hash_rows,
            "tree_size": self.tree_size,
            "root_hash": self.root_hash.hex() if self.root_hash is not None else None,
            "checkpoints": [c.to_dict() for c in self.checkpoints],
            "external_checkpoint": self.external.to_dict() if self.external else None,
            "trusted_key_id": self.trusted_key_id,
            "trust": self.trust,
            "key_chain": list(self.key_chain),
            "access_log_rows": self.access_log_rows,
            "access_log_unchained": self.access_log_unchained,
            "access_log_head": self.access_log_head.hex() if self.access_log_head else None,
            "seconds": round(self.seconds, 3),
            "events_per_second": round(self.events / self.seconds) if self.seconds > 0 else None,
        }


class AuditLog(Protocol):
    """The port to the stored log (implemented for SQLite and PostgreSQL in infrastructure)."""

    def verify(
        self,
        *,
        external: Checkpoint | None = None,
        trusted_public_key: str | None = None,
        trust_embedded: bool = False,
        full_root: bool = False,
    ) -> VerificationReport:
        """Re-read every stored event and check chains, versions, order, hash rows, the access
        log's chain, the key rotations and every checkpoint (and ``external``); with
        ``full_root`` also the root over the whole log. The trust anchor for keys is
        ``trusted_public_key`` (PEM), else the configured one; with none, signatures are vouched
        for only if ``trust_embedded``."""

    def sign(
        self,
        tree_size: int,
        root_hash: bytes,
        signed_at: datetime,
        access_log: tuple[int, bytes] | None = None,
    ) -> Checkpoint:
        """A checkpoint signed with the configured key over the log's tree head and the access
        log's ``(size, head)`` (not stored)."""

    def sign_statement(self, statement: dict[str, Any]) -> bytes:
        """An Ed25519 signature with the configured key over a statement's canonical JSON."""

    def append_checkpoint(self, checkpoint: Checkpoint) -> Checkpoint:
        """Store a checkpoint; returns it with its id."""

    def checkpoints(self) -> list[Checkpoint]:
        """The stored checkpoints, oldest first."""

    def rotations(self) -> list[KeyRotation]:
        """The stored key rotations, oldest first."""

    def configured_public_key(self) -> str | None:
        """The configured signing key's public key (PEM), or None without a key file."""

    def create_signing_key(self) -> str:
        """Create the configured key file (it must not exist); its public key (PEM)."""

    def pending_key_id(self) -> str | None:
        """The id of the new key of a rotation that was started and not finished, if any."""

    def rotate_signing_key(self, after_checkpoint: int, rotated_at: datetime) -> KeyRotation:
        """Make a new key, record the rotation signed by the configured key and the new one,
        then make the new key the configured one. Safe to run again after a crash."""

    def key_id(self, public_key: str) -> str:
        """The id of a PEM public key."""

    def verify_checkpoint(self, checkpoint: Checkpoint, public_key: str) -> bool:
        """Whether the checkpoint's signature verifies with ``public_key``."""

    def household_events(self, household_id: UUID) -> list[PackEvent]:
        """One household's stored events in version order, with their leaf indices."""

    def inclusion_proofs(
        self, leaf_indices: Sequence[int], tree_size: int
    ) -> tuple[bytes, dict[int, list[bytes]]]:
        """The root of the first ``tree_size`` stored event hashes and the audit paths."""


def utc_now() -> datetime:
    """The signing clock."""
    return datetime.now(UTC)


class Audit:
    """The audit use cases on one store."""

    def __init__(self, log: AuditLog, *, clock: Callable[[], datetime] = utc_now) -> None:
        self.log = log
        self.clock = clock

    def verify(
        self,
        external: Checkpoint | None = None,
        trusted_public_key: str | None = None,
        *,
        trust_embedded: bool = False,
    ) -> VerificationReport:
        """``chungtay audit verify``: the whole store, every checkpoint, and ``external``."""
        return self.log.verify(
            external=external,
            trusted_public_key=trusted_public_key,
            trust_embedded=trust_embedded,
        )

    def current_key_id(self) -> str | None:
        """The id of the store's key in force: the last rotation's new key, else the key of the
        checkpoints; None while the store has signed nothing."""
        rotations = self.log.rotations()
        if rotations:
            return rotations[-1].new_key_id
        checkpoints = self.log.checkpoints()
        return self.log.key_id(checkpoints[-1].public_key) if checkpoints else None

    def require_current_key(self, action: str) -> str:
        """The configured key's id; :class:`AuditError` unless it is the store's current key."""
        configured = self.log.configured_public_key()
        current = self.current_key_id()
        if configured is None:
            where = getattr(self.log, "signing_key", "the configured path")
            raise AuditError(
                f"no signing key at {where}: cannot {action}; "
                + (
                    f"the store's key is {current}: restore that key file (from your backup)"
                    if current
                    else "run `chungtay init` (or set CHUNGTAY_SIGNING_KEY)"
                )
            )
        mine = self.log.key_id(configured)
        if current is not None and mine != current:
            raise AuditError(
                f"the configured signing key ({mine}) is not the store's current key "
                f"({current}): cannot {action}; restore the key file of {current} (keys are "
                "changed only with `chungtay audit rotate-key`, run with the current key)"
            )
        return mine

    def ensure_signing_key(self) -> str:
        """``chungtay init``: the key id of the configured signing key, creating the key only
        for a store that has signed nothing yet (a store's key is never replaced)."""
        if self.log.configured_public_key() is None and self.current_key_id() is None:
            return self.log.key_id(self.log.create_signing_key())
        return self.require_current_key("use it")

    def rotate_key(self) -> KeyRotation:
        """``chungtay audit rotate-key``: a new signing key, recorded append-only and signed by
        the current key and the new one; later checkpoints are signed with the new key."""
        pending = self.log.pending_key_id()
        if pending is None or pending != self.current_key_id():
            self.require_current_key("rotate it")  # else: finish the rotation recorded
        checkpoints = self.log.checkpoints()
        after = (checkpoints[-1].id or 0) if checkpoints else 0
        return self.log.rotate_signing_key(after, self.clock())

    def checkpoint(self) -> Checkpoint:
        """``chungtay audit checkpoint``: verify the log, then sign and store its tree head.

        Raises :class:`VerificationFailed` (nothing signed) if the log does not verify, and
        :class:`AuditError` unless the configured key is the store's current key.
        """
        self.require_current_key("sign a checkpoint")
        report = self.log.verify(full_root=True)
        if not report.ok:
            raise VerificationFailed(report, "refusing to sign a log that does not verify")
        assert report.tree_size is not None and report.root_hash is not None
        assert report.access_log_head is not None
        access_log = (report.access_log_rows, report.access_log_head)
        signed = self.log.sign(report.tree_size, report.root_hash, self.clock(), access_log)
        return self.log.append_checkpoint(signed)

    def export_household(self, app: Any, ref: str) -> dict[str, Any]:
        """``chungtay export household``: the replay pack of one household (a JSON document).

        ``app`` is the ``Households`` application (for the status object as the server
        answers it now, and the data versions). Raises :class:`HouseholdNotFound`.
        """
        from application.queries import status

        hid = app.household_id(ref)
        moment = app.now()
        answer = status(app, str(hid), moment.astimezone(app.zone).date(), moment)
        events = self.log.household_events(hid)
        if not events:
            raise HouseholdNotFound(ref)
        needed = max(e.leaf_index for e in events) + 1
        own = self.require_current_key("sign the pack")
        stored = self.log.checkpoints()
        checkpoint = stored[-1] if stored else None
        if (
            checkpoint is None
            or checkpoint.tree_size < needed
            or self.log.key_id(checkpoint.public_key) != own
        ):
            checkpoint = self.checkpoint()
        elif not self.log.verify_checkpoint(checkpoint, checkpoint.public_key):
            raise AuditError(
                f"checkpoint {checkpoint.id} does not verify with the signing key: "
                "run `chungtay audit verify`"
            )
        root_hash, proofs = self.log.inclusion_proofs(
            [e.leaf_index for e in events], checkpoint.tree_size
        )
        if root_hash != checkpoint.root_hash:
            raise AuditError(
                f"the log no longer matches checkpoint {checkpoint.id}: run `chungtay audit verify`"
            )
        head = household_head_statement(
            str(hid), events[-1].originator_version, events[-1].hash, moment.isoformat()
        )
        head["signature"] = self.log.sign_statement(head).hex()
        return build_pack(
            household_id=str(hid),
            code=answer.get("code"),
            events=events,
            proofs=proofs,
            checkpoint=checkpoint,
            household_head=head,
            data_versions={
                "standards": app.standards.data_version,
                "units": app.units.data_version,
            },
            status=answer,
            exported_at=moment,
        )
