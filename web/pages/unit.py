"""``/units/{code}?year=&units=historical|current``: a commune's or district's dashboard.

The annual review of the year (rates against the 4- or 5-point target, the movements, by child
unit), the lists now, and the annual XLSX (the official form) and CSV to download — all from the
report use cases the API and the command line use. Two panels need many households folded and
are separate requests, loaded into the page as it opens (or followed as links without
JavaScript): the poverty rate per year against the target, and the campaign summary with
sponsorship coverage and exit registrations.

Who may see a unit is decided as for the API's reports (403 outside the user's units).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import Blueprint, Response, request

from domain.standards import UnknownStandardError
from infrastructure import exports
from web.api.reports import _authorise as authorise_report
from web.context import households, reports
from web.pages.chart import rate_chart
from web.pages.frame import render
from web.pages.inputs import choice, optional_int

blp = Blueprint("unit", __name__)

UNITS_MODES = ("historical", "current")
RATE_YEARS = 10
"""How many year ends the rate chart goes back (the campaign's span and a little more)."""


@dataclass(frozen=True)
class UnitQuery:
    """What a unit page is asked for."""

    code: str
    year: int
    units: str

    def args(self) -> dict[str, Any]:
        """The query string that asks for it again."""
        return {"year": self.year, "units": self.units}


def _query(code: str) -> UnitQuery:
    app = households()
    year = optional_int("year", request.args.get("year"), 1990, app.today().year)
    units = choice("units", request.args.get("units"), UNITS_MODES, "historical")
    query = UnitQuery(code, year or app.today().year - 1, units)
    authorise_report(code, date(query.year, 12, 31), units, None)
    return query


def _unit_name(code: str, year: int) -> dict[str, Any]:
    """The unit as named at the end of the year (or its latest version)."""
    units = households().units
    version = units.find(code, date(year, 12, 31)) or (units.versions(code) or [None])[-1]
    if version is None:
        return {"code": code, "name": code, "level": ""}
    return {"code": version.code, "name": version.name, "level": version.level}


def campaign_span(year: int) -> tuple[int, int]:
    """From the first year of the standard in force at the end of ``year`` to ``year``."""
    try:
        standard = households().standards.for_list_year(year + 1)
    except UnknownStandardError:
        return year, year
    return min(int(standard.code.split("-")[0]), year), year


@blp.route("/units/<code>", methods=["GET"], endpoint="page")
def unit_page(code: str) -> tuple[str, int]:
    """The annual review of a year, the lists now, downloads, and the two slower panels."""
    query = _query(code)
    app = households()
    annual = reports().annual(code, query.year, None, query.units)
    return render(
        "unit.html",
        query=query,
        unit=_unit_name(code, query.year),
        annual=annual,
        today=app.today(),
        years=list(range(app.today().year, 2014, -1)),
        span=campaign_span(query.year),
    )


@blp.route("/units/<code>/lists", methods=["GET"], endpoint="lists")
def lists_panel(code: str) -> tuple[str, int]:
    """The poor and near-poor households today, by child unit."""
    query = _query(code)
    now = reports().poverty(code, households().today(), None, query.units)
    return render("unit_lists.html", query=query, unit=_unit_name(code, query.year), now=now)


@blp.route("/units/<code>/rates", methods=["GET"], endpoint="rates")
def rates_panel(code: str) -> tuple[str, int]:
    """The poverty rate at each year end against the target line."""
    query = _query(code)
    first = max(2016, query.year - RATE_YEARS + 1)
    series = reports().rate_series(code, first, query.year, None, query.units)
    return render(
        "unit_rates.html",
        query=query,
        unit=_unit_name(code, query.year),
        series=series,
        chart=rate_chart(series),
    )


@blp.route("/units/<code>/campaign", methods=["GET"], endpoint="campaign")
def campaign_panel(code: str) -> tuple[str, int]:
    """The campaign's figures over the standard's period up to the year."""
    query = _query(code)
    first, last = campaign_span(query.year)
    report = reports().campaign(code, first, last, None, query.units)
    return render(
        "unit_campaign.html",
        query=query,
        unit=_unit_name(code, query.year),
        report=report,
        first=first,
        last=last,
    )


def _annual_file(code: str, kind: str) -> Response:
    query = _query(code)
    report = reports().annual(code, query.year, None, query.units)
    name = f"bao-cao-ra-soat-{code}-{query.year}.{kind}"
    disposition = {"Content-Disposition": f'attachment; filename="{name}"'}
    if kind == "csv":
        text = "\ufeff" + exports.to_csv(report)  # the BOM lets spreadsheets read UTF-8
        return Response(text, mimetype="text/csv", headers=disposition)
    out = io.BytesIO()
    exports.to_xlsx(report, out)
    return Response(
        out.getvalue(),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers=disposition,
    )


@blp.route("/units/<code>/annual.xlsx", methods=["GET"], endpoint="annual_xlsx")
def annual_xlsx(code: str) -> Response:
    """The annual review in the official summary form (XLSX)."""
    return _annual_file(code, "xlsx")


@blp.route("/units/<code>/annual.csv", methods=["GET"], endpoint="annual_csv")
def annual_csv(code: str) -> Response:
    """The annual review's figures (CSV)."""
    return _annual_file(code, "csv")
