"""``/households?q=&unit=&status=&as_of=``: find a household by code, head's name or village.

Names are matched without diacritics ("Nong Van Tu" finds "Nông Văn Tư"), every word of the
query anywhere in the code, the head's name or the village; filtered by unit and by status on a
date; ordered by code and paged. Only households in the user's units are listed, and each one
listed to an inspector or an auditor is written to the access log, as the API's list does. A
code typed whole opens the household's page.

Until the household list read model is available, the list is computed by folding every
household on the date, as ``GET /api/v1/households`` does.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import Blueprint, Response, redirect, request, url_for

from application.accounts import User
from application.errors import HouseholdNotFound
from application.status import unit_on
from domain.units import Unit, UnknownUnitError
from domain.vocabulary import STATUSES
from web.api.common import log_reads
from web.auth import current_user, policy
from web.pages.context import households
from web.pages.frame import render
from web.pages.inputs import choice, optional_date, optional_int
from web.problems import Problem

blp = Blueprint("search", __name__)

PER_PAGE = 50


@dataclass(frozen=True)
class SearchQuery:
    """What the search form asks."""

    q: str
    unit: str | None
    status: str | None
    as_of: date
    page: int

    def args(self, **changes: Any) -> dict[str, Any]:
        """The query string asking for it again (blank fields left out)."""
        values = {
            "q": self.q or None,
            "unit": self.unit,
            "status": self.status,
            "as_of": self.as_of.isoformat(),
            "page": self.page,
            **changes,
        }
        return {k: v for k, v in values.items() if v is not None}


@dataclass(frozen=True)
class Found:
    """One household of the results."""

    household_id: str
    code: str
    head_name: str
    village: str | None
    unit: Unit
    status: str
    since: date | None


def fold(text: str) -> str:
    """Lower case without diacritics (đ read as d): how names are compared."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "d"))
    return " ".join(
        "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().split()
    )


def _query() -> SearchQuery:
    app = households()
    on = optional_date("as_of", request.args.get("as_of")) or app.today()
    unit = request.args.get("unit", "").strip() or None
    if unit is not None and app.units.find(unit, on) is None:
        msg = f"unit {unit} is not valid on {on.isoformat()}"
        raise Problem(422, msg, errors={"unit": [msg]})
    return SearchQuery(
        q=request.args.get("q", "").strip(),
        unit=unit,
        status=choice("status", request.args.get("status"), STATUSES, "") or None,
        as_of=on,
        page=optional_int("page", request.args.get("page"), 1, 1_000_000) or 1,
    )


def _matching(query: SearchQuery, user: User) -> Iterator[Found]:
    """Households on the date in the user's units that match every filter."""
    app = households()
    on, terms = query.as_of, fold(query.q).split()
    for hid in app.household_ids():
        s = app.get(hid).situation(on)
        if not s.known or s.registered_on is None or s.registered_on > on:
            continue
        if query.status and s.status != query.status:
            continue
        key = fold(" ".join(p for p in (s.code, s.head_name, s.village) if p))
        if not all(term in key for term in terms):
            continue
        if not policy().household_in_scope(user, s, on):
            continue
        try:
            unit = unit_on(app.units, s, on)
            if query.unit and not app.units.contains(query.unit, unit.code, on):
                continue
        except UnknownUnitError:
            continue
        yield Found(
            str(hid), s.code or "", s.head_name or "", s.village, unit.name, s.status, s.since
        )


@blp.route("/households", methods=["GET"], endpoint="page")
def search_page() -> Response | tuple[str, int]:
    """The search form and one page of results."""
    query = _query()
    if query.q:
        try:
            households().get(query.q)
        except (HouseholdNotFound, ValueError):
            pass
        else:
            target = url_for("pages.household.page", code=query.q, as_of=query.as_of.isoformat())
            return redirect(target, code=303)  # type: ignore[return-value]
    found: list[Found] = []
    asked = bool(query.q or query.unit or query.status)
    if asked:
        found = sorted(_matching(query, current_user()), key=lambda f: f.code)
    shown = found[(query.page - 1) * PER_PAGE : query.page * PER_PAGE]
    log_reads(f.household_id for f in shown)
    app = households()
    return render(
        "search.html",
        active="households",
        query=query,
        asked=asked,
        total=len(found),
        shown=shown,
        pages=max(1, -(-len(found) // PER_PAGE)),
        units=app.units.valid_on(query.as_of),
        statuses=STATUSES,
    )
