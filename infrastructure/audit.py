"""Verification of the stored log and signed checkpoints, on SQLite and PostgreSQL.

:class:`SQLiteAuditLog` and :class:`PostgresAuditLog` implement the application's
:class:`application.audit.AuditLog` port. ``verify`` makes one pass over the raw stored rows in
notification order, inside one read snapshot, streaming pages (SQLite steps one statement;
PostgreSQL uses a server-side cursor), and for every event:

* recomputes its chained hash from the stored bytes and compares it with ``event_hashes``
  (``stored hash == H(stored prev_hash ‖ event)``), and checks the link
  ``prev_hash(v) == hash(v-1)``;
* checks the household's versions arrive as 1, 2, 3, … (a household that does not is analysed
  again at the end: missing versions, re-inserted events, events inserted out of order);
* feeds the event hash into the Merkle tree, whose root is taken at every checkpoint's size.

Then it checks hash rows without events, and each checkpoint: the log still has ``tree_size``
events, the root at that size matches, the key is the trusted one, the signature verifies.

The hot loop does the hashing and a few comparisons per row, nothing else; everything unusual
(a new household, a new topic, a broken row) leaves the loop for a method.
"""

from __future__ import annotations

import bisect
import queue
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from hashlib import sha256
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
from cryptography.exceptions import UnsupportedAlgorithm
from psycopg import sql

from application.audit import (
    AuditError,
    Checkpoint,
    CheckpointCheck,
    PackEvent,
    Problem,
    VerificationReport,
)
from infrastructure import merkle, signing
from infrastructure.hashing import GENESIS, event_hash
from infrastructure.store import StoreConfig

PAGE = 5000
"""Rows fetched per round trip while streaming the log."""

_INF = 1 << 62


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
            checkpoint.tree_size, checkpoint.root_hash, checkpoint.signed_at
        )
        return signing.verify_signature(public_key, message, checkpoint.signature)

    def key_id(self, public_key: str) -> str:
        """SHA-256 of the raw public key; ``ValueError`` if it is not an Ed25519 PEM key."""
        try:
            return signing.key_id(public_key)
        except (ValueError, TypeError, UnsupportedAlgorithm) as e:
            raise ValueError(str(e) or "not a PEM public key") from None


# -- the verification pass -----------------------------------------------------------------


