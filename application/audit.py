"""Audit use cases: sign the log, verify it, export and verify replay packs.

The store-facing work (reading every stored event, recomputing chains and Merkle roots,
signing) sits behind the :class:`AuditLog` port, implemented in ``infrastructure.audit`` and
wired by the composition root (``web.audit_bootstrap.build_audit``). This module decides what
the commands mean:

* a checkpoint is only signed over a log that verifies (otherwise signing would launder a
  tampered store);
* a replay pack is built from the latest signed checkpoint that covers the household's events,
  making a new checkpoint first when none does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol
from uuid import UUID

from application.errors import HouseholdNotFound
from application.replay_pack import Checkpoint, PackEvent, build_pack

__all__ = [
    "Audit",
    "AuditError",
    "AuditLog",
    "Checkpoint",
    "CheckpointCheck",
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
        full_root: bool = False,
    ) -> VerificationReport:
        """Re-read every stored event and check chains, versions, order, hash rows and every
        checkpoint (and ``external``); with ``full_root`` also the root over the whole log.
        The trust anchor for keys is ``trusted_public_key`` (PEM), else the configured key."""

    def sign(self, tree_size: int, root_hash: bytes, signed_at: datetime) -> Checkpoint:
        """A checkpoint signed with the configured key (not stored)."""

    def append_checkpoint(self, checkpoint: Checkpoint) -> Checkpoint:
        """Store a checkpoint; returns it with its id."""

    def checkpoints(self) -> list[Checkpoint]:
        """The stored checkpoints, oldest first."""

    def configured_public_key(self) -> str | None:
        """The configured signing key's public key (PEM), or None without a key file."""

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
        self, external: Checkpoint | None = None, trusted_public_key: str | None = None
    ) -> VerificationReport:
        """``chungtay audit verify``: the whole store, every checkpoint, and ``external``."""
        return self.log.verify(external=external, trusted_public_key=trusted_public_key)

    def checkpoint(self) -> Checkpoint:
        """``chungtay audit checkpoint``: verify the log, then sign and store its tree head.

        Raises :class:`VerificationFailed` (nothing signed) if the log does not verify.
        """
        report = self.log.verify(full_root=True)
        if not report.ok:
            raise VerificationFailed(report, "refusing to sign a log that does not verify")
        assert report.tree_size is not None and report.root_hash is not None
        signed = self.log.sign(report.tree_size, report.root_hash, self.clock())
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
        stored = self.log.checkpoints()
        checkpoint = stored[-1] if stored else None
        if checkpoint is None or checkpoint.tree_size < needed:
            checkpoint = self.checkpoint()
        else:
            own_key = self.log.configured_public_key() or checkpoint.public_key
            if not self.log.verify_checkpoint(checkpoint, own_key):
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
        return build_pack(
            household_id=str(hid),
            code=answer.get("code"),
            events=events,
            proofs=proofs,
            checkpoint=checkpoint,
            data_versions={
                "standards": app.standards.data_version,
                "units": app.units.data_version,
            },
            status=answer,
            exported_at=moment,
        )
