"""One commune decision for many households (all or nothing)."""

from __future__ import annotations

from typing import Any

from application import commands as c
from application.recorded import BatchRecognised
from web import schemas as s
from web.api.common import IDEMPOTENCY_HEADER, REPLAYED_HEADER, blueprint, problems, recording
from web.auth import current_user
from web.context import recorder

blp = blueprint(
    "recognitions",
    "Commune decisions (quyết định công nhận) that recognise many households at once.",
)


@blp.route("/recognitions", methods=["POST"])
@recording("recognition")
@blp.arguments(s.BatchRecognitionSchema)
@blp.response(201, s.BatchRecognisedSchema, headers=REPLAYED_HEADER)
@problems(blp, 400, 401, 403, 409, 413, 415, 422, 503)
@blp.doc(parameters=[IDEMPOTENCY_HEADER])
def recognise_many(data: dict[str, Any]) -> BatchRecognised:
    """Record one decision for many households

    Every listed household must lie in `unit` (a commune code valid on `effective_on`) and
    appear once. Either every recognition is recorded (in one transaction) or none is: any
    refused item answers 422 with the item's path (`items.3.status`) and stores nothing.
    `If-Match` does not apply to a batch.
    """
    user = current_user()
    items = [c.DecisionItem(i["household_id"], i["status"]) for i in data.pop("items")]
    command = c.RecogniseMany(recorded_by=user.name, items=items, **data)
    return recorder().recognise_many(user, command)
