"""Small builders for test facts, so tests state only what matters to them."""

from __future__ import annotations

from datetime import date
from typing import Any

from application.commands import RegisterHousehold
from application.households import Households, Recorded

HEAD = {"name": "Nông Văn Tú", "birth_year": 1975, "sex": "male", "relation": "head"}


def register(app: Households, code: str = "01564-0001", **overrides: Any) -> Recorded:
    """Register a Nùng household in Thống Nhất (01564) on 2017-03-01 unless told otherwise."""
    fields: dict[str, Any] = {
        "recorded_by": "officer.thongnhat",
        "effective_on": date(2017, 3, 1),
        "code": code,
        "unit": "01564",
        "village": "Bản Khau",
        "head_name": HEAD["name"],
        "ethnicity": "Nùng",
        "members": [dict(HEAD)],
    }
    fields.update(overrides)
    return app.register(RegisterHousehold(**fields))
