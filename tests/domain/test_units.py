"""Tests for the dated administrative-unit catalogue (domain/units/, domain/data/units.json)."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from datetime import date
from importlib import resources
from typing import Any

import pytest

from domain.units import (
    Unit,
    UnitCatalogue,
    UnitDataError,
    UnknownUnitError,
    load_units,
)

D = date.fromisoformat

BEFORE_REFORM = D("2025-06-30")
AFTER_REFORM = D("2025-07-01")
CAMPAIGN = D("2017-06-01")
AFTER_MERGER = D("2021-01-01")

OLD_COMMUNES = [
    "01534",
    "01537",
    "01540",
    "01543",
    "01546",
    "01549",
    "01552",
    "01555",
    "01558",
    "01561",
    "01564",
    "01567",
    "01570",
    "01573",
]
NEW_COMMUNES = ["01537", "01552", "01558", "01561"]

# Old code -> new code on 1 July 2025; Việt Chu (01564) and Thái Đức (01570) via Thống Nhất.
EXPECTED_2026 = {
    "01534": "01558",
    "01537": "01558",
    "01540": "01552",
    "01543": "01558",
    "01546": "01552",
    "01549": "01537",
    "01552": "01552",
    "01555": "01537",
    "01558": "01561",
    "01561": "01537",
    "01564": "01561",
    "01567": "01537",
    "01570": "01561",
    "01573": "01561",
}


@pytest.fixture(scope="module")
def cat() -> UnitCatalogue:
    return load_units()


@pytest.fixture
def raw() -> dict[str, Any]:
    """A fresh deep copy of the packaged JSON, safe to mutate."""
    text = resources.files("domain").joinpath("data/units.json").read_text(encoding="utf-8")
    return copy.deepcopy(json.loads(text))


def _unit(raw: dict[str, Any], code: str, valid_from: str = "2000-01-01") -> dict[str, Any]:
    for u in raw["units"]:
        if u["code"] == code and u["valid_from"] == valid_from:
            return u
    raise AssertionError(f"no unit {code}@{valid_from} in the data")


# --- loading -----------------------------------------------------------------------------------


def test_load_units_is_cached_and_versioned(cat: UnitCatalogue) -> None:
    assert load_units() is cat
    assert cat.data_version == "2026-12-01.1"
    assert len(cat.all_versions()) == 21


def test_packaged_json_round_trips(cat: UnitCatalogue, raw: dict[str, Any]) -> None:
    assert UnitCatalogue.from_dict(raw) == cat
    assert UnitCatalogue.from_dict(cat.to_dict()) == cat
    assert cat.to_dict()["units"] == sorted(
        raw["units"],
        key=lambda u: (
            ["province", "district", "commune"].index(u["level"]),
            u["code"],
            u["valid_from"],
        ),
    )


def test_unit_key_and_to_dict(cat: UnitCatalogue) -> None:
    unit = cat.resolve("01558", BEFORE_REFORM)
    assert unit.key == "01558@2000-01-01"
    d = unit.to_dict()
    assert d["valid_from"] == "2000-01-01"
    assert d["valid_to"] == "2025-06-30"
    assert [(f["valid_from"], f["valid_to"]) for f in d["flags"]] == [
        ("2000-01-01", "2016-12-31"),
        ("2017-01-01", "2020-12-31"),
        ("2021-01-01", "2025-06-30"),
    ]
    assert not any(f["especially_difficult"] or f["border"] or f["verified"] for f in d["flags"])
    shown = unit.view_on(CAMPAIGN)["flags"]
    assert (shown["valid_from"], shown["valid_to"]) == ("2017-01-01", "2020-12-31")
    json.dumps(d)  # JSON-ready
    assert cat.resolve("01558", AFTER_REFORM).key == "01558@2025-07-01"
    assert cat.resolve("04", AFTER_REFORM).to_dict()["valid_to"] is None


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (D("1999-12-31"), False),
        (D("2000-01-01"), True),
        (D("2025-06-30"), True),  # valid_to is inclusive
        (D("2025-07-01"), False),
    ],
)
def test_is_valid_on_is_inclusive(cat: UnitCatalogue, on: date, expected: bool) -> None:
    unit = cat.versions("01534")[0]
    assert unit.is_valid_on(on) is expected


# --- resolution of reused codes ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "on", "name", "kind", "area_type", "parent"),
    [
        ("01558", CAMPAIGN, "Thị trấn Thanh Nhật", "thị trấn", "urban", "048"),
        ("01558", BEFORE_REFORM, "Thị trấn Thanh Nhật", "thị trấn", "urban", "048"),
        ("01558", AFTER_REFORM, "Xã Lý Quốc", "xã", "rural", "04"),
        ("01561", BEFORE_REFORM, "Xã Vinh Quý", "xã", "rural", "048"),
        ("01561", AFTER_REFORM, "Xã Hạ Lang", "xã", "rural", "04"),
        ("01537", BEFORE_REFORM, "Xã Lý Quốc", "xã", "rural", "048"),
        ("01537", AFTER_REFORM, "Xã Vinh Quý", "xã", "rural", "04"),
        ("01552", BEFORE_REFORM, "Xã Quang Long", "xã", "rural", "048"),
        ("01552", D("2026-01-01"), "Xã Quang Long", "xã", "rural", "04"),
        ("048", BEFORE_REFORM, "Huyện Hạ Lang", "huyện", "rural", "04"),
        ("04", D("2030-01-01"), "Tỉnh Cao Bằng", "tỉnh", "rural", None),
    ],
)
def test_resolve_reused_codes(
    cat: UnitCatalogue,
    code: str,
    on: date,
    name: str,
    kind: str,
    area_type: str,
    parent: str | None,
) -> None:
    unit = cat.resolve(code, on)
    assert (unit.code, unit.name, unit.kind, unit.area_type, unit.parent) == (
        code,
        name,
        kind,
        area_type,
        parent,
    )
    assert cat.find(code, on) == unit


@pytest.mark.parametrize(
    ("code", "on", "message"),
    [
        (
            "01534",
            D("2026-01-01"),
            "unit 01534 is not valid on 2026-01-01 (it was valid 2000-01-01 to 2025-06-30; "
            "successor 01558)",
        ),
        (
            "048",
            AFTER_REFORM,
            "unit 048 is not valid on 2025-07-01 (it was valid 2000-01-01 to 2025-06-30; "
            "no successor)",
        ),
        (
            "01570",
            AFTER_MERGER,
            "unit 01570 is not valid on 2021-01-01 (it was valid 2000-01-01 to 2020-02-29; "
            "successor 01564)",
        ),
        (
            "01558",
            D("1999-01-01"),
            "unit 01558 is not valid on 1999-01-01 (its first version is valid 2000-01-01 to "
            "2025-06-30)",
        ),
        ("99999", AFTER_REFORM, "unknown unit code '99999'"),
    ],
)
def test_resolve_unknown_explains(cat: UnitCatalogue, code: str, on: date, message: str) -> None:
    with pytest.raises(UnknownUnitError) as excinfo:
        cat.resolve(code, on)
    assert str(excinfo.value) == message
    assert isinstance(excinfo.value, ValueError)
    assert cat.find(code, on) is None


# --- the 2020 merger ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "on", "valid"),
    [
        ("01570", D("2020-02-29"), True),
        ("01570", D("2020-03-01"), False),
        ("01571", D("2020-02-29"), False),  # never existed
    ],
)
def test_merged_communes_end_on_2020_02_29(
    cat: UnitCatalogue, code: str, on: date, valid: bool
) -> None:
    assert (cat.find(code, on) is not None) is valid


def test_merger_into_thong_nhat(cat: UnitCatalogue) -> None:
    """01564 was Việt Chu until 29 February 2020; with Thái Đức (01570) it became Thống Nhất,
    which took the code 01564 (a reused code); there was no Thống Nhất before."""
    before = cat.resolve("01564", D("2020-02-29"))
    after = cat.resolve("01564", D("2020-03-01"))
    assert (before.key, before.name) == ("01564@2000-01-01", "Xã Việt Chu")
    assert (after.key, after.name) == ("01564@2020-03-01", "Xã Thống Nhất")
    assert before.successor == "01564"
    assert after.valid_to == BEFORE_REFORM
    assert after.successor == "01561"
    for code in ("01564", "01570"):
        unit = cat.resolve(code, CAMPAIGN)
        assert unit.successor == "01564" and unit.code_verified is True
        assert cat.successor_on(code, CAMPAIGN, D("2020-03-01")) == after
    assert cat.resolve("01570", CAMPAIGN).name == "Xã Thái Đức"
    assert not cat.versions("01571")
    assert all(u.name != "Xã Thống Nhất" for u in cat.communes_on(D("2020-02-29")))
    assert len(cat.communes_on(D("2016-01-01"))) == 14


def test_unverified_dates_are_marked_in_notes(cat: UnitCatalogue) -> None:
    for key_code, valid_from in [
        ("01570", "2000-01-01"),
        ("01564", "2000-01-01"),
        ("01564", "2020-03-01"),
    ]:
        unit = next(u for u in cat.versions(key_code) if u.valid_from == D(valid_from))
        assert "unverified" in unit.notes
    assert not any("poverty-rules" in u.notes or "§" in u.notes for u in cat.all_versions())


# --- successors and crosswalk --------------------------------------------------------------------


@pytest.mark.parametrize(("old", "new"), sorted(EXPECTED_2026.items()))
def test_successor_on_for_every_old_commune(cat: UnitCatalogue, old: str, new: str) -> None:
    unit = cat.successor_on(old, CAMPAIGN, D("2026-01-01"))
    assert unit.code == new
    assert unit.valid_from == AFTER_REFORM
    assert unit.parent == "04"


def test_successor_on_same_day_and_within_validity(cat: UnitCatalogue) -> None:
    assert cat.successor_on("01558", CAMPAIGN, CAMPAIGN).name == "Thị trấn Thanh Nhật"
    assert cat.successor_on("01558", CAMPAIGN, BEFORE_REFORM).name == "Thị trấn Thanh Nhật"
    assert cat.successor_on("01558", CAMPAIGN, AFTER_REFORM).name == "Xã Hạ Lang"
    assert cat.successor_on("01558", AFTER_REFORM, D("2030-01-01")).name == "Xã Lý Quốc"


def test_successor_on_backwards(cat: UnitCatalogue) -> None:
    # Same unit, still valid earlier.
    assert cat.successor_on("01558", D("2024-01-01"), CAMPAIGN).key == "01558@2000-01-01"
    # Code 01564 before the merger was Việt Chu, which leads to the recorded Thống Nhất.
    assert cat.successor_on("01564", AFTER_MERGER, CAMPAIGN).key == "01564@2000-01-01"
    # A reused code is a different unit: 01558 in 2026 (Lý Quốc) was not Thanh Nhật.
    with pytest.raises(UnknownUnitError, match="no single predecessor"):
        cat.successor_on("01558", D("2026-01-01"), CAMPAIGN)
    # Same for 01561 (Hạ Lang in 2026, Vinh Quý in 2017, which went to 01537).
    with pytest.raises(UnknownUnitError, match="no single predecessor"):
        cat.successor_on("01561", D("2026-01-01"), CAMPAIGN)
    # 01552 Quang Long kept its code through the merger: the old commune is its predecessor.
    assert cat.successor_on("01552", D("2026-01-01"), CAMPAIGN).key == "01552@2000-01-01"


def test_successor_on_errors(cat: UnitCatalogue) -> None:
    with pytest.raises(UnknownUnitError, match="ended on 2025-06-30 with no successor"):
        cat.successor_on("048", CAMPAIGN, AFTER_REFORM)
    with pytest.raises(UnknownUnitError, match="not valid on 2026-01-01"):
        cat.successor_on("01534", D("2026-01-01"), D("2027-01-01"))


def test_crosswalk_2017_to_2026(cat: UnitCatalogue) -> None:
    assert cat.crosswalk(CAMPAIGN, D("2026-01-01")) == EXPECTED_2026


def test_crosswalk_2021_to_2026_and_identity(cat: UnitCatalogue) -> None:
    expected = {k: v for k, v in EXPECTED_2026.items() if k != "01570"}
    assert cat.crosswalk(AFTER_MERGER, D("2026-01-01")) == expected
    assert cat.crosswalk(AFTER_REFORM, D("2030-01-01")) == {c: c for c in NEW_COMMUNES}
    assert cat.crosswalk(CAMPAIGN, D("2020-03-01")) == {
        c: ("01564" if c == "01570" else c) for c in OLD_COMMUNES
    }


def test_crosswalk_backwards_is_rejected(cat: UnitCatalogue) -> None:
    with pytest.raises(ValueError, match="forward only"):
        cat.crosswalk(D("2026-01-01"), CAMPAIGN)


# --- hierarchy ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "on", "expected"),
    [
        ("048", CAMPAIGN, OLD_COMMUNES),
        ("048", D("2020-02-29"), OLD_COMMUNES),
        ("048", D("2020-03-01"), [c for c in OLD_COMMUNES if c != "01570"]),
        ("048", AFTER_MERGER, [c for c in OLD_COMMUNES if c != "01570"]),
        ("04", CAMPAIGN, ["048"]),
        ("04", D("2026-01-01"), NEW_COMMUNES),
    ],
)
def test_children(cat: UnitCatalogue, code: str, on: date, expected: list[str]) -> None:
    assert [u.code for u in cat.children(code, on)] == expected


def test_children_counts(cat: UnitCatalogue) -> None:
    assert len(cat.children("048", CAMPAIGN)) == 14
    assert len(cat.children("048", AFTER_MERGER)) == 13
    assert {u.name for u in cat.children("04", D("2026-01-01"))} == {
        "Xã Hạ Lang",
        "Xã Lý Quốc",
        "Xã Quang Long",
        "Xã Vinh Quý",
    }


def test_children_of_invalid_unit_raises(cat: UnitCatalogue) -> None:
    with pytest.raises(UnknownUnitError, match="unit 048 is not valid on 2025-07-01"):
        cat.children("048", AFTER_REFORM)


@pytest.mark.parametrize(
    ("code", "on", "expected"),
    [
        ("01558", CAMPAIGN, ["048", "04"]),
        ("01558", AFTER_REFORM, ["04"]),
        ("048", CAMPAIGN, ["04"]),
        ("04", CAMPAIGN, []),
    ],
)
def test_ancestors(cat: UnitCatalogue, code: str, on: date, expected: list[str]) -> None:
    assert [u.code for u in cat.ancestors(code, on)] == expected


@pytest.mark.parametrize(
    ("ancestor", "unit", "on", "expected"),
    [
        ("04", "01558", CAMPAIGN, True),
        ("048", "01558", CAMPAIGN, True),
        ("01558", "01558", CAMPAIGN, True),
        ("04", "048", CAMPAIGN, True),
        ("048", "04", CAMPAIGN, False),
        ("01534", "01558", CAMPAIGN, False),
        ("048", "01570", CAMPAIGN, True),
        ("04", "01558", AFTER_REFORM, True),
        ("01558", "01558", AFTER_REFORM, True),
        ("048", "01558", AFTER_REFORM, False),  # the district no longer exists
        ("01534", "01558", AFTER_REFORM, False),  # an old code that no longer exists
        ("01537", "01558", AFTER_REFORM, False),
    ],
)
def test_contains(cat: UnitCatalogue, ancestor: str, unit: str, on: date, expected: bool) -> None:
    assert cat.contains(ancestor, unit, on) is expected


def test_contains_unknown_unit_raises(cat: UnitCatalogue) -> None:
    with pytest.raises(UnknownUnitError):
        cat.contains("04", "01570", AFTER_REFORM)


@pytest.mark.parametrize(
    ("on", "count"),
    [
        (D("1999-12-31"), 0),
        (CAMPAIGN, 14),
        (D("2020-02-29"), 14),
        (D("2020-03-01"), 13),
        (AFTER_MERGER, 13),
        (BEFORE_REFORM, 13),
        (AFTER_REFORM, 4),
        (D("2026-01-01"), 4),
    ],
)
def test_communes_on_counts(cat: UnitCatalogue, on: date, count: int) -> None:
    communes = cat.communes_on(on)
    assert len(communes) == count
    assert all(u.level == "commune" for u in communes)
    assert [u.code for u in communes] == sorted(u.code for u in communes)


def test_valid_on_sorted_by_level_then_code(cat: UnitCatalogue) -> None:
    assert [u.code for u in cat.valid_on(CAMPAIGN)] == ["04", "048", *OLD_COMMUNES]
    assert [u.code for u in cat.valid_on(D("2026-01-01"))] == ["04", *NEW_COMMUNES]
    assert cat.valid_on(D("1999-01-01")) == []


# --- flags -------------------------------------------------------------------------------------

BORDER_OLD = {
    "01534",
    "01537",
    "01543",
    "01540",
    "01549",
    "01552",
    "01564",
    "01567",
    "01573",
    "01570",
}


def test_flags(cat: UnitCatalogue) -> None:
    for unit in cat.all_versions():
        for flags in unit.flags:
            assert flags.verified is False and flags.basis, unit.key
            if unit.level != "commune":
                assert (flags.especially_difficult, flags.border) == (False, False)
                continue
            assert flags.especially_difficult is (unit.kind == "xã"), unit.key
            expected_border = unit.valid_from == AFTER_REFORM or unit.code in BORDER_OLD
            assert flags.border is expected_border, unit.key
    assert cat.resolve("01558", CAMPAIGN).flags_on(CAMPAIGN).especially_difficult is False


@pytest.mark.parametrize(
    ("code", "on", "expected_period"),
    [
        ("01549", D("2016-12-31"), ("2000-01-01", "2016-12-31")),
        ("01549", D("2017-01-01"), ("2017-01-01", "2020-12-31")),
        ("01549", D("2020-12-31"), ("2017-01-01", "2020-12-31")),
        ("01549", D("2021-01-01"), ("2021-01-01", "2025-06-30")),
        ("01570", D("2020-02-29"), ("2017-01-01", "2020-02-29")),
        ("01537", D("2026-05-01"), ("2025-07-01", None)),
    ],
)
def test_flags_hold_for_their_own_periods(
    cat: UnitCatalogue, code: str, on: date, expected_period: tuple[str, str | None]
) -> None:
    flags = cat.resolve(code, on).flags_on(on)
    assert (flags.valid_from.isoformat(), flags.valid_to and flags.valid_to.isoformat()) == (
        expected_period
    )


def test_the_year_judged_reads_the_flags_of_its_last_day(raw: dict[str, Any]) -> None:
    kim_loan = _unit(raw, "01549")
    kim_loan["flags"][1]["especially_difficult"] = False  # 2017-2020: no longer flagged
    unit = UnitCatalogue.from_dict(raw).resolve("01549", CAMPAIGN)
    assert unit.flagged_in(2016).especially_difficult is True
    assert unit.flagged_in(2017).especially_difficult is False
    assert unit.flagged_in(2021).especially_difficult is True
    thai_duc = UnitCatalogue.from_dict(raw).resolve("01570", CAMPAIGN)
    assert thai_duc.flagged_in(2020) == thai_duc.flags_on(D("2020-02-29"))  # it ended in 2020


# --- validation --------------------------------------------------------------------------------


def _set(code: str, field: str, value: Any, valid_from: str = "2000-01-01") -> Callable[..., None]:
    def mutate(raw: dict[str, Any]) -> None:
        _unit(raw, code, valid_from)[field] = value

    return mutate


def _span(code: str, field: str, value: Any, valid_from: str = "2000-01-01") -> Callable[..., None]:
    """Move a unit's validity, its flags following (one period over the whole new span)."""

    def mutate(raw: dict[str, Any]) -> None:
        unit = _unit(raw, code, valid_from)
        unit[field] = value
        unit["flags"] = [
            {**unit["flags"][0], "valid_from": unit["valid_from"], "valid_to": unit["valid_to"]}
        ]

    return mutate


