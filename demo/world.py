"""The district the demo's households live in: communes, reviews, officers, villages, standards."""

from __future__ import annotations

import math
import random
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, timedelta

from application.households import Households
from demo.reference import (
    BASELINE_YEAR,
    COMMUNE_WEIGHTS,
    DISTRICT,
    FEMALE_NAMES,
    FIRST_YEAR,
    GROWTH,
    MALE_NAMES,
    ONE_DAY,
    REGISTRATION_START,
    SURNAMES,
    TAY_NUNG_SURNAMES,
    VILLAGE_PREFIXES,
    VILLAGE_ROOTS,
)
from domain.standards import ClassificationInputError, Standard, UnknownStandardError
from domain.units import Unit


@dataclass(frozen=True)
class Spec:
    code: str
    unit: str
    registered_on: date
    initial: bool


@dataclass
class Review:
    """One commune's periodic review in one year: its field window and decisions."""

    start: date
    end: date
    decisions: list[tuple[date, str]]
    reviewers: tuple[str, ...]
    signer: str

    def decision_for(self, assessed: date) -> tuple[date, str]:
        earliest = assessed + timedelta(days=4)
        for decided, number in self.decisions:
            if decided >= earliest:
                return decided, number
        return self.decisions[-1]


def weekday(day: date) -> date:
    """The next working day on or after ``day`` (offices close at weekends)."""
    wd = day.weekday()
    return day + timedelta(days=7 - wd) if wd >= 5 else day


def slug(name: str) -> str:
    """``Xã Thống Nhất`` → ``thongnhat`` (for officer account names)."""
    text = name.replace("Đ", "D").replace("đ", "d")
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    text = text.lower()
    for prefix in ("xa ", "thi tran ", "phuong "):
        text = text.removeprefix(prefix)
    return text.replace(" ", "")


