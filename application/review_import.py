"""Bulk import of review results (``chungtay import FILE.csv``): resumable, never duplicates.

Each row is one household's assessment from a review, optionally with the commune decision that
followed it. A row whose assessment (same date, standard, income and deprivations) or decision
(same number, date and status) is already recorded and not retracted is skipped, so running the
same file again — after a crash, or after fixing a bad row — records only what is missing.

Rows are checked first, all of them: a file with any malformed row records nothing. Then rows
are applied household by household, many households per transaction; a fact the domain refuses
stops the import at that row, and the transactions committed before it are kept (fix the row and
run the same file again).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from application.errors import HouseholdNotFound
from application.households import Households
from domain.events import Assessed, Recognised
from domain.situation import live_facts
from domain.text import nfc
from domain.vocabulary import REVIEW_KINDS, STATUSES

REQUIRED = ("code", "effective_on", "income_per_capita", "deprivations", "assessor")
OPTIONAL = (
    "kind",
    "list_year",
    "standard",
    "form",
    "status",
    "decision_number",
    "decision_on",
    "signed_by",
)
COLUMNS = REQUIRED + OPTIONAL


class ImportFileError(ValueError):
    """The file cannot be imported as it is: every problem, by line, and nothing recorded."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems[:20]) + (" …" if len(problems) > 20 else ""))
        self.problems = problems


class ImportStopped(ValueError):
    """A row was refused by the domain; rows before it are recorded."""

    def __init__(self, line: int, message: str, summary: ImportSummary) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.summary = summary


@dataclass(frozen=True)
class ReviewRow:
    """One parsed row: an assessment and, optionally, the decision on it."""

    line: int
    code: str
    effective_on: date
    income_per_capita: int
    deprivations: tuple[str, ...]
    assessor: str
    kind: str | None = None
    list_year: int | None = None
    standard: str | None = None
    form: str = ""
    status: str | None = None
    decision_number: str | None = None
    decision_on: date | None = None
    signed_by: str | None = None