def _del(code: str, field: str) -> Callable[..., None]:
    def mutate(raw: dict[str, Any]) -> None:
        del _unit(raw, code)[field]

    return mutate


def _add_version(raw: dict[str, Any]) -> None:
    extra = copy.deepcopy(_unit(raw, "01546"))
    extra["valid_from"] = "2010-01-01"
    extra["valid_to"] = "2012-01-01"
    extra["flags"] = [{**extra["flags"][0], "valid_from": "2010-01-01", "valid_to": "2012-01-01"}]
    raw["units"].append(extra)


def _flag(raw: dict[str, Any]) -> None:
    _unit(raw, "01546")["flags"][0]["border"] = "no"


def _drop_flag(raw: dict[str, Any]) -> None:
    del _unit(raw, "01546")["flags"][0]["verified"]


def _flag_gap(raw: dict[str, Any]) -> None:
    _unit(raw, "01546")["flags"][1]["valid_from"] = "2017-01-02"


def _flag_short(raw: dict[str, Any]) -> None:
    _unit(raw, "01546")["flags"][2]["valid_to"] = "2024-12-31"


def _flag_open(raw: dict[str, Any]) -> None:
    _unit(raw, "01546")["flags"][2]["valid_to"] = None


def _top(key: str, value: Any) -> Callable[..., None]:
    def mutate(raw: dict[str, Any]) -> None:
        raw[key] = value

    return mutate


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        # overlapping versions of the same code
        (_span("01564", "valid_from", "2020-02-01", "2020-03-01"), "overlap"),
        (_span("01564", "valid_to", None), "overlap"),
        (_add_version, "overlap"),
        # valid_to before valid_from
        (_set("01546", "valid_to", "1999-12-31"), "is before valid_from"),
        # parent unknown, or not valid on every day the child is
        (_set("01546", "parent", "049"), "parent 049 is not valid"),
        (_span("048", "valid_to", "2024-12-31"), "parent 048 is not valid"),
        (_span("01546", "valid_from", "1999-01-01"), "parent 048 is not valid"),
        (_set("01546", "parent", "01534"), "not above"),
        (_set("048", "parent", None), "must have a parent"),
        (_set("04", "parent", "048"), "must not have a parent"),
        # successor not valid the day after valid_to
        (_set("01534", "successor", "01546"), "successor 01546 is not valid on 2025-07-01"),
        (_set("01534", "successor", "99999"), "successor 99999 is not valid"),
        (_span("01570", "valid_to", "2025-06-30"), "successor 01564 is not valid on 2025-07-01"),
        (_set("01561", "successor", "01558", "2025-07-01"), "never ends"),
        # unknown level / kind / area_type
        (_set("01546", "level", "village"), "unknown level 'village'"),
        (_set("01546", "kind", "thôn"), "unknown kind 'thôn'"),
        (_set("048", "kind", "xã"), "unknown kind 'xã' for level district"),
        (_set("01546", "area_type", "suburban"), "unknown area_type 'suburban'"),
        (_set("01558", "area_type", "rural"), "a thị trấn must have area_type 'urban'"),
        # malformed fields
        (_set("01546", "valid_from", "2000-13-01"), "invalid ISO date"),
        (_set("01546", "valid_from", 2000), "expected an ISO date string"),
        (_set("01546", "code", "1546"), "a commune code must be 5 digits"),
        (_set("01546", "name", " "), "name must be a non-empty string"),
        (_set("01546", "code_verified", "yes"), "code_verified must be a boolean"),
        (_set("01546", "notes", None), "notes must be a string"),
        (_set("01546", "surprise", 1), "unknown fields ['surprise']"),
        (_del("01546", "flags"), "missing fields ['flags']"),
        (_flag, "flag border must be a boolean"),
        (_drop_flag, "flags must have exactly the keys"),
        (_set("01546", "flags", []), "flags must be a non-empty list of periods"),
        (_flag_gap, "must follow one another"),
        (_flag_short, "must end when the unit does"),
        (_flag_open, "never ends but the unit does"),
        (_top("data_version", ""), "data_version must be a non-empty string"),
        (_top("units", {}), "units must be a list"),
        (_top("extra", 1), "unknown top-level fields"),
    ],
)
def test_validation_errors(
    raw: dict[str, Any], mutate: Callable[[dict[str, Any]], None], message: str
) -> None:
    UnitCatalogue.from_dict(raw)  # the unmodified data is valid
    mutate(raw)
    with pytest.raises(UnitDataError, match=re.escape(message)):
        UnitCatalogue.from_dict(raw)


def test_validation_error_is_value_error() -> None:
    assert issubclass(UnitDataError, ValueError)
    assert issubclass(UnknownUnitError, ValueError)


def test_unit_is_frozen(cat: UnitCatalogue) -> None:
    unit: Unit = cat.resolve("01558", CAMPAIGN)
    with pytest.raises(AttributeError):
        unit.name = "x"  # type: ignore[misc]
