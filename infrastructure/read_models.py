"""Report figures in SQL from the bitemporal read models (both dialects).

:class:`ReadModelSource` implements :class:`application.reports.ReportSource` with two queries:

* **census** on a date D as known at T — join the attribute segment and the status period that
  cover D (``valid_from <= D < valid_to``) among the rows that were the answer at T
  (``known_from <= T < known_to``; with no T, the rows still current), keep resident households
  (``NOT closed``), and count by unit as named, ethnic-minority flag, sponsor, exit registration
  and status;
* **flows** in [A, B] as known at T — status periods that start in [A, B] with a transition
  (and the status of the period before), joined with the attribute segment covering their start
  date; and the movements: attribute segments starting in [A, B] whose unit differs from the
  segment before, or that start a closure, with the status the household had the day before.

Units are grouped by the commune code *as named* (``unit_code``, ``unit_named_on``); the report
use cases follow successor links in the unit catalogue after the aggregation, exactly as
:func:`domain.situation.unit_on` does for one household.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from application.reports import REPORTED_TRANSITIONS, CensusRow, FlowRow
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
SELECT a.unit_code, a.unit_named_on, a.ethnic_minority, s.transition, s.valid_from,
       coalesce(p.status, 'not_poor'), s.status, count(*)
FROM rm_status_periods s
JOIN rm_household_attributes a ON a.household_id = s.household_id
 AND a.valid_from <= s.valid_from AND (a.valid_to IS NULL OR a.valid_to > s.valid_from)
LEFT JOIN rm_status_periods p ON p.household_id = s.household_id AND p.valid_to = s.valid_from
 AND {known_p}
WHERE s.valid_from >= {first} AND s.valid_from <= {last}
  AND (s.valid_to IS NULL OR s.valid_to > s.valid_from)
  AND s.transition IN ({transitions})
  AND {known_a} AND {known_s}
GROUP BY a.unit_code, a.unit_named_on, a.ethnic_minority, s.transition, s.valid_from,
         coalesce(p.status, 'not_poor'), s.status
"""

# A household leaves a unit (a move, a closure) where one attribute segment follows another:
# the segment before names the unit left, the one after the unit entered (or the closure), and
# the status period covering the day before gives the status it took along.
_MOVEMENTS = """
SELECT b.unit_code, b.unit_named_on, a.unit_code, a.unit_named_on, a.ethnic_minority,
       a.valid_from, a.closed, s.status, count(*)
FROM rm_household_attributes a
JOIN rm_household_attributes b ON b.household_id = a.household_id AND b.valid_to = a.valid_from
JOIN rm_status_periods s ON s.household_id = a.household_id
 AND s.valid_from < a.valid_from AND (s.valid_to IS NULL OR s.valid_to >= a.valid_from)
WHERE a.valid_from >= {first} AND a.valid_from <= {last}
  AND NOT b.closed
  AND (a.closed OR a.unit_code <> b.unit_code OR a.unit_named_on <> b.unit_named_on)
  AND {known_a} AND {known_b} AND {known_s}
GROUP BY b.unit_code, b.unit_named_on, a.unit_code, a.unit_named_on, a.ethnic_minority,
         a.valid_from, a.closed, s.status
"""


def _known(alias: str, param: str | None) -> str:
    if param is None:
        return f"{alias}.known_to IS NULL"
    return f"{alias}.known_from <= {param} AND ({alias}.known_to IS NULL OR {alias}.known_to > {param})"


def _movement_rows(rows: Sequence[Sequence[Any]]) -> list[FlowRow]:
    """Rows of :data:`_MOVEMENTS` as flows: out of the unit left and into the unit entered (a
    move), or out of the unit (a closure); rows with the same key are added up."""
    found: Counter[tuple[Any, ...]] = Counter()
    for old, old_on, new, new_on, em, day, closed, status, n in rows:
        on = _as_date(day)
        left, entered = (old, _as_date(old_on)), (new, _as_date(new_on))
        if left != entered:
            found[(*left, bool(em), "moved_out", on, status, None)] += n
            found[(*entered, bool(em), "moved_in", on, None, status)] += n
        if closed:
            found[(*entered, bool(em), "closed", on, status, None)] += n
    return [FlowRow(*key, households=n) for key, n in found.items()]


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

    def _query(self, text: str, params: Sequence[Any] | dict[str, Any]) -> list[tuple[Any, ...]]:
        return self.reader.query(text, params)  # type: ignore[arg-type]  # named on both drivers

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
        """Transitions and movements effective in ``[first, last]`` as known at ``known_at``."""
        pg = self.config.is_postgres
        names = {
            "first": first if pg else first.isoformat(),
            "last": last if pg else last.isoformat(),
        }
        mark = (lambda n: f"%({n})s") if pg else (lambda n: f":{n}")
        known = None
        if known_at is not None:
            known = mark("t")
            names["t"] = known_at if pg else to_micros(known_at)  # type: ignore[assignment]
        text = _FLOWS.format(
            first=mark("first"),
            last=mark("last"),
            transitions=",".join(f"'{t}'" for t in REPORTED_TRANSITIONS),
            known_a=_known("a", known),
            known_s=_known("s", known),
            known_p=_known("p", known),
        )
        rows = [
            FlowRow(
                unit_code=r[0],
                unit_named_on=_as_date(r[1]),
                ethnic_minority=bool(r[2]),
                transition=r[3],
                on=_as_date(r[4]),
                previous=r[5],
                status=r[6],
                households=int(r[7]),
            )
            for r in self._query(text, names)
        ]
        text = _MOVEMENTS.format(
            first=mark("first"),
            last=mark("last"),
            known_a=_known("a", known),
            known_b=_known("b", known),
            known_s=_known("s", known),
        )
        if not pg:
            text = text.replace("NOT b.closed", "b.closed = 0").replace(
                "(a.closed OR", "(a.closed = 1 OR"
            )
        return rows + _movement_rows([(*r[:8], int(r[8])) for r in self._query(text, names)])

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
