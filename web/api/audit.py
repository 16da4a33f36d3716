"""Audit: who read which household when."""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE

from application.errors import InvalidInput
from web import schemas as s
from web.api.common import blueprint, log_reads, problems
from web.auth import requires
from web.context import households, services
from web.limits import expensive

blp = blueprint(
    "audit",
    "For auditors: verification of the whole store, what corrections changed, and who read what.",
)


@blp.route("/audit/access-log", methods=["GET"])
@requires("auditor")
@blp.arguments(s.AccessLogQuery, location="query", unknown=RAISE)
@blp.response(200, s.AccessLogSchema)
@problems(blp, 401, 403, 422)
def access_log(args: dict[str, Any]) -> dict[str, Any]:
    """Who read which household when (auditors only)

    Every read of a household by an inspector or an auditor, oldest first, filtered by `user`,
    `household_id` (id or code) and the moments `from` and `to` (inclusive).
    """
    hid = None
    if args.get("household_id"):
        hid = str(households().household_id(args["household_id"]))
    page, per_page = args["page"], args["per_page"]
    entries, total = services().accounts.access_log(
        user_name=args.get("user"),
        household_id=hid,
        start=args.get("from_"),
        end=args.get("to"),
        limit=per_page,
        offset=(page - 1) * per_page,
    )
    return {
        "page": page,
        "per_page": per_page,
        "total": total,
        "items": [e.to_dict() for e in entries],
    }


@blp.route("/audit/verify", methods=["GET"])
@expensive(blp)
@requires("auditor")
@blp.response(200, s.VerifyReportSchema)
@problems(blp, 401, 403)
def verify() -> dict[str, Any]:
    """Verify the whole store against its signed checkpoints (auditors only)

    Recomputes every household's hash chain from the stored bytes, the version sequences, the
    Merkle root at each signed checkpoint and each signature. `ok` is false and `first_problem`
    names the first broken place (household, version, what is wrong) when anything was altered.
    The answer is 200 either way: the verification itself succeeded.
    """
    return services().audit.verify().to_dict()


@blp.route("/audit/diff", methods=["GET"])
@expensive(blp)
@requires("auditor")
@blp.arguments(s.AuditDiffQuery, location="query", unknown=RAISE)
@blp.response(200, s.AuditDiffSchema)
@problems(blp, 401, 403, 422)
def diff(args: dict[str, Any]) -> dict[str, Any]:
    """What late entries and corrections changed (auditors only)

    Every household of `unit` whose status on `as_of` differs between what was known at `from`
    and at `to`, with the facts recorded in between that caused it. Each household listed is
    written to the access log.
    """
    from application.changes import status_diff
    from domain.units import UnknownUnitError

    try:
        result = status_diff(
            households(),
            unit=args["unit"],
            as_of=args["as_of"],
            known_from=args["from_"],
            known_to=args["to"],
            read_models=services().read_side,
        )
    except UnknownUnitError as e:
        raise InvalidInput("unit", str(e)) from None
    log_reads(change["household_id"] for change in result["changes"])
    return result