class _Scan:
    """State of one pass over the log. Rows are
    ``(notification_id, household key, version, topic, state, prev_hash, hash)``, where the
    key is 16 UUID bytes (PostgreSQL) or 32 hex digits (SQLite) and the last two are None
    when the event has no hash row."""

    def __init__(self, sizes: set[int], limit: int | None) -> None:
        # household key -> [uuid bytes, last version in order, its stored hash, key]
        self.households: dict[Any, list[Any]] = {}
        self.topics: dict[str, bytes] = {}
        self.count = 0
        self.matched = 0
        self.tree = merkle.TreeBuilder()
        self.marks = sorted(s for s in sizes if s > 0)
        self.limit = _INF if limit is None else limit
        self.roots: dict[int, bytes] = {0: merkle.EMPTY_ROOT}
        self.flagged: set[Any] = set()
        self.problems: list[tuple[int, Problem]] = []
        self._seen: set[tuple[str, str, int | None]] = set()
        self._leaves: dict[int, bytes] = {}

    # the hot loop ---------------------------------------------------------------------------

    def feed(self, rows: Sequence[tuple[Any, ...]]) -> None:
        """Check one page of rows and add their hashes to the tree."""
        hh_get = self.households.get
        topic_get = self.topics.get
        slow = self._slow
        for i, row in enumerate(rows):
            _nid, key, ver, topic, state, prev, stored = row
            try:
                hh = hh_get(key)
                if (
                    hh[1] + 1 == ver
                    and hh[2] == prev
                    and sha256(
                        prev + hh[0] + ver.to_bytes(8, "big") + topic_get(topic) + state
                    ).digest()
                    == stored
                ):
                    hh[1] = ver
                    hh[2] = stored
                    continue
            except Exception:  # a new household or topic, a missing hash row, a broken row
                pass
            slow(i, row)
        self.matched += len(rows)
        room = self.limit - self.count
        if room > 0:
            if room >= len(rows):
                entries = [row[6] for row in rows]
            else:
                entries = [row[6] for row in rows[:room]]
            for i, leaf in self._leaves.items():
                if i < len(entries):
                    entries[i] = leaf
            self.roots.update(
                self.tree.extend_leaf_hashes(
                    [sha256(b"\x00" + e).digest() for e in entries], self.marks
                )
            )
        self._leaves.clear()
        self.count += len(rows)

    # everything else ------------------------------------------------------------------------

    def _slow(self, i: int, row: tuple[Any, ...]) -> None:
        """One row that is not simply "the next version, chained, hash matches"."""
        nid, key, ver, topic, state, prev, stored = row
        hh = self.households.get(key) or self._household(key)
        try:
            tp = self.topics.get(topic) or self._topic(topic)
            link = hh[2] if prev is None else prev
            digest = sha256(link + hh[0] + ver.to_bytes(8, "big") + tp + state).digest()
        except Exception:  # wrong types put there by hand: report, keep its place in the tree
            self._event_problem("malformed_row", hh, ver, nid, "the stored row is malformed")
            self.flagged.add(key)
            if not isinstance(stored, bytes) or len(stored) != 32:
                self.matched -= stored is None
                self._leaves[i] = sha256(repr(row).encode()).digest()
            return
        if stored is None:
            self.matched -= 1
            self._event_problem(
                "missing_hash_row",
                hh,
                ver,
                nid,
                "the event has no hash row (inserted outside the ledger)",
            )
            self._leaves[i] = stored = digest
        elif digest != stored:
            self._event_problem(
                "hash_mismatch", hh, ver, nid, "stored bytes do not match their hash"
            )
        if ver == hh[1] + 1:
            if link != hh[2]:
                self._event_problem(
                    "chain_break",
                    hh,
                    ver,
                    nid,
                    f"its previous hash does not match version {ver - 1}'s hash "
                    "(the chain is broken)",
                )
            hh[1] = ver
            hh[2] = stored
        else:
            self.flagged.add(key)
            if ver > hh[1]:
                hh[1] = ver
                hh[2] = stored

    def _household(self, key: Any) -> list[Any]:
        raw: bytes
        if isinstance(key, bytes) and len(key) == 16:
            raw = key
        else:
            try:
                raw = bytes.fromhex(key)
            except (TypeError, ValueError):
                raw = b""
            if len(raw) != 16:
                raw = str(key).encode("utf-8")
        hh = [raw, 0, GENESIS, key]
        self.households[key] = hh
        return hh

    @staticmethod
    def name(hh: list[Any]) -> str:
        """The household id as text (from its raw UUID bytes)."""
        raw = hh[0]
        return str(UUID(bytes=raw)) if len(raw) == 16 else repr(hh[3])

    def _topic(self, topic: str) -> bytes:
        encoded = topic.encode("utf-8")
        self.topics[topic] = prefixed = len(encoded).to_bytes(4, "big") + encoded
        return prefixed

    def root(self) -> bytes:
        """The root over the leaves added so far."""
        return self.tree.root()

    def add(self, order: int, problem: Problem) -> None:
        """Record a problem once; ``order`` sorts it (notification id for events)."""
        mark = (problem.kind, problem.household_id or problem.checkpoint or "", problem.version)
        if mark in self._seen:
            return
        self._seen.add(mark)
        self.problems.append((order, problem))

    def _event_problem(self, kind: str, hh: list[Any], ver: Any, nid: Any, what: str) -> None:
        name = self.name(hh)
        self.add(
            nid if isinstance(nid, int) else _INF,
            Problem(
                kind,
                f"household {name}, version {ver}: {what}",
                household_id=name,
                version=ver if isinstance(ver, int) else None,
                notification_id=nid if isinstance(nid, int) else None,
            ),
        )

    # a household whose versions did not arrive as 1, 2, 3, … --------------------------------

    def analyse(
        self,
        hid: str,
        events: list[tuple[int, int, bytes | None, bytes | None]],
        hash_rows: dict[int, tuple[bytes, bytes]],
    ) -> None:
        """Missing versions, broken links and misplaced events of one household, from its
        events in notification order ``(nid, version, prev_hash, hash)`` and its hash rows."""
        present = {v: (nid, prev, h) for nid, v, prev, h in events}
        top = max([*present, *hash_rows], default=0)
        for v in range(1, top + 1):
            if v in present:
                continue
            later = [nid for nid, w, _, _ in events if w > v]
            deleted = " (its hash row remains: the event was deleted)" if v in hash_rows else ""
            self.add(
                min(later, default=_INF),
                Problem(
                    "missing_version",
                    f"household {hid}: version {v} missing{deleted}",
                    household_id=hid,
                    version=v,
                    notification_id=None,
                ),
            )
        for v, (nid, prev, _h) in sorted(present.items()):
            before = present.get(v - 1)
            expected = GENESIS if v == 1 else (before[2] if before else None)
            if prev is not None and expected is not None and prev != expected:
                self.add(
                    nid,
                    Problem(
                        "chain_break",
                        f"household {hid}, version {v}: its previous hash does not match "
                        f"version {v - 1}'s hash (the chain is broken)",
                        household_id=hid,
                        version=v,
                        notification_id=nid,
                    ),
                )
        for nid, v, kind, what in _misplaced([(nid, v) for nid, v, _, _ in events]):
            self.add(
                nid,
                Problem(
                    kind,
                    f"household {hid}, version {v}: {what}",
                    household_id=hid,
                    version=v,
                    notification_id=nid,
                ),
            )


