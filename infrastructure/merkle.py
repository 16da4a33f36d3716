"""An RFC 6962 (Certificate Transparency) Merkle tree over the event log, in notification order.

The leaves are the stored events' chained hashes (see :mod:`infrastructure.hashing`), taken in
log (notification) order, so one root hash commits to every event of every household and to
their order. Pure functions, no I/O:

* ``leaf = SHA-256(0x00 ‖ entry)``, ``node = SHA-256(0x01 ‖ left ‖ right)``;
* the tree over ``n`` leaves splits at ``k``, the largest power of two smaller than ``n``
  (RFC 6962 §2.1), so a tree of size ``m`` is always a prefix of the tree of size ``n > m``;
* :func:`inclusion_proof` / :func:`verify_inclusion` (an audit path: one leaf is in the tree),
  :func:`consistency_proof` / :func:`verify_consistency` (the tree of size ``m`` is a prefix of
  the tree of size ``n``); the verifiers follow RFC 9162 §2.1.3.2 and §2.1.4.2.

:class:`TreeBuilder` is the streaming form used on whole logs: it keeps only the ``log2(n)``
perfect subtrees on the right edge ("peaks"), so roots of every prefix cost O(1) memory, and
:func:`inclusion_proofs` computes the audit paths of a few leaves in one pass over the log.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from hashlib import sha256

LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
EMPTY_ROOT = sha256(b"").digest()
"""The root of the empty tree (RFC 6962: the hash of the empty string)."""


def leaf_hash(entry: bytes) -> bytes:
    """The hash of one leaf entry: ``SHA-256(0x00 ‖ entry)``."""
    return sha256(LEAF_PREFIX + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """The hash of an interior node: ``SHA-256(0x01 ‖ left ‖ right)``."""
    return sha256(NODE_PREFIX + left + right).digest()


def split_point(n: int) -> int:
    """``k``: the largest power of two strictly smaller than ``n`` (``n >= 2``)."""
    if n < 2:
        raise ValueError(f"a tree of {n} leaves does not split")
    return 1 << ((n - 1).bit_length() - 1)


def _is_power_of_two(n: int) -> bool:
    return n > 0 and n & (n - 1) == 0


# -- the tree by its definition (reference implementation, O(n) per call) --------------------


def _mth(leaves: Sequence[bytes], lo: int, hi: int) -> bytes:
    """MTH(D[lo:hi]) over already-hashed leaves."""
    n = hi - lo
    if n == 0:
        return EMPTY_ROOT
    if n == 1:
        return leaves[lo]
    k = split_point(n)
    return node_hash(_mth(leaves, lo, lo + k), _mth(leaves, lo + k, hi))


def _leaves(entries: Sequence[bytes], size: int | None) -> list[bytes]:
    n = len(entries) if size is None else size
    if not 0 <= n <= len(entries):
        raise ValueError(f"tree size {n} outside 0..{len(entries)}")
    return [leaf_hash(e) for e in entries[:n]]


def root(entries: Iterable[bytes]) -> bytes:
    """The Merkle tree hash of ``entries`` (streamed: any iterable, O(log n) memory)."""
    builder = TreeBuilder()
    builder.extend(entries)
    return builder.root()


def inclusion_proof(entries: Sequence[bytes], index: int, size: int | None = None) -> list[bytes]:
    """The audit path of leaf ``index`` in the tree of the first ``size`` entries (RFC 6962 PATH).

    Bottom-up: the first element is the leaf's sibling, the last is the root's other child.
    """
    leaves = _leaves(entries, size)
    if not 0 <= index < len(leaves):
        raise ValueError(f"leaf {index} is not in a tree of size {len(leaves)}")

    def path(m: int, lo: int, hi: int) -> list[bytes]:
        if hi - lo == 1:
            return []
        k = split_point(hi - lo)
        if m < lo + k:
            return [*path(m, lo, lo + k), _mth(leaves, lo + k, hi)]
        return [*path(m, lo + k, hi), _mth(leaves, lo, lo + k)]

    return path(index, 0, len(leaves))


def consistency_proof(
    entries: Sequence[bytes], old_size: int, size: int | None = None
) -> list[bytes]:
    """The proof that the tree of ``old_size`` entries is a prefix of the tree of ``size``.

    RFC 6962 §2.1.2 (PROOF / SUBPROOF). Empty when ``old_size`` is 0 or equals ``size``.
    """
    leaves = _leaves(entries, size)
    n = len(leaves)
    if not 0 <= old_size <= n:
        raise ValueError(f"old size {old_size} outside 0..{n}")
    if old_size in (0, n):
        return []

    def subproof(m: int, lo: int, hi: int, complete: bool) -> list[bytes]:
        if m == hi - lo:
            return [] if complete else [_mth(leaves, lo, hi)]
        k = split_point(hi - lo)
        if m <= k:
            return [*subproof(m, lo, lo + k, complete), _mth(leaves, lo + k, hi)]
        return [*subproof(m - k, lo + k, hi, False), _mth(leaves, lo, lo + k)]

    return subproof(old_size, 0, n, True)


# -- verification (RFC 9162 §2.1.3.2 and §2.1.4.2) ----------------------------------------------


def verify_inclusion(
    entry: bytes, index: int, size: int, proof: Sequence[bytes], root_hash: bytes
) -> bool:
    """Whether ``proof`` shows that ``entry`` is leaf ``index`` of the tree with ``root_hash``."""
    if not 0 <= index < size:
        return False
    fn, sn = index, size - 1
    r = leaf_hash(entry)
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root_hash


def verify_consistency(
    old_size: int, size: int, old_root: bytes, root_hash: bytes, proof: Sequence[bytes]
) -> bool:
    """Whether ``proof`` shows the tree (``old_size``, ``old_root``) is a prefix of (``size``,
    ``root_hash``)."""
    if not 0 <= old_size <= size:
        return False
    if old_size == size:
        return not proof and old_root == root_hash
    if old_size == 0:
        return not proof and old_root == EMPTY_ROOT
    path = list(proof)
    if _is_power_of_two(old_size):
        path.insert(0, old_root)
    if not path:
        return False
    fn, sn = old_size - 1, size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == old_root and sr == root_hash and sn == 0


# -- streaming ----------------------------------------------------------------------------------


class TreeBuilder:
    """Append entries one by one; the root of the tree so far is available at any size.

    Keeps the perfect subtrees on the tree's right edge, largest first: after ``n`` leaves
    there is one per set bit of ``n``, and the root folds them right to left.
    :meth:`extend_leaf_hashes` adds many leaves at once, hashing aligned perfect blocks level
    by level (far less interpreter work per leaf than one append at a time).
    """

    __slots__ = ("_peaks", "size")

    def __init__(self) -> None:
        self.size = 0
        self._peaks: list[bytes] = []

    def append(self, entry: bytes) -> None:
        """Add one leaf entry."""
        self.append_leaf_hash(sha256(LEAF_PREFIX + entry).digest())

    def append_leaf_hash(self, leaf: bytes) -> None:
        """Add one leaf given its leaf hash (``leaf_hash(entry)``)."""
        self._push(leaf, 0)

    def _push(self, subtree_root: bytes, level: int) -> None:
        """Add a perfect subtree of ``2**level`` leaves; ``size`` must be a multiple of it."""
        peaks = self._peaks
        peaks.append(subtree_root)
        self.size += 1 << level
        n = self.size >> level
        while not n & 1:
            right = peaks.pop()
            peaks[-1] = sha256(NODE_PREFIX + peaks[-1] + right).digest()
            n >>= 1

    def extend(self, entries: Iterable[bytes]) -> None:
        """Add many leaf entries in order."""
        entries = list(entries)
        self.extend_leaf_hashes([sha256(LEAF_PREFIX + e).digest() for e in entries])

    def extend_leaf_hashes(
        self, leaves: Sequence[bytes], marks: Sequence[int] = ()
    ) -> dict[int, bytes]:
        """Add many leaves (given as leaf hashes); return the roots at every size in the sorted
        sequence ``marks`` that the tree passes through on the way."""
        roots: dict[int, bytes] = {}
        pos, total = 0, len(leaves)
        next_mark = _next_mark(marks, self.size)
        while pos < total:
            n = self.size
            room = total - pos
            if next_mark is not None:
                room = min(room, next_mark - n)
            block = 1 << (room.bit_length() - 1)  # largest power of two that fits
            if n:
                block = min(block, n & -n)  # ... and keeps the block aligned
            level = leaves[pos : pos + block]
            while len(level) > 1:
                level = [
                    sha256(NODE_PREFIX + a + b).digest()
                    for a, b in zip(level[::2], level[1::2], strict=True)
                ]
            self._push(level[0], block.bit_length() - 1)
            pos += block
            if self.size == next_mark:
                roots[next_mark] = self.root()
                next_mark = _next_mark(marks, self.size)
        return roots

    def root(self) -> bytes:
        """The Merkle tree hash of the leaves added so far."""
        peaks = self._peaks
        if not peaks:
            return EMPTY_ROOT
        r = peaks[-1]
        for p in reversed(peaks[:-1]):
            r = sha256(NODE_PREFIX + p + r).digest()
        return r


def _next_mark(marks: Sequence[int], size: int) -> int | None:
    i = bisect.bisect_right(marks, size)
    return marks[i] if i < len(marks) else None


def _pieces(lo: int, hi: int) -> list[tuple[int, int]]:
    """Decompose ``[lo, hi)`` (a range the RFC recursion produces) into aligned perfect
    subtrees, left to right, as ``(level, index at that level)``."""
    out: list[tuple[int, int]] = []
    while lo < hi:
        n = hi - lo
        k = n if _is_power_of_two(n) else split_point(n)
        level = k.bit_length() - 1
        out.append((level, lo >> level))
        lo += k
    return out


def _path_plan(index: int, size: int) -> list[list[tuple[int, int]]]:
    """The audit path of ``index`` as ranges, each given by its perfect pieces (bottom-up)."""
    plan: list[list[tuple[int, int]]] = []
    lo, hi = 0, size
    while hi - lo > 1:
        k = split_point(hi - lo)
        if index < lo + k:
            plan.append(_pieces(lo + k, hi))
            hi = lo + k
        else:
            plan.append(_pieces(lo, lo + k))
            lo = lo + k
    plan.reverse()
    return plan


def inclusion_proofs(
    entries: Iterable[bytes], indices: Iterable[int], size: int
) -> tuple[bytes, dict[int, list[bytes]]]:
    """Audit paths of several leaves in the tree of the first ``size`` entries, in one pass.

    ``entries`` is streamed (only the first ``size`` are read). Returns the tree's root and
    ``{index: proof}``; raises ``ValueError`` if fewer than ``size`` entries arrive.
    """
    wanted = sorted(set(indices))
    for i in wanted:
        if not 0 <= i < size:
            raise ValueError(f"leaf {i} is not in a tree of size {size}")
    plans = {i: _path_plan(i, size) for i in wanted}
    needed: dict[tuple[int, int], bytes | None] = {
        piece: None for plan in plans.values() for rng in plan for piece in rng
    }
    builder_peaks: list[tuple[int, bytes]] = []  # (level, hash), largest first
    count = 0
    if size:
        for entry in entries:
            h = sha256(LEAF_PREFIX + entry).digest()
            level, idx = 0, count
            if (0, idx) in needed:
                needed[(0, idx)] = h
            count += 1
            while builder_peaks and builder_peaks[-1][0] == level:
                _, left = builder_peaks.pop()
                h = sha256(NODE_PREFIX + left + h).digest()
                level += 1
                idx >>= 1
                if (level, idx) in needed:
                    needed[(level, idx)] = h
            builder_peaks.append((level, h))
            if count == size:
                break
    if count != size:
        raise ValueError(f"the log has {count} entries, fewer than the tree size {size}")
    root_hash = EMPTY_ROOT
    if builder_peaks:
        root_hash = builder_peaks[-1][1]
        for _, p in reversed(builder_peaks[:-1]):
            root_hash = node_hash(p, root_hash)
    proofs: dict[int, list[bytes]] = {}
    for i, plan in plans.items():
        path: list[bytes] = []
        for rng in plan:
            hashes = [needed[piece] for piece in rng]
            assert all(h is not None for h in hashes)
            acc = hashes[-1]
            for h in reversed(hashes[:-1]):
                acc = node_hash(h, acc)  # type: ignore[arg-type]
            path.append(acc)  # type: ignore[arg-type]
        proofs[i] = path
    return root_hash, proofs
