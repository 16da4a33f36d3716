"""``chungtay demo``: a reproducible synthetic history of Hạ Lang, 2016 → a year, on the real write path.

Every fact goes through the :class:`~application.households.Households` commands (register,
assess, recognise, deliver_support, ...) inside ``app.batch()`` blocks, so the demo exercises the
same invariants, classification and hash chain as the API. Recording time is simulated: the
application's clock is swapped for a :class:`SimulatedClock` that is set, before each command, to
the moment the fact was "entered" (a few days after it took effect; a few entries months late;
a few mistakes retracted and corrected weeks later), and restored afterwards.

The history is a function of ``(households, seed, to_year)`` and of the moment of generation only
through the cut-off: nothing is recorded after the application's clock at the start (facts not
yet "entered" by then are left out). Each household draws from its own random stream (seeded by
``seed`` and its code), so the facts do not depend on ``batch_size``.

The model, in short (everything deterministic with ``random.Random``):

* households in the 15 communes of 2016 (Thái Đức and Việt Chu included), sized by commune,
  registered in early 2016 (a few split-off households later), Nùng and Tày families with
  members and birth years;
* a baseline assessment and decision carrying over the end-2015 list, then every year a periodic
  review (1 Sep - 14 Dec) with income per capita growing ~8-15 %/yr with household noise and
  shocks, deprivations drawn from the indicators of the standard that applies (new indicators at
  the 2021 and 2026 reviews), and a commune decision for households on a list or changing status;
* support of every category, sponsorships from the 2017 campaign on, exit registrations, member
  changes, relocations, complaints, inspections, closures, late entries and corrections.
"""

from __future__ import annotations

import math
import random
import time
import unicodedata
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from application.households import Households, Recorded
from domain.household import household_id_for
from domain.situation import transition_between
from domain.standards import ClassificationInputError, Standard, UnknownStandardError
from domain.units import Unit
from domain.vocabulary import SUPPORT_CATEGORIES

__all__ = ["DemoSummary", "SimulatedClock", "StoreNotEmpty", "generate_demo", "store_is_empty"]

FIRST_YEAR = 2016
DISTRICT = "048"
"""Huyện Hạ Lang: the demo's households live in its communes of 2016 (and their successors)."""
CAMPAIGN_LAUNCH = date(2017, 11, 9)
"""Notice 393/PĐ-UBND: the campaign, with its sponsorships and exit registrations, starts here."""

# -- reference material --------------------------------------------------------------------------

COMMUNE_WEIGHTS: dict[str, float] = {
    "01534": 0.9,  # Minh Long
    "01537": 1.1,  # Lý Quốc
    "01540": 0.8,  # Thắng Lợi
    "01543": 0.8,  # Đồng Loan
    "01546": 0.9,  # Đức Quang
    "01549": 0.9,  # Kim Loan
    "01552": 1.3,  # Quang Long
    "01555": 0.8,  # An Lạc
    "01558": 1.2,  # Thanh Nhật (town)
    "01561": 1.1,  # Vinh Quý
    "01564": 0.9,  # Thống Nhất
    "01567": 0.8,  # Cô Ngân
    "01570": 0.7,  # Thái Đức
    "01571": 0.6,  # Việt Chu
    "01573": 1.0,  # Thị Hoa
}
"""Relative household counts per commune of 2016 (rough; unknown communes weigh 1)."""


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


ETHNICITIES: tuple[tuple[str, float], ...] = (
    ("Nùng", 0.53),
    ("Tày", 0.45),
    ("Kinh", 0.012),
    ("Mông", 0.004),
    ("Dao", 0.003),
    ("Sán Chay", 0.001),
)
TAY_NUNG_SURNAMES = _words("Nông Hoàng Lý Bế Đàm Lương Triệu Lâm Mạc Lục Nguyễn")
SURNAMES: dict[str, tuple[str, ...]] = {
    "Nùng": TAY_NUNG_SURNAMES,
    "Tày": TAY_NUNG_SURNAMES,
    "Kinh": ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ"),
    "Mông": ("Vàng", "Giàng", "Lù", "Thào", "Hầu"),
    "Dao": ("Triệu", "Bàn", "Đặng", "Lý"),
    "Sán Chay": ("Lâm", "Hoàng", "Lục", "Lương"),
}
MALE_NAMES = _words(
    "Tú Hùng Dũng Thắng Minh Hải Quang Đức Sơn Tuấn Khánh Cường Bình Phúc Long Thành Kiên Hưng"
)
FEMALE_NAMES = _words(
    "Hoa Lan Mai Hương Thu Hằng Nga Liên Hạnh Thúy Linh Dung Vân Yến Nhung Thảo Huyền"
)
VILLAGE_PREFIXES = ("Bản", "Nà", "Khau", "Pác", "Lũng", "Cốc", "Phia", "Khuổi", "Pò", "Slam")
VILLAGE_ROOTS = _words(
    "Rạc Thúng Mạ Sliến Lạn Tổng Đông Nặm Cáp Luông Thin Vài Mò Chang Giáo Lình Khoang Piàng Bó Rằng"
)