def _misplaced(events: list[tuple[int, int]]) -> list[tuple[int, int, str, str]]:
    """Events out of version order in the log: keep the longest run in version order (the
    earliest-placed one among equals) and blame the rest. An event that comes after a higher
    version was re-inserted; one that comes before a lower version was inserted out of order."""
    versions = [v for _, v in events]
    n = len(versions)
    if all(versions[i] < versions[i + 1] for i in range(n - 1)):
        return []
    # longest increasing run starting at each position (patience sorting from the right)
    starts = [0] * n
    tails: list[int] = []  # negated values, increasing
    for i in range(n - 1, -1, -1):
        x = -versions[i]
        j = bisect.bisect_left(tails, x)
        if j == len(tails):
            tails.append(x)
        else:
            tails[j] = x
        starts[i] = j + 1
    need = len(tails)
    keep = [False] * n
    last = -(1 << 63)
    for i in range(n):
        if need and versions[i] > last and starts[i] == need:
            keep[i] = True
            last = versions[i]
            need -= 1
    out = []
    for i, (nid, v) in enumerate(events):
        if keep[i]:
            continue
        higher_before = [w for w in versions[:i] if w > v]
        if higher_before:
            out.append(
                (
                    nid,
                    v,
                    "reinserted",
                    f"re-inserted event (it comes after version {max(higher_before)} in the log)",
                )
            )
        else:
            lower_after = min(w for w in versions[i + 1 :] if w < v)
            out.append(
                (
                    nid,
                    v,
                    "out_of_order",
                    f"inserted out of order (it comes before version {lower_after} in the log)",
                )
            )
    return out


# -- the stores ------------------------------------------------------------------------------


_DONE = object()


