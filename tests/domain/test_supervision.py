"""Supervision rules, the early-warning score and plan sampling, on facts built in memory.

Each rule has a history that triggers it and one just outside it. Facts are recorded through the
household aggregate with a hand-set clock, so ``recorded_at`` is exactly what a test says.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from domain.household import Entry, Household
from domain.situation import fold, timeline
from domain.standards import load_standards
from domain.supervision import (
    LIMITS,
    RULE_CODES,
    SCORE_WEIGHTS,
    Candidate,
    History,
    ProgrammeCatalogue,
    add_months,
    allocate,
    duty_conflict,
    fold_text,
    household_anomalies,
    load_programmes,
    precision_at,
    risk_score,
    roc_auc,
    stratified_sample,
    truncate,
)

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
STANDARDS = load_standards()
HEAD = {"name": "Nông Văn Tú", "birth_year": 1975, "sex": "male", "relation": "head"}


class H:
    """A household built fact by fact; each fact is recorded at 10:00 (UTC+7) on a given day."""

    def __init__(self, registered: date = date(2016, 3, 1), code: str = "01564-0001") -> None:
        self.h = Household.register(
            Entry(registered, "officer.thongnhat", self.moment(registered), registered),
            code=code,
            unit="01564",
            village="Bản Khau",
            head_name=HEAD["name"],
            ethnicity="Nùng",
            ethnic_minority=True,
            members=[dict(HEAD)],
            area_type="rural",
        )

    @staticmethod
    def moment(day: date) -> datetime:
        return datetime(day.year, day.month, day.day, 3, 0, tzinfo=UTC)

    def _common(self, on: date, recorded: date | None, by: str) -> Entry:
        day = recorded or on
        return Entry(on, by, self.moment(day), day)

    @property
    def v(self) -> int:
        return self.h.version

    @property
    def facts(self) -> list[Any]:
        return list(self.h.facts)

    def assess(
        self,
        on: date,
        income: int,
        deprivations: tuple[str, ...] = (),
        *,
        assessor: str = "Lý Thị Hoa",
        by: str = "officer.thongnhat",
        recorded: date | None = None,
    ) -> int:
        selection = STANDARDS.resolve_review(on, kind="periodic" if on.month >= 9 else None)
        c = selection.standard.classify("rural", income, list(deprivations))
        self.h.assess(
            self._common(on, recorded, by),
            kind=selection.kind,
            list_year=selection.list_year,
            standard=selection.standard.code,
            area_type="rural",
            income_per_capita=income,
            deprivations=list(c.deprivations),
            classification={
                "status": c.status,
                "route": c.route,
                "thresholds": dict(c.thresholds),
            },
            assessor=assessor,
            form="Phiếu B",
            standards_version="test",
        )
        return self.v

    def recognise(
        self,
        on: date,
        status: str,
        *,
        by: str = "officer.thongnhat",
        signed_by: str = "Chủ tịch UBND xã Thống Nhất",
        recorded: date | None = None,
    ) -> int:
        self.h.recognise(
            self._common(on, recorded, by),
            status=status,
            decision_number=f"{self.v}/QĐ-UBND",
            list_year=on.year + 1,
            standard="2016-2020",
            signed_by=signed_by,
        )
        return self.v

    def support(
        self,
        on: date,
        *,
        programme: str = "135",
        category: str = "production",
        amount: int = 5_000_000,
        provider: str = "UBND xã Thống Nhất",
        funding: str = "central",
        recorded: date | None = None,
    ) -> int:
        self.h.deliver_support(
            self._common(on, recorded, "officer.thongnhat"),
            category=category,
            programme=programme,
            funding_source=funding,
            amount_vnd=amount,
            in_kind=None,
            provider=provider,
        )
        return self.v

    def sponsor(
        self, on: date, name: str = "Hội Nông dân xã Thống Nhất", *, sid: str = "s1"
    ) -> int:
        self.h.start_sponsorship(
            self._common(on, None, "officer.thongnhat"),
            sponsorship_id=sid,
            sponsor={"name": name, "kind": "mass_organisation", "unit": "01564"},
        )
        return self.v

    def end_sponsor(self, on: date, *, sid: str = "s1") -> int:
        self.h.end_sponsorship(
            self._common(on, None, "officer.thongnhat"), sponsorship_id=sid, reason="kết thúc"
        )
        return self.v

    def register_exit(self, on: date) -> int:
        self.h.register_exit(
            self._common(on, None, "officer.thongnhat"), target_year=on.year + 1, plan=None
        )
        return self.v

    def retract(self, version: int, on: date, *, by: str = "officer.thongnhat") -> int:
        self.h.retract(Entry(on, by, self.moment(on), on), version=version, reason="nhập sai")
        return self.v

    def anomalies(
        self, kind: str, as_of: date = date(2026, 11, 29), known_at: datetime | None = None
    ) -> list[Any]:
        return household_anomalies(
            str(self.h.id),
            self.facts,
            as_of=as_of,
            known_at=known_at or datetime(2026, 11, 29, 3, tzinfo=UTC),
            zone=ZONE,
            kinds=[kind],
        )


# -- 1. reserved programmes --------------------------------------------------------------------


def test_reserved_programme_to_a_household_that_was_neither_poor_nor_near_poor() -> None:
    h = H()
    decided = h.recognise(date(2016, 4, 1), "not_poor")
    flagged = h.support(date(2017, 3, 1), programme="Chương trình 135")
    h.recognise(date(2017, 12, 1), "near_poor")
    fine = h.support(date(2018, 3, 1), programme="135")
    other = h.support(date(2017, 5, 1), programme="Khuyến nông địa phương")
    found = h.anomalies("reserved_programme_ineligible")
    assert [a.versions for a in found] == [(decided, flagged)]
    a = found[0]
    assert a.severity == "major" and a.details["status"] == "not_poor"
    assert a.evaluated_as_known_at == h.facts[flagged - 1].timestamp
    assert "135" in a.explanation and "not_poor" in a.explanation
    assert fine not in a.versions and other not in a.versions


def test_reserved_programme_is_judged_as_known_when_the_support_was_recorded() -> None:
    h = H()
    early = h.support(date(2017, 3, 1))  # nothing recognised yet, as known then: flagged
    h.recognise(date(2017, 1, 10), "poor", recorded=date(2017, 6, 1))  # entered late
    h.support(date(2017, 7, 1))  # now known poor: fine
    found = h.anomalies("reserved_programme_ineligible")
    assert [a.versions for a in found] == [(early,)]
    assert "never recognised" in found[0].explanation
    # and with hindsight removed the other way round: support while poor, then a late exit
    g = H(code="01564-0002")
    g.recognise(date(2016, 4, 1), "poor")
    support = g.support(date(2017, 3, 1))
    g.recognise(date(2017, 1, 5), "not_poor", recorded=date(2017, 9, 1))
    assert support and g.anomalies("reserved_programme_ineligible") == []


@pytest.mark.parametrize(("delta", "flagged"), [(timedelta(0), False), (timedelta(days=1), True)])
def test_vbsp_credit_admits_newly_exited_households_for_36_months(
    delta: timedelta, flagged: bool
) -> None:
    h = H()
    h.recognise(date(2016, 4, 1), "poor")
    h.recognise(date(2017, 12, 1), "not_poor")
    day = add_months(date(2017, 12, 1), 36) + delta
    h.support(day, programme="Cho vay hộ mới thoát nghèo", category="credit", funding="credit VBSP")
    found = h.anomalies("reserved_programme_ineligible")
    assert bool(found) is flagged
    if flagged:
        assert found[0].details["programme_rules"] == ["vbsp-credit"]
        assert found[0].details["last_exit"] == "2017-12-01"


def test_programme_rules_are_data_matched_without_case_or_diacritics() -> None:
    programmes = load_programmes()
    assert programmes.rules and all(r.basis for r in programmes.rules)
    assert any(not r.verified for r in programmes.rules)

    class S:
        effective_on = date(2019, 5, 1)
        programme = "NGHI QUYET 30A"
        funding_source = "central"
        provider = "x"
        category = "production"

    assert [r.code for r in programmes.matching(S())] == ["30a"]
    S.programme = "Chương trình MTQG giảm nghèo bền vững"
    assert [r.code for r in programmes.matching(S())] == ["mtqg-gnbv-2016-2020"]
    S.effective_on = date(2023, 5, 1)
    assert [r.code for r in programmes.matching(S())] == ["mtqg-gnbv-2021-2025"]
    S.programme = "Chương trình 1350"  # not a whole-word 135
    assert programmes.matching(S()) == []
    assert fold_text("Đồng  Loan, xã") == "dong loan xa"
    custom = ProgrammeCatalogue.from_dict(
        {
            "data_version": "t",
            "programmes": [
                {
                    "code": "x",
                    "name": "X",
                    "match": {"provider": {"equals": ["Quỹ X"]}},
                    "eligible_statuses": ["poor"],
                }
            ],
        }
    )
    S.provider = "quy x"
    assert [r.code for r in custom.matching(S())] == ["x"]


# -- 2. decision contradicting the assessment --------------------------------------------------


def test_a_decision_contradicting_the_latest_assessment() -> None:
    h = H()
    assessed = h.assess(date(2016, 10, 1), 600_000)  # poor by income (2016-2020)
    decided = h.recognise(date(2016, 11, 1), "near_poor")
    h.assess(date(2017, 10, 1), 800_000)  # near-poor band, no deprivations
    h.recognise(date(2017, 11, 1), "near_poor")  # agrees: nothing
    found = h.anomalies("recognition_contradicts_assessment")
    assert [a.versions for a in found] == [(assessed, decided)]
    assert found[0].details == {
        "recognised": "near_poor",
        "classified": "poor",
        "route": "income",
        "signed_by": "Chủ tịch UBND xã Thống Nhất",
    }


def test_an_assessment_entered_after_the_decision_does_not_make_it_contradict() -> None:
    h = H()
    h.assess(date(2016, 10, 1), 800_000)  # near_poor
    h.recognise(date(2016, 11, 1), "near_poor")
    h.assess(date(2016, 10, 20), 600_000, recorded=date(2017, 2, 1))  # late: poor
    assert h.anomalies("recognition_contradicts_assessment") == []


# -- 3. re-poverty within 24 months ------------------------------------------------------------


@pytest.mark.parametrize(("delta", "flagged"), [(timedelta(0), True), (timedelta(days=1), False)])
def test_re_poverty_within_24_months_of_the_exit(delta: timedelta, flagged: bool) -> None:
    h = H()
    h.recognise(date(2016, 4, 1), "poor")
    exited = h.recognise(date(2018, 12, 1), "near_poor")
    back = h.recognise(add_months(date(2018, 12, 1), 24) + delta, "poor")
    found = h.anomalies("re_poverty_within_24_months")
    assert [a.versions for a in found] == ([(exited, back)] if flagged else [])
    if flagged:
        assert found[0].severity == "minor" and found[0].details["months"] == 24.0


# -- 4. poor without a sponsor -----------------------------------------------------------------


@pytest.mark.parametrize(("days", "flagged"), [(90, False), (91, True)])
def test_poor_household_without_a_sponsor_for_more_than_90_days(days: int, flagged: bool) -> None:
    h = H()
    poor = h.recognise(date(2018, 12, 1), "poor")
    started = h.sponsor(date(2018, 12, 1) + timedelta(days=days))
    found = h.anomalies("poor_without_sponsor")
    assert [a.versions for a in found] == ([(poor, started)] if flagged else [])
    if flagged:
        a = found[0]
        assert a.details == {"from": "2018-12-01", "until": "2019-03-01", "days": 91, "open": False}
        assert a.evaluated_as_known_at == h.facts[started - 1].timestamp


@pytest.mark.parametrize(("days", "flagged"), [(89, False), (90, True)])
def test_a_gap_still_open_counts_to_the_scan_date(days: int, flagged: bool) -> None:
    h = H()
    h.recognise(date(2019, 1, 10), "poor")
    s = h.sponsor(date(2019, 1, 10))
    ended = h.end_sponsor(date(2020, 6, 1))
    found = h.anomalies("poor_without_sponsor", as_of=date(2020, 6, 1) + timedelta(days=days))
    assert [a.versions for a in found] == ([(ended,)] if flagged else [])
    assert s
    if flagged:
        assert found[0].details["open"] is True and found[0].details["days"] == 91


def test_gaps_before_the_campaign_are_not_counted() -> None:
    h = H()
    h.recognise(date(2016, 4, 1), "poor")
    h.sponsor(date(2017, 11, 9) + timedelta(days=90))  # 90 days after the campaign launch
    assert h.anomalies("poor_without_sponsor") == []
    assert LIMITS.sponsorship_from == date(2017, 11, 9)


def test_a_sponsorship_ending_with_the_exit_leaves_no_gap() -> None:
    h = H()
    h.recognise(date(2018, 12, 1), "poor")
    h.sponsor(date(2018, 12, 20))
    h.recognise(date(2020, 12, 1), "not_poor")
    h.end_sponsor(date(2020, 12, 1))
    assert h.anomalies("poor_without_sponsor") == []


# -- 5. registered to exit, no support ---------------------------------------------------------


@pytest.mark.parametrize(("delta", "flagged"), [(timedelta(0), False), (timedelta(days=1), True)])
def test_registered_to_exit_without_support_in_12_months(delta: timedelta, flagged: bool) -> None:
    h = H()
    h.recognise(date(2018, 12, 1), "poor")
    registered = h.register_exit(date(2019, 3, 1))
    h.support(add_months(date(2019, 3, 1), 12) + delta, programme="Hỗ trợ sản xuất")
    found = h.anomalies("exit_registration_without_support")
    assert [a.versions for a in found] == ([(registered,)] if flagged else [])
    if flagged:
        assert found[0].on == date(2020, 3, 1)


def test_an_exit_within_the_12_months_fulfils_the_registration() -> None:
    h = H()
    h.recognise(date(2018, 12, 1), "poor")
    h.register_exit(date(2019, 3, 1))
    h.recognise(date(2019, 12, 1), "near_poor")
    assert h.anomalies("exit_registration_without_support") == []


def test_a_support_entered_long_after_the_window_does_not_clear_it() -> None:
    h = H()
    h.recognise(date(2018, 12, 1), "poor")
    h.register_exit(date(2019, 3, 1))
    h.support(date(2019, 6, 1), programme="Hỗ trợ sản xuất", recorded=date(2020, 9, 1))
    found = h.anomalies("exit_registration_without_support")
    assert len(found) == 1  # as known 90 days after the window closed, nothing had arrived


# -- 6. double funding -------------------------------------------------------------------------


@pytest.mark.parametrize(("days", "flagged"), [(30, True), (31, False)])
def test_the_same_support_from_two_providers_within_30_days(days: int, flagged: bool) -> None:
    h = H()
    h.recognise(date(2018, 12, 1), "poor")
    first = h.support(date(2019, 3, 1), provider="UBND xã Thống Nhất")
    second = h.support(date(2019, 3, 1) + timedelta(days=days), provider="Hội Nông dân")
    h.support(date(2019, 3, 1), amount=7_000_000, provider="Hội Nông dân")  # another amount
    found = h.anomalies("double_funding")
    assert [a.versions for a in found] == ([(first, second)] if flagged else [])
    if flagged:
        assert found[0].details["days_apart"] == 30
    g = H(code="01564-0002")
    g.support(date(2019, 3, 1), provider="UBND xã Thống Nhất")
    g.support(date(2019, 3, 5), provider="UBND XÃ THỐNG NHẤT")  # the same provider twice
    assert g.anomalies("double_funding") == []


# -- 7. late entries and self-retractions ------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "severity"), [(90, None), (91, "minor"), (365, "minor"), (366, "major")]
)
def test_a_fact_recorded_more_than_90_days_after_it_took_effect(
    days: int, severity: str | None
) -> None:
    h = H()
    v = h.recognise(date(2018, 1, 1), "poor", recorded=date(2018, 1, 1) + timedelta(days=days))
    found = h.anomalies("late_entry")
    assert [(a.versions, a.severity) for a in found] == ([((v,), severity)] if severity else [])


def test_a_retraction_by_the_user_who_recorded_the_fact() -> None:
    h = H()
    h.recognise(date(2018, 12, 1), "poor")
    mine = h.support(date(2019, 3, 1))
    undone = h.retract(mine, date(2019, 4, 1), by="officer.thongnhat")
    theirs = h.support(date(2019, 5, 1))
    h.retract(theirs, date(2019, 6, 1), by="supervisor.district")
    found = h.anomalies("self_retraction")
    assert [a.versions for a in found] == [(mine, undone)]
    assert found[0].details["user"] == "officer.thongnhat"


def test_a_retracted_trigger_keeps_its_anomaly_marked_corrected() -> None:
    h = H()
    h.recognise(date(2016, 4, 1), "not_poor")
    wrong = h.support(date(2017, 3, 1))
    undone = h.retract(wrong, date(2017, 4, 1), by="supervisor.district")
    [a] = h.anomalies("reserved_programme_ineligible")
    assert a.corrected_by == (undone,) and not a.open
    before = datetime(2017, 3, 15, tzinfo=UTC)
    [then] = h.anomalies("reserved_programme_ineligible", known_at=before)
    assert then.open  # as the record stood before the retraction


# -- 8. assessor is the sponsor ----------------------------------------------------------------


def test_an_assessment_by_the_households_sponsor() -> None:
    h = H()
    h.recognise(date(2018, 12, 1), "poor")
    started = h.sponsor(date(2018, 12, 10), "Nông Văn Tú, Phó Chủ tịch UBND xã")
    conflicted = h.assess(date(2019, 10, 1), 600_000, assessor="NÔNG VĂN TÚ")
    h.assess(date(2019, 10, 2), 600_000, assessor="Lý Thị Hoa")
    h.end_sponsor(date(2020, 1, 1))
    h.assess(date(2020, 10, 1), 600_000, assessor="Nông Văn Tú")  # no longer the sponsor
    found = h.anomalies("assessor_is_sponsor")
    assert [a.versions for a in found] == [(started, conflicted)]
    assert found[0].severity == "critical" and found[0].details["as"] == ["assessor"]


# -- all rules ---------------------------------------------------------------------------------


def test_unknown_rules_are_refused_and_facts_after_known_at_ignored() -> None:
    h = H()
    with pytest.raises(ValueError, match="unknown anomaly rule"):
        h.anomalies("no_such_rule")
    h.recognise(date(2016, 4, 1), "not_poor")
    h.support(date(2017, 3, 1))
    everything = household_anomalies(
        str(h.h.id),
        h.facts,
        as_of=date(2026, 1, 1),
        known_at=datetime(2017, 1, 1, tzinfo=UTC),
        zone=ZONE,
    )
    assert everything == []
    assert set(RULE_CODES) >= {a.rule for a in h.anomalies("late_entry")}


def _random_history(seed: int) -> list[Any]:
    """A household with decisions, some entered late and some retracted, in random order."""
    rng = random.Random(seed)
    h = H(registered=date(2016, 1, 4), code=f"01564-{seed:04d}")
    day = date(2016, 2, 1)
    versions: list[int] = []
    for _ in range(rng.randint(3, 12)):
        day += timedelta(days=rng.randint(20, 200))
        if day > date(2026, 1, 1):
            break
        late = day + timedelta(days=rng.randint(0, 400)) if rng.random() < 0.3 else None
        effective = day - timedelta(days=rng.randint(0, 300)) if late else day
        effective = max(effective, date(2016, 1, 4))
        pick = rng.random()
        if pick < 0.6:
            v = h.recognise(effective, rng.choice(["poor", "near_poor", "not_poor"]), recorded=late)
            versions.append(v)
        elif pick < 0.8:
            h.support(effective, recorded=late)
        elif versions and pick < 0.9:
            target = versions.pop(rng.randrange(len(versions)))
            h.retract(target, max(day, h.facts[-1].timestamp.date()))
        else:
            h.assess(effective, rng.choice([500_000, 800_000, 1_200_000]), recorded=late)
        day = max(day, late or day, h.facts[-1].timestamp.date())
    return h.facts


@pytest.mark.parametrize("seed", range(40))
def test_a_shared_later_timeline_says_the_same_as_the_fold_up_to_the_day(seed: int) -> None:
    facts = _random_history(seed)
    history = History("h", facts, ZONE)
    for v in range(1, len(facts) + 1):
        own = timeline(facts[:v], facts[v - 1].timestamp)
        for day in {facts[v - 1].effective_on, history.horizon(v), date(2019, 6, 30)}:
            assert history.timeline_for(v, day) == truncate(own, day)


# -- separation of duties ----------------------------------------------------------------------


def test_duty_conflicts_name_the_reason() -> None:
    h = H()
    h.assess(date(2016, 10, 1), 600_000, assessor="Lý Thị Hoa", by="officer.a")
    h.recognise(date(2016, 11, 1), "poor", by="officer.b", signed_by="Hoàng Văn Minh")
    h.sponsor(date(2017, 12, 1), "Bế Thị Lan, cán bộ xã", sid="s1")
    h.sponsor(date(2018, 1, 1), "Đàm Văn Sơn", sid="s2")
    h.end_sponsor(date(2019, 1, 1), sid="s2")
    facts = h.facts
    assert "assessment" in (duty_conflict(facts, "officer.a", date.max) or "")
    assert "as assessor" in (duty_conflict(facts, "ly thi hoa", date.max) or "")
    assert "signed decision" in (duty_conflict(facts, "Hoàng Văn Minh", date.max) or "")
    assert "recorded decision" in (duty_conflict(facts, "officer.b", date.max) or "")
    assert "active sponsor" in (duty_conflict(facts, "Bế Thị Lan", date.max) or "")
    assert duty_conflict(facts, "Đàm Văn Sơn", date.max) is None  # sponsorship ended
    assert duty_conflict(facts, "inspector.district", date.max) is None


# -- early warning -----------------------------------------------------------------------------


def test_the_score_lists_each_component_with_its_points() -> None:
    h = H()
    h.recognise(date(2016, 11, 1), "poor")
    h.sponsor(date(2017, 12, 1))
    h.assess(date(2018, 10, 1), 805_000, ("housing_quality",))  # near-poor band, 15 % above
    exited = h.recognise(date(2018, 11, 1), "near_poor")
    h.support(date(2019, 5, 1))
    as_of = date(2019, 11, 1)
    score = risk_score(str(h.h.id), h.facts, as_of)
    assert score is not None and score.exited_on == date(2018, 11, 1) and exited
    parts = {c.name: c for c in score.components}
    assert set(parts) == set(SCORE_WEIGHTS)
    assert parts["recent_exit"].points == pytest.approx(20 * (1 - (365 / 30.4375) / 36))
    assert parts["income_margin"].value == 0.15
    assert parts["income_margin"].points == pytest.approx(35 * (1 - 0.15 / 0.5))
    assert parts["deprivations_left"].points == pytest.approx(20 / 3)
    assert parts["support_gap"].points == pytest.approx(10 * (184 / 30.4375) / 24)
    assert parts["no_sponsor"].points == 0.0 and parts["no_sponsor"].value is False
    assert score.score == pytest.approx(sum(c.points for c in score.components))
    assert "805,000 VND" in parts["income_margin"].explanation
    # poor households and households that never exited have no score
    assert risk_score(str(h.h.id), h.facts, date(2018, 6, 1)) is None


def test_the_score_rises_without_sponsor_support_or_assessment() -> None:
    h = H()
    h.recognise(date(2016, 11, 1), "poor")
    h.recognise(date(2018, 11, 1), "not_poor")
    score = risk_score(str(h.h.id), h.facts, date(2018, 12, 1))
    assert score is not None
    parts = {c.name: c.points for c in score.components}
    assert parts["no_sponsor"] == 15 and parts["support_gap"] == 10
    assert parts["income_margin"] == 17.5 and parts["deprivations_left"] == 10


def test_ranking_measures() -> None:
    assert roc_auc([0.1, 0.4, 0.35, 0.8], [False, False, True, True]) == 0.75
    assert roc_auc([1, 2, 3], [False, True, True]) == 1.0
    assert roc_auc([1, 1], [False, True]) == 0.5
    assert roc_auc([1, 2], [True, True]) is None
    assert precision_at([5, 4, 3, 2], [True, False, True, False], 2) == 0.5
    assert precision_at([], [], 3) is None


# -- sampling ----------------------------------------------------------------------------------


def _candidates(n: int = 60) -> list[Candidate]:
    rng = random.Random(3)
    communes = ["01534", "01537", "01564"]
    return [
        Candidate(f"h{i:03d}", f"c{i}", communes[i % 3], rng.choice([1.0, 1.0, 2.0, 9.0]))
        for i in range(n)
    ]


def test_a_plan_sample_is_reproducible_for_a_seed_and_order_free() -> None:
    people = _candidates()
    first = stratified_sample(people, 12, seed=42)
    shuffled = list(people)
    random.Random(1).shuffle(shuffled)
    again = stratified_sample(shuffled, 12, seed=42)
    assert [d.candidate.household_id for d in first] == [d.candidate.household_id for d in again]
    other = stratified_sample(people, 12, seed=43)
    assert {d.candidate.household_id for d in first} != {d.candidate.household_id for d in other}
    assert [d.position for d in first] == list(range(1, 13))
    assert len({d.candidate.household_id for d in first}) == 12


def test_a_plan_sample_is_stratified_by_commune_and_weighted_by_risk() -> None:
    people = _candidates()
    drawn = stratified_sample(people, 3, seed=7)
    assert sorted(d.candidate.stratum for d in drawn) == ["01534", "01537", "01564"]
    quota = allocate({"a": 10, "b": 10, "c": 1}, {"a": 30.0, "b": 10.0, "c": 1.0}, 9)
    assert quota == {"a": 6, "b": 2, "c": 1}
    assert allocate({"a": 2, "b": 10}, {"a": 100.0, "b": 1.0}, 6) == {"a": 2, "b": 4}
    assert allocate({"a": 2, "b": 3}, {"a": 1.0, "b": 1.0}, 9) == {"a": 2, "b": 3}
    heavy = {c.household_id for c in people if c.weight == 9.0}
    light = {c.household_id for c in people if c.weight == 1.0}
    picks = {"heavy": 0, "light": 0}
    for seed in range(200):
        for d in stratified_sample(people, 6, seed=seed):
            if d.candidate.household_id in heavy:
                picks["heavy"] += 1
            elif d.candidate.household_id in light:
                picks["light"] += 1
    assert picks["heavy"] / len(heavy) > 3 * picks["light"] / len(light)
    with pytest.raises(ValueError):
        stratified_sample([replace(people[0], weight=0.0)], 1, seed=1)


def test_fold_and_timeline_agree_on_the_test_histories() -> None:
    facts = _random_history(5)
    assert fold("h", facts, date(2030, 1, 1)).timeline == timeline(facts)
