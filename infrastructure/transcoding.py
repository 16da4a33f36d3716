"""Reading stored events faster than the library's JSON transcoder, without changing their bytes.

The library stores an event as compact JSON in which a date or a moment is an object
``{"_type_": "date_iso" | "datetime_iso", "_data_": "<ISO text>"}``. :class:`MsgspecStamps`
reads only the top-level ``timestamp`` of such bytes with ``msgspec`` (a typed decoder that skips
everything else in C), which is all a follower needs of the facts it does not fold.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec


class _Tagged(msgspec.Struct):
    """A value the library wrapped with the name of its transcoding."""

    type: str = msgspec.field(name="_type_")
    data: str = msgspec.field(name="_data_")


class _Stamp(msgspec.Struct):
    """Only the recording moment of a stored event."""

    timestamp: _Tagged


class MsgspecStamps:
    """The ``timestamp`` of stored event bytes, decoded alone."""

    def __init__(self) -> None:
        self._decoder = msgspec.json.Decoder(_Stamp)

    def recorded_at(self, state: bytes) -> datetime:
        """The event's recording moment (``recorded_at``)."""
        tagged = self._decoder.decode(state).timestamp
        if tagged.type != "datetime_iso":
            raise ValueError(f"timestamp stored as {tagged.type!r}, not datetime_iso")
        return datetime.fromisoformat(tagged.data)


def stamp_reader(mapper: Any) -> MsgspecStamps | None:
    """A stamp reader for the mapper's stored bytes, or None when they are not plain JSON
    (compressed or encrypted: only the mapper can read them)."""
    if getattr(mapper, "compressor", None) or getattr(mapper, "cipher", None):
        return None
    return MsgspecStamps()
