"""One commune decision for many households (all or nothing)."""

from __future__ import annotations

from typing import Any

from application.errors import HouseholdNotFound
from web import schemas as s
from web.api.common import IDEMPOTENCY_HEADER, blueprint, problems, recording
from web.api.context import households
from web.auth import current_user, policy
from web.problems import Problem

blp = blueprint(
    "recognitions",
    "Commune decisions (quyết định công nhận) that recognise many households at once.",
)


@blp.route("/recognitions", methods=["POST"])
@recording("recognition")
@blp.arguments(s.BatchRecognitionSchema)
@blp.response(201, s.BatchRecognisedSchema)
@problems(blp, 400, 401, 403, 409, 413, 415, 422, 503)
@blp.doc(parameters=[IDEMPOTENCY_HEADER])
def recognise_many(data: dict[str, Any]) -> dict[str, Any]:
    """Record one decision for many households

    Every listed household must lie in `unit` (a commune code valid on `effective_on`) and
    appear once. Either every recognition is recorded (in one transaction) or none is: any
    refused item answers 422 with the item's path (`items.3.status`) and stores nothing.
    `If-Match` does not apply to a batch.
    """
    app = households()
    user = current_user()
    on = data["effective_on"]
    unit = app.units.find(data["unit"], on)
    if unit is None:
        msg = f"unit {data['unit']} is not valid on {on.isoformat()}"
        raise Problem(422, msg, errors={"unit": [msg]})
    if user.role != "admin":
        policy().require_unit(user, unit, on, "record decisions")
    for i, item in enumerate(data["items"]):
        try:
            household = app.get(item["household_id"])
        except HouseholdNotFound as e:
            raise Problem(
                422, str(e), errors={f"items.{i}.household_id": [f"no household {e.ref}"]}
            ) from None
        if user.role != "admin":
            today = household.situation(app.today())
            policy().require_record(user, household.situation(on), today, on, "record decisions")
    recorded = app.recognise_many(recorded_by=user.name, **data)
    return {
        "decision_number": data["decision_number"],
        "effective_on": on.isoformat(),
        "items": [r.to_dict() for r in recorded],
    }
