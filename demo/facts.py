"""The other facts of a household's life: support, sponsors, members, moves, inspections, closure."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from demo.life import LifeBase
from demo.reference import (
    INSPECTION_FINDINGS,
    MASS_ORGANISATIONS,
    OFFICIAL_POSTS,
    ONE_DAY,
    PROGRAMMES_2016,
    PROGRAMMES_2021,
    SPONSOR_AGENCIES,
    SPONSOR_AGENCIES_2025,
    SPONSOR_ENTERPRISES,
    SUPPORT,
    SUPPORT_FOR_INDICATOR,
)
from demo.world import random_person
from domain.vocabulary import SUPPORT_CATEGORIES


class OtherFacts(LifeBase):
    """Support, sponsorships, member changes, moves, inspections, complaints and closure."""

    def supports(self, y: int, closing: date | None) -> list[str]:
        rng = self.rng
        status = self.status
        if status == "poor":
            n = rng.choices(range(4), (0.12, 0.33, 0.33, 0.22))[0]
        elif status == "near_poor":
            n = rng.choices(range(3), (0.45, 0.45, 0.1))[0]
        elif self.exited_year is not None and y - self.exited_year <= 3:
            n = 1 if rng.random() < 0.25 else 0
        else:
            return []
        first = max(date(y, 1, 10), self.status_since + timedelta(days=7))
        last = date(y, 8, 31) if closing is None else closing - ONE_DAY
        if first > last:
            return []
        delivered = []
        categories = list(SUPPORT_CATEGORIES)
        weights = [SUPPORT.get(c, SUPPORT["other"])[0] for c in categories]
        for _ in range(n):
            if status == "not_poor":
                category = "credit"
            elif rng.random() < 0.45 and (
                targets := [
                    c for c in self.indicators if self.deprived[c] and c in SUPPORT_FOR_INDICATOR
                ]
            ):
                target = rng.choice(targets)
                category = SUPPORT_FOR_INDICATOR[target]
                if rng.random() < 0.4:
                    self.deprived[target] = False
            else:
                category = rng.choices(categories, weights)[0]
            day = self.day_in(first, last)
            self.support(day, category, closing)
            delivered.append(category)
        return delivered

    def support(self, day: date, category: str, closing: date | None) -> None:
        rng = self.rng
        _, low, high, in_kind, sources, provider_kind = SUPPORT.get(category, SUPPORT["other"])
        step = 1_000_000 if high >= 20_000_000 else 50_000
        amount = rng.randint(low // step, high // step) * step
        programmes = PROGRAMMES_2016 if day.year <= 2020 else PROGRAMMES_2021
        programme = rng.choice(programmes)
        if category == "housing" and day.year <= 2020:
            programme = "Hỗ trợ nhà ở hộ nghèo (Quyết định 33/2015/QĐ-TTg)"
        elif category == "housing" and day.year >= 2024:
            programme = "Xóa nhà tạm, nhà dột nát"
        after_reform = day >= date(2025, 7, 1)
        funding = [s for s in sources if not (after_reform and s == "district")] or ["provincial"]
        fields = {
            **self.common(day),
            "category": category,
            "programme": programme,
            "funding_source": rng.choice(funding),
            "amount_vnd": amount,
            "in_kind": rng.choice(in_kind) if in_kind and rng.random() < 0.8 else None,
            "provider": self.provider(provider_kind, day),
        }
        if self.mistakes and rng.random() < 0.005:
            # An extra zero in the amount, retracted and entered again a few weeks later.
            wrong = self.key()
            first_at = self.add(
                self.at(day), "deliver_support", {**fields, "amount_vnd": amount * 10}, key=wrong
            )
            noticed = first_at + timedelta(days=rng.randint(10, 40), hours=rng.randint(0, 5))
            retracted = self.add(
                noticed,
                "retract",
                {
                    "reason": "Sai số tiền hỗ trợ",
                    "recorded_by": self.common(noticed.date())["recorded_by"],
                },
                deps=(("version", wrong, "version"),),
            )
            self.add(retracted + timedelta(minutes=rng.randint(2, 30)), "deliver_support", fields)
            return
        late = self.mistakes and closing is None and rng.random() < 0.015
        self.add(self.late(day) if late else self.at(day, 0, 6), "deliver_support", fields)

    def provider(self, kind: str, day: date) -> str:
        commune = self.commune(day)
        local = f"UBND {commune.name[0].lower()}{commune.name[1:]}"
        district = day < date(2025, 7, 1)
        if kind == "bank":
            return (
                "Ngân hàng Chính sách xã hội huyện Hạ Lang"
                if district
                else "Ngân hàng Chính sách xã hội tỉnh Cao Bằng"
            )
        if kind == "agriculture":
            return (
                "Trạm Khuyến nông huyện Hạ Lang"
                if district
                else "Trung tâm Dịch vụ nông nghiệp tỉnh Cao Bằng"
            )
        if kind == "health":
            return "Bảo hiểm xã hội huyện Hạ Lang" if district else "Bảo hiểm xã hội tỉnh Cao Bằng"
        if kind == "education":
            return "Phòng Giáo dục và Đào tạo huyện Hạ Lang" if district else local
        if kind == "training":
            return (
                "Trung tâm GDNN-GDTX huyện Hạ Lang" if district else "Trường Cao đẳng nghề Cao Bằng"
            )
        if kind == "jobs":
            return "Trung tâm Dịch vụ việc làm tỉnh Cao Bằng"
        if kind == "front":
            return "Ủy ban MTTQ huyện Hạ Lang" if district else f"Ủy ban MTTQ {local[5:]}"
        if kind == "association":
            return f"Hội Nông dân {local[5:]}"
        return local

    def member_changes(self, y: int, closing: date | None) -> float:
        """Births and deaths of the year; returns an income shock (a death costs the family)."""
        last = date(y, 12, 31) if closing is None else closing - ONE_DAY
        first = max(date(y, 1, 1), self.spec.registered_on + ONE_DAY)
        if first > last:
            return 0.0
        shock = self._deaths(y, first, last)
        mothers = [
            m
            for m in self.members
            if m["sex"] == "female" and 20 <= y - m["birth_year"] <= 40 and m["relation"] != "child"
        ]
        rng = self.rng
        if mothers and rng.random() < 0.07:
            self._birth(y, mothers[0], first, last)
        elif rng.random() < 0.004 and (known := [m for m in self.members if m["birth_year"] < y]):
            m = rng.choice(known)
            m["birth_year"] += rng.choice((-1, 1))
            day = self.day_in(first, last)
            self.add(
                self.at(day, 1, 10),
                "change_member",
                {
                    **self.common(day),
                    "change": "updated",
                    "member": {"name": m["name"], "birth_year": m["birth_year"]},
                    "reason": "Điều chỉnh theo Căn cước công dân",
                },
            )
        return shock

    def _deaths(self, y: int, first: date, last: date) -> float:
        rng = self.rng
        shock = 0.0
        for m in list(self.members):
            if m["relation"] == "head":
                continue
            age = y - m["birth_year"]
            if age >= 60 and rng.random() < 0.01 + 0.004 * (age - 60):
                day = self.day_in(first, last)
                self.members.remove(m)
                late = self.mistakes and rng.random() < 0.05
                self.add(
                    self.late(day) if late else self.at(day, 1, 10),
                    "change_member",
                    {
                        **self.common(day),
                        "change": "removed",
                        "member": {"name": m["name"]},
                        "reason": "Qua đời",
                    },
                )
                shock -= 0.05
        return shock

    def _birth(self, y: int, mother: dict[str, Any], first: date, last: date) -> None:
        rng = self.rng
        sex = rng.choice(("male", "female"))
        relation = "child" if mother["relation"] in ("head", "spouse") else "grandchild"
        day = self.day_in(first, last)
        member = {
            "name": self.unique_name(sex, self.surname),
            "birth_year": y,
            "sex": sex,
            "relation": relation,
        }
        self.members.append(member)
        late = self.mistakes and rng.random() < 0.05
        self.add(
            self.late(day) if late else self.at(day, 3, 20),
            "change_member",
            {
                **self.common(day),
                "change": "added",
                "member": dict(member),
                "reason": "Sinh con" if relation == "child" else "Sinh cháu",
            },
        )

    def relocate(self, y: int, closing: date | None) -> None:
        rng = self.rng
        day = self.day_in(max(date(y, 3, 1), self.spec.registered_on + ONE_DAY), date(y, 7, 31))
        if closing is not None and day >= closing:
            return
        current = self.commune(day)
        options = [u for u in self.w.communes(day) if u.key != current.key]
        if not options:
            return
        target = rng.choice(options)
        village = rng.choice(self.w.villages(target))
        self.add(
            self.at(day, 1, 6),
            "relocate",
            {**self.common(day), "unit": target.code, "village": village},
        )
        self.unit, self.named_on, self.village = target.code, day, village

    def inspect(self, y: int, closing: date | None) -> None:
        rng = self.rng
        day = self.day_in(max(date(y, 4, 1), self.spec.registered_on + ONE_DAY), date(y, 8, 31))
        if closing is not None and day >= closing:
            return
        commune = self.commune(day)
        if rng.random() < 0.35:
            team = f"Ban Giám sát đầu tư cộng đồng {commune.name[0].lower()}{commune.name[1:]}"
        elif day < date(2025, 7, 1):
            team = "Đoàn kiểm tra Ban Chỉ đạo giảm nghèo huyện Hạ Lang"
        else:
            team = "Đoàn kiểm tra Sở Nông nghiệp và Môi trường tỉnh Cao Bằng"
        if rng.random() < 0.15:
            code, note = rng.choice(INSPECTION_FINDINGS)
            findings = [{"code": code, "severity": rng.choice(("minor", "major")), "note": note}]
            outcome = "discrepancy"
        else:
            findings = [
                {
                    "code": "records_complete",
                    "severity": "info",
                    "note": "Hồ sơ đầy đủ, đúng đối tượng",
                }
            ]
            outcome = "confirmed"
        late = self.mistakes and rng.random() < 0.05
        self.add(
            self.late(day) if late else self.at(day, 1, 8),
            "inspect",
            {**self.common(day), "team": team, "findings": findings, "outcome": outcome},
        )

    def start_sponsorship(self, day: date) -> None:
        rng = self.rng
        commune = self.commune(day)
        district = day < date(2025, 7, 1)
        kind = rng.choices(
            ("agency", "official", "enterprise", "mass_organisation", "individual"),
            (0.3, 0.3, 0.1, 0.22, 0.08),
        )[0]
        local = f"{commune.name[0].lower()}{commune.name[1:]}"
        if kind == "agency":
            name = rng.choice(SPONSOR_AGENCIES if district else SPONSOR_AGENCIES_2025)
            unit = "048" if district else "04"
        elif kind == "official":
            person = random_person(rng, "Tày")[0]
            name, unit = f"{person}, {rng.choice(OFFICIAL_POSTS)}", commune.code
        elif kind == "enterprise":
            name, unit = rng.choice(SPONSOR_ENTERPRISES), "048" if district else "04"
        elif kind == "mass_organisation":
            name, unit = f"{rng.choice(MASS_ORGANISATIONS)} {local}", commune.code
        else:
            name, unit = random_person(rng, "Nùng")[0], commune.code
        key = self.key()
        at = self.add(
            self.at(day),
            "start_sponsorship",
            {**self.common(day), "sponsor": {"name": name, "kind": kind, "unit": unit}},
            key=key,
        )
        self.sponsorship = (key, unit, day, at)

    def end_sponsorship(self, day: date, reason: str) -> None:
        assert self.sponsorship is not None
        key, _, started, started_at = self.sponsorship
        day = max(day, started)
        self.add(
            max(self.at(day), started_at + timedelta(hours=1)),
            "end_sponsorship",
            {**self.common(day), "reason": reason},
            deps=(("sponsorship_id", key, "sponsorship_id"),),
        )
        self.sponsorship = None

    def close(self, day: date) -> None:
        rng = self.rng
        if self.sponsorship is not None:
            self.end_sponsorship(day, "Hộ không còn trên địa bàn")
        reason = rng.choices(
            ("moved_away", "merged", "dissolved", "deceased"), (0.5, 0.3, 0.1, 0.1)
        )[0]
        latest = max(f[0] for f in self.facts)
        self.add(
            max(self.at(day, 1, 6), latest + timedelta(minutes=rng.randint(5, 120))),
            "close_household",
            {**self.common(day), "reason": reason},
        )