def _read_ahead(pages: Iterator[Any], depth: int = 4) -> Iterator[Any]:
    """Fetch pages in a background thread while the caller hashes the previous ones.

    psycopg releases the GIL while it waits for the server, whose own process runs the join
    and sort, so reading overlaps hashing. (With SQLite the reader would hold the GIL while it
    builds rows, and the thread only adds switching: measured slower, so it is not used.) The
    connection is used by the reader thread only until the iteration ends.
    """
    q: queue.Queue[Any] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: Any) -> bool:
        while not stop.is_set():
            try:
                q.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def run() -> None:
        try:
            for page in pages:
                if not put(page):
                    return
            put(_DONE)
        except BaseException as e:  # handed to the consumer, re-raised there
            put((_DONE, e))
        finally:
            close = getattr(pages, "close", None)
            if close is not None:
                close()

    reader = threading.Thread(target=run, name="chungtay-audit-reader", daemon=True)
    reader.start()
    try:
        while True:
            item = q.get()
            if item is _DONE:
                return
            if isinstance(item, tuple) and len(item) == 2 and item[0] is _DONE:
                raise item[1]
            yield item
    finally:
        stop.set()
        reader.join()


class _SQLAuditLog:
    """What both stores share: the verification algorithm, signing and the use of the key."""

    read_ahead = False
    """Fetch pages in a background thread (worth it when the database is another process)."""

    def __init__(self, signing_key: Path) -> None:
        self.signing_key = Path(signing_key)
        self.proofs = Proofs()

    # store-specific, implemented by the subclasses
    def _snapshot(self) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    # -- keys ------------------------------------------------------------------------------

    def configured_public_key(self) -> str | None:
        """The public half of ``CHUNGTAY_SIGNING_KEY``, or None if there is no key file."""
        if not self.signing_key.exists():
            return None
        try:
            return signing.public_key_pem(signing.load_signing_key(self.signing_key))
        except signing.SigningKeyError as e:
            raise AuditError(str(e)) from None

    def sign(self, tree_size: int, root_hash: bytes, signed_at: datetime) -> Checkpoint:
        """Sign ``(tree_size, root_hash, signed_at)`` with the configured key."""
        try:
            key = signing.load_signing_key(self.signing_key)
        except signing.SigningKeyError as e:
            raise AuditError(str(e)) from None
        when = signing.format_signed_at(signed_at)
        signature = signing.sign(key, signing.checkpoint_message(tree_size, root_hash, when))
        return Checkpoint(
            tree_size=tree_size,
            root_hash=root_hash,
            signed_at=when,
            signature=signature,
            public_key=signing.public_key_pem(key),
            key_id=signing.key_id(key),
        )

    def verify_checkpoint(self, checkpoint: Checkpoint, public_key: str) -> bool:
        """Whether the checkpoint's signature verifies with ``public_key``."""
        return self.proofs.verify_checkpoint(checkpoint, public_key)

    # -- verification ------------------------------------------------------------------------

    def verify(
        self,
        *,
        external: Checkpoint | None = None,
        trusted_public_key: str | None = None,
        full_root: bool = False,
    ) -> VerificationReport:
        """One pass over the whole log in one snapshot (see the module docstring)."""
        started = time.perf_counter()
        report = VerificationReport()
        anchor, report.trust = self._anchor(trusted_public_key)
        try:
            report.trusted_key_id = self.proofs.key_id(anchor) if anchor else None
        except ValueError as e:
            raise AuditError(f"the trusted public key is not an Ed25519 key: {e}") from None
        with self._snapshot() as snap:
            checkpoints = snap.checkpoints()
            sizes = {c.tree_size for c in checkpoints}
            if external is not None:
                sizes.add(external.tree_size)
            scan = _Scan(sizes, None if full_root else max(sizes, default=0))
            pages = snap.pages()
            for page in _read_ahead(pages) if self.read_ahead else pages:
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
        report.events = scan.count
        if scan.count <= scan.limit:
            report.tree_size, report.root_hash = scan.count, scan.root()
        for order, cp in enumerate(checkpoints):
            check = self._check(cp, f"checkpoint {cp.id}", anchor, scan, order)
            report.checkpoints.append(check)
        if external is not None:
            if not anchor:
                report.trust = "the checkpoint file's own key (no configured or given key)"
                try:
                    report.trusted_key_id = self.proofs.key_id(external.public_key)
                except ValueError:
                    report.trusted_key_id = None
            report.external = self._check(
                external, "external checkpoint", anchor, scan, len(checkpoints)
            )
        report.problems = [p for _, p in sorted(scan.problems, key=lambda item: item[0])]
        report.seconds = time.perf_counter() - started
        return report

    def _anchor(self, trusted_public_key: str | None) -> tuple[str | None, str]:
        if trusted_public_key:
            return trusted_public_key, "the given public key"
        configured = self.configured_public_key()
        if configured:
            return configured, f"the configured signing key ({self.signing_key})"
        return None, "none: no signing key is configured, each checkpoint's own key was used"

    def _check(
        self, cp: Checkpoint, label: str, anchor: str | None, scan: _Scan, order: int
    ) -> CheckpointCheck:
        found: list[tuple[str, str]] = []
        try:
            kid = self.proofs.key_id(cp.public_key)
        except ValueError:
            kid = ""
            found.append(("key_mismatch", f"{label}: its public key is not an Ed25519 key"))
        if kid and cp.key_id and cp.key_id != kid:
            found.append(("key_mismatch", f"{label}: key id {cp.key_id} is not its public key's"))
        if kid and anchor and kid != self.proofs.key_id(anchor):
            found.append(
                (
                    "key_mismatch",
                    f"{label}: public key does not match the trusted key "
                    f"(key id {kid}, expected {self.proofs.key_id(anchor)})",
                )
            )
        if kid and not self.proofs.verify_checkpoint(cp, cp.public_key):
            found.append(("bad_signature", f"{label}: signature does not verify"))
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
        for kind, message in found:
            scan.add(_INF + order, Problem(kind, message, checkpoint=label))
        return CheckpointCheck(
            label=label,
            id=cp.id,
            tree_size=cp.tree_size,
            root_hash=cp.root_hash.hex(),
            signed_at=cp.signed_at,
            key_id=kid or cp.key_id,
            ok=not found,
            problems=tuple(m for _, m in found),
        )

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


