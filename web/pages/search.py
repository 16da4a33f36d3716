"""``/households?q=&unit=&status=&as_of=``: find a household.

A code typed whole opens the household's page.
"""

from __future__ import annotations

from flask import Blueprint, Response, redirect, request, url_for

from application.errors import HouseholdNotFound
from web.pages.context import households
from web.pages.frame import render

blp = Blueprint("search", __name__)


@blp.route("/households", methods=["GET"], endpoint="page")
def search_page() -> Response | tuple[str, int]:
    """The search form; a whole household code goes straight to its page."""
    q = request.args.get("q", "").strip()
    if q:
        try:
            households().get(q)
        except (HouseholdNotFound, ValueError):
            pass
        else:
            return redirect(url_for("pages.household.page", code=q), code=303)  # type: ignore[return-value]
    return render("search.html", active="households", q=q, page=None)
