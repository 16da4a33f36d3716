"""What-if classification: records nothing."""

from __future__ import annotations

from typing import Any

from domain.standards import Classification, ClassificationInputError, UnknownStandardError
from web import schemas as s
from web.api.common import blueprint, problems
from web.context import households
from web.problems import Problem

blp = blueprint("classify", "What-if classification under a poverty standard; records nothing.")


@blp.route("/classify", methods=["POST"])
@blp.arguments(s.ClassifySchema)
@blp.response(200, s.ClassificationSchema)
@problems(blp, 400, 401, 413, 422)
def classify(data: dict[str, Any]) -> Classification:
    """Classify income and deprivations (what-if)

    Applies the rule of `standard` to an `area_type`, an `income_per_capita` (integer VND per
    person per month) and `deprivations` (indicator codes of that standard). Nothing is
    recorded. Any authenticated user may call it.
    """
    app = households()
    try:
        result = app.standards.classify(
            data["standard"], data["area_type"], data["income_per_capita"], data["deprivations"]
        )
    except (ClassificationInputError, UnknownStandardError) as e:
        field = "income_per_capita" if "income" in str(e) else "deprivations"
        if isinstance(e, UnknownStandardError):
            field = "standard"
        raise Problem(422, str(e), errors={field: [str(e)]}) from None
    return result
