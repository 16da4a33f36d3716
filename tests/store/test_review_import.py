"""``chungtay import FILE.csv``: checked first, resumable, never duplicates (both stores)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from tests.factories import register
from web.bootstrap import build_application
from web.cli import cli

HEADER = "code,effective_on,kind,income_per_capita,deprivations,assessor,status,decision_number,decision_on,signed_by\n"
ROWS = [
    "01564-0001,2017-10-02,periodic,650000,health_insurance;domestic_water,Lý Văn Hùng,poor,12/QĐ-UBND,2017-12-05,Chủ tịch UBND xã\n",
    "01564-0002,2017-10-03,periodic,1100000,,Lý Văn Hùng,,,,\n",
    "01564-0001,2018-10-02,periodic,950000,health_insurance,Lý Văn Hùng,near_poor,30/QĐ-UBND,2018-12-05,Chủ tịch UBND xã\n",
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
