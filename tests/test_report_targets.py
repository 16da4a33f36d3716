"""A year's reduction target follows the flag valid on the last day of that year."""

from __future__ import annotations

import json
from datetime import date
from importlib import resources

from application.reports.targets import target_pp
from domain.units import UnitCatalogue


def test_the_target_follows_the_flag_of_the_year_judged() -> None:
    raw = json.loads(resources.files("domain.data").joinpath("units.json").read_text("utf-8"))
    kim_loan = next(u for u in raw["units"] if u["code"] == "01549")
    kim_loan["flags"][1]["especially_difficult"] = False  # 2017-2020: no longer flagged
    catalogue = UnitCatalogue.from_dict(raw)
    unit = catalogue.resolve("01549", date(2018, 6, 30))
    assert [target_pp(unit, year) for year in (2016, 2017, 2018, 2020, 2021)] == [5, 4, 4, 4, 5]
    assert target_pp(catalogue.resolve("01558", date(2018, 6, 30)), 2018) == 4  # the town
    assert target_pp(None, 2018) == 4
