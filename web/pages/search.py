"""``/households?q=&unit=&status=&as_of=``: find a household by code, head's name or village.

Names are matched without diacritics ("Nong Van Tu" finds "Nông Văn Tư"), every word of the
query anywhere in the code, the head's name or the village; filtered by unit and by status on a
date; ordered by code and paged. The list is the use case of ``GET /api/v1/households`` (read
from the household list read model), with the same scope: only households in the user's units,
and each one listed to an inspector or an auditor is written to the access log. A code typed
whole opens the household's page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import Blueprint, Response, redirect, request, url_for

from application.errors import HouseholdNotFound
from application.household_list import HouseholdListQuery, HouseholdPage
from domain.vocabulary import STATUSES
from web.api.common import log_reads
from web.api.context import services
from web.auth import current_user, policy
from web.pages.context import households
from web.pages.frame import render
from web.pages.inputs import choice, optional_date, optional_int

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

    @property
    def asked(self) -> bool:
        """Whether anything was asked (an empty form lists nothing)."""
        return bool(self.q or self.unit or self.status)


def _query() -> SearchQuery:
    return SearchQuery(
        q=request.args.get("q", "").strip(),
        unit=request.args.get("unit", "").strip() or None,
        status=choice("status", request.args.get("status"), STATUSES, "") or None,
        as_of=optional_date("as_of", request.args.get("as_of")) or households().today(),
        page=optional_int("page", request.args.get("page"), 1, 1_000_000) or 1,
    )


def _find(query: SearchQuery) -> HouseholdPage:
    """One page of the households the user may see that match the query."""
    user = current_user()
    return services().household_list(
        HouseholdListQuery(
            as_of=query.as_of,
            unit=query.unit,
            status=query.status,
            q=query.q or None,
            page=query.page,
            per_page=PER_PAGE,
        ),
        allowed=lambda unit, on: policy().unit_in_scope(user, unit, on),
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
    found = _find(query) if query.asked else None
    shown = found.items if found else ()
    log_reads(item.household_id for item in shown)
    total = found.total if found else 0
    return render(
        "search.html",
        active="households",
        query=query,
        asked=query.asked,
        total=total,
        shown=shown,
        pages=max(1, -(-total // PER_PAGE)),
        units=households().units.valid_on(query.as_of),
        statuses=STATUSES,
    )