PROGRAMMES_2016 = ("30a", "Nghị quyết 30a", "135", "Chương trình MTQG giảm nghèo bền vững")
PROGRAMMES_2021 = (
    "Chương trình MTQG giảm nghèo bền vững",
    "30a",
    "Chương trình MTQG phát triển KT-XH vùng đồng bào DTTS và miền núi",
)

# category -> (weight, min VND, max VND, in-kind options, funding sources, provider kind)
SUPPORT: dict[str, tuple[float, int, int, tuple[str, ...], tuple[str, ...], str]] = {
    "production": (
        18,
        2_000_000,
        12_000_000,
        (
            "Bò cái sinh sản",
            "2 con dê giống",
            "Lợn nái giống",
            "Giống ngô lai",
            "Cây thạch đen giống",
            "Gà giống và thức ăn chăn nuôi",
        ),
        ("central", "provincial", "district"),
        "agriculture",
    ),
    "employment": (4, 1_000_000, 4_000_000, (), ("central", "provincial"), "jobs"),
    "credit": (14, 20_000_000, 100_000_000, (), ("credit VBSP",), "bank"),
    "vocational_training": (
        5,
        1_500_000,
        4_000_000,
        (
            "Lớp nghề chăn nuôi thú y",
            "Lớp nghề may công nghiệp",
            "Lớp nghề sửa chữa máy nông nghiệp",
        ),
        ("central", "provincial"),
        "training",
    ),
    "science_technology": (
        4,
        500_000,
        3_000_000,
        (
            "Chuyển giao kỹ thuật trồng thạch đen",
            "Giống lúa chất lượng cao",
            "Kỹ thuật ủ chua thức ăn gia súc",
        ),
        ("provincial", "district"),
        "agriculture",
    ),
    "housing": (
        5,
        25_000_000,
        60_000_000,
        ("Hỗ trợ làm nhà mới", "Sửa chữa nhà dột nát", "Xi măng, tôn lợp"),
        ("central", "social", "credit VBSP"),
        "commune",
    ),
    "education": (
        9,
        500_000,
        3_000_000,
        ("Miễn học phí", "Sách vở, đồ dùng học tập", "Hỗ trợ tiền ăn bán trú"),
        ("central", "provincial"),
        "education",
    ),
    "health": (
        12,
        600_000,
        1_200_000,
        ("Thẻ bảo hiểm y tế",),
        ("central",),
        "health",
    ),
    "water_sanitation": (
        5,
        1_000_000,
        5_000_000,
        ("Bể chứa nước 5 m³", "Téc nước inox 1.000 lít", "Nhà tiêu hợp vệ sinh"),
        ("central", "provincial", "credit VBSP"),
        "commune",
    ),
    "information": (
        4,
        300_000,
        3_000_000,
        ("Ti vi", "Đài radio", "Điện thoại thông minh"),
        ("central", "social"),
        "information",
    ),
    "social_assistance": (
        10,
        300_000,
        2_000_000,
        ("Quà Tết", "Hỗ trợ tiền điện", "Gạo cứu đói giáp hạt"),
        ("provincial", "social"),
        "front",
    ),
    "capacity_building": (
        3,
        200_000,
        1_000_000,
        ("Tập huấn kỹ năng làm ăn", "Tham quan mô hình sản xuất"),
        ("central", "district"),
        "association",
    ),
    "other": (3, 200_000, 2_000_000, ("Ngày vì người nghèo",), ("social",), "front"),
}
SUPPORT_FOR_INDICATOR: dict[str, str] = {
    "health_care_access": "health",
    "health_insurance": "health",
    "nutrition": "health",
    "adult_education": "vocational_training",
    "child_school_attendance": "education",
    "housing_quality": "housing",
    "housing_area": "housing",
    "domestic_water": "water_sanitation",
    "hygienic_latrine": "water_sanitation",
    "waste_treatment": "water_sanitation",
    "telecom_use": "information",
    "information_assets": "information",
    "information_access": "information",
    "internet_access": "information",
    "digital_services": "capacity_building",
    "employment": "employment",
    "dependants": "social_assistance",
}
"""Support that addresses a deprivation (support targets each household's deprivations)."""

INDICATOR_INTERCEPTS: dict[str, float] = {
    # 2016-2020 (Decision 59/2015)
    "health_care_access": -2.6,
    "health_insurance": -2.3,
    "adult_education": -0.9,
    "child_school_attendance": -2.1,
    "housing_quality": -0.3,
    "housing_area": -1.3,
    "domestic_water": -0.4,
    "hygienic_latrine": 0.2,
    "telecom_use": -1.9,
    "information_assets": -1.5,
    # 2021-2025 (Decree 07/2021): new and redefined indicators
    "employment": -0.5,
    "dependants": -1.0,
    "nutrition": -1.4,
    "information_access": -1.6,
    # 2026-2030 (Decree 351/2025, provisional list)
    "waste_treatment": -1.9,
    "internet_access": -2.5,
    "digital_services": -2.1,
}
REDEFINED: dict[str, tuple[str, ...]] = {
    "2021-2025": ("telecom_use",),  # from "phone or internet" to "internet"
    "2026-2030": ("telecom_use",),
}
"""Indicators kept by a new standard with a different definition: redrawn when it takes over."""
REDEFINED_INTERCEPTS: dict[tuple[str, str], float] = {
    ("2021-2025", "telecom_use"): -0.6,
    ("2026-2030", "telecom_use"): -2.2,
}

