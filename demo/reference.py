"""Reference material of the synthetic district: communes, names, support, sponsors, growth."""

from __future__ import annotations

import math
from datetime import date, timedelta

FIRST_YEAR = 2016
"""The first year of the reports: its lists start from the end-2015 review."""
BASELINE_YEAR = FIRST_YEAR - 1
"""The year of the periodic review whose December decisions made the 2016 list."""
REGISTRATION_START = date(BASELINE_YEAR, 6, 1)
"""The households on the ledger at the start are registered from here, before the 2015 review."""
DISTRICT = "048"
"""Huyện Hạ Lang: the demo's households live in its communes of 2015 (and their successors)."""
CAMPAIGN_LAUNCH = date(2017, 11, 9)
"""Notice 393/PĐ-UBND: the campaign, with its sponsorships and exit registrations, starts here."""


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
    "01564": 0.8,  # Việt Chu (the code of Thống Nhất from 2020)
    "01567": 0.8,  # Cô Ngân
    "01570": 0.7,  # Thái Đức
    "01573": 1.0,  # Thị Hoa
}
"""Relative household counts per commune of 2015 (rough; unknown communes weigh 1)."""


def words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


ETHNICITIES: tuple[tuple[str, float], ...] = (
    ("Nùng", 0.53),
    ("Tày", 0.45),
    ("Kinh", 0.012),
    ("Mông", 0.004),
    ("Dao", 0.003),
    ("Sán Chay", 0.001),
)
TAY_NUNG_SURNAMES = words("Nông Hoàng Lý Bế Đàm Lương Triệu Lâm Mạc Lục Nguyễn")
SURNAMES: dict[str, tuple[str, ...]] = {
    "Nùng": TAY_NUNG_SURNAMES,
    "Tày": TAY_NUNG_SURNAMES,
    "Kinh": ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ"),
    "Mông": ("Vàng", "Giàng", "Lù", "Thào", "Hầu"),
    "Dao": ("Triệu", "Bàn", "Đặng", "Lý"),
    "Sán Chay": ("Lâm", "Hoàng", "Lục", "Lương"),
}
MALE_NAMES = words(
    "Tú Hùng Dũng Thắng Minh Hải Quang Đức Sơn Tuấn Khánh Cường Bình Phúc Long Thành Kiên Hưng"
)
FEMALE_NAMES = words(
    "Hoa Lan Mai Hương Thu Hằng Nga Liên Hạnh Thúy Linh Dung Vân Yến Nhung Thảo Huyền"
)
VILLAGE_PREFIXES = ("Bản", "Nà", "Khau", "Pác", "Lũng", "Cốc", "Phia", "Khuổi", "Pò", "Slam")
VILLAGE_ROOTS = words(
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

ONE_DAY = timedelta(days=1)
LN_BASE_LINE = math.log(700_000)
