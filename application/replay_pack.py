"""Replay packs: one household's stored events with the proofs that they are the ones logged.

A pack is one self-contained JSON document (``chungtay export household``). It is verified with
no database (``chungtay verify-pack``): the per-household hash chain is recomputed from the
stored bytes, every event's Merkle inclusion proof is checked against a signed checkpoint's
root, the checkpoint's Ed25519 signature is checked with the pack's public key (whose key id the
auditor compares with the published one), and then the events are decoded and folded with the
same code the server runs, to give the status object byte for byte as the server gives it.

Inclusion proofs show that each event in the pack is in the log; they cannot show that no event
was left out. So the pack also carries the household's head, signed with the same key: "at
``signed_at`` household H had ``version`` events, the last with hash ``head_hash``". A pack whose
last events were cut off (or whose events were extended) no longer matches its signed head.

Format (``format_version`` 2)::

    {"format": "chungtay-replay-pack", "format_version": 2,
     "household_id", "code", "exported_at",
     "events": [{"originator_id", "originator_version", "topic", "state" (base64),
                 "notification_id", "leaf_index", "prev_hash", "hash", "inclusion_proof": [hex]}],
     "household_head": {"household_id", "version", "head_hash", "signed_at", "signature"},
     "checkpoint": {"id", "tree_size", "root_hash", "signed_at", "signature", "key_id"},
     "public_key": PEM, "data_versions": {"standards", "units"},
     "status": <the status object as the server answered at export>, "scheme": {...}}

Hashes and signatures are lowercase hex, ``state`` is standard base64. This module depends on
no infrastructure: the hash, proof and signature primitives come in through
:class:`ProofPrimitives` (wired by the composition root).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol
from uuid import UUID

from application.checkpoint import HEX32 as _HEX32
from application.checkpoint import HEX64 as _HEX64
from application.checkpoint import Checkpoint

__all__ = ["Checkpoint", "PackEvent", "PackReport", "build_pack", "verify_pack"]

FORMAT = "chungtay-replay-pack"
FORMAT_VERSION = 2

SCHEME = {
    "event_hash": "SHA-256(prev_hash ‖ originator_id as 16 bytes ‖ version as 8-byte big-endian "
    "‖ UTF-8 length of topic as 4-byte big-endian ‖ topic UTF-8 ‖ state); prev_hash of "
    "version 1 is 32 zero bytes",
    "merkle_tree": "RFC 6962 over the event hashes in notification order: leaf = "
    "SHA-256(0x00 ‖ event_hash), node = SHA-256(0x01 ‖ left ‖ right); leaf_index is the "
    "event's position in the log; inclusion proofs are RFC 6962 audit paths, bottom-up",
    "signature": 'Ed25519 over the UTF-8 JSON {"root_hash":hex,"signed_at":text,'
    '"tree_size":int} with sorted keys and no spaces; key_id = SHA-256 of the raw public key',
    "household_head": 'Ed25519 with the same key over the UTF-8 JSON {"head_hash":hex,'
    '"household_id":text,"signed_at":text,"statement":"household_head","version":int} with '
    "sorted keys and no spaces: head_hash is the hash of the household's last event",
}


def household_head_statement(
    household_id: str, version: int, head_hash: bytes, signed_at: str
) -> dict[str, Any]:
    """What a household head's signature covers (see ``SCHEME["household_head"]``)."""
    return {
        "statement": "household_head",
        "household_id": household_id,
        "version": version,
        "head_hash": head_hash.hex(),
        "signed_at": signed_at,
    }


def canonical_json(data: Any) -> str:
    """The one serialisation of status objects that is compared byte for byte."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


class ProofPrimitives(Protocol):
    """Hashing, Merkle and signature primitives (implemented in ``infrastructure.audit``)."""

    genesis: bytes

    def event_hash(
        self, prev: bytes, originator_id: UUID, version: int, topic: str, state: bytes
    ) -> bytes:
        """The chained hash of one stored event."""

    def verify_inclusion(
        self, entry: bytes, index: int, size: int, proof: Sequence[bytes], root_hash: bytes
    ) -> bool:
        """Whether ``proof`` puts ``entry`` at ``index`` in the tree ``(size, root_hash)``."""

    def verify_checkpoint(self, checkpoint: Checkpoint, public_key: str) -> bool:
        """Whether the checkpoint's signature verifies with ``public_key`` (PEM)."""

    def key_id(self, public_key: str) -> str:
        """SHA-256 of the raw public key, hex; ``ValueError`` if it is not an Ed25519 key."""

    def verify_statement(
        self, statement: dict[str, Any], signature: bytes, public_key: str
    ) -> bool:
        """Whether ``signature`` over the canonical JSON of ``statement`` verifies."""