@dataclass
class ImportSummary:
    """What an import did."""

    rows: int = 0
    assessments_recorded: int = 0
    assessments_skipped: int = 0
    decisions_recorded: int = 0
    decisions_skipped: int = 0
    households: set[str] = field(default_factory=set)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary."""
        return {
            "rows": self.rows,
            "households": len(self.households),
            "assessments_recorded": self.assessments_recorded,
            "assessments_skipped": self.assessments_skipped,
            "decisions_recorded": self.decisions_recorded,
            "decisions_skipped": self.decisions_skipped,
        }


def _text(raw: dict[str, str], key: str) -> str:
    return nfc(raw.get(key) or "")


def _date(raw: dict[str, str], key: str, problems: list[str], line: int) -> date | None:
    value = _text(raw, key)
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        problems.append(f"line {line}: {key} {value!r} is not an ISO date (YYYY-MM-DD)")
        return None


def _int(raw: dict[str, str], key: str, problems: list[str], line: int) -> int | None:
    value = _text(raw, key)
    if not value:
        return None
    if not value.isdigit():
        problems.append(f"line {line}: {key} {value!r} must be a whole number (VND, no separators)")
        return None
    return int(value)


def parse_rows(
    header: Sequence[str], rows: Iterable[tuple[int, dict[str, str]]]
) -> list[ReviewRow]:
    """Check every row; raise :class:`ImportFileError` listing all problems, or return them."""
    problems: list[str] = []
    unknown = [h for h in header if h not in COLUMNS]
    missing = [c for c in REQUIRED if c not in header]
    if unknown:
        problems.append(f"unknown column(s): {', '.join(unknown)} (known: {', '.join(COLUMNS)})")
    if missing:
        problems.append(f"missing column(s): {', '.join(missing)}")
    if problems:
        raise ImportFileError(problems)
    parsed: list[ReviewRow] = []
    for line, raw in rows:
        before = len(problems)
        for key in REQUIRED:
            if key != "deprivations" and not _text(raw, key):
                problems.append(f"line {line}: {key} is required")
        effective_on = _date(raw, "effective_on", problems, line)
        income = _int(raw, "income_per_capita", problems, line)
        list_year = _int(raw, "list_year", problems, line)
        decision_on = _date(raw, "decision_on", problems, line)
        kind = _text(raw, "kind") or None
        if kind is not None and kind not in REVIEW_KINDS:
            problems.append(f"line {line}: kind must be one of {', '.join(REVIEW_KINDS)}")
        status = _text(raw, "status") or None
        decision = [_text(raw, "decision_number"), _text(raw, "signed_by")]
        if status is not None:
            if status not in STATUSES:
                problems.append(f"line {line}: status must be one of {', '.join(STATUSES)}")
            if not all(decision):
                problems.append(f"line {line}: a status needs decision_number and signed_by")
        elif any(decision) or decision_on is not None:
            problems.append(f"line {line}: decision columns need a status")
        if len(problems) > before or effective_on is None or income is None:
            continue
        parsed.append(
            ReviewRow(
                line=line,
                code=_text(raw, "code"),
                effective_on=effective_on,
                income_per_capita=income,
                deprivations=tuple(
                    sorted({d.strip() for d in _text(raw, "deprivations").split(";") if d.strip()})
                ),
                assessor=_text(raw, "assessor"),
                kind=kind,
                list_year=list_year,
                standard=_text(raw, "standard") or None,
                form=_text(raw, "form"),
                status=status,
                decision_number=decision[0] or None,
                decision_on=decision_on or (effective_on if status else None),
                signed_by=decision[1] or None,
            )
        )
    if problems:
        raise ImportFileError(problems)
    return parsed


def _already_assessed(live: Sequence[Any], row: ReviewRow) -> bool:
    return any(
        type(f) is Assessed
        and f.effective_on == row.effective_on
        and f.income_per_capita == row.income_per_capita
        and tuple(f.deprivations) == row.deprivations
        and (row.standard is None or f.standard == row.standard)
        for f in live
    )


def _already_decided(live: Sequence[Any], row: ReviewRow) -> bool:
    return any(
        type(f) is Recognised
        and f.decision_number == row.decision_number
        and f.effective_on == row.decision_on
        and f.status == row.status
        for f in live
    )


def import_reviews(
    app: Households,
    rows: Sequence[ReviewRow],
    *,
    recorded_by: str,
    batch_households: int = 200,
    progress: Callable[[int], None] | None = None,
) -> ImportSummary:
    """Record what is not yet recorded, many households per transaction."""
    summary = ImportSummary(rows=len(rows))
    by_household: dict[str, list[ReviewRow]] = {}
    for row in rows:
        by_household.setdefault(row.code, []).append(row)
    codes = list(by_household)
    for start in range(0, len(codes), batch_households):
        chunk = codes[start : start + batch_households]
        done = ImportSummary()
        with app.batch():
            for code in chunk:
                for row in sorted(by_household[code], key=lambda r: (r.effective_on, r.line)):
                    _apply(app, row, recorded_by, done, summary)
        _merge(summary, done)  # counted only once its transaction has committed
        if progress is not None:
            progress(sum(len(by_household[c]) for c in chunk))
    return summary


def _merge(total: ImportSummary, part: ImportSummary) -> None:
    total.assessments_recorded += part.assessments_recorded
    total.assessments_skipped += part.assessments_skipped
    total.decisions_recorded += part.decisions_recorded
    total.decisions_skipped += part.decisions_skipped
    total.households |= part.households


def _apply(
    app: Households, row: ReviewRow, recorded_by: str, summary: ImportSummary, total: ImportSummary
) -> None:
    try:
        live = live_facts(app.get(row.code).facts)
    except HouseholdNotFound:
        raise ImportStopped(
            row.line, f"no household {row.code}: register it first", total
        ) from None
    summary.households.add(row.code)
    try:
        if _already_assessed(live, row):
            summary.assessments_skipped += 1
        else:
            app.assess(
                row.code,
                effective_on=row.effective_on,
                recorded_by=recorded_by,
                income_per_capita=row.income_per_capita,
                deprivations=list(row.deprivations),
                assessor=row.assessor,
                form=row.form,
                kind=row.kind,
                list_year=row.list_year,
                standard=row.standard,
            )
            summary.assessments_recorded += 1
        if row.status is None:
            return
        live = live_facts(app.get(row.code).facts)
        if _already_decided(live, row):
            summary.decisions_skipped += 1
            return
        assert row.decision_on is not None and row.decision_number and row.signed_by
        app.recognise(
            row.code,
            effective_on=row.decision_on,
            recorded_by=recorded_by,
            status=row.status,
            decision_number=row.decision_number,
            signed_by=row.signed_by,
            list_year=row.list_year,
        )
        summary.decisions_recorded += 1
    except ValueError as e:
        message = getattr(e, "message", None) or str(e)
        where = getattr(e, "field", None)
        raise ImportStopped(row.line, f"{where}: {message}" if where else message, total) from None
