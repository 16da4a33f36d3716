"""``/``: the signed-in user's units at a glance, today.

For an officer or an inspector, each of its units; for admins and auditors (who read every
unit), the top units valid today. Each with the poverty report as of today (from the read
models, as the API's ``/reports/poverty``) and a link to each child unit's dashboard.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from application.accounts import SCOPED_ROLES, User
from web.auth import current_user
from web.context import households, reports
from web.pages.frame import render

blp = Blueprint("dashboard", __name__)


def _units_of(user: User) -> list[str]:
    """The units the dashboard shows: the user's own, or the roots of today's catalogue."""
    app = households()
    today = app.today()
    if user.role in SCOPED_ROLES:
        return [code for code in user.units if app.units.find(code, today) is not None]
    valid = app.units.valid_on(today)
    codes = {u.code for u in valid}
    return [u.code for u in valid if u.parent not in codes]


@blp.route("/", methods=["GET"], endpoint="page")
def dashboard() -> tuple[str, int]:
    """Poverty figures today for each of the user's units."""
    user = current_user()
    today = households().today()
    panels: list[dict[str, Any]] = [reports().poverty(code, today) for code in _units_of(user)]
    return render("dashboard.html", active="dashboard", panels=panels, today=today)