@dataclass(frozen=True)
class PackEvent:
    """One stored event as it sits in the log, with its place and chained hash."""

    originator_id: str
    originator_version: int
    topic: str
    state: bytes
    notification_id: int
    leaf_index: int
    prev_hash: bytes
    hash: bytes


def build_pack(
    *,
    household_id: str,
    code: str | None,
    events: Sequence[PackEvent],
    proofs: dict[int, list[bytes]],
    checkpoint: Checkpoint,
    household_head: dict[str, Any],
    data_versions: dict[str, str],
    status: dict[str, Any],
    exported_at: datetime,
) -> dict[str, Any]:
    """The pack document (see the module docstring); ``proofs`` is keyed by leaf index and
    ``household_head`` is the signed head (statement fields and ``signature`` in hex)."""
    cp = checkpoint.to_dict()
    public_key = cp.pop("public_key")
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "household_id": household_id,
        "code": code,
        "exported_at": exported_at.isoformat(),
        "events": [
            {
                "originator_id": e.originator_id,
                "originator_version": e.originator_version,
                "topic": e.topic,
                "state": base64.b64encode(e.state).decode("ascii"),
                "notification_id": e.notification_id,
                "leaf_index": e.leaf_index,
                "prev_hash": e.prev_hash.hex(),
                "hash": e.hash.hex(),
                "inclusion_proof": [p.hex() for p in proofs[e.leaf_index]],
            }
            for e in events
        ],
        "household_head": {k: v for k, v in household_head.items() if k != "statement"},
        "checkpoint": cp,
        "public_key": public_key,
        "data_versions": dict(data_versions),
        "status": status,
        "scheme": dict(SCHEME),
    }


# -- offline verification --------------------------------------------------------------------


