"""One household's life, year by year: registration, income, reviews and decisions."""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import Any

from demo.facts import OtherFacts
from demo.life import Plan
from demo.reference import (
    BASELINE_YEAR,
    CAMPAIGN_LAUNCH,
    COMPLAINTS,
    EXIT_PLANS,
    FIRST_YEAR,
    INDICATOR_INTERCEPTS,
    LN_BASE_LINE,
    ONE_DAY,
    REDEFINED,
    REDEFINED_INTERCEPTS,
    SURNAMES,
    TAY_NUNG_SURNAMES,
)
from demo.world import Review, logistic
from domain.standards import Standard


class HouseholdPlanner(OtherFacts):
    """One household's life, year by year, as a list of planned facts."""

    def run(self) -> Plan:
        spec = self.spec
        self.register()
        self.log_income = self.initial_income()
        self.growth = self.rng.gauss(0.0, 0.025)
        if spec.initial:
            self.periodic_review(BASELINE_YEAR)  # the end-2015 list
        for year in range(max(spec.registered_on.year, FIRST_YEAR), self.w.to_year + 1):
            if not self.year(year):
                break
        return Plan(spec.code, self.facts)

    def register(self) -> None:
        """The registration: the head and the family, in a village of the commune."""
        head = self._head()
        self.members = [head, *self._family(head)]
        spec = self.spec
        commune = self.commune(spec.registered_on)
        self.village = self.rng.choice(self.w.villages(commune))
        self.add(
            self.at(spec.registered_on, 0, 4),
            "register",
            {
                **self.common(spec.registered_on),
                "code": spec.code,
                "unit": spec.unit,
                "village": self.village,
                "head_name": head["name"],
                "ethnicity": self.ethnicity,
                "members": [dict(m) for m in self.members],
            },
        )

    def _head(self) -> dict[str, Any]:
        rng, spec = self.rng, self.spec
        sex = "male" if rng.random() < 0.82 else "female"
        if spec.initial:
            year = rng.randint(1941, 1994)
        else:
            year = rng.randint(1985, min(1998, spec.registered_on.year - 19))
        self.surname = rng.choice(SURNAMES.get(self.ethnicity, TAY_NUNG_SURNAMES))
        name = self.unique_name(sex, self.surname)
        return {"name": name, "birth_year": year, "sex": sex, "relation": "head"}

    def _person(self, sex: str, born: int, relation: str, surname: str | None) -> dict[str, Any]:
        name = self.unique_name(sex, surname)
        return {"name": name, "birth_year": born, "sex": sex, "relation": relation}

    def _family(self, head: dict[str, Any]) -> list[dict[str, Any]]:
        """Spouse, children, the head's parents and grandchildren, by the head's age."""
        rng, registered = self.rng, self.spec.registered_on.year
        year, sex = head["birth_year"], head["sex"]
        age = registered - year
        family = []
        if rng.random() < (0.88 if age < 65 else 0.6):
            other = "female" if sex == "male" else "male"
            family.append(self._person(other, 0, "spouse", None))
            family[-1]["birth_year"] = min(year + rng.randint(-3, 6), 1998)
        weights = (
            (0.35, 0.4, 0.2, 0.05)
            if age < 30
            else (0.05, 0.2, 0.4, 0.25, 0.1)
            if age < 50
            else (0.35, 0.35, 0.2, 0.1)
        )
        kids = rng.choices(range(len(weights)), weights)[0]
        child_surname = self.surname if sex == "male" else None
        for _ in range(kids):
            child_sex = rng.choice(("male", "female"))
            born = min(year + rng.randint(19, 40), registered - 1)
            family.append(self._person(child_sex, born, "child", child_surname))
        if age < 45 and rng.random() < 0.35:
            for parent_sex in rng.sample(("male", "female"), rng.randint(1, 2)):
                surname = self.surname if parent_sex == "male" else None
                family.append(self._person(parent_sex, 0, "parent", surname))
                family[-1]["birth_year"] = year - rng.randint(20, 32)
        if age > 55 and rng.random() < 0.3:
            for _ in range(rng.randint(1, 2)):
                grandchild_sex = rng.choice(("male", "female"))
                family.append(self._person(grandchild_sex, 0, "grandchild", self.surname))
                family[-1]["birth_year"] = rng.randint(2005, registered - 1)
        return family

    def initial_income(self) -> float:
        """Log income per capita (VND/month) of the end-2015 survey, relative to nothing."""
        rng = self.rng
        mu = 0.0
        if self.ethnicity == "Kinh":
            mu += 0.4
        elif self.ethnicity in ("Mông", "Dao"):
            mu -= 0.25
        if self.commune(self.spec.registered_on).area_type == "urban":
            mu += 0.35
        if not self.spec.initial:
            years = self.spec.registered_on.year - FIRST_YEAR
            mu += sum(self.w.growth[FIRST_YEAR + i] for i in range(years)) + 0.1
        return LN_BASE_LINE + mu + rng.gauss(0.0, 0.85)

    def draw_deprivations(self, standard: Standard, area: str) -> None:
        """Draw the indicators a standard adds or redefines (the jump at a change of standard)."""
        previous = self.w.app.standards.get(self.last_standard) if self.last_standard else None
        new = set(standard.indicator_codes) - set(previous.indicator_codes if previous else ())
        redefined = set(REDEFINED.get(standard.code, ())) if previous else set()
        z = self.log_income - math.log(standard.poverty_line(area))  # type: ignore[arg-type]
        rng = self.rng
        for code in standard.indicator_codes:
            if code in new or code in redefined:
                a = REDEFINED_INTERCEPTS.get(
                    (standard.code, code), INDICATOR_INTERCEPTS.get(code, -1.0)
                )
                if code == "information_access" and "information_assets" in self.deprived:
                    self.deprived[code] = self.deprived["information_assets"] and rng.random() < 0.6
                else:
                    self.deprived[code] = rng.random() < logistic(a - 1.4 * z)
        self.last_standard = standard.code
        self.indicators = standard.indicator_codes

    def year(self, y: int) -> bool:
        """Plan one year; False when the household closed."""
        registered = self.spec.registered_on
        closing = None
        if self.closing_year == y:
            closing = self.day_in(max(date(y, 2, 1), registered + ONE_DAY), date(y, 8, 31))
        on_list = self.status in ("poor", "near_poor")
        shock = 0.0
        supported: list[str] = []
        if y > registered.year or self.spec.initial:
            supported, shock = self._events_of(y, closing, on_list)
        if closing is not None:
            self.close(closing)
            return False
        self._evolve(y, shock, supported, on_list)
        self.periodic_review(y)
        return True

    def _events_of(self, y: int, closing: date | None, on_list: bool) -> tuple[list[str], float]:
        """The year's facts before the review: sponsorships ending, a registration to exit,
        support, member changes, a move, an inspection; returns the support categories and the
        income shock of the year."""
        rng = self.rng
        if self.end_sponsorship_next_year and self.sponsorship is not None:
            day = self.day_in(date(y, 3, 1), date(y, 6, 15))
            if closing is None or day < closing:
                self.end_sponsorship(day, "Kết thúc giúp đỡ: hộ đã thoát nghèo bền vững")
        self.end_sponsorship_next_year = False
        if (
            self.status == "poor"
            and y >= CAMPAIGN_LAUNCH.year + 1
            and not self.exit_registered
            and rng.random() < 0.35
        ):
            self._register_exit(y, closing)
        supported = self.supports(y, closing)
        shock = self.member_changes(y, closing)
        if rng.random() < 0.004:
            self.relocate(y, closing)
        if y >= 2018 and rng.random() < (0.03 if on_list else 0.005):
            self.inspect(y, closing)
        if y == 2025 and self.sponsorship is not None and self.sponsorship[1] == "048":
            self._district_dissolved(closing)
        return supported, shock

    def _register_exit(self, y: int, closing: date | None) -> None:
        rng = self.rng
        day = self.day_in(max(date(y, 2, 1), self.status_since + ONE_DAY), date(y, 4, 30))
        if closing is not None and day >= closing:
            return
        self.exit_registered = True
        self.add(
            # Only a household poor on its date may register: after the decision that made it
            # poor was recorded.
            max(self.at(day), self.status_recorded_at + timedelta(hours=1)),
            "register_exit",
            {
                **self.common(day),
                "target_year": y + 1 if rng.random() < 0.6 else y + 2,
                "plan": rng.choice(EXIT_PLANS),
            },
        )

    def _district_dissolved(self, closing: date | None) -> None:
        """1 July 2025: the district's sponsorships end; some poor households get a new one."""
        reform = date(2025, 6, 30)
        if closing is not None and reform >= closing:
            return
        self.end_sponsorship(reform, "Giải thể cấp huyện theo sắp xếp đơn vị hành chính 2025")
        again = self.day_in(date(2025, 7, 1), date(2025, 8, 29))
        if (
            self.status == "poor"
            and self.rng.random() < 0.7
            and (closing is None or again < closing)
        ):
            self.start_sponsorship(again)

    def _evolve(self, y: int, shock: float, supported: list[str], on_list: bool) -> None:
        """Income and deprivations evolve through the year."""
        rng = self.rng
        if rng.random() < 0.02:
            shock -= rng.uniform(0.25, 0.6)
        bonus = 0.0
        if self.status == "poor":
            bonus += 0.01
        if self.exit_registered:
            bonus += 0.03
        bonus += 0.01 * sum(1 for c in supported if c in ("production", "credit", "employment"))
        self.log_income += self.w.growth[y] + self.growth + rng.gauss(0.0, 0.06) + shock + bonus
        resolve = 0.05 if on_list else 0.035
        for code in self.indicators:
            if self.deprived[code]:
                if rng.random() < resolve:
                    self.deprived[code] = False
            elif rng.random() < (0.05 if shock < 0 else 0.004):
                self.deprived[code] = True

    def periodic_review(self, y: int) -> None:
        """The year's periodic review: an assessment, and a decision for a household on a list
        or leaving one (``y`` = 2015 makes the end-2015 list)."""
        review = self.w.review(self.commune(date(y, 9, 1)), y)
        assessed = self.day_in(review.start, review.end)
        if assessed <= self.spec.registered_on:
            return
        standard = self.w.standard(assessed)
        if standard is None:
            return
        classified, assessed_at = self._assess(review, assessed, standard)
        previous = self.status
        if classified == "not_poor" and previous == "not_poor":
            return
        rng = self.rng
        status = classified
        if rng.random() < 0.01:
            status = {"poor": "near_poor", "near_poor": "poor", "not_poor": "near_poor"}[status]
        decided, number = review.decision_for(assessed)
        if self.mistakes and rng.random() < 0.008:
            decided_at = self.late(decided)
        else:
            decided_at = max(self.at(decided, 0, 6), assessed_at + timedelta(hours=1))
        if rng.random() < 0.005 and (decided - assessed).days >= 6:
            self.complaint(assessed, decided)
        self.add(
            decided_at,
            "recognise",
            {
                **self.common(decided),
                "status": status,
                "decision_number": number,
                "signed_by": review.signer,
            },
        )
        self.status = status
        if status != previous:
            self.status_since = decided
            self.status_recorded_at = decided_at
        self._after_decision(y, previous, decided, number)

    def _assess(self, review: Review, assessed: date, standard: Standard) -> tuple[str, Any]:
        """The review's assessment (now and then mistyped, retracted and entered again); the
        status it classifies and the moment it was recorded."""
        rng = self.rng
        area = self.commune(assessed).area_type
        if standard.code != self.last_standard:
            self.draw_deprivations(standard, area)
        income = int(round(math.exp(self.log_income), -3))
        deprivations = [c for c in self.indicators if self.deprived[c]]
        classified = standard.classify(area, income, deprivations).status  # type: ignore[arg-type]
        fields = {
            **self.common(assessed),
            "income_per_capita": income,
            "deprivations": deprivations,
            "kind": "periodic",
            "assessor": rng.choice(review.reviewers),
            "form": "Phiếu B" if standard.code == "2016-2020" else "Circular 07/2021",
        }
        assessed_at = self.at(assessed, 0, 6)
        if not (self.mistakes and rng.random() < 0.006):
            self.add(assessed_at, "assess", fields)
            return classified, assessed_at
        wrong = self.key()
        typo = income * 10 if rng.random() < 0.5 else income // 10
        self.add(assessed_at, "assess", {**fields, "income_per_capita": typo}, key=wrong)
        noticed = assessed_at + timedelta(days=rng.randint(14, 42), hours=rng.randint(0, 6))
        retracted = self.add(
            noticed,
            "retract",
            {
                "reason": "Nhập sai thu nhập bình quân đầu người",
                "recorded_by": self.common(noticed.date())["recorded_by"],
            },
            deps=(("version", wrong, "version"),),
        )
        self.add(retracted + timedelta(minutes=rng.randint(2, 40)), "assess", fields)
        return classified, assessed_at

    def _after_decision(self, y: int, previous: str, decided: date, number: str) -> None:
        """Sponsorships after a decision: one ends after an exit, one starts for the poor."""
        rng, status = self.rng, self.status
        if previous == "poor" and status != "poor":
            self.exited_year = y
            self.exit_registered = False
            if self.sponsorship is not None:
                if rng.random() < 0.75:
                    day = min(decided + timedelta(days=rng.randint(0, 20)), date(y, 12, 31))
                    self.end_sponsorship(day, f"Hộ đã thoát nghèo theo Quyết định {number}")
                else:
                    self.end_sponsorship_next_year = True
        elif status == "poor":
            self.end_sponsorship_next_year = False
            if self.sponsorship is None and y >= CAMPAIGN_LAUNCH.year:
                chance = 0.85 if y == CAMPAIGN_LAUNCH.year or previous != "poor" else 0.3
                if rng.random() < chance:
                    day = decided + timedelta(days=rng.randint(5, 40))
                    if y == CAMPAIGN_LAUNCH.year:
                        day = max(day, date(y, 11, 15))
                    self.start_sponsorship(min(day, date(y, 12, 31)))

    def complaint(self, assessed: date, decided: date) -> None:
        rng = self.rng
        filed = assessed + timedelta(days=rng.randint(2, (decided - assessed).days - 3))
        resolved = min(filed + timedelta(days=rng.randint(3, 15)), decided - ONE_DAY)
        subject, text = rng.choice(COMPLAINTS)
        key = self.key()
        neighbour = rng.random() < 0.5
        filed_at = self.add(
            self.at(filed, 0, 1),
            "file_complaint",
            {
                **self.common(filed),
                "complainant": (
                    f"Người dân {self.village}" if neighbour else self.members[0]["name"]
                ),
                "subject": subject,
                "text": text,
            },
            key=key,
        )
        outcome = rng.choices(("rejected", "upheld", "withdrawn"), (0.55, 0.25, 0.2))[0]
        notes = {
            "rejected": "Tổ rà soát xác minh lại, giữ nguyên kết quả",
            "upheld": "Xác minh đúng phản ánh; điều chỉnh kết quả trước khi công nhận",
            "withdrawn": "Người khiếu nại rút đơn sau khi được giải thích",
        }
        self.add(
            max(self.at(resolved, 0, 1), filed_at + timedelta(hours=2)),
            "resolve_complaint",
            {**self.common(resolved), "outcome": outcome, "note": notes[outcome]},
            deps=(("complaint_id", key, "complaint_id"),),
        )
