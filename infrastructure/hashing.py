"""The per-household hash chain over stored event bytes (tamper evidence).

Each stored event's hash covers the previous event's hash of the same household, its id,
version, topic and the exact stored ``state`` bytes, so editing, deleting, reordering or
re-inserting any stored event breaks the chain, and upcasting (which changes decoded events, not
stored bytes) never does.
"""

from __future__ import annotations

import hashlib
import json
from uuid import UUID

GENESIS = bytes(32)
"""The "previous hash" of every household's first event."""


def event_hash(
    prev: bytes, originator_id: UUID | str, version: int, topic: str, state: bytes
) -> bytes:
    """SHA-256 over an unambiguous encoding of one stored event and its predecessor's hash."""
    oid = originator_id if type(originator_id) is UUID else UUID(str(originator_id))
    topic_bytes = topic.encode("utf-8")
    h = hashlib.sha256()
    h.update(prev)
    h.update(oid.bytes)
    h.update(version.to_bytes(8, "big"))
    h.update(len(topic_bytes).to_bytes(4, "big"))
    h.update(topic_bytes)
    h.update(state)
    return h.digest()


def access_entry_hash(
    prev: bytes, user_name: str, household_id: str, endpoint: str, at: str
) -> bytes:
    """The chained hash of one access-log row: SHA-256(prev ‖ canonical JSON of the row), where
    ``at`` is the UTC time as stored (ISO 8601, microseconds, ``+00:00``)."""
    row = json.dumps(
        {"at": at, "endpoint": endpoint, "household_id": household_id, "user": user_name},
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(prev + row.encode("utf-8")).digest()