SPONSOR_AGENCIES = (
    "Phòng Tài chính - Kế hoạch huyện Hạ Lang",
    "Phòng Lao động - Thương binh và Xã hội huyện Hạ Lang",
    "Phòng Nông nghiệp và PTNT huyện Hạ Lang",
    "Ban Chỉ huy Quân sự huyện Hạ Lang",
    "Công an huyện Hạ Lang",
    "Trung tâm Y tế huyện Hạ Lang",
    "Phòng Giáo dục và Đào tạo huyện Hạ Lang",
    "Văn phòng HĐND và UBND huyện Hạ Lang",
)
SPONSOR_AGENCIES_2025 = (
    "Sở Nông nghiệp và Môi trường tỉnh Cao Bằng",
    "Đồn Biên phòng Thị Hoa",
    "Đồn Biên phòng Lý Vạn",
    "Bảo hiểm xã hội tỉnh Cao Bằng",
)
SPONSOR_ENTERPRISES = (
    "HTX Thạch đen Hạ Lang",
    "Công ty TNHH Xây dựng Hạ Lang",
    "Công ty CP Xi măng Cao Bằng",
    "Điện lực Hạ Lang",
    "Chi nhánh Viettel Hạ Lang",
)
MASS_ORGANISATIONS = (
    "Hội Nông dân",
    "Hội Liên hiệp Phụ nữ",
    "Đoàn Thanh niên",
    "Hội Cựu chiến binh",
    "Ủy ban MTTQ",
)
OFFICIAL_POSTS = (
    "Phó Chủ tịch UBND xã",
    "cán bộ Văn phòng - Thống kê xã",
    "công chức Lao động - TB&XH xã",
    "Bí thư Đảng ủy xã",
)
EXIT_PLANS = (
    "Nuôi bò sinh sản, trồng thạch đen",
    "Trồng thạch đen và chăn nuôi lợn",
    "Vay vốn chăn nuôi dê, trồng cỏ",
    "Con đi làm công nhân ở khu công nghiệp, trồng ngô",
    "Trồng hồi, quế; nuôi gà thả vườn",
    "Mở rộng diện tích lúa, nuôi cá ruộng",
)
COMPLAINTS = (
    (
        "Kết quả rà soát",
        "Hộ đề nghị xem xét lại vì gia đình có người ốm đau dài ngày, thu nhập giảm.",
    ),
    (
        "Kết quả rà soát",
        "Người dân phản ánh hộ có thu nhập cao hơn mức kê khai.",
    ),
    (
        "Danh sách niêm yết",
        "Đề nghị bổ sung hộ vào danh sách hộ cận nghèo do mất mùa.",
    ),
    (
        "Danh sách niêm yết",
        "Phản ánh hộ mới xây nhà kiên cố nhưng vẫn trong danh sách hộ nghèo.",
    ),
)
INSPECTION_FINDINGS = (
    ("income_understated", "Thu nhập kê khai thấp hơn thực tế"),
    ("deprivation_not_verified", "Chỉ số thiếu hụt chưa được xác minh tại hộ"),
    ("member_list_outdated", "Danh sách nhân khẩu chưa cập nhật biến động"),
    ("support_not_received", "Hộ chưa nhận đủ hỗ trợ theo danh sách"),
    ("records_incomplete", "Hồ sơ rà soát thiếu biên bản họp thôn"),
)

GROWTH: dict[int, float] = {
    2016: 0.12,
    2017: 0.13,
    2018: 0.12,
    2019: 0.12,
    2020: 0.08,
    2021: 0.08,
    2022: 0.09,
    2023: 0.09,
    2024: 0.10,
    2025: 0.10,
    2026: 0.09,
}
"""Mean yearly growth of income per capita (log points); other years draw 8-13 %."""

_ONE_DAY = timedelta(days=1)
_LN_BASE_LINE = math.log(700_000)


# -- public API -------------------------------------------------------------------------------


class SimulatedClock:
    """A clock the demo sets by hand: each fact's ``recorded_at`` and the application's "today"."""

    def __init__(self, start: datetime) -> None:
        self.current = start

    def __call__(self) -> datetime:
        return self.current


class StoreNotEmpty(ValueError):
    """The demo loads only into an empty store (its codes and figures assume it is alone)."""


