"""The command line: classify at every line, status and history, exit codes."""

from __future__ import annotations

import json
from datetime import date

import pytest
from click.testing import CliRunner

from application.commands import Recognise
from web.cli import cli

LINES = [
    # standard, area, line, band line (or None)
    ("2016-2020", "rural", 700_000, 1_000_000),
    ("2016-2020", "urban", 900_000, 1_300_000),
    ("2021-2025", "rural", 1_500_000, None),
    ("2021-2025", "urban", 2_000_000, None),
    ("2026-2030", "rural", 2_200_000, None),
    ("2026-2030", "urban", 2_800_000, None),
]
THREE = {
    "2016-2020": "health_insurance,adult_education,domestic_water",
    "2021-2025": "employment,nutrition,health_insurance",
    "2026-2030": "employment,nutrition,waste_treatment",
}


def expected(
    standard: str, line: int, band: int | None, income: int, deprived: bool
) -> tuple[str, str]:
    if band is not None:  # 2016-2020
        if income <= line:
            return "poor", "income"
        if income <= band:
            return (
                ("poor", "income_and_deprivation")
                if deprived
                else ("near_poor", "near_poor_income")
            )
        return "not_poor", "above_lines"
    if income <= line:
        return ("poor", "income_and_deprivation") if deprived else ("near_poor", "near_poor_income")
    return "not_poor", "above_lines"


CASES = [
    (standard, area, income, deprived)
    for standard, area, line, band in LINES
    for edge in [line, *([band] if band else [])]
    for income in (edge - 1, edge, edge + 1)
    for deprived in (False, True)
]


@pytest.mark.parametrize(("standard", "area", "income", "deprived"), CASES)
def test_classify_gives_the_legal_answer_at_every_line(
    standard: str, area: str, income: int, deprived: bool
) -> None:
    line, band = next((ln, b) for s, a, ln, b in LINES if (s, a) == (standard, area))
    args = ["classify", "--standard", standard, "--area", area, "--income", str(income), "--json"]
    if deprived:
        args += ["--deprived", THREE[standard]]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (data["status"], data["route"]) == expected(standard, line, band, income, deprived)
    assert data["deprivation_count"] == (3 if deprived else 0)
    assert data["thresholds"]["poverty_line"] == line


@pytest.mark.parametrize(
    "args",
    [
        [
            "classify",
            "--standard",
            "2016-2020",
            "--area",
            "rural",
            "--income",
            "5",
            "--deprived",
            "waste_treatment",
        ],
        ["classify", "--standard", "1999", "--area", "rural", "--income", "5"],
        ["classify", "--standard", "2016-2020", "--area", "mountain", "--income", "5"],
        ["classify", "--standard", "2016-2020", "--area", "rural", "--income", "5.5"],
        ["status", "x", "--as-of", "2020-13-01"],
        ["status", "x", "--known-at", "2020-01-01T00:00:00"],
    ],
)
def test_usage_errors_exit_2(args: list[str]) -> None:
    assert CliRunner().invoke(cli, args).exit_code == 2


def test_status_and_history_by_code_with_time_travel(store, monkeypatch) -> None:
    from tests.factories import register
    from web.bootstrap import build_application

    monkeypatch.setenv("CHUNGTAY_DATABASE_URL", store.url)
    app = build_application(store.settings)
    hid = register(app).household_id
    app.recognise(
        Recognise(
            household=hid,
            effective_on=date(2017, 12, 1),
            recorded_by="o",
            status="poor",
            decision_number="5/QĐ",
            signed_by="chair",
        )
    )
    first = app.get(hid).facts[0].timestamp.isoformat()
    app.close()
    runner = CliRunner()
    now = json.loads(
        runner.invoke(cli, ["status", "01564-0001", "--as-of", "2018-01-01", "--json"]).output
    )
    assert (now["status"], now["transition"], now["version"]) == ("poor", "newly_poor", 2)
    then = json.loads(
        runner.invoke(
            cli, ["status", hid, "--as-of", "2018-01-01", "--known-at", first, "--json"]
        ).output
    )
    assert (then["status"], then["recognised"], then["version"]) == ("not_poor", False, 1)
    text = runner.invoke(cli, ["status", "01564-0001", "--as-of", "2018-01-01"])
    assert text.exit_code == 0 and "newly_poor" in text.output
    hist = json.loads(runner.invoke(cli, ["history", "01564-0001", "--json"]).output)
    assert [f["type"] for f in hist["facts"]] == ["registration", "recognition"]
    assert all(len(f["hash"]) == 64 for f in hist["facts"])
    missing = runner.invoke(cli, ["status", "01564-9999"])
    assert missing.exit_code == 1 and "no household" in missing.output
    early = runner.invoke(cli, ["history", hid, "--known-at", "2000-01-01T00:00:00+00:00"])
    assert early.exit_code == 1


def test_an_uninitialised_store_is_a_clear_error(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("CHUNGTAY_DATABASE_URL", f"sqlite:///{tmp_path}/none.sqlite")
    result = CliRunner().invoke(cli, ["status", "01564-0001"])
    assert result.exit_code == 1
    assert "run `chungtay init`" in result.output
    assert not (tmp_path / "none.sqlite").exists()
