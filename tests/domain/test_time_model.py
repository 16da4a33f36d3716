"""The time model: transitions, and properties of the one fold over random histories."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.household import Entry, Household
from domain.situation import Prior, Situation, fold, transition_between, transitions

START = datetime(2016, 1, 10, tzinfo=UTC)
TODAY = date(2026, 11, 29)
REGISTERED_ON = date(2016, 1, 1)
HEAD = {"name": "Lục Văn Bình", "birth_year": 1968, "sex": "male", "relation": "head"}


@pytest.mark.parametrize(
    ("previous", "status", "ever_poor", "ever_near", "expected"),
    [
        (None, "poor", False, False, "newly_poor"),
        ("not_poor", "poor", False, False, "newly_poor"),
        ("not_poor", "poor", True, False, "re_poor"),
        ("near_poor", "poor", True, True, "re_poor"),
        ("near_poor", "poor", False, True, "newly_poor"),
        ("poor", "poor", True, False, "unchanged"),
        ("poor", "near_poor", True, False, "exited_poverty"),
        ("poor", "not_poor", True, False, "exited_poverty"),
        (None, "near_poor", False, False, "newly_near_poor"),
        ("not_poor", "near_poor", False, True, "re_near_poor"),
        ("near_poor", "near_poor", False, True, "unchanged"),
        ("near_poor", "not_poor", False, True, "exited_near_poverty"),
        (None, "not_poor", False, False, "unchanged"),
        ("not_poor", "not_poor", True, True, "unchanged"),
    ],
)
def test_transition_table(
    previous: str | None, status: str, ever_poor: bool, ever_near: bool, expected: str
) -> None:
    assert transition_between(previous, status, ever_poor, ever_near) == expected


# -- random histories -------------------------------------------------------------------------


@dataclass(frozen=True)
class Op:
    """One command in a generated history: what, when effective, how long after the last."""

    kind: str
    day: int  # days after registration
    gap_hours: int  # recording delay after the previous fact
    value: Any


ops = st.builds(
    Op,
    kind=st.sampled_from(
        ["recognise", "recognise", "assess", "sponsor", "support", "retract", "exit"]
    ),
    day=st.integers(0, 3800),
    gap_hours=st.integers(1, 24 * 200),
    value=st.one_of(st.sampled_from(["poor", "near_poor", "not_poor"]), st.integers(1, 40)),
)


def build(history: list[Op], code: str = "01549-0001") -> Household:
    """Replay generated commands through the aggregate (invalid ones are skipped)."""
    now = START
    h = Household.register(
        Entry(REGISTERED_ON, "o", now, TODAY),
        code=code,
        unit="01549",
        village="Bản Lũng",
        head_name=HEAD["name"],
        ethnicity="Nùng",
        ethnic_minority=True,
        members=[dict(HEAD)],
        area_type="rural",
    )
    for op in history:
        now += timedelta(hours=op.gap_hours)
        apply_op(h, op, now)
    return h


def apply_op(h: Household, op: Op, now: datetime) -> None:
    effective = REGISTERED_ON + timedelta(days=op.day)
    entry = Entry(effective, "o", now, TODAY)
    status = (
        op.value if isinstance(op.value, str) else ("poor", "near_poor", "not_poor")[op.value % 3]
    )
    if op.kind == "recognise":
        h.recognise(
            entry,
            status=status,
            decision_number=f"{op.day}/QĐ",
            list_year=effective.year,
            standard="2016-2020",
            signed_by="c",
        )
    elif op.kind == "assess":
        h.assess(
            entry,
            kind="periodic",
            list_year=effective.year + 1,
            standard="2016-2020",
            area_type="rural",
            income_per_capita=op.day * 500,
            deprivations=[],
            classification={"status": status, "route": "income", "thresholds": {}},
            assessor="r",
            form="B",
            standards_version="t",
        )
    elif op.kind == "sponsor":
        h.start_sponsorship(
            entry,
            sponsorship_id=f"s{op.day}",
            sponsor={"name": "Hội Phụ nữ", "kind": "mass_organisation"},
        )
    elif op.kind == "support":
        h.deliver_support(
            entry,
            category="production",
            programme="135",
            funding_source="central",
            amount_vnd=op.day,
            in_kind=None,
            provider="xã",
        )
    elif op.kind == "exit":
        h.register_exit(entry, target_year=effective.year + 1, plan=None)
    else:
        target = 2 + (op.value if isinstance(op.value, int) else 0) % max(h.version - 1, 1)
        voided = h.situation(date.max).retracted
        if (
            target <= h.version
            and target not in voided
            and type(h.facts[target - 1]).__name__ != "Retracted"
        ):
            h.retract(Entry(TODAY, "o", now, TODAY), version=target, reason="error")


def valid_time_view(s: Situation) -> tuple[Any, ...]:
    """Everything the answer says about the world on ``as_of`` (not about knowledge)."""
    return (
        s.status,
        s.recognised,
        s.since,
        s.standard,
        s.transition,
        None if s.decision is None else (s.decision["number"], s.decision["effective_on"]),
        s.classification and {k: v for k, v in s.classification.items() if k != "version"},
        s.contradicts_assessment,
        s.ever_exited_poverty,
        s.unit,
        s.village,
        s.sponsor and {k: v for k, v in s.sponsor.items() if k != "sponsorship_id"},
        s.exit_registered,
        s.closed,
        tuple(m["name"] for m in s.members),
    )


histories = st.lists(ops, min_size=0, max_size=25)
as_of_days = st.integers(-30, 4000)


@settings(max_examples=200, deadline=None)
@given(history=histories, as_of_day=as_of_days, cut=st.integers(0, 30))
def test_a_fact_recorded_after_t_never_changes_answers_known_at_t(
    history: list[Op], as_of_day: int, cut: int
) -> None:
    h = build(history)
    as_of = REGISTERED_ON + timedelta(days=as_of_day)
    cut = min(cut, len(h.facts) - 1)
    known_at = h.facts[cut].timestamp
    prefix = [f for f in h.facts if f.timestamp <= known_at]
    assert fold("h", h.facts, as_of, known_at) == fold("h", prefix, as_of, known_at)
    assert fold("h", h.facts, as_of, known_at).version == cut + 1


@settings(max_examples=200, deadline=None)
@given(history=histories, extra=ops, as_of_day=as_of_days)
def test_a_fact_effective_after_d_never_changes_the_answer_for_d(
    history: list[Op], extra: Op, as_of_day: int
) -> None:
    if extra.kind == "retract":
        return  # a retraction works in knowledge time, not valid time
    h = build(history)
    as_of = REGISTERED_ON + timedelta(days=as_of_day)
    before = h.situation(as_of)
    later = Op(extra.kind, max(extra.day, as_of_day + 1), extra.gap_hours, extra.value)
    if REGISTERED_ON + timedelta(days=later.day) > TODAY:
        return
    apply_op(h, later, h.facts[-1].timestamp + timedelta(hours=1))
    assert valid_time_view(h.situation(as_of)) == valid_time_view(before)


@settings(max_examples=200, deadline=None)
@given(history=histories, last=ops, as_of_day=as_of_days)
def test_retracting_and_re_recording_a_fact_restores_the_answer(
    history: list[Op], last: Op, as_of_day: int
) -> None:
    if last.kind == "retract":
        return
    h = build(history)
    if h.situation(date.max).closed:
        return
    version_before = h.version
    apply_op(h, last, h.facts[-1].timestamp + timedelta(hours=1))
    if h.version == version_before:
        return
    as_of = REGISTERED_ON + timedelta(days=as_of_day)
    answer = valid_time_view(h.situation(as_of))
    now = h.facts[-1].timestamp
    h.retract(Entry(TODAY, "o", now + timedelta(hours=1), TODAY), version=h.version, reason="typo")
    apply_op(h, last, now + timedelta(hours=2))
    assert valid_time_view(h.situation(as_of)) == answer


def test_a_late_entered_earlier_exit_turns_newly_poor_into_re_poor_only_after_it() -> None:
    h = build([])
    now = h.facts[0].timestamp
    apply_op(h, Op("recognise", 2500, 1, "poor"), now + timedelta(days=1))  # 2022: newly poor
    assert h.situation(TODAY).transition == "newly_poor"
    before_late = h.facts[-1].timestamp
    apply_op(h, Op("recognise", 400, 1, "poor"), now + timedelta(days=2))  # late: poor in 2017
    apply_op(h, Op("recognise", 800, 1, "not_poor"), now + timedelta(days=3))  # late: exit in 2018
    assert h.situation(TODAY).transition == "re_poor"
    assert h.situation(TODAY, known_at=before_late).transition == "newly_poor"


# -- baselines: a new standard establishes the lists again ---------------------------------------

A, B = "2016-2020", "2021-2025"


@pytest.mark.parametrize(
    ("decisions", "expected"),
    [
        # the first recognition of all is measured against nothing: not a baseline
        ([("poor", A)], ["newly_poor"]),
        # a change of standard is a baseline whatever the statuses
        ([("poor", A), ("poor", B)], ["newly_poor", "baseline"]),
        ([("poor", A), ("near_poor", B)], ["newly_poor", "baseline"]),
        ([("poor", A), ("not_poor", B)], ["newly_poor", "baseline"]),
        ([("not_poor", A), ("poor", B)], ["unchanged", "baseline"]),
        # re-poverty only after an exit under the same standard
        ([("poor", A), ("not_poor", A), ("poor", B)], ["newly_poor", "exited_poverty", "baseline"]),
        (
            [("poor", A), ("not_poor", A), ("near_poor", B), ("poor", B)],
            ["newly_poor", "exited_poverty", "baseline", "newly_poor"],
        ),
        (
            [("poor", A), ("poor", B), ("not_poor", B), ("poor", B)],
            ["newly_poor", "baseline", "exited_poverty", "re_poor"],
        ),
        (
            [("near_poor", A), ("near_poor", B), ("not_poor", B), ("near_poor", B)],
            ["newly_near_poor", "baseline", "exited_near_poverty", "re_near_poor"],
        ),
        (
            [("poor", A), ("not_poor", A), ("poor", A)],
            ["newly_poor", "exited_poverty", "re_poor"],
        ),
    ],
)
def test_transitions_with_baselines(decisions: list[tuple[str, str]], expected: list[str]) -> None:
    @dataclass(frozen=True)
    class R:
        effective_on: date
        status: str
        standard: str

    made = [R(date(2016 + i, 12, 1), s, std) for i, (s, std) in enumerate(decisions)]
    assert [t for _, t in transitions(made)] == expected
    assert Prior().after("poor", A) == ("newly_poor", Prior("poor", A, True, False))


def test_a_decision_superseded_on_its_own_day_leaves_no_trace() -> None:
    """A later decision dated the same day replaces the earlier one, which never took effect: the
    transition is judged from the day before, as if the first had not been taken."""
    h = build([])
    now = h.facts[0].timestamp
    apply_op(h, Op("recognise", 400, 1, "poor"), now + timedelta(days=1))
    apply_op(h, Op("recognise", 400, 1, "near_poor"), now + timedelta(days=2))
    s = h.situation(TODAY)
    assert (s.status, s.transition) == ("near_poor", "newly_near_poor")  # not an exit
    assert not s.ever_exited_poverty
    apply_op(h, Op("recognise", 900, 1, "poor"), now + timedelta(days=3))
    assert h.situation(TODAY).transition == "newly_poor"  # never poor before


def test_a_baseline_is_not_an_exit() -> None:
    h = build([])
    now = h.facts[0].timestamp
    apply_op(h, Op("recognise", 300, 1, "poor"), now + timedelta(days=1))
    h.recognise(
        Entry(date(2021, 12, 10), "o", now + timedelta(days=2), TODAY),
        status="not_poor",
        decision_number="1/QĐ",
        list_year=2022,
        standard=B,
        signed_by="c",
    )
    s = h.situation(TODAY)
    assert (s.status, s.transition, s.ever_exited_poverty) == ("not_poor", "baseline", False)
