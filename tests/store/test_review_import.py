"""``chungtay import FILE.csv``: checked first, resumable, never duplicates (both stores)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.factories import register
from web.bootstrap import build_application
from web.cli import cli

HEADER = "code,effective_on,income_per_capita,deprivations,assessor,status,decision_number,decision_on,signed_by,kind\n"
ROWS = [
    "01564-0001,2017-10-02,650000,health_insurance;domestic_water,Lý Văn Hùng,poor,12/QĐ-UBND,2017-12-05,Chủ tịch UBND xã,periodic\n",
    "01564-0002,2017-10-03,1100000,,Lý Văn Hùng,,,,,periodic\n",
    "01564-0001,2018-10-02,950000,health_insurance,Lý Văn Hùng,near_poor,30/QĐ-UBND,2018-12-05,Chủ tịch UBND xã,periodic\n",
]


def _facts(store, code: str) -> list[str]:
    app = build_application(store.settings)
    try:
        return [type(f).__name__ for f in app.get(code).facts]
    finally:
        app.close()


def _run(store, monkeypatch, path: Path, *extra: str):
    monkeypatch.setenv("CHUNGTAY_DATABASE_URL", store.url)
    return CliRunner().invoke(cli, ["import", str(path), "--json", *extra])


def test_import_records_once_and_a_rerun_skips_everything(store, tmp_path, monkeypatch) -> None:
    app = build_application(store.settings)
    register(app, code="01564-0001")
    register(app, code="01564-0002")
    app.close()
    path = tmp_path / "review.csv"
    path.write_text("\ufeff" + HEADER + "".join(ROWS), encoding="utf-8")

    first = _run(store, monkeypatch, path, "--recorded-by", "officer.import")
    assert first.exit_code == 0, first.output
    summary = json.loads(first.output[first.output.index("{") :])
    assert summary["assessments_recorded"] == 3 and summary["decisions_recorded"] == 2
    assert _facts(store, "01564-0001") == [
        "Registered",
        "Assessed",
        "Recognised",
        "Assessed",
        "Recognised",
    ]

    again = _run(store, monkeypatch, path)
    assert again.exit_code == 0, again.output
    summary = json.loads(again.output[again.output.index("{") :])
    assert (summary["assessments_recorded"], summary["decisions_recorded"]) == (0, 0)
    assert (summary["assessments_skipped"], summary["decisions_skipped"]) == (3, 2)
    assert len(_facts(store, "01564-0001")) == 5


def test_a_malformed_file_records_nothing_and_names_every_line(
    store, tmp_path, monkeypatch
) -> None:
    app = build_application(store.settings)
    register(app, code="01564-0001")
    app.close()
    path = tmp_path / "bad.csv"
    path.write_text(
        HEADER
        + ROWS[0]
        + "01564-0001,2018-13-01,1.5,,x,,,,\n"
        + "01564-0001,2018-10-01,5,,x,rich,1,,c\n",
        encoding="utf-8",
    )
    result = _run(store, monkeypatch, path)
    assert result.exit_code == 1
    assert (
        "line 3" in result.output
        and "line 4" in result.output
        and "nothing was recorded" in result.output
    )
    assert _facts(store, "01564-0001") == ["Registered"]


def test_a_refused_row_stops_and_a_rerun_resumes(store, tmp_path, monkeypatch) -> None:
    app = build_application(store.settings)
    register(app, code="01564-0001")
    app.close()
    path = tmp_path / "review.csv"
    path.write_text(HEADER + ROWS[0] + ROWS[1], encoding="utf-8")  # 01564-0002 is not registered
    stopped = _run(store, monkeypatch, path)
    assert (
        stopped.exit_code == 1
        and "line 3" in stopped.output
        and "register it first" in stopped.output
    )
    app = build_application(store.settings)
    register(app, code="01564-0002")
    app.close()
    resumed = _run(store, monkeypatch, path)
    assert resumed.exit_code == 0, resumed.output
    assert _facts(store, "01564-0001").count("Assessed") == 1
    assert _facts(store, "01564-0002") == ["Registered", "Assessed"]


# -- the same field rules as the API, and clear errors for files that are not what they seem --


def _file_error(tmp_path: Path, monkeypatch, content: bytes) -> str:
    """Import a file into an empty SQLite store; return the output of the refusal."""
    monkeypatch.setenv("CHUNGTAY_DATABASE_URL", f"sqlite:///{tmp_path / 'none.sqlite'}")
    path = tmp_path / "in.csv"
    path.write_bytes(content)
    result = CliRunner().invoke(cli, ["import", str(path)])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result.output


@pytest.mark.parametrize(
    ("income", "expected"),
    [
        ("1" + "0" * 30, "1,000,000,000,000"),
        ("1000000000001", "1,000,000,000,000"),
        ("9" * 5000, "digits only"),
        ("1.5", "digits only"),
        ("²", "digits only"),
        ("-5", "digits only"),
    ],
    ids=["1e30", "cap+1", "5000 digits", "decimal", "superscript", "negative"],
)
def test_income_follows_the_api_rule(tmp_path, monkeypatch, income: str, expected: str) -> None:
    row = f"01564-0001,2017-10-02,{income},,Lý Văn Hùng,,,,\n"
    output = _file_error(tmp_path, monkeypatch, (HEADER + row).encode("utf-8"))
    assert "line 2: income_per_capita" in output and expected in output
    assert "nothing was recorded" in output


def test_a_file_that_is_not_utf8_is_refused_with_the_reason(tmp_path, monkeypatch) -> None:
    content = (HEADER + ROWS[0] + ROWS[1]).encode("utf-8")
    content = content.replace("Lý".encode(), "L\xfd".encode("latin-1"), 2)  # as Excel might save
    output = _file_error(tmp_path, monkeypatch, content)
    assert "line 2" in output and "not UTF-8" in output and "CSV UTF-8" in output


def test_a_semicolon_separated_file_is_named_as_such(tmp_path, monkeypatch) -> None:
    content = (HEADER + ROWS[1]).replace(",", ";").encode("utf-8")
    output = _file_error(tmp_path, monkeypatch, content)
    assert "separated by semicolons" in output and "comma-separated" in output


@pytest.mark.parametrize(
    ("cell", "value", "expected"),
    [
        ("code", "01564-0001\u200b", "household code"),
        ("code", "01564 0001", "household code"),
        ("effective_on", "20171002", "YYYY-MM-DD"),
        ("assessor", "L\u202eý", "control or format"),
    ],
)
def test_cells_follow_the_api_field_rules(
    tmp_path, monkeypatch, cell: str, value: str, expected: str
) -> None:
    fields = dict(
        zip(
            HEADER.strip().split(","),
            ["01564-0002", "2017-10-03", "1100000", "", "Lý Văn Hùng", "", "", "", "", "periodic"],
            strict=True,
        )
    )
    fields[cell] = value
    row = ",".join(fields.values()) + "\n"
    output = _file_error(tmp_path, monkeypatch, (HEADER + row).encode("utf-8"))
    assert f"line 2: {cell}" in output and expected in output


@pytest.mark.parametrize(
    ("changed", "what"),
    [
        (lambda r: r.replace("Lý Văn Hùng", "Hoàng Thị Mai", 1), "assessor 'Lý Văn Hùng'"),
        (lambda r: r.replace(",,Lý", ",,Lý", 1), None),
    ],
    ids=["other assessor", "same row"],
)
def test_a_row_that_differs_only_in_the_assessor_is_not_skipped_silently(
    store, tmp_path, monkeypatch, changed, what
) -> None:
    app = build_application(store.settings)
    register(app, code="01564-0002")
    app.close()
    path = tmp_path / "review.csv"
    path.write_text(HEADER + ROWS[1], encoding="utf-8")
    assert _run(store, monkeypatch, path).exit_code == 0
    path.write_text(HEADER + changed(ROWS[1]), encoding="utf-8")
    again = _run(store, monkeypatch, path)
    if what is None:
        assert again.exit_code == 0, again.output  # the same row: skipped, as recorded
    else:
        assert again.exit_code == 1
        assert "line 2" in again.output and what in again.output
        assert "neither records it twice nor skips it silently" in again.output
    assert _facts(store, "01564-0002") == ["Registered", "Assessed"]


def test_a_row_that_differs_only_in_the_list_year_is_not_skipped_silently(
    store, tmp_path, monkeypatch
) -> None:
    app = build_application(store.settings)
    register(app, code="01564-0001")
    app.close()
    header = HEADER.strip() + ",list_year\n"
    path = tmp_path / "review.csv"
    path.write_text(header + ROWS[0].strip() + ",2018\n", encoding="utf-8")
    assert _run(store, monkeypatch, path).exit_code == 0
    path.write_text(header + ROWS[0].strip() + ",2017\n", encoding="utf-8")
    again = _run(store, monkeypatch, path)
    assert again.exit_code == 1 and "list_year 2018" in again.output, again.output
    assert _facts(store, "01564-0001") == ["Registered", "Assessed", "Recognised"]


def test_classify_takes_the_same_money_rule() -> None:
    for income in ("1" + "0" * 30, "9" * 5000, "-1"):
        r = CliRunner().invoke(
            cli, ["classify", "--standard", "2021-2025", "--area", "rural", "--income", income]
        )
        assert r.exit_code == 2 and "whole number of VND" in r.output, r.output