@dataclass(frozen=True)
class DemoSummary:
    """What a demo run recorded: counts, the year-end picture it generated, and how long it took."""

    households: int
    events: int
    seconds: float
    seed: int
    to_year: int
    resident: dict[int, int] = field(default_factory=dict)
    poor: dict[int, int] = field(default_factory=dict)
    near_poor: dict[int, int] = field(default_factory=dict)
    transitions: dict[str, int] = field(default_factory=dict)

    @property
    def events_per_second(self) -> float:
        """Throughput of the run."""
        return self.events / self.seconds if self.seconds > 0 else 0.0

    def poor_rate(self, year: int) -> float:
        """Percent of resident households poor on 31 December of ``year``."""
        resident = self.resident.get(year, 0)
        return 100.0 * self.poor.get(year, 0) / resident if resident else 0.0

    def near_poor_rate(self, year: int) -> float:
        """Percent of resident households near-poor on 31 December of ``year``."""
        resident = self.resident.get(year, 0)
        return 100.0 * self.near_poor.get(year, 0) / resident if resident else 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (``chungtay demo --json``)."""
        return {
            "households": self.households,
            "events": self.events,
            "seconds": round(self.seconds, 3),
            "events_per_second": round(self.events_per_second, 1),
            "seed": self.seed,
            "to_year": self.to_year,
            "transitions": dict(self.transitions),
            "year_end": [
                {
                    "year": y,
                    "resident": self.resident[y],
                    "poor": self.poor.get(y, 0),
                    "near_poor": self.near_poor.get(y, 0),
                    "poor_rate": round(self.poor_rate(y), 2),
                    "near_poor_rate": round(self.near_poor_rate(y), 2),
                }
                for y in sorted(self.resident)
            ],
        }

    def to_text(self) -> str:
        """A short human-readable report: totals, then one line per year-end."""
        lines = [
            f"households: {self.households}",
            f"events: {self.events}",
            f"seconds: {self.seconds:.1f} ({self.events_per_second:.0f} events/s)",
            f"seed: {self.seed}, to_year: {self.to_year}",
            "year  resident  poor   rate   near-poor  rate",
        ]
        lines.extend(
            f"{y}  {self.resident[y]:8d}  {self.poor.get(y, 0):5d}  {self.poor_rate(y):5.1f}%"
            f"  {self.near_poor.get(y, 0):9d}  {self.near_poor_rate(y):4.1f}%"
            for y in sorted(self.resident)
        )
        lines.append(
            "transitions: " + ", ".join(f"{k} {v}" for k, v in sorted(self.transitions.items()))
        )
        return "\n".join(lines)


def store_is_empty(app: Households) -> bool:
    """Whether nothing has been recorded yet (``make run`` loads the demo only then)."""
    return not app.recorder.max_notification_id()


def generate_demo(
    app: Households,
    *,
    households: int = 6000,
    seed: int = 2017,
    to_year: int | None = None,
    batch_size: int = 200,
    progress: Callable[[int, int], None] | None = None,
) -> DemoSummary:
    """Record a synthetic history of ``households`` Hạ Lang households, 2016 → ``to_year``.

    ``to_year`` defaults to the current year of the application's clock; nothing is recorded
    later than that clock's reading at the start. ``progress(done, total)`` is called after each
    batch of ``batch_size`` households is saved (one transaction per batch).
    """
    if households < 1:
        raise ValueError("households must be at least 1")
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    if not store_is_empty(app):
        raise StoreNotEmpty(
            "the store already holds facts; the demo loads only into an empty store"
        )
    started = time.perf_counter()
    original_clock = app.clock
    horizon = original_clock()
    today = horizon.astimezone(app.zone).date()
    year = today.year if to_year is None else to_year
    if not FIRST_YEAR <= year <= today.year:
        raise ValueError(f"to_year must lie between {FIRST_YEAR} and {today.year}; got {year}")

    planner = _Planner(app, seed=seed, to_year=year, today=today)
    specs = planner.specs(households)
    tally = _Tally(year)
    sim = SimulatedClock(horizon)
    app.clock = sim
    events = 0
    try:
        for first in range(0, len(specs), batch_size):
            with app.batch():
                for spec in specs[first : first + batch_size]:
                    events += _execute(app, sim, horizon, planner.plan(spec), tally)
            if progress is not None:
                progress(min(first + batch_size, len(specs)), len(specs))
    finally:
        app.clock = original_clock
    return DemoSummary(
        households=tally.households,
        events=events,
        seconds=time.perf_counter() - started,
        seed=seed,
        to_year=year,
        resident=tally.resident,
        poor=tally.poor,
        near_poor=tally.near_poor,
        transitions=dict(sorted(tally.transitions.items())),
    )


# -- execution --------------------------------------------------------------------------------

# A planned fact: (recorded_at, sequence, method, keyword arguments, key, dependencies).
# ``key`` names the answer for later facts; ``dependencies`` maps an argument to (key, attribute)
# of an earlier answer (a sponsorship or complaint id, or the version a retraction voids).
_Fact = tuple[datetime, int, str, dict[str, Any], str | None, tuple[tuple[str, str, str], ...]]


@dataclass
class _Plan:
    code: str
    facts: list[_Fact]


class _Tally:
    """Year-end statuses of the facts actually recorded (the summary's figures)."""

    def __init__(self, to_year: int) -> None:
        self.years = range(FIRST_YEAR, to_year + 1)
        self.households = 0
        self.resident = dict.fromkeys(self.years, 0)
        self.poor = dict.fromkeys(self.years, 0)
        self.near_poor = dict.fromkeys(self.years, 0)
        self.transitions: dict[str, int] = {}

    def add(
        self,
        registered: date,
        closed: date | None,
        recognitions: list[tuple[date, datetime, str]],
    ) -> None:
        self.households += 1
        recognitions.sort()
        previous: str | None = None
        ever_poor = ever_near = False
        for _, _, status in recognitions:
            t = transition_between(previous, status, ever_poor, ever_near)
            self.transitions[t] = self.transitions.get(t, 0) + 1
            previous = status
            ever_poor = ever_poor or status == "poor"
            ever_near = ever_near or status == "near_poor"
        i = 0
        status = "not_poor"
        for y in self.years:
            end = date(y, 12, 31)
            if registered > end or (closed is not None and closed <= end):
                continue
            while i < len(recognitions) and recognitions[i][0] <= end:
                status = recognitions[i][2]
                i += 1
            self.resident[y] += 1
            if status == "poor":
                self.poor[y] += 1
            elif status == "near_poor":
                self.near_poor[y] += 1


def _execute(
    app: Households, sim: SimulatedClock, horizon: datetime, plan: _Plan, tally: _Tally
) -> int:
    """Record one household's planned facts in recording order, up to the horizon."""
    facts = sorted(plan.facts, key=lambda f: (f[0], f[1]))
    if not facts or facts[0][0] > horizon:
        return 0
    hid = household_id_for(plan.code)
    answers: dict[str, Recorded] = {}
    recognitions: list[tuple[date, datetime, str]] = []
    registered: date | None = None
    closed: date | None = None
    count = 0
    for at, _, method, kwargs, key, deps in facts:
        if at > horizon:
            break
        sim.current = at
        if deps:
            kwargs = dict(kwargs)
            for argument, ref, attribute in deps:
                answer = answers[ref]
                kwargs[argument] = (
                    answer.version if attribute == "version" else answer.extra[attribute]
                )
        if method == "register":
            answer = app.register(**kwargs)
            registered = kwargs["effective_on"]
        else:
            answer = getattr(app, method)(hid, **kwargs)
            if method == "recognise":
                recognitions.append((kwargs["effective_on"], at, kwargs["status"]))
            elif method == "close_household":
                closed = kwargs["effective_on"]
        if key is not None:
            answers[key] = answer
        count += 1
    assert registered is not None
    tally.add(registered, closed, recognitions)
    return count


# -- planning -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Spec:
    code: str
    unit: str
    registered_on: date
    initial: bool


@dataclass
class _Review:
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


def _weekday(day: date) -> date:
    """The next working day on or after ``day`` (offices close at weekends)."""
    wd = day.weekday()
    return day + timedelta(days=7 - wd) if wd >= 5 else day


def _slug(name: str) -> str:
    """``Xã Thống Nhất`` → ``thongnhat`` (for officer account names)."""
    text = name.replace("Đ", "D").replace("đ", "d")
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    text = text.lower()
    for prefix in ("xa ", "thi tran ", "phuong "):
        text = text.removeprefix(prefix)
    return text.replace(" ", "")


def _logistic(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


class _Planner:
    """Turns (seed, household spec) into a household's planned facts; caches catalogue lookups."""

    def __init__(self, app: Households, *, seed: int, to_year: int, today: date) -> None:
        self.app = app
        self.units = app.units
        self.seed = seed
        self.to_year = to_year
        self.today = today
        start = date(FIRST_YEAR, 1, 1)
        self.start_communes = [
            u for u in self.units.communes_on(start) if self.units.contains(DISTRICT, u.code, start)
        ]
        if not self.start_communes:
            raise ValueError(f"the unit catalogue has no commune of district {DISTRICT} in 2016")
        edges: set[date] = set()
        for u in self.units.all_versions():
            edges.add(u.valid_from)
            if u.valid_to is not None:
                edges.add(u.valid_to + _ONE_DAY)
        self._edges = sorted(edges)
        self._unit_cache: dict[tuple[str, date, int], Unit] = {}
        self._review_cache: dict[tuple[str, int], _Review] = {}
        self._baseline_cache: dict[str, tuple[date, str, str]] = {}
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

    # -- catalogue helpers (cached) -----------------------------------------------------------

    def commune_on(self, code: str, named_on: date, on: date) -> Unit:
        """The commune the household's address denotes on ``on`` (following mergers)."""
        key = (code, named_on, bisect_right(self._edges, on))
        unit = self._unit_cache.get(key)
        if unit is None:
            unit = self.units.successor_on(code, named_on, max(on, named_on))
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
                self._standard_cache[key] = self.app.standards.resolve_review(assessed_on).standard
            except (ClassificationInputError, UnknownStandardError):
                self._standard_cache[key] = None
        return self._standard_cache[key]

    def officer(self, unit: Unit) -> str:
        name = self._officer_cache.get(unit.key)
        if name is None:
            name = f"officer.{_slug(unit.name)}"
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
            and u.valid_to + _ONE_DAY == unit.valid_from
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

    def review(self, commune: Unit, year: int) -> _Review:
        """The commune's review of ``year``: field window, decision dates and numbers, signer."""
        key = (commune.key, year)
        review = self._review_cache.get(key)
        if review is not None:
            return review
        rng = random.Random(f"{self.seed}/review/{commune.key}/{year}")
        start = date(year, 9, 1) + timedelta(days=rng.randint(0, 30))
        end = min(start + timedelta(days=rng.randint(25, 60)), date(year, 12, 14))
        number = rng.randint(60, 320)
        decisions: list[tuple[date, str]] = []
        decided = _weekday(start + timedelta(days=rng.randint(18, 26)))
        while decided < end + timedelta(days=4):
            decisions.append((decided, f"{number}/QĐ-UBND"))
            number += rng.randint(1, 9)
            decided = _weekday(decided + timedelta(days=rng.randint(18, 30)))
        final = min(_weekday(end + timedelta(days=rng.randint(5, 12))), date(year, 12, 31))
        if not decisions or decisions[-1][0] < final:
            decisions.append((final, f"{number}/QĐ-UBND"))
        reviewers = tuple(_person(rng, "Tày")[0] for _ in range(rng.randint(3, 5)))
        review = _Review(start, end, decisions, reviewers, _signer(commune))
        self._review_cache[key] = review
        return review

    def baseline_decision(self, commune: Unit) -> tuple[date, str, str]:
        """The commune's decision carrying the end-2015 list into the ledger (April 2016)."""
        cached = self._baseline_cache.get(commune.key)
        if cached is None:
            rng = random.Random(f"{self.seed}/baseline/{commune.key}")
            day = _weekday(date(FIRST_YEAR, 4, 4) + timedelta(days=rng.randint(0, 14)))
            cached = (day, f"{rng.randint(12, 58)}/QĐ-UBND", _signer(commune))
            self._baseline_cache[commune.key] = cached
        return cached

    # -- households -------------------------------------------------------------------------

    def specs(self, count: int) -> list[_Spec]:
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
        start = date(FIRST_YEAR, 1, 4)
        for unit, k in zip(communes, counts, strict=True):
            for _ in range(k):
                drafts.append((start + timedelta(days=rng.randint(0, 87)), unit.code, n))
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
            specs.append(_Spec(f"{code}-{sequence[code]:04d}", code, day, i < initial))
        return specs

    def plan(self, spec: _Spec) -> _Plan:
        return _HouseholdPlanner(self, spec).run()


def _signer(commune: Unit) -> str:
    return f"Chủ tịch UBND {commune.name[0].lower()}{commune.name[1:]}"


def _person(rng: random.Random, ethnicity: str, sex: str | None = None) -> tuple[str, str]:
    sex = sex or rng.choice(("male", "female"))
    surname = rng.choice(SURNAMES.get(ethnicity, TAY_NUNG_SURNAMES))
    given = rng.choice(MALE_NAMES if sex == "male" else FEMALE_NAMES)
    return f"{surname} {'Văn' if sex == 'male' else 'Thị'} {given}", sex


class _HouseholdPlanner:
    """One household's life, year by year, as a list of planned facts."""

    def __init__(self, world: _Planner, spec: _Spec) -> None:
        self.w = world
        self.spec = spec
        self.rng = random.Random(f"{world.seed}/household/{spec.code}")
        self.facts: list[_Fact] = []
        self.seq = 0
        self.keys = 0
        rng = self.rng
        self.unit = spec.unit
        self.named_on = spec.registered_on
        self.ethnicity = rng.choices([e for e, _ in ETHNICITIES], [w for _, w in ETHNICITIES])[0]
        self.closing_year: int | None = None
        if world.to_year > spec.registered_on.year and rng.random() < 0.035:
            self.closing_year = rng.randint(spec.registered_on.year + 1, world.to_year)
        # Late entries and corrections only where nothing is recorded after them (no closure).
        self.mistakes = self.closing_year is None
        self.status = "not_poor"
        self.status_since = spec.registered_on
        self.exited_year: int | None = None
        self.exit_registered = False
        self.sponsorship: tuple[str, str, date, datetime] | None = None  # key, unit, start, at
        self.end_sponsorship_next_year = False
        self.last_standard: str | None = None
        self.indicators: tuple[str, ...] = ()
        self.deprived: dict[str, bool] = {}
        self.members: list[dict[str, Any]] = []
        self.names: set[str] = set()
        self.surname = ""

    # -- small helpers --------------------------------------------------------------------

    def key(self) -> str:
        self.keys += 1
        return f"k{self.keys}"

    def at(self, day: date, lo: int = 0, hi: int = 5) -> datetime:
        """A recording moment ``lo``-``hi`` days after ``day``, in office hours (UTC+7)."""
        draw = self.rng.random
        d = _weekday(day + timedelta(days=lo + int(draw() * (hi - lo + 1))))
        # 08:00-17:00 in Hà Nội is 01:00-10:00 UTC, so the local date is the UTC date.
        return datetime(d.year, d.month, d.day, tzinfo=UTC) + timedelta(
            seconds=3600 + 32400 * draw()
        )

    def late(self, day: date) -> datetime:
        """A late entry: recorded 4-14 months after the fact took effect."""
        return self.at(day, 122, 425)

    def add(
        self,
        at: datetime,
        method: str,
        kwargs: dict[str, Any],
        key: str | None = None,
        deps: tuple[tuple[str, str, str], ...] = (),
    ) -> datetime:
        if self.facts:  # nothing is recorded before the registration
            at = max(at, self.facts[0][0] + timedelta(seconds=1))
        self.seq += 1
        self.facts.append((at, self.seq, method, kwargs, key, deps))
        return at

    def commune(self, on: date) -> Unit:
        return self.w.commune_on(self.unit, self.named_on, on)

    def common(self, day: date) -> dict[str, Any]:
        return {"effective_on": day, "recorded_by": self.w.officer(self.commune(day))}

    def day_in(self, first: date, last: date) -> date:
        span = (last - first).days
        return first + timedelta(days=self.rng.randint(0, span)) if span > 0 else first

    def unique_name(self, sex: str, surname: str | None = None) -> str:
        rng = self.rng
        pool = MALE_NAMES if sex == "male" else FEMALE_NAMES
        middle = "Văn" if sex == "male" else "Thị"
        surname = surname or rng.choice(SURNAMES.get(self.ethnicity, TAY_NUNG_SURNAMES))
        for attempt in range(40):
            given = rng.choice(pool)
            if attempt >= 20:
                given = f"{rng.choice(pool)} {given}"
            name = f"{surname} {middle} {given}"
            if name not in self.names:
                self.names.add(name)
                return name
        name = f"{surname} {middle} {rng.choice(pool)} {len(self.names)}"
        self.names.add(name)
        return name

    # -- the life -------------------------------------------------------------------------

    def run(self) -> _Plan:
        spec = self.spec
        self.register()
        self.log_income = self.initial_income()
        self.growth = self.rng.gauss(0.0, 0.025)
        if spec.initial:
            self.baseline()
        for year in range(spec.registered_on.year, self.w.to_year + 1):
            if not self.year(year):
                break
        return _Plan(spec.code, self.facts)

    def register(self) -> None:
        rng, spec = self.rng, self.spec
        head_sex = "male" if rng.random() < 0.82 else "female"
        if spec.initial:
            head_year = rng.randint(1941, 1994)
        else:
            head_year = rng.randint(1985, min(1998, spec.registered_on.year - 19))
        self.surname = rng.choice(SURNAMES.get(self.ethnicity, TAY_NUNG_SURNAMES))
        head = {
            "name": self.unique_name(head_sex, self.surname),
            "birth_year": head_year,
            "sex": head_sex,
            "relation": "head",
        }
        members = [head]
        age = spec.registered_on.year - head_year
        if rng.random() < (0.88 if age < 65 else 0.6):
            sex = "female" if head_sex == "male" else "male"
            members.append(
                {
                    "name": self.unique_name(sex),
                    "birth_year": min(head_year + rng.randint(-3, 6), 1998),
                    "sex": sex,
                    "relation": "spouse",
                }
            )
        if age < 30:
            kids = rng.choices(range(4), (0.35, 0.4, 0.2, 0.05))[0]
        elif age < 50:
            kids = rng.choices(range(5), (0.05, 0.2, 0.4, 0.25, 0.1))[0]
        else:
            kids = rng.choices(range(4), (0.35, 0.35, 0.2, 0.1))[0]
        child_surname = self.surname if head_sex == "male" else None
        for _ in range(kids):
            sex = rng.choice(("male", "female"))
            born = min(head_year + rng.randint(19, 40), spec.registered_on.year - 1)
            members.append(
                {
                    "name": self.unique_name(sex, child_surname),
                    "birth_year": born,
                    "sex": sex,
                    "relation": "child",
                }
            )
        if age < 45 and rng.random() < 0.35:
            for sex in rng.sample(("male", "female"), rng.randint(1, 2)):
                members.append(
                    {
                        "name": self.unique_name(sex, self.surname if sex == "male" else None),
                        "birth_year": head_year - rng.randint(20, 32),
                        "sex": sex,
                        "relation": "parent",
                    }
                )
        if age > 55 and rng.random() < 0.3:
            for _ in range(rng.randint(1, 2)):
                sex = rng.choice(("male", "female"))
                members.append(
                    {
                        "name": self.unique_name(sex, self.surname),
                        "birth_year": rng.randint(2005, spec.registered_on.year - 1),
                        "sex": sex,
                        "relation": "grandchild",
                    }
                )
        self.members = members
        commune = self.commune(spec.registered_on)
        self.village = rng.choice(self.w.villages(commune))
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
                "members": [dict(m) for m in members],
            },
        )

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
        return _LN_BASE_LINE + mu + rng.gauss(0.0, 0.85)

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
                    self.deprived[code] = rng.random() < _logistic(a - 1.4 * z)
        self.last_standard = standard.code
        self.indicators = standard.indicator_codes

    def year(self, y: int) -> bool:
        """Plan one year; False when the household closed."""
        rng = self.rng
        registered = self.spec.registered_on
        closing = None
        if self.closing_year == y:
            closing = self.day_in(max(date(y, 2, 1), registered + _ONE_DAY), date(y, 8, 31))
        on_list = self.status in ("poor", "near_poor")
        shock = 0.0
        supported: list[str] = []

        if y > registered.year or self.spec.initial:
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
                day = self.day_in(max(date(y, 2, 1), self.status_since + _ONE_DAY), date(y, 4, 30))
                if closing is None or day < closing:
                    self.exit_registered = True
                    self.add(
                        self.at(day),
                        "register_exit",
                        {
                            **self.common(day),
                            "target_year": y + 1 if rng.random() < 0.6 else y + 2,
                            "plan": rng.choice(EXIT_PLANS),
                        },
                    )
            supported = self.supports(y, closing)
            shock += self.member_changes(y, closing)
            if rng.random() < 0.004:
                self.relocate(y, closing)
            if y >= 2018 and rng.random() < (0.03 if on_list else 0.005):
                self.inspect(y, closing)
            if y == 2025 and self.sponsorship is not None and self.sponsorship[1] == "048":
                reform = date(2025, 6, 30)
                if closing is None or reform < closing:
                    self.end_sponsorship(
                        reform, "Giải thể cấp huyện theo sắp xếp đơn vị hành chính 2025"
                    )
                    again = self.day_in(date(2025, 7, 1), date(2025, 8, 29))
                    if (
                        self.status == "poor"
                        and rng.random() < 0.7
                        and (closing is None or again < closing)
                    ):
                        self.start_sponsorship(again)
        if closing is not None:
            self.close(closing)
            return False

        # Income and deprivations evolve through the year.
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

        self.periodic_review(y)
        return True

    # -- the review -------------------------------------------------------------------------

    def baseline(self) -> None:
        """The end-2015 survey and list, carried into the ledger at registration."""
        rng = self.rng
        day = self.spec.registered_on
        standard = self.w.standard(day)
        assert standard is not None
        commune = self.commune(day)
        area = commune.area_type
        self.draw_deprivations(standard, area)
        income = int(round(math.exp(self.log_income), -3))
        deprivations = [c for c in self.indicators if self.deprived[c]]
        status = standard.classify(area, income, deprivations).status  # type: ignore[arg-type]
        assessed_at = self.add(
            self.at(day, 0, 2),
            "assess",
            {
                **self.common(day),
                "income_per_capita": income,
                "deprivations": deprivations,
                "assessor": f"Ban chỉ đạo rà soát {commune.name[0].lower()}{commune.name[1:]}",
                "form": "Phiếu B",
            },
        )
        if status == "not_poor":
            return
        decided, number, signer = self.w.baseline_decision(commune)
        self.add(
            max(self.at(decided, 0, 6), assessed_at + timedelta(minutes=rng.randint(5, 90))),
            "recognise",
            {
                **self.common(decided),
                "status": status,
                "decision_number": number,
                "signed_by": signer,
            },
        )
        self.status, self.status_since = status, decided

    def periodic_review(self, y: int) -> None:
        rng = self.rng
        commune = self.commune(date(y, 9, 1))
        review = self.w.review(commune, y)
        assessed = self.day_in(review.start, review.end)
        if assessed <= self.spec.registered_on:
            return
        standard = self.w.standard(assessed)
        if standard is None:
            return
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
            "assessor": rng.choice(review.reviewers),
            "form": "Phiếu B" if standard.code == "2016-2020" else "Circular 07/2021",
        }
        assessed_at = self.at(assessed, 0, 6)
        if self.mistakes and rng.random() < 0.006:
            # A typing mistake in the income, noticed weeks later: retracted and entered again.
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
        else:
            self.add(assessed_at, "assess", fields)

        previous = self.status
        if classified == "not_poor" and previous == "not_poor":
            return
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
        resolved = min(filed + timedelta(days=rng.randint(3, 15)), decided - _ONE_DAY)
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

    # -- other facts ----------------------------------------------------------------------

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
        last = date(y, 8, 31) if closing is None else closing - _ONE_DAY
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
        rng = self.rng
        shock = 0.0
        last = date(y, 12, 31) if closing is None else closing - _ONE_DAY
        first = max(date(y, 1, 1), self.spec.registered_on + _ONE_DAY)
        if first > last:
            return shock
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
        mothers = [
            m
            for m in self.members
            if m["sex"] == "female" and 20 <= y - m["birth_year"] <= 40 and m["relation"] != "child"
        ]
        if mothers and rng.random() < 0.07:
            mother = mothers[0]
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

    def relocate(self, y: int, closing: date | None) -> None:
        rng = self.rng
        day = self.day_in(max(date(y, 3, 1), self.spec.registered_on + _ONE_DAY), date(y, 7, 31))
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
        day = self.day_in(max(date(y, 4, 1), self.spec.registered_on + _ONE_DAY), date(y, 8, 31))
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
            person = _person(rng, "Tày")[0]
            name, unit = f"{person}, {rng.choice(OFFICIAL_POSTS)}", commune.code
        elif kind == "enterprise":
            name, unit = rng.choice(SPONSOR_ENTERPRISES), "048" if district else "04"
        elif kind == "mass_organisation":
            name, unit = f"{rng.choice(MASS_ORGANISATIONS)} {local}", commune.code
        else:
            name, unit = _person(rng, "Nùng")[0], commune.code
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