def logistic(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


class World:
    """Turns (seed, household spec) into a household's planned facts; caches catalogue lookups."""

    def __init__(self, app: Households, *, seed: int, to_year: int, today: date) -> None:
        self.app = app
        self.units = app.units
        self.seed = seed
        self.to_year = to_year
        self.today = today
        start = REGISTRATION_START
        self.start_communes = [
            u for u in self.units.communes_on(start) if self.units.contains(DISTRICT, u.code, start)
        ]
        if not self.start_communes:
            raise ValueError(f"the unit catalogue has no commune of district {DISTRICT} in 2016")
        edges: set[date] = set()
        for u in self.units.all_versions():
            edges.add(u.valid_from)
            if u.valid_to is not None:
                edges.add(u.valid_to + ONE_DAY)
        self._edges = sorted(edges)
        self._unit_cache: dict[tuple[str, date, int], Unit] = {}
        self._review_cache: dict[tuple[str, int], Review] = {}
        self._village_cache: dict[str, tuple[str, ...]] = {}
        self._standard_cache: dict[tuple[int, bool], Standard | None] = {}
        self._officer_cache: dict[str, str] = {}
        self._communes_cache: dict[int, list[Unit]] = {}
        draw = random.Random(f"{seed}/growth")
        self.growth: dict[int, float] = {
            # District-wide income growth; the pandemic years grew least.
            y: GROWTH.get(y) or draw.uniform(0.08, 0.13)
            for y in range(FIRST_YEAR, to_year + 1)
        }

    def commune_on(self, code: str, named_on: date, on: date) -> Unit:
        """The commune the household's address denotes on ``on`` (following mergers)."""
        key = (code, named_on, bisect_right(self._edges, on))
        unit = self._unit_cache.get(key)
        if unit is None:
            unit = self.units.denoted_on(code, named_on, on)
            self._unit_cache[key] = unit
        return unit

    def communes(self, on: date) -> list[Unit]:
        """Hạ Lang's communes on ``on``: those of 2016 and the units they became."""
        index = bisect_right(self._edges, on)
        found = self._communes_cache.get(index)
        if found is None:
            found = []
            for u in self.start_communes:
                unit = self.commune_on(u.code, u.valid_from, on)
                if unit not in found:
                    found.append(unit)
            self._communes_cache[index] = found
        return found

    def standard(self, assessed_on: date) -> Standard | None:
        """The standard of the review dated ``assessed_on`` (None when no standard covers it)."""
        key = (assessed_on.year, assessed_on.month >= 9)
        if key not in self._standard_cache:
            try:
                self._standard_cache[key] = self.app.standards.resolve_review(
                    assessed_on, kind="periodic"
                ).standard
            except (ClassificationInputError, UnknownStandardError):
                self._standard_cache[key] = None
        return self._standard_cache[key]

    def officer(self, unit: Unit) -> str:
        name = self._officer_cache.get(unit.key)
        if name is None:
            name = f"officer.{slug(unit.name)}"
            self._officer_cache[unit.key] = name
        return name

    def villages(self, unit: Unit) -> tuple[str, ...]:
        """Villages of a commune version; a merged commune has its predecessors' villages."""
        cached = self._village_cache.get(unit.key)
        if cached is not None:
            return cached
        predecessors = [
            u
            for u in self.units.all_versions()
            if u.successor == unit.code
            and u.valid_to is not None
            and u.valid_to + ONE_DAY == unit.valid_from
            and u.key != unit.key
        ]
        if predecessors:
            names: list[str] = []
            for p in predecessors:
                names.extend(v for v in self.villages(p) if v not in names)
            result = tuple(names)
        elif unit.area_type == "urban":
            result = tuple(f"Tổ dân phố {i}" for i in range(1, 7))
        else:
            rng = random.Random(f"villages/{unit.code}/{unit.name}")
            chosen: list[str] = []
            while len(chosen) < rng.randint(7, 11):
                name = f"{rng.choice(VILLAGE_PREFIXES)} {rng.choice(VILLAGE_ROOTS)}"
                if name not in chosen:
                    chosen.append(name)
            result = tuple(chosen)
        self._village_cache[unit.key] = result
        return result

    def review(self, commune: Unit, year: int) -> Review:
        """The commune's review of ``year``: field window, decision dates and numbers, signer."""
        key = (commune.key, year)
        review = self._review_cache.get(key)
        if review is not None:
            return review
        rng = random.Random(f"{self.seed}/review/{commune.key}/{year}")
        start = date(year, 9, 1) + timedelta(days=rng.randint(0, 30))
        end = min(start + timedelta(days=rng.randint(25, 60)), date(year, 12, 14))
        number = rng.randint(60, 320)
        if year == BASELINE_YEAR:
            review = self._december_review(rng, commune, start, number)
            self._review_cache[key] = review
            return review
        decisions: list[tuple[date, str]] = []
        decided = weekday(start + timedelta(days=rng.randint(18, 26)))
        while decided < end + timedelta(days=4):
            decisions.append((decided, f"{number}/QĐ-UBND"))
            number += rng.randint(1, 9)
            decided = weekday(decided + timedelta(days=rng.randint(18, 30)))
        final = min(weekday(end + timedelta(days=rng.randint(5, 12))), date(year, 12, 31))
        if not decisions or decisions[-1][0] < final:
            decisions.append((final, f"{number}/QĐ-UBND"))
        reviewers = tuple(random_person(rng, "Tày")[0] for _ in range(rng.randint(3, 5)))
        review = Review(start, end, decisions, reviewers, signer(commune))
        self._review_cache[key] = review
        return review

    def _december_review(
        self, rng: random.Random, commune: Unit, start: date, number: int
    ) -> Review:
        """The 2015 review: fieldwork from September to November, the commune's decisions on the
        2016 list in December (one, or two when some results came late)."""
        end = min(start + timedelta(days=rng.randint(40, 75)), date(BASELINE_YEAR, 11, 30))
        first = weekday(date(BASELINE_YEAR, 12, 1) + timedelta(days=rng.randint(0, 9)))
        decisions = [(first, f"{number}/QĐ-UBND")]
        second = weekday(first + timedelta(days=rng.randint(7, 14)))
        if second.year == BASELINE_YEAR and rng.random() < 0.5:
            decisions.append((second, f"{number + rng.randint(1, 9)}/QĐ-UBND"))
        reviewers = tuple(random_person(rng, "Tày")[0] for _ in range(rng.randint(3, 5)))
        return Review(start, end, decisions, reviewers, signer(commune))

    def specs(self, count: int) -> list[Spec]:
        """Which households exist: commune, registration date and code of each."""
        rng = random.Random(f"{self.seed}/specs")
        communes = self.start_communes
        weights = [COMMUNE_WEIGHTS.get(u.code, 1.0) for u in communes]
        initial = count if count < 20 else round(count * 0.96)
        total = sum(weights)
        quotas = [initial * w / total for w in weights]
        counts = [int(q) for q in quotas]
        order = sorted(range(len(communes)), key=lambda i: (counts[i] - quotas[i], i))
        for i in order[: initial - sum(counts)]:
            counts[i] += 1
        drafts: list[tuple[date, str, int]] = []
        n = 0
        for unit, k in zip(communes, counts, strict=True):
            for _ in range(k):
                day = REGISTRATION_START + timedelta(days=rng.randint(0, 87))
                drafts.append((day, unit.code, n))
                n += 1
        last = min(date(self.to_year, 8, 31), self.today - timedelta(days=45))
        first_split = date(FIRST_YEAR, 6, 1)
        for _ in range(count - initial):
            origin = rng.choices(communes, weights)[0]
            span = max((last - first_split).days, 0)
            day = first_split + timedelta(days=rng.randint(0, span))
            unit = self.commune_on(origin.code, date(FIRST_YEAR, 1, 1), day)
            drafts.append((day, unit.code, n))
            n += 1
        drafts.sort()
        sequence: dict[str, int] = {}
        specs = []
        for day, code, i in drafts:
            sequence[code] = sequence.get(code, 0) + 1
            specs.append(Spec(f"{code}-{sequence[code]:04d}", code, day, i < initial))
        return specs


def signer(commune: Unit) -> str:
    return f"Chủ tịch UBND {commune.name[0].lower()}{commune.name[1:]}"


def random_person(rng: random.Random, ethnicity: str, sex: str | None = None) -> tuple[str, str]:
    sex = sex or rng.choice(("male", "female"))
    surname = rng.choice(SURNAMES.get(ethnicity, TAY_NUNG_SURNAMES))
    given = rng.choice(MALE_NAMES if sex == "male" else FEMALE_NAMES)
    return f"{surname} {'Văn' if sex == 'male' else 'Thị'} {given}", sex
