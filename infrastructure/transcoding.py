"""Encoding and decoding stored events faster than the library's JSON transcoder, byte for byte alike.

The library stores an event as compact JSON in which a value of a registered type (a date, a
moment, a UUID, a decimal) is an object ``{"_type_": name, "_data_": text}``; its transcoder runs
the standard ``json`` module with a Python hook on every object. :class:`MsgspecTranscoder` is the
same transcoder (same registered transcodings, same format) with the JSON work done by
``msgspec`` in C and only the registered types handled in Python: the bytes it writes are the
bytes the library writes, so the hash chain, replay packs and stored events are untouched, and
every stored event decodes as before. Anything ``msgspec`` would write or read differently (a
float, a non-text key, a control character, an integer beyond 64 bits, ``NaN``) goes through the
library's own code instead.

:class:`MsgspecStamps` reads only the top-level ``timestamp`` of stored bytes (a typed decoder
that skips everything else), which is all a follower needs of the facts it does not fold.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
from eventsourcing.persistence import JSONTranscoder

_PLAIN = (str, int, bool, type(None))


class _NotPlain(Exception):
    """A value whose JSON ``msgspec`` might spell differently from the ``json`` module."""


def _plain_text(text: str) -> str:
    # Escapes of control characters are spelled differently by the two encoders.
    if not text.isprintable() and any(
        c < " " or c == "\x7f" or "\ud800" <= c <= "\udfff" for c in text
    ):
        raise _NotPlain
    return text


class MsgspecTranscoder(JSONTranscoder):
    """The library's JSON transcoder, with ``msgspec`` doing the parsing and writing."""

    def __init__(self) -> None:
        super().__init__()
        self._encoder = msgspec.json.Encoder()
        self._decoder = msgspec.json.Decoder()

    def encode(self, obj: Any) -> bytes:
        """The bytes the library's transcoder writes for ``obj``."""
        try:
            return self._encoder.encode(self._tag(obj))
        except (_NotPlain, OverflowError, TypeError, msgspec.EncodeError):
            return super().encode(obj)

    def decode(self, data: bytes) -> Any:
        """What the library's transcoder reads from ``data``."""
        try:
            parsed = self._decoder.decode(data)
        except msgspec.DecodeError:
            return super().decode(data)
        return self._untag(parsed)

    def _tag(self, value: Any) -> Any:
        kind = type(value)
        if kind is str:
            return _plain_text(value)
        if kind in _PLAIN:
            if kind is int and not -(2**63) <= value < 2**64:
                raise _NotPlain
            return value
        if kind is dict:
            out = {}
            for k, v in value.items():
                if type(k) is not str:
                    raise _NotPlain
                out[_plain_text(k)] = self._tag(v)
            return out
        if kind is list or kind is tuple:
            return [self._tag(v) for v in value]
        transcoding = self.types.get(kind)
        if transcoding is None:
            raise _NotPlain  # let the library say what it cannot encode
        return {"_type_": transcoding.name, "_data_": self._tag(transcoding.encode(value))}

    def _untag(self, value: Any) -> Any:
        # ``value`` was just parsed, so its containers may be changed in place.
        kind = type(value)
        if kind is dict:
            for k, v in value.items():
                if type(v) is dict or type(v) is list:
                    value[k] = self._untag(v)
            if len(value) == 2 and "_type_" in value and "_data_" in value:
                return self._decode_obj(value)
        elif kind is list:
            for i, v in enumerate(value):
                if type(v) is dict or type(v) is list:
                    value[i] = self._untag(v)
        return value


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
