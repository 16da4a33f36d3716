"""The household list and the audit diff's candidates in SQL, from the bitemporal read models.

:class:`SqlHouseholdList` implements :class:`application.household_list.HouseholdListSource` on
``rm_household_list`` (one row per household and valid-time segment, with its knowledge
interval) and ``rm_household_versions`` (the recording moment of every version):

* a page selects the segments covering ``as_of`` (``valid_from <= D < valid_to``) among the rows
  that were the answer at ``known_at`` (``known_from <= T < known_to``; with no T, the rows still
  current), filtered by the named commune versions, the status and the search terms, ordered by
  code; a second statement counts them;
* the audit diff's candidates are the households with a status period starting on or before D
  whose knowledge interval begins or ends in ``(T1, T2]``, kept when their segment on D as known
  at T2 lies in the unit.

Both dialects: PostgreSQL (dates, timestamptz) and SQLite (ISO text dates, microseconds).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from application.household_list import (
    Candidates,
    HouseholdRow,
    ListFilter,
    NamedUnit,
    version_at,
)
from infrastructure.projection_rows import from_micros, to_micros
from infrastructure.projection_views import VERSION_WIDTH
from infrastructure.sql_reader import SqlReader

_ROW_COLUMNS = (
    "l.household_id, l.code, l.unit_code, l.unit_named_on, l.village, l.head_name, l.status, "
    "l.recognised, l.since, l.ethnic_minority, l.closed"
)


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _moments(recorded: str) -> list[datetime]:
    return [
        from_micros(int(recorded[i : i + VERSION_WIDTH], 16))
        for i in range(0, len(recorded), VERSION_WIDTH)
    ]


class SqlHouseholdList:
    """The household list's rows and the diff's candidates, read from one store."""

    def __init__(self, reader: SqlReader) -> None:
        self.reader = reader

    # -- shared conditions ----------------------------------------------------------------------

    def _value(self, v: Any) -> Any:
        if self.reader.is_postgres:
            return v
        if isinstance(v, datetime):
            return to_micros(v)
        if isinstance(v, date):
            return v.isoformat()
        return v

    def _known(self, alias: str, known_at: datetime | None, params: list[Any]) -> str:
        if known_at is None:
            return f"{alias}.known_to IS NULL"
        m = self.reader.mark
        params += [self._value(known_at)] * 2
        return f"{alias}.known_from <= {m} AND ({alias}.known_to IS NULL OR {alias}.known_to > {m})"

    def _covers(self, alias: str, on: date, params: list[Any]) -> str:
        m = self.reader.mark
        params += [self._value(on)] * 2
        return f"{alias}.valid_from <= {m} AND ({alias}.valid_to IS NULL OR {alias}.valid_to > {m})"

    def _in_units(self, alias: str, units: Sequence[NamedUnit], params: list[Any]) -> str:
        """Rows naming one of ``units``: whole codes, or a code's versions by named date."""
        if not units:
            return "1 = 0"
        m = self.reader.mark
        by_code: dict[str, list[NamedUnit]] = {}
        for u in units:
            by_code.setdefault(u.code, []).append(u)
        parts: list[str] = []
        for code, versions in by_code.items():
            params.append(code)
            bounds: list[str] = []
            for v in versions:
                params.append(self._value(v.valid_from))
                bound = f"{alias}.unit_named_on >= {m}"
                if v.valid_to is not None:
                    params.append(self._value(v.valid_to))
                    bound += f" AND {alias}.unit_named_on <= {m}"
                bounds.append(f"({bound})")
            parts.append(f"({alias}.unit_code = {m} AND ({' OR '.join(bounds)}))")
        return "(" + " OR ".join(parts) + ")"

    def _filters(self, selection: ListFilter, params: list[Any]) -> list[str]:
        m = self.reader.mark
        conditions = []
        if selection.units is not None:
            conditions.append(self._in_units("l", selection.units, params))
        if selection.status is not None:
            conditions.append(f"l.status = {m}")
            params.append(selection.status)
        for term in selection.terms:
            conditions.append(f"l.search_key LIKE {m} ESCAPE '\\'")
            params.append(f"%{_escape_like(term)}%")
        return conditions

    def _parts(self, selection: ListFilter, columns: str) -> list[tuple[str, list[Any]]]:
        """The segments on ``as_of`` that match, as two parts: the open segments (valid to the
        end: on a recent date, almost every household's) and those that end after ``as_of``.
        Each part has its own partial index, so neither scans the other's rows."""
        m = self.reader.mark
        parts = []
        for valid in (
            f"l.valid_to IS NULL AND l.valid_from <= {m}",
            f"l.valid_to > {m} AND l.valid_from <= {m}",
        ):
            params: list[Any] = []
            known = self._known("l", selection.known_at, params)
            params += [self._value(selection.as_of)] * valid.count(m)
            conditions = [known, valid, *self._filters(selection, params)]
            text = f"SELECT {columns} FROM rm_household_list l WHERE {' AND '.join(conditions)}"
            parts.append((text, params))
        return parts

    # -- the port ---------------------------------------------------------------------------------

    def household_page(self, selection: ListFilter) -> tuple[int, list[HouseholdRow]]:
        """How many households match, and the rows of the page, in code order."""
        (open_, p1), (ended, p2) = self._parts(selection, "1")
        total = self.reader.query(
            f"SELECT count(*) FROM ({open_} UNION ALL {ended}) AS u", [*p1, *p2]
        )
        # Each part is read in code order from its index and stops at the end of the page; the
        # page's row ids come from the indexes alone, and only its rows are then read.
        m = self.reader.mark
        end = selection.offset + selection.limit
        (open_, p1), (ended, p2) = self._parts(selection, "l.id, l.code")
        versions = "v.version" if selection.known_at is None else "v.recorded"
        rows = self.reader.query(
            f"SELECT {_ROW_COLUMNS}, {versions} FROM ("
            f"SELECT id, code FROM ("
            f"SELECT * FROM ({open_} ORDER BY l.code LIMIT {m}) AS a UNION ALL "
            f"SELECT * FROM ({ended} ORDER BY l.code LIMIT {m}) AS b"
            f") AS u ORDER BY code LIMIT {m} OFFSET {m}"
            f") AS p JOIN rm_household_list l ON l.id = p.id "
            f"JOIN rm_household_versions v ON v.household_id = l.household_id ORDER BY p.code",
            [*p1, end, *p2, end, selection.limit, selection.offset],
        )
        return int(total[0][0]), [self._row(r, selection.known_at) for r in rows]

    def _row(self, r: Sequence[Any], known_at: datetime | None) -> HouseholdRow:
        version = r[11] if known_at is None else version_at(_moments(r[11]), known_at)
        return HouseholdRow(
            household_id=str(r[0]),
            code=r[1],
            unit_code=r[2],
            unit_named_on=r[3] if isinstance(r[3], date) else date.fromisoformat(r[3]),
            village=r[4],
            head_name=r[5],
            status=r[6],
            recognised=bool(r[7]),
            since=r[8] if r[8] is None or isinstance(r[8], date) else date.fromisoformat(r[8]),
            ethnic_minority=bool(r[9]),
            closed=bool(r[10]),
            version=int(version),
        )

    def change_candidates(
        self, units: tuple[NamedUnit, ...], as_of: date, known_from: datetime, known_to: datetime
    ) -> Candidates:
        """Households of ``units`` on ``as_of`` (as known at ``known_to``) whose status on
        ``as_of`` differs between the two moments, from the status periods' knowledge time.

        Only the households with a period on or before ``as_of`` that began or stopped being the
        answer in ``(known_from, known_to]`` can differ; for them the period that answers
        ``as_of`` (the last one starting by then) is compared as known at each moment.
        """
        m = self.reader.mark
        params: list[Any] = []
        in_unit = " AND ".join(
            [
                self._known("l", known_to, params),
                self._covers("l", as_of, params),
                self._in_units("l", units, params),
            ]
        )
        examined = self.reader.query(
            f"SELECT count(*) FROM rm_household_list l WHERE {in_unit}", list(params)
        )
        d, t1, t2 = self._value(as_of), self._value(known_from), self._value(known_to)
        # One text per answer, so that two answers compare as one value in both dialects.
        answer = (
            "s.status || '|' || CASE WHEN s.recognised THEN '1|' || CAST(s.valid_from AS TEXT) "
            "ELSE '0|' END || '|' || COALESCE(s.standard, '') || '|' || COALESCE(s.transition, '')"
        )
        rows = self.reader.query(
            f"WITH in_unit AS (SELECT l.household_id FROM rm_household_list l WHERE {in_unit}"
            f"), touched AS ("
            f" SELECT DISTINCT s.household_id FROM rm_status_periods s"
            f" JOIN in_unit u ON u.household_id = s.household_id"
            f" WHERE s.valid_from <= {m} AND ((s.known_from > {m} AND s.known_from <= {m})"
            f"  OR (s.known_to > {m} AND s.known_to <= {m}))"
            f"), moments AS (SELECT 1 AS t, {m} AS at UNION ALL SELECT 2, {m}"
            f"), answers AS ("
            f" SELECT s.household_id, k.t, {answer} AS answer, ROW_NUMBER() OVER ("
            f"   PARTITION BY s.household_id, k.t ORDER BY s.valid_from DESC) AS r"
            f" FROM rm_status_periods s JOIN touched c ON c.household_id = s.household_id"
            f" JOIN moments k ON s.known_from <= k.at AND (s.known_to IS NULL OR s.known_to > k.at)"
            f" WHERE s.valid_from <= {m}"
            f"), changed AS ("
            f" SELECT household_id FROM answers WHERE r = 1 GROUP BY household_id"
            f" HAVING (count(*) = 1 AND max(t) = 2) OR min(answer) <> max(answer)"
            f") SELECT c.household_id FROM changed c"
            f" JOIN rm_household_versions v ON v.household_id = c.household_id"
            f" ORDER BY v.first_notification",
            [*params, d, t1, t2, t1, t2, t1, t2, d],
        )
        return Candidates(tuple(str(r[0]) for r in rows), int(examined[0][0]))