# -- SQLite ------------------------------------------------------------------------------------


class _SQLiteSnapshot:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def pages(self) -> Iterator[list[tuple[Any, ...]]]:
        cur = self.conn.execute(
            "SELECT e.rowid, e.originator_id, e.originator_version, e.topic, e.state, "
            "h.prev_hash, h.hash FROM stored_events e LEFT JOIN event_hashes h "
            "ON h.originator_id = e.originator_id AND h.originator_version = e.originator_version "
            "ORDER BY e.rowid"
        )
        while page := cur.fetchmany(PAGE):
            yield page

    def hash_pages(self, limit: int) -> Iterator[list[tuple[Any, ...]]]:
        cur = self.conn.execute(
            "SELECT h.hash FROM stored_events e LEFT JOIN event_hashes h "
            "ON h.originator_id = e.originator_id AND h.originator_version = e.originator_version "
            "ORDER BY e.rowid LIMIT ?",
            (limit,),
        )
        while page := cur.fetchmany(PAGE):
            yield page

    def hash_row_count(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM event_hashes").fetchone()[0])

    def orphan_households(self) -> list[Any]:
        rows = self.conn.execute(
            "SELECT DISTINCT h.originator_id FROM event_hashes h WHERE NOT EXISTS "
            "(SELECT 1 FROM stored_events e WHERE e.originator_id = h.originator_id "
            "AND e.originator_version = h.originator_version)"
        ).fetchall()
        return [r[0] for r in rows]

    def household_detail(
        self, key: Any
    ) -> tuple[list[tuple[int, int, bytes | None, bytes | None]], dict[int, tuple[bytes, bytes]]]:
        events = self.conn.execute(
            "SELECT e.rowid, e.originator_version, h.prev_hash, h.hash FROM stored_events e "
            "LEFT JOIN event_hashes h ON h.originator_id = e.originator_id "
            "AND h.originator_version = e.originator_version "
            "WHERE e.originator_id = ? ORDER BY e.rowid",
            (key,),
        ).fetchall()
        hashes = self.conn.execute(
            "SELECT originator_version, prev_hash, hash FROM event_hashes WHERE originator_id = ?",
            (key,),
        ).fetchall()
        return (
            [tuple(r) for r in events if isinstance(r[1], int)],
            {v: (p, h) for v, p, h in hashes if isinstance(v, int)},
        )

    def checkpoints(self) -> list[Checkpoint]:
        rows = self.conn.execute(
            "SELECT id, tree_size, root_hash, signed_at, signature, public_key, key_id "
            "FROM checkpoints ORDER BY id"
        ).fetchall()
        return [
            Checkpoint(
                id=r[0],
                tree_size=r[1],
                root_hash=bytes(r[2]),
                signed_at=r[3],
                signature=bytes(r[4]),
                public_key=r[5],
                key_id=r[6],
            )
            for r in rows
        ]

    def household_events(self, household_id: UUID) -> list[tuple[Any, ...]]:
        return self.conn.execute(
            "SELECT e.originator_id, e.originator_version, e.topic, e.state, e.rowid, x.leaf, "
            "h.prev_hash, h.hash FROM (SELECT rowid AS nid, originator_id, "
            "row_number() OVER (ORDER BY rowid) - 1 AS leaf FROM stored_events) x "
            "JOIN stored_events e ON e.rowid = x.nid "
            "LEFT JOIN event_hashes h ON h.originator_id = e.originator_id "
            "AND h.originator_version = e.originator_version "
            "WHERE x.originator_id = ? ORDER BY e.originator_version",
            (household_id.hex,),
        ).fetchall()


class SQLiteAuditLog(_SQLAuditLog):
    """The audit port on the embedded SQLite store."""

    def __init__(self, path: Path, signing_key: Path) -> None:
        super().__init__(signing_key)
        self.path = Path(path)

    def _connect(self) -> sqlite3.Connection:
        if not self.path.exists():
            raise AuditError(f"no store at {self.path}: run `chungtay init`")
        conn = sqlite3.connect(self.path, isolation_level=None, timeout=30, check_same_thread=False)
        return conn

    @contextmanager
    def _snapshot(self) -> Iterator[_SQLiteSnapshot]:
        conn = self._connect()
        try:
            conn.execute("BEGIN")  # one read transaction: one consistent snapshot (WAL)
            try:
                yield _SQLiteSnapshot(conn)
            except sqlite3.OperationalError as e:
                raise AuditError(f"the store is not ready ({e}): run `chungtay init`") from None
            finally:
                conn.execute("ROLLBACK")
        finally:
            conn.close()

    def checkpoints(self) -> list[Checkpoint]:
        """Stored checkpoints, oldest first."""
        with self._snapshot() as snap:
            return snap.checkpoints()

    def append_checkpoint(self, checkpoint: Checkpoint) -> Checkpoint:
        """Store a checkpoint (append-only table)."""
        conn = self._connect()
        try:
            cur = conn.execute(
                "INSERT INTO checkpoints "
                "(tree_size, root_hash, signed_at, signature, public_key, key_id) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (
                    checkpoint.tree_size,
                    checkpoint.root_hash,
                    checkpoint.signed_at,
                    checkpoint.signature,
                    checkpoint.public_key,
                    checkpoint.key_id,
                ),
            )
            new_id = cur.lastrowid
        except sqlite3.OperationalError as e:
            raise AuditError(f"the store is not ready ({e}): run `chungtay init`") from None
        finally:
            conn.close()
        return _with_id(checkpoint, new_id)


