"""The one way to read the notification log: in pages, decoded by the application's mapper.

Everything that reads many households at once (the read-model projection, the household ids,
reports and supervision replaying the log) goes through :class:`LogReader`, so paging, topic
filters and decoding are written once. A page is a list of the library's notifications; the
reader decodes them on request, because a reader that only needs some facts (the projection)
should not pay for decoding the others.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any, Protocol

DEFAULT_PAGE_SIZE = 1000


class StampReader(Protocol):
    """Reads only the recording moment out of a stored event's bytes (a fast path)."""

    def recorded_at(self, state: bytes) -> datetime:
        """The event's ``timestamp`` (``recorded_at``)."""


class LogReader:
    """Pages of the ``Households`` notification log after a position, optionally by topic.

    ``app`` is an ``eventsourcing`` application (its ``recorder`` and ``mapper`` are used);
    ``stamps`` reads recording moments without decoding whole events, when one is available.
    """

    def __init__(
        self, app: Any, page_size: int = DEFAULT_PAGE_SIZE, *, stamps: StampReader | None = None
    ) -> None:
        if page_size < 1:
            raise ValueError("page_size must be at least 1")
        self.app = app
        self.page_size = page_size
        self.stamps = stamps

    def head(self) -> int:
        """The last notification id in the log (0 when the log is empty)."""
        return int(self.app.recorder.max_notification_id() or 0)

    def page(
        self, after: int = 0, limit: int | None = None, topics: Sequence[str] = ()
    ) -> list[Any]:
        """The notifications after position ``after`` (at most ``limit``, default a page)."""
        return list(
            self.app.recorder.select_notifications(
                after, limit or self.page_size, topics=list(topics), inclusive_of_start=False
            )
        )

    def pages(self, after: int = 0, topics: Sequence[str] = ()) -> Iterator[list[Any]]:
        """Every page after ``after`` up to the head of the log, in log order."""
        while True:
            notifications = self.page(after, topics=topics)
            if not notifications:
                return
            yield notifications
            after = notifications[-1].id
            if len(notifications) < self.page_size:
                return

    def decode(self, notification: Any) -> Any:
        """The domain event stored in ``notification`` (or in any stored event)."""
        return self.app.mapper.to_domain_event(notification)

    def recorded_at(self, notification: Any) -> datetime:
        """When the event was recorded, decoding as little as the mapper allows."""
        if self.stamps is not None:
            return self.stamps.recorded_at(notification.state)
        return self.decode(notification).timestamp

    def events(self, after: int = 0, topics: Sequence[str] = ()) -> Iterator[Any]:
        """Every event after ``after``, decoded, in log order."""
        to_event = self.app.mapper.to_domain_event
        for notifications in self.pages(after, topics):
            for notification in notifications:
                yield to_event(notification)

    def originator_ids(self, topics: Sequence[str] = ()) -> Iterator[uuid.UUID]:
        """The originator of every notification (of ``topics``), in log order, undecoded."""
        for notifications in self.pages(0, topics):
            for notification in notifications:
                yield uuid.UUID(str(notification.originator_id))