@dataclass
class PackReport:
    """What ``verify-pack`` found; ``ok`` only when every check passed."""

    household_id: str | None = None
    events: int = 0
    key_id: str | None = None
    checkpoint: dict[str, Any] | None = None
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    as_of: str | None = None
    known_at: str | None = None
    status: dict[str, Any] | None = None
    status_matches_pack: bool | None = None

    @property
    def ok(self) -> bool:
        """Whether the pack verified (integrity, and the replay where it was compared)."""
        return not self.problems

    @property
    def status_json(self) -> str | None:
        """The replayed status object, serialised as the server serialises it."""
        return None if self.status is None else canonical_json(self.status)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready report."""
        return {
            "ok": self.ok,
            "household_id": self.household_id,
            "events": self.events,
            "key_id": self.key_id,
            "checkpoint": self.checkpoint,
            "problems": list(self.problems),
            "warnings": list(self.warnings),
            "as_of": self.as_of,
            "known_at": self.known_at,
            "status": self.status,
            "status_matches_pack": self.status_matches_pack,
        }


class _Malformed(ValueError):
    pass


def _field(d: dict[str, Any], name: str, kind: type | tuple[type, ...], where: str) -> Any:
    value = d.get(name)
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
        raise _Malformed(f"{where}: {name} is missing or not {_kind_name(kind)}")
    return value


def _kind_name(kind: type | tuple[type, ...]) -> str:
    names = {str: "text", int: "an integer", list: "a list", dict: "an object"}
    if isinstance(kind, tuple):
        return " or ".join(names.get(k, k.__name__) for k in kind)
    return names.get(kind, kind.__name__)


def _hash(d: dict[str, Any], name: str, where: str) -> bytes:
    value = _field(d, name, str, where)
    if not _HEX32.fullmatch(value):
        raise _Malformed(f"{where}: {name} is not 64 lowercase hex digits")
    return bytes.fromhex(value)


def _state(d: dict[str, Any], where: str) -> bytes:
    text = _field(d, "state", str, where)
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise _Malformed(f"{where}: state is not valid base64") from None
    if base64.b64encode(raw).decode("ascii") != text:
        raise _Malformed(f"{where}: state is not canonical base64")
    return raw


def verify_pack(
    pack: Any,
    primitives: ProofPrimitives,
    *,
    as_of: date | None = None,
    known_at: datetime | None = None,
    app: Any = None,
) -> PackReport:
    """Check a pack with no database and replay the household's status.

    ``as_of`` and ``known_at`` default to the pack's own (the export's), in which case the
    replayed status must equal the one the server put in the pack. ``app`` is a ``Households``
    application used only for its mapper and catalogues (an in-memory one by default).
    """
    report = PackReport()
    try:
        _check_integrity(pack, primitives, report)
    except _Malformed as e:
        report.problems.append(f"not a valid replay pack: {e}")
    if report.problems:
        return report
    _replay(pack, report, as_of, known_at, app)
    return report


def _check_integrity(pack: Any, primitives: ProofPrimitives, report: PackReport) -> None:
    if not isinstance(pack, dict):
        raise _Malformed("the document is not a JSON object")
    if pack.get("format") != FORMAT:
        raise _Malformed(f"format is not {FORMAT!r}")
    if pack.get("format_version") != FORMAT_VERSION:
        raise _Malformed(f"format_version {pack.get('format_version')!r} is not supported")
    household_id = _field(pack, "household_id", str, "pack")
    try:
        hid = UUID(household_id)
    except ValueError:
        raise _Malformed("household_id is not a UUID") from None
    report.household_id = str(hid)
    public_key = _field(pack, "public_key", str, "pack")
    checkpoint = _check_checkpoint(pack, primitives, report, public_key)
    events = _field(pack, "events", list, "pack")
    if not events:
        raise _Malformed("the pack holds no events")
    report.events = len(events)
    chain = _Chain(hid, checkpoint, primitives, report)
    for position, e in enumerate(events, start=1):
        if not chain.check(position, e):
            return
    _check_head(pack, primitives, report, str(hid), public_key, len(events), chain.prev)


def _check_checkpoint(
    pack: dict[str, Any], primitives: ProofPrimitives, report: PackReport, public_key: str
) -> Checkpoint:
    """The pack's checkpoint, signed by the pack's public key."""
    try:
        kid = primitives.key_id(public_key)
    except ValueError as e:
        raise _Malformed(f"public_key is not an Ed25519 public key ({e})") from None
    report.key_id = kid
    try:
        checkpoint = Checkpoint.from_dict(_field(pack, "checkpoint", dict, "pack"), public_key)
    except ValueError as e:
        raise _Malformed(f"checkpoint: {e}") from None
    report.checkpoint = {
        "id": checkpoint.id,
        "tree_size": checkpoint.tree_size,
        "root_hash": checkpoint.root_hash.hex(),
        "signed_at": checkpoint.signed_at,
        "key_id": kid,
    }
    if checkpoint.key_id and checkpoint.key_id != kid:
        report.problems.append(
            f"checkpoint: key id {checkpoint.key_id} does not match the pack's public key ({kid})"
        )
    if not primitives.verify_checkpoint(checkpoint, public_key):
        report.problems.append("checkpoint: signature does not verify with the pack's public key")
    return checkpoint


class _Chain:
    """The household's events, one by one: chained hashes and places in the signed tree."""

    def __init__(
        self, hid: UUID, checkpoint: Checkpoint, primitives: ProofPrimitives, report: PackReport
    ) -> None:
        self.hid = hid
        self.checkpoint = checkpoint
        self.primitives = primitives
        self.report = report
        self.prev = primitives.genesis
        self.last_leaf = -1

    def check(self, position: int, e: Any) -> bool:
        """Check one event; False when the rest cannot be checked (wrong version or owner)."""
        problems = self.report.problems
        where = f"event {position}"
        if not isinstance(e, dict):
            raise _Malformed(f"{where} is not an object")
        version = _field(e, "originator_version", int, where)
        where = f"event version {version}"
        if version != position:
            problems.append(
                f"{where}: expected version {position} (versions must run 1..n without gaps)"
            )
            return False
        oid = _field(e, "originator_id", str, where)
        try:
            same = UUID(oid) == self.hid
        except ValueError:
            same = False
        if not same:
            problems.append(f"{where}: belongs to {oid}, not to household {self.hid}")
            return False
        topic, state = _field(e, "topic", str, where), _state(e, where)
        leaf = _field(e, "leaf_index", int, where)
        _field(e, "notification_id", int, where)
        stated = _hash(e, "hash", where)
        if "prev_hash" in e and _hash(e, "prev_hash", where) != self.prev:
            problems.append(f"{where}: prev_hash does not match version {version - 1}")
        proof = _proof(e, where)
        digest = self.primitives.event_hash(self.prev, self.hid, version, topic, state)
        if digest != stated:
            problems.append(f"{where}: stored bytes do not match their hash")
        if leaf <= self.last_leaf:
            problems.append(
                f"{where}: its place in the log ({leaf}) is not after version {version - 1}'s"
            )
        self._check_inclusion(where, digest, leaf, proof)
        self.prev, self.last_leaf = digest, leaf
        return True

    def _check_inclusion(self, where: str, digest: bytes, leaf: int, proof: list[bytes]) -> None:
        size, root = self.checkpoint.tree_size, self.checkpoint.root_hash
        if not 0 <= leaf < size:
            self.report.problems.append(
                f"{where}: leaf {leaf} is outside the checkpoint's {size} events"
            )
        elif not self.primitives.verify_inclusion(digest, leaf, size, proof, root):
            self.report.problems.append(
                f"{where}: inclusion proof does not verify against the checkpoint's root"
            )


