"""Reading the whole log once: every household's facts, grouped, for district-wide scans."""

from __future__ import annotations

import gc
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from application.households import Households

Facts = list[Any]
"""One household's facts, in version order."""

PAGE_SIZE = 1000
"""Notifications read per query."""


def iter_log(app: Households, page_size: int = PAGE_SIZE) -> Iterator[Any]:
    """Every stored fact in log order, decoded by the application's mapper."""
    start: int | None = None
    to_event = app.mapper.to_domain_event
    while True:
        page = app.recorder.select_notifications(start, page_size, inclusive_of_start=False)
        if not page:
            return
        for notification in page:
            yield to_event(notification)
        start = page[-1].id


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while many small, acyclic objects are created (the
    decoded events): it would otherwise rescan them again and again, for nothing."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def load_histories(app: Households, page_size: int = PAGE_SIZE) -> dict[uuid.UUID, Facts]:
    """Every household's facts in version order, from one pass over the notification log.

    A household's events enter the log in version order, so appending in log order keeps each
    list in version order.
    """
    histories: dict[uuid.UUID, Facts] = {}
    with gc_paused():
        for event in iter_log(app, page_size):
            facts = histories.get(event.originator_id)
            if facts is None:
                histories[event.originator_id] = [event]
            else:
                facts.append(event)
    return histories
