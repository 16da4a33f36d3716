"""The administrative units catalogue."""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE

from web import schemas as s
from web.api.common import blueprint, problems
from web.context import households

blp = blueprint("units", "Administrative units (province, district, commune) by date.")


@blp.route("/units", methods=["GET"])
@blp.arguments(s.AsOfQuery, location="query", unknown=RAISE)
@blp.response(200, s.UnitsSchema)
@problems(blp, 401, 422)
def list_units(args: dict[str, Any]) -> dict[str, Any]:
    """The units valid on a date

    Every unit version valid on `as_of` (default today), province first, with its parent code,
    area type and the flags in force on that date (especially difficult, difficult, border; each
    set with its own validity, and marked unverified). Codes are reused (01564 was Việt Chu until
    2020, then Thống Nhất; several codes again after the 2025 reorganisation), so the same code
    may name different units on different dates.
    """
    app = households()
    on = args.get("as_of") or app.today()
    return app.units.listing(on)