def _proof(e: dict[str, Any], where: str) -> list[bytes]:
    proof = []
    for p in _field(e, "inclusion_proof", list, where):
        if not isinstance(p, str) or not _HEX32.fullmatch(p):
            raise _Malformed(f"{where}: inclusion_proof holds a value that is not a hash")
        proof.append(bytes.fromhex(p))
    return proof


def _check_head(
    pack: dict[str, Any],
    primitives: ProofPrimitives,
    report: PackReport,
    household_id: str,
    public_key: str,
    count: int,
    last_hash: bytes,
) -> None:
    """The signed head: the pack holds exactly the household's events up to it."""
    head = _field(pack, "household_head", dict, "pack")
    version = _field(head, "version", int, "household_head")
    head_hash = _hash(head, "head_hash", "household_head")
    signed_at = _field(head, "signed_at", str, "household_head")
    signature = _field(head, "signature", str, "household_head")
    if not _HEX64.fullmatch(signature):
        raise _Malformed("household_head: signature is not 128 lowercase hex digits")
    if _field(head, "household_id", str, "household_head") != household_id:
        report.problems.append("household_head: it is the head of another household")
    statement = household_head_statement(household_id, version, head_hash, signed_at)
    if not primitives.verify_statement(statement, bytes.fromhex(signature), public_key):
        report.problems.append("household_head: signature does not verify with the pack's key")
    if version != count:
        report.problems.append(
            f"household_head: the household had {version} events when the pack was signed, "
            f"the pack holds {count} (events were " + ("cut off)" if count < version else "added)")
        )
    elif head_hash != last_hash:
        report.problems.append("household_head: the last event is not the signed head")


def _replay(
    pack: dict[str, Any],
    report: PackReport,
    as_of: date | None,
    known_at: datetime | None,
    app: Any,
) -> None:
    from eventsourcing.persistence import StoredEvent

    from application.status import NotYetRegistered, status_object
    from domain.situation import fold

    stated = pack.get("status")
    own = isinstance(stated, dict) and as_of is None and known_at is None
    if as_of is None or known_at is None:
        if not isinstance(stated, dict):
            report.problems.append("the pack has no status object: give --as-of and --known-at")
            return
        try:
            as_of = as_of or date.fromisoformat(stated["as_of"])
            known_at = known_at or datetime.fromisoformat(stated["known_at"])
        except (KeyError, TypeError, ValueError):
            report.problems.append("the pack's status object has no valid as_of / known_at")
            return
    report.as_of, report.known_at = as_of.isoformat(), known_at.isoformat()

    owned = app is None
    if owned:
        from application.households import Households

        app = Households(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    try:
        versions = pack.get("data_versions") or {}
        for name, current in (
            ("standards", app.standards.data_version),
            ("units", app.units.data_version),
        ):
            if versions.get(name) != current:
                report.warnings.append(
                    f"{name} data version differs: pack {versions.get(name)!r}, here {current!r}"
                )
        facts = []
        for e in pack["events"]:
            stored = StoredEvent(
                originator_id=UUID(e["originator_id"]),
                originator_version=e["originator_version"],
                topic=e["topic"],
                state=base64.b64decode(e["state"]),
            )
            try:
                facts.append(app.mapper.to_domain_event(stored))
            except Exception as exc:  # any decoding failure is a property of the pack
                report.problems.append(
                    f"event version {stored.originator_version}: cannot be decoded ({exc})"
                )
                return
        situation = fold(report.household_id or "", facts, as_of, known_at)
        if not situation.known:
            report.problems.append(
                f"household {report.household_id} was not yet known at {known_at.isoformat()}"
            )
            return
        if situation.registered_on is not None and as_of < situation.registered_on:
            report.problems.append(
                str(NotYetRegistered(report.household_id or "", situation.registered_on, as_of))
            )
            return
        report.status = status_object(situation, app.units, known_at)
    finally:
        if owned:
            app.close()
    if own:
        report.status_matches_pack = canonical_json(report.status) == canonical_json(stated)
        if not report.status_matches_pack:
            report.problems.append("the replayed status differs from the status object in the pack")
