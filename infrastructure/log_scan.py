"""One pass over the stored log: hash chains, version sequences and the Merkle tree.

For every stored event, in notification order, :class:`Scan`:

* recomputes its chained hash from the stored bytes and compares it with ``event_hashes``
  (``stored hash == H(stored prev_hash ‖ event)``), and checks the link
  ``prev_hash(v) == hash(v-1)``;
* checks the household's versions arrive as 1, 2, 3, … (a household that does not is analysed
  again at the end: missing versions, re-inserted events, events inserted out of order);
* feeds the event hash into the Merkle tree, whose root is taken at every checkpoint's size.

The hot loop does the hashing and a few comparisons per row, nothing else; everything unusual
(a new household, a new topic, a broken row) leaves the loop for a method.
"""

from __future__ import annotations

import bisect
import queue
import threading
from collections.abc import Iterator, Sequence
from hashlib import sha256
from typing import Any
from uuid import UUID

from application.audit import Problem
from infrastructure import merkle
from infrastructure.hashing import GENESIS

INF = 1 << 62
"""Sorts after every notification id (problems found after the pass over events)."""


class Scan:
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
        self.limit = INF if limit is None else limit
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
            nid if isinstance(nid, int) else INF,
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
                min(later, default=INF),
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


_DONE = object()


def read_ahead(pages: Iterator[Any], depth: int = 4) -> Iterator[Any]:
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
