"""Report figures in SQL from the bitemporal read models (both dialects).

:class:`ReadModelSource` implements :class:`application.reports.ReportSource` with two queries:

* **census** on a date D as known at T — join the attribute segment and the status period that
  cover D (``valid_from <= D < valid_to``) among the rows that were the answer at T
  (``known_from <= T < known_to``; with no T, the rows still current), keep resident households
  (``NOT closed``), and count by unit as named, ethnic-minority flag, sponsor, exit registration
  and status;
* **flows** in [A, B] as known at T — status periods that start in [A, B] with a transition,
  joined with the attribute segment covering their start date, counted by unit, flag, transition
  and date.

Units are grouped by the commune code *as named* (``unit_code``, ``unit_named_on``); the report
use cases follow successor links in the unit catalogue after the aggregation, exactly as
:func:`application.status.unit_on` does for one household.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from application.reports import FLOW_TRANSITIONS, CensusRow, FlowRow
from infrastructure.projections import to_micros
from infrastructure.settings import DEFAULT_STATEMENT_TIMEOUT, Settings
from infrastructure.sql_reader import SqlReader
from infrastructure.store import StoreConfig, parse_database_url

_CENSUS = """
SELECT a.unit_code, a.unit_named_on, a.ethnic_minority, a.sponsor_active, a.exit_registered,
       s.status, count(*)
FROM rm_household_attributes a
JOIN rm_status_periods s ON s.household_id = a.household_id
WHERE a.valid_from <= {d} AND (a.valid_to IS NULL OR a.valid_to > {d})
  AND NOT a.closed
  AND s.valid_from <= {d} AND (s.valid_to IS NULL OR s.valid_to > {d})
  AND {known_a} AND {known_s}
GROUP BY a.unit_code, a.unit_named_on, a.ethnic_minority, a.sponsor_active, a.exit_registered,
         s.status
"""

_FLOWS = """
SELECT a.unit_code, a.unit_named_on, a.ethnic_minority, s.transition, s.valid_from, count(*)
FROM rm_status_periods s
JOIN rm_household_attributes a ON a.household_id = s.household_id
 AND a.valid_from <= s.valid_from AND (a.valid_to IS NULL OR a.valid_to > s.valid_from)
WHERE s.valid_from >= {first} AND s.valid_from <= {last}
  AND s.transition IN ({transitions})
  AND {known_a} AND {known_s}
GROUP BY a.unit_code, a.unit_named_on, a.ethnic_minority, s.transition, s.valid_from
"""


def _known(alias: str, param: str | None) -> str:
    if param is None:
        return f"{alias}.known_to IS NULL"
    return f"{alias}.known_from <= {param} AND ({alias}.known_to IS NULL OR {alias}.known_to > {param})"


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


class ReadModelSource:
    """Report figures from the read models of one store (SQLite file or PostgreSQL schema)."""

    name = "read_models"

    def __init__(
        self,
        config: StoreConfig,
        application_name: str = "Households",
        *,
        statement_timeout: float = DEFAULT_STATEMENT_TIMEOUT,
    ) -> None:
        self.config = config
        self.application_name = application_name
        self.reader = SqlReader(config, statement_timeout)

    @classmethod
    def from_settings(cls, settings: Settings) -> ReadModelSource:
        """A source on the store named by ``CHUNGTAY_DATABASE_URL``."""
        return cls(
            parse_database_url(settings.database_url),
            statement_timeout=settings.statement_timeout,
        )

    def _query(self, text: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        return self.reader.query(text, params)

    def close(self) -> None:
        """Close this thread's connection."""
        self.reader.close()

    # -- the port -----------------------------------------------------------------------------------

    def census(self, on: date, known_at: datetime | None) -> list[CensusRow]:
        """Resident households on ``on`` as known at ``known_at``, grouped (see module doc)."""
        pg = self.config.is_postgres
        mark = "%s" if pg else "?"
        params: list[Any] = [on if pg else on.isoformat()] * 4
        known = None
        if known_at is not None:
            known = mark
            t = known_at if pg else to_micros(known_at)
            params += [t, t, t, t]
        text = _CENSUS.format(d=mark, known_a=_known("a", known), known_s=_known("s", known))
        if not pg:
            text = text.replace("NOT a.closed", "a.closed = 0")
        return [
            CensusRow(
                unit_code=r[0],
                unit_named_on=_as_date(r[1]),
                ethnic_minority=bool(r[2]),
                sponsor_active=bool(r[3]),
                exit_registered=bool(r[4]),
                status=r[5],
                households=int(r[6]),
            )
            for r in self._query(text, params)
        ]

    def flows(self, first: date, last: date, known_at: datetime | None) -> list[FlowRow]:
        """Transitions effective in ``[first, last]`` as known at ``known_at``, grouped."""
        pg = self.config.is_postgres
        mark = "%s" if pg else "?"
        params: list[Any] = [first, last] if pg else [first.isoformat(), last.isoformat()]
        params += list(FLOW_TRANSITIONS)
        known = None
        if known_at is not None:
            known = mark
            t = known_at if pg else to_micros(known_at)
            params += [t, t, t, t]
        text = _FLOWS.format(
            first=mark,
            last=mark,
            transitions=",".join([mark] * len(FLOW_TRANSITIONS)),
            known_a=_known("a", known),
            known_s=_known("s", known),
        )
        return [
            FlowRow(
                unit_code=r[0],
                unit_named_on=_as_date(r[1]),
                ethnic_minority=bool(r[2]),
                transition=r[3],
                on=_as_date(r[4]),
                households=int(r[5]),
            )
            for r in self._query(text, params)
        ]

    def freshness(self) -> dict[str, Any]:
        """The projection's position against the head of the log (``behind`` = not yet applied)."""
        pg = self.config.is_postgres
        mark = "%s" if pg else "?"
        events = "households_events" if pg else "stored_events"
        head_sql = (
            f"SELECT coalesce(max(notification_id), 0) FROM {events}"
            if pg
            else f"SELECT coalesce(max(rowid), 0) FROM {events}"
        )
        position = self._query(
            f"SELECT notification_id FROM rm_tracking WHERE application_name = {mark}",
            [self.application_name],
        )
        head = self._query(head_sql, [])
        pos = int(position[0][0]) if position else 0
        top = int(head[0][0]) if head else 0
        return {
            "source": self.name,
            "position": pos,
            "log_head": top,
            "behind": max(0, top - pos),
        }
