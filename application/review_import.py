"""Bulk import of review results (``chungtay import FILE.csv``): resumable, never duplicates.

Each row is one household's assessment from a review, optionally with the commune decision that
followed it. A row whose assessment (same date, income and deprivations, and the same assessor,
form, kind, list year and standard where the row gives them) or decision (same number, date and
status, signer and list year) is already recorded and not retracted is skipped, so running the
same file again — after a crash, or after fixing a bad row — records only what is missing. A row
that matches a recorded fact but differs in one of those details is neither recorded twice nor
skipped: the import stops at it and says what differs.

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
from domain import fields
from domain.events import Assessed, Recognised
from domain.fields import FieldRejected
from domain.situation import live_facts
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


class RowConflict(ValueError):
    """A row differs from a recorded fact only in details: recording it would duplicate the
    fact and skipping it would lose the difference, so the import stops and says which."""

    def __init__(self, what: str, message: str) -> None:
        super().__init__(
            f"{message}; the import neither records it twice nor skips it silently: correct "
            f"the row, or retract the recorded {what} first if the row is the correction"
        )


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


class _Row:
    """One raw row being checked: every problem found is added to ``problems`` by line."""

    def __init__(self, line: int, raw: dict[str, str], problems: list[str]) -> None:
        self.line = line
        self.raw = raw
        self.problems = problems

    def cell(self, key: str) -> str:
        """The cell as written, without the white space a spreadsheet leaves around it."""
        return (self.raw.get(key) or "").strip()

    def check(self, key: str, rule: Callable[..., Any], **kw: Any) -> Any:
        """The cell through a shared field rule (None when empty or refused)."""
        value = self.cell(key)
        if not value:
            return None
        try:
            return rule(value, key, **kw)
        except FieldRejected as e:
            self.problems.append(f"line {self.line}: {key}: {e.message}")
            return None

    def text(self, key: str, max_length: int = fields.SHORT_TEXT) -> str:
        """A text cell (NFC, no control or format characters)."""
        return self.check(key, fields.text, max_length=max_length, blank=True) or ""


def _header_problems(header: Sequence[str]) -> list[str]:
    if len(header) == 1 and ";" in header[0]:
        return [
            "the header is one column holding ';': the file is separated by semicolons (as some "
            "spreadsheets save CSV); save it as comma-separated CSV (UTF-8) and import it again"
        ]
    problems = []
    unknown = [h for h in header if h not in COLUMNS]
    missing = [c for c in REQUIRED if c not in header]
    if unknown:
        problems.append(f"unknown column(s): {', '.join(unknown)} (known: {', '.join(COLUMNS)})")
    if missing:
        problems.append(f"missing column(s): {', '.join(missing)}")
    return problems


def parse_rows(
    header: Sequence[str], rows: Iterable[tuple[int, dict[str, str]]]
) -> list[ReviewRow]:
    """Check every row; raise :class:`ImportFileError` listing all problems, or return them.

    The cells follow the same field rules as the HTTP API (:mod:`domain.fields`): household
    codes, ISO dates, whole VND up to the same cap, years, text without control characters.
    """
    problems = _header_problems(header)
    if problems:
        raise ImportFileError(problems)
    parsed: list[ReviewRow] = []
    for line, raw in rows:
        before = len(problems)
        row = _parse_row(_Row(line, raw, problems))
        if row is not None and len(problems) == before:
            parsed.append(row)
    if problems:
        raise ImportFileError(problems)
    return parsed


def _parse_row(r: _Row) -> ReviewRow | None:
    line, problems = r.line, r.problems
    for key in REQUIRED:
        if key != "deprivations" and not r.cell(key):
            problems.append(f"line {line}: {key} is required")
    code = r.check("code", fields.household_code)
    effective_on = r.check("effective_on", fields.iso_date)
    income = r.check("income_per_capita", fields.parse_money)
    list_year = r.check("list_year", fields.parse_year)
    decision_on = r.check("decision_on", fields.iso_date)
    kind = r.cell("kind") or None
    if kind is not None and kind not in REVIEW_KINDS:
        problems.append(f"line {line}: kind must be one of {', '.join(REVIEW_KINDS)}")
    status = r.cell("status") or None
    decision = [r.text("decision_number", 64), r.text("signed_by")]
    if status is not None:
        if status not in STATUSES:
            problems.append(f"line {line}: status must be one of {', '.join(STATUSES)}")
        if not all(decision):
            problems.append(f"line {line}: a status needs decision_number and signed_by")
    elif any(decision) or decision_on is not None:
        problems.append(f"line {line}: decision columns need a status")
    assessor, form = r.text("assessor"), r.text("form")
    deprivations = r.text("deprivations", fields.LONG_TEXT)
    if code is None or effective_on is None or income is None:
        return None
    return ReviewRow(
        line=line,
        code=code,
        effective_on=effective_on,
        income_per_capita=income,
        deprivations=tuple(sorted({d.strip() for d in deprivations.split(";") if d.strip()})),
        assessor=assessor,
        kind=kind,
        list_year=list_year,
        standard=r.cell("standard") or None,
        form=form,
        status=status,
        decision_number=decision[0] or None,
        decision_on=decision_on or (effective_on if status else None),
        signed_by=decision[1] or None,
    )


def _differences(fact: Any, wanted: dict[str, Any]) -> list[str]:
    return [
        f"{name} {getattr(fact, name)!r} (the row says {value!r})"
        for name, value in wanted.items()
        if value is not None and getattr(fact, name) != value
    ]


def _already_assessed(live: Sequence[Any], row: ReviewRow) -> bool:
    """Whether the row's assessment is recorded; a recorded one that differs from the row only
    in who assessed it, the form, kind, list year or standard is a conflict, not a skip."""
    same = [
        f
        for f in live
        if type(f) is Assessed
        and f.effective_on == row.effective_on
        and f.income_per_capita == row.income_per_capita
        and tuple(f.deprivations) == row.deprivations
    ]
    if not same:
        return False
    wanted = {
        "assessor": row.assessor,
        "form": row.form,
        "kind": row.kind,
        "list_year": row.list_year,
        "standard": row.standard,
    }
    conflicts = [_differences(f, wanted) for f in same]
    if any(not c for c in conflicts):
        return True
    raise RowConflict(
        "assessment",
        f"an assessment of {row.effective_on.isoformat()} with this income and these "
        f"deprivations is recorded with {', '.join(conflicts[0])}",
    )


def _already_decided(live: Sequence[Any], row: ReviewRow) -> bool:
    """Whether the row's decision is recorded (same conflict rule as assessments)."""
    same = [
        f
        for f in live
        if type(f) is Recognised
        and f.decision_number == row.decision_number
        and f.effective_on == row.decision_on
        and f.status == row.status
    ]
    if not same:
        return False
    conflicts = [
        _differences(f, {"signed_by": row.signed_by, "list_year": row.list_year}) for f in same
    ]
    if any(not c for c in conflicts):
        return True
    raise RowConflict(
        "decision",
        f"decision {row.decision_number} of {row.decision_on} is recorded with "
        f"{', '.join(conflicts[0])}",
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
