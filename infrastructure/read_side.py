"""The read side a request uses: the read models, brought up to the log's head before a read.

``chungtay projections run`` (kept alive by ``chungtay serve``) applies new facts within
milliseconds on PostgreSQL. A request must still see the facts recorded before it (an officer who
registers a household expects to find it in the list), and a store may have no follower running
(tests, the command line, ``serve --no-projections``). So before reading, :class:`ReadSide`
applies what is pending itself, exactly once like any projector, one thread of the process at a
time, and at most ``inline_limit`` notifications: a large backlog is left to the follower
rather than charged to one request.
"""

from __future__ import annotations

import threading
from datetime import date, datetime

from application.household_list import Candidates, HouseholdRow, ListFilter, NamedUnit
from infrastructure.household_list import SqlHouseholdList
from infrastructure.projections import Projection

DEFAULT_INLINE_LIMIT = 2000


class ReadSide:
    """:class:`application.household_list.HouseholdListSource` on fresh read models."""

    def __init__(
        self,
        rows: SqlHouseholdList,
        projection: Projection,
        *,
        inline_limit: int = DEFAULT_INLINE_LIMIT,
    ) -> None:
        self.rows = rows
        self.projection = projection
        self.inline_limit = inline_limit
        self._lock = threading.Lock()

    def refresh(self) -> int:
        """Apply the notifications recorded so far (up to the limit); return how many."""
        with self._lock:
            if self.projection.position() >= self.projection.head():
                return 0
            return self.projection.catch_up(limit=self.inline_limit)

    def household_page(self, selection: ListFilter) -> tuple[int, list[HouseholdRow]]:
        """The list's rows, after applying what is pending."""
        self.refresh()
        return self.rows.household_page(selection)

    def change_candidates(
        self, units: tuple[NamedUnit, ...], as_of: date, known_from: datetime, known_to: datetime
    ) -> Candidates:
        """The audit diff's candidates, after applying what is pending."""
        self.refresh()
        return self.rows.change_candidates(units, as_of, known_from, known_to)

    def close(self) -> None:
        """Release the connections of the calling thread."""
        self.rows.reader.close()
        self.projection.close()