# -- PostgreSQL ------------------------------------------------------------------------------


class _PostgresSnapshot:
    def __init__(self, conn: psycopg.Connection[Any], schema: str) -> None:
        self.conn = conn
        s = sql.Identifier(schema)
        self.events = sql.SQL("{}.households_events").format(s)
        self.hashes = sql.SQL("{}.event_hashes").format(s)
        self.checkpoint_table = sql.SQL("{}.checkpoints").format(s)

    def _stream(self, query: sql.Composable, params: tuple[Any, ...] = ()) -> Iterator[list[Any]]:
        with self.conn.cursor(name="chungtay_audit", binary=True) as cur:
            cur.itersize = PAGE
            cur.execute(query, params)
            while page := cur.fetchmany(PAGE):
                yield page

    def pages(self) -> Iterator[list[tuple[Any, ...]]]:
        return self._stream(
            sql.SQL(
                "SELECT e.notification_id, uuid_send(e.originator_id), e.originator_version, "
                "coalesce(e.topic, ''), coalesce(e.state, ''::bytea), h.prev_hash, h.hash "
                "FROM {} e LEFT JOIN {} h ON h.originator_id = e.originator_id "
                "AND h.originator_version = e.originator_version ORDER BY e.notification_id"
            ).format(self.events, self.hashes)
        )

    def hash_pages(self, limit: int) -> Iterator[list[tuple[Any, ...]]]:
        return self._stream(
            sql.SQL(
                "SELECT h.hash FROM {} e LEFT JOIN {} h ON h.originator_id = e.originator_id "
                "AND h.originator_version = e.originator_version "
                "ORDER BY e.notification_id LIMIT %s"
            ).format(self.events, self.hashes),
            (limit,),
        )

    def hash_row_count(self) -> int:
        row = self.conn.execute(sql.SQL("SELECT count(*) FROM {}").format(self.hashes)).fetchone()
        return int(row[0]) if row else 0

    def orphan_households(self) -> list[Any]:
        rows = self.conn.execute(
            sql.SQL(
                "SELECT DISTINCT uuid_send(h.originator_id) FROM {} h WHERE NOT EXISTS "
                "(SELECT 1 FROM {} e WHERE e.originator_id = h.originator_id "
                "AND e.originator_version = h.originator_version)"
            ).format(self.hashes, self.events)
        ).fetchall()
        return [bytes(r[0]) for r in rows]

    def household_detail(
        self, key: Any
    ) -> tuple[list[tuple[int, int, bytes | None, bytes | None]], dict[int, tuple[bytes, bytes]]]:
        oid = UUID(bytes=bytes(key))
        events = self.conn.execute(
            sql.SQL(
                "SELECT e.notification_id, e.originator_version, h.prev_hash, h.hash FROM {} e "
                "LEFT JOIN {} h ON h.originator_id = e.originator_id "
                "AND h.originator_version = e.originator_version "
                "WHERE e.originator_id = %s ORDER BY e.notification_id"
            ).format(self.events, self.hashes),
            (oid,),
        ).fetchall()
        hashes = self.conn.execute(
            sql.SQL(
                "SELECT originator_version, prev_hash, hash FROM {} WHERE originator_id = %s"
            ).format(self.hashes),
            (oid,),
        ).fetchall()
        return (
            [(r[0], r[1], _b(r[2]), _b(r[3])) for r in events],
            {r[0]: (bytes(r[1]), bytes(r[2])) for r in hashes},
        )

    def checkpoints(self) -> list[Checkpoint]:
        rows = self.conn.execute(
            sql.SQL(
                "SELECT id, tree_size, root_hash, signed_at, signature, public_key, key_id "
                "FROM {} ORDER BY id"
            ).format(self.checkpoint_table)
        ).fetchall()
        return [
            Checkpoint(
                id=r[0],
                tree_size=r[1],
                root_hash=bytes(r[2]),
                signed_at=signing.format_signed_at(r[3]),
                signature=bytes(r[4]),
                public_key=r[5],
                key_id=r[6],
            )
            for r in rows
        ]

    def household_events(self, household_id: UUID) -> list[tuple[Any, ...]]:
        return self.conn.execute(
            sql.SQL(
                "SELECT e.originator_id, e.originator_version, e.topic, e.state, "
                "e.notification_id, x.leaf, h.prev_hash, h.hash FROM "
                "(SELECT notification_id, originator_id, "
                "row_number() OVER (ORDER BY notification_id) - 1 AS leaf FROM {}) x "
                "JOIN {} e ON e.notification_id = x.notification_id "
                "LEFT JOIN {} h ON h.originator_id = e.originator_id "
                "AND h.originator_version = e.originator_version "
                "WHERE x.originator_id = %s ORDER BY e.originator_version"
            ).format(self.events, self.events, self.hashes),
            (household_id,),
        ).fetchall()


