"""The report use cases on one application and one source of figures."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from application.reports.annual import annual_report
from application.reports.campaign import campaign_report
from application.reports.emulation import (
    CRITERIA,
    METHOD,
    exemplary_households,
    rank_communes,
    top_unit,
)
from application.reports.errors import ReportError
from application.reports.poverty import poverty_report
from application.reports.series import rate_series
from application.reports.sources import ReplaySource, ReportSource, load_histories


class Reports:
    """The report use cases on one application and one source of figures.

    ``source`` defaults to :class:`ReplaySource` (fold every household); the web app and the
    command line pass ``infrastructure.read_models.ReadModelSource``.
    """

    def __init__(self, app: Any, source: ReportSource | None = None) -> None:
        self.app = app
        self._source = source

    @property
    def source(self) -> ReportSource:
        """The configured source (a fresh replay source per call when none was given)."""
        return self._source if self._source is not None else ReplaySource(self.app)

    def _stamp(
        self, report: dict[str, Any], known_at: datetime | None, source: ReportSource
    ) -> dict[str, Any]:
        report["known_at"] = (known_at or self.app.now()).isoformat()
        report["source"] = source.freshness()
        return report

    def poverty(
        self,
        unit: str,
        as_of: date | None = None,
        known_at: datetime | None = None,
        units: str = "historical",
    ) -> dict[str, Any]:
        """``GET /reports/poverty`` and ``chungtay report poverty``."""
        source = self.source
        report = poverty_report(
            source,
            self.app.units,
            unit=unit,
            as_of=as_of or self.app.today(),
            known_at=known_at,
            today=self.app.today(),
            units_mode=units,
        )
        return self._stamp(report, known_at, source)

    def annual(
        self,
        unit: str,
        year: int,
        known_at: datetime | None = None,
        units: str = "historical",
    ) -> dict[str, Any]:
        """``GET /reports/annual`` and ``chungtay report annual``."""
        source = self.source
        report = annual_report(
            source,
            self.app.units,
            self.app.standards,
            unit=unit,
            year=year,
            known_at=known_at,
            today=self.app.today(),
            units_mode=units,
        )
        return self._stamp(report, known_at, source)

    def rate_series(
        self,
        unit: str,
        first_year: int,
        last_year: int,
        known_at: datetime | None = None,
        units: str = "historical",
    ) -> dict[str, Any]:
        """Poverty rate per unit at each year end, with the target line (for charts)."""
        return rate_series(
            self.source,
            self.app.units,
            self.app.standards,
            unit=unit,
            first_year=first_year,
            last_year=last_year,
            known_at=known_at,
            today=self.app.today(),
            units_mode=units,
        )

    def campaign(
        self,
        unit: str,
        from_year: int,
        to_year: int,
        known_at: datetime | None = None,
        units: str = "historical",
        *,
        by: str = "child",
        histories: Mapping[uuid.UUID, list[Any]] | None = None,
    ) -> dict[str, Any]:
        """The campaign's figures per unit and year (``GET /reports/campaign``)."""
        if from_year > to_year:
            raise ReportError("from_year", "from_year must not be after to_year")
        if to_year - from_year > 30:
            raise ReportError("to_year", "at most 30 years per campaign report")
        source = self.source
        if histories is None:
            histories = (
                source.histories() if isinstance(source, ReplaySource) else load_histories(self.app)
            )
        report = campaign_report(
            source,
            histories,
            self.app.units,
            self.app.standards,
            unit=unit,
            from_year=from_year,
            to_year=to_year,
            known_at=known_at,
            today=self.app.today(),
            units_mode=units,
            by=by,
        )
        return self._stamp(report, known_at, source)

    def emulation(
        self,
        year: int,
        unit: str | None = None,
        known_at: datetime | None = None,
    ) -> dict[str, Any]:
        """Communes ranked on the campaign's criteria, and exemplary households."""
        units = self.app.units
        top = unit or top_unit(units, date(year, 12, 31))
        histories = load_histories(self.app)
        campaign = self.campaign(
            top, year, year, known_at, "historical", by="commune", histories=histories
        )
        exemplary = exemplary_households(
            histories, units, top, year, known_at, today=self.app.today()
        )
        report = {
            "report": "emulation",
            "unit": campaign["unit"],
            "year": year,
            "criteria": [c["name"] for c in CRITERIA],
            "method": METHOD,
            "ranking": rank_communes(campaign["years"][0]["by_unit"]),
            "exemplary_households": exemplary,
            "notes": campaign["notes"],
        }
        return self._stamp(report, known_at, self.source)
