"""``/audit``: for auditors, the whole store verified against its signed checkpoints, and what
late entries and corrections changed in a unit between two moments.

The same use cases as ``GET /audit/verify`` and ``GET /audit/diff``; each household the diff
shows links to its page as known at both moments, and is written to the access log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from flask import Blueprint, request

from application.changes import status_diff
from application.errors import InvalidInput
from domain.units import UnknownUnitError
from web.api.common import log_reads
from web.api.context import services
from web.auth import requires
from web.pages.context import audit, households
from web.pages.frame import render
from web.pages.inputs import optional_date, optional_moment

blp = Blueprint("audit", __name__)


@dataclass(frozen=True)
class DiffQuery:
    """A unit, a date, and two moments of knowledge."""

    unit: str
    as_of: date
    known_from: datetime
    known_to: datetime


def _diff_query() -> DiffQuery | None:
    """The diff asked for in the query string (None when the form was not sent)."""
    args = request.args
    if not args.get("unit"):
        return None
    zone = households().zone
    as_of = optional_date("as_of", args.get("as_of"))
    known_from = optional_moment("from", args.get("from"), zone)
    known_to = optional_moment("to", args.get("to"), zone)
    if as_of is None or known_from is None or known_to is None:
        raise InvalidInput("as_of", "give the date and both moments to compare")
    return DiffQuery(args["unit"].strip(), as_of, known_from, known_to)


def _defaults() -> dict[str, str]:
    app = households()
    today = app.today()
    start = datetime.combine(date(today.year, 1, 1), time(0, 0))
    return {
        "as_of": date(today.year - 1, 12, 31).isoformat(),
        "from": start.strftime("%Y-%m-%dT%H:%M"),
        "to": app.now().astimezone(app.zone).strftime("%Y-%m-%dT%H:%M"),
    }


def _page(verification: dict[str, Any] | None = None) -> tuple[str, int]:
    app = households()
    query = _diff_query()
    diff = None
    if query is not None:
        try:
            diff = status_diff(
                app,
                unit=query.unit,
                as_of=query.as_of,
                known_from=query.known_from,
                known_to=query.known_to,
                read_models=services().read_side,
            )
        except UnknownUnitError as e:
            raise InvalidInput("unit", str(e)) from None
        log_reads(c["household_id"] for c in diff["changes"])
    return render(
        "audit.html",
        active="audit",
        units=app.units.valid_on(app.today()),
        form={**_defaults(), **request.args.to_dict()},
        diff=diff,
        verification=verification,
    )


@blp.route("/audit", methods=["GET"], endpoint="page")
@requires("auditor")
def audit_page() -> tuple[str, int]:
    """The verify button and the diff form (and its result when asked)."""
    return _page()


@blp.route("/audit/verify", methods=["POST"], endpoint="verify")
@requires("auditor")
def verify_store() -> tuple[str, int]:
    """Verify every chain, version sequence, Merkle root and signature."""
    return _page(audit().verify().to_dict(max_problems=20))