def _b(value: Any) -> bytes | None:
    return None if value is None else bytes(value)


class PostgresAuditLog(_SQLAuditLog):
    """The audit port on PostgreSQL (``<schema>.households_events``)."""

    read_ahead = True  # the server joins and sorts while this process hashes

    def __init__(self, config: StoreConfig, signing_key: Path) -> None:
        super().__init__(signing_key)
        self.config = config

    def _connect(self) -> psycopg.Connection[Any]:
        try:
            return psycopg.connect(self.config.psycopg_conninfo())
        except psycopg.OperationalError as e:
            raise AuditError(f"cannot connect to PostgreSQL: {e}") from None

    @contextmanager
    def _snapshot(self) -> Iterator[_PostgresSnapshot]:
        conn = self._connect()
        try:
            conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            conn.read_only = True
            # A cursor is read to the end: plan for all rows, not the first few.
            conn.execute("SET cursor_tuple_fraction = 1.0")
            try:
                yield _PostgresSnapshot(conn, self.config.schema)
            except psycopg.errors.UndefinedTable as e:
                raise AuditError(f"the store is not ready ({e}): run `chungtay init`") from None
        finally:
            conn.rollback()
            conn.close()

    def checkpoints(self) -> list[Checkpoint]:
        """Stored checkpoints, oldest first."""
        with self._snapshot() as snap:
            return snap.checkpoints()

    def append_checkpoint(self, checkpoint: Checkpoint) -> Checkpoint:
        """Store a checkpoint (append-only table)."""
        table = sql.SQL("{}.checkpoints").format(sql.Identifier(self.config.schema))
        with self._connect() as conn:
            try:
                row = conn.execute(
                    sql.SQL(
                        "INSERT INTO {} "
                        "(tree_size, root_hash, signed_at, signature, public_key, key_id) "
                        "VALUES (%s, %s, %s, %s, %s, %s) RETURNING id"
                    ).format(table),
                    (
                        checkpoint.tree_size,
                        checkpoint.root_hash,
                        datetime.fromisoformat(checkpoint.signed_at),
                        checkpoint.signature,
                        checkpoint.public_key,
                        checkpoint.key_id,
                    ),
                ).fetchone()
            except psycopg.errors.UndefinedTable as e:
                raise AuditError(f"the store is not ready ({e}): run `chungtay init`") from None
        assert row is not None
        return _with_id(checkpoint, int(row[0]))


def _with_id(checkpoint: Checkpoint, new_id: int | None) -> Checkpoint:
    return Checkpoint(
        tree_size=checkpoint.tree_size,
        root_hash=checkpoint.root_hash,
        signed_at=checkpoint.signed_at,
        signature=checkpoint.signature,
        public_key=checkpoint.public_key,
        key_id=checkpoint.key_id,
        id=new_id,
    )


def audit_log_for(config: StoreConfig, signing_key: Path) -> SQLiteAuditLog | PostgresAuditLog:
    """The audit port for a parsed database URL."""
    if config.is_postgres:
        return PostgresAuditLog(config, signing_key)
    assert config.sqlite_path is not None
    return SQLiteAuditLog(config.sqlite_path, signing_key)
