"""Verification of the hash-chained access log (who read which household when).

Each row's hash covers the previous row's hash and the row itself
(:func:`infrastructure.hashing.access_entry_hash`), so changing, removing or reordering a row
breaks the chain at the next row; removing rows at the end is caught by the checkpoints, which
sign the log's size and head. Rows written before the chain existed have no hash: they may only
come first.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from application.audit import Problem
from infrastructure.hashing import GENESIS, access_entry_hash
from infrastructure.log_scan import INF


@dataclass
class AccessLogCheck:
    """The outcome of one pass over the access log."""

    rows: int = 0
    unchained: int = 0
    head: bytes = GENESIS
    heads: dict[int, bytes | None] = field(default_factory=dict)
    problems: list[tuple[int, Problem]] = field(default_factory=list)

    def head_at(self, size: int) -> bytes | None:
        """The chain's head after the first ``size`` rows (None past the end)."""
        if size == 0:
            return GENESIS
        return self.heads.get(size)


def check_access_log(rows: Iterable[tuple[Any, ...]], sizes: set[int]) -> AccessLogCheck:
    """Rows are ``(id, user, household_id, endpoint, at as UTC text, prev_hash, hash)`` in id
    order; ``sizes`` are the row counts at which checkpoints want the head."""
    check = AccessLogCheck()
    prev = GENESIS
    chained = False
    for row_id, user, household_id, endpoint, at, stored_prev, stored in rows:
        check.rows += 1
        if stored is None:
            if chained:
                check.problems.append(
                    _problem(row_id, "the row has no hash (it was inserted outside the log)")
                )
            else:
                check.unchained += 1
            if check.rows in sizes:
                check.heads[check.rows] = prev
            continue
        chained = True
        stored, stored_prev = bytes(stored), bytes(stored_prev or b"")
        if stored_prev != prev:
            check.problems.append(
                _problem(row_id, "its previous hash is not the hash of the row before it")
            )
        if access_entry_hash(stored_prev, user, str(household_id), endpoint, at) != stored:
            check.problems.append(_problem(row_id, "the row does not match its hash"))
        prev = stored
        if check.rows in sizes:
            check.heads[check.rows] = stored
    check.head = prev
    return check


def _problem(row_id: Any, what: str) -> tuple[int, Problem]:
    return (
        INF + 500,
        Problem("access_log", f"access log row {row_id}: {what}", checkpoint="access log"),
    )
