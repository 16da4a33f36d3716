"""The words of the web pages, in Vietnamese (the default) and English (``?lang=en``).

Every text a page shows comes from :data:`MESSAGES`, keyed by a dotted name, so a translation is
changed in one place and a test can check that both languages have every key. Vocabulary words
(statuses, transitions, kinds of fact, roles, anomaly rules) are keyed by their code, e.g.
``status.near_poor``; :func:`word` falls back to the code itself for a code the catalogue lacks.
"""

from __future__ import annotations

from typing import Final

LANGUAGES: Final = ("vi", "en")
DEFAULT_LANGUAGE: Final = "vi"

MESSAGES: Final[dict[str, tuple[str, str]]] = {
    # -- frame ---------------------------------------------------------------------------------
    "app.name": ("Chung tay", "Chung tay"),
    "app.tagline": (
        "Sổ theo dõi hộ nghèo huyện Hạ Lang",
        "Household ledger of Hạ Lang district",
    ),
    "nav.skip": ("Bỏ qua, đến nội dung chính", "Skip to main content"),
    "nav.dashboard": ("Tổng quan", "Dashboard"),
    "nav.households": ("Tìm hộ", "Households"),
    "nav.inspection": ("Kiểm tra", "Inspection"),
    "nav.audit": ("Kiểm toán", "Audit"),
    "nav.sign_out": ("Đăng xuất", "Sign out"),
    "nav.language": ("English", "Tiếng Việt"),
    "nav.signed_in_as": ("Đăng nhập: {name} ({role})", "Signed in: {name} ({role})"),
    "nav.main": ("Điều hướng chính", "Main navigation"),
    # -- sign-in -------------------------------------------------------------------------------
    "sign_in.title": ("Đăng nhập", "Sign in"),
    "sign_in.intro": (
        "Dán mã truy cập (token) do quản trị viên cấp bằng lệnh "
        "chungtay token issue. Mã chỉ cần dán một lần cho mỗi phiên làm việc.",
        "Paste the access token your administrator issued with chungtay token issue. "
        "You paste it once per working session.",
    ),
    "sign_in.token": ("Mã truy cập", "Access token"),
    "sign_in.submit": ("Đăng nhập", "Sign in"),
    "sign_in.refused": (
        "Mã truy cập không hợp lệ, đã bị thu hồi hoặc tài khoản đã bị khóa.",
        "The token is unknown, revoked, or its user is disabled.",
    ),
    "sign_in.empty": ("Hãy dán mã truy cập.", "Paste a token."),
    "sign_in.signed_out": ("Đã đăng xuất.", "You are signed out."),
    "sign_in.expired": (
        "Phiên làm việc đã hết hạn, hãy đăng nhập lại.",
        "Your session has ended; sign in again.",
    ),
    "csrf.refused": (
        "Biểu mẫu đã hết hạn hoặc không đến từ trang này. Không có gì được lưu. "
        "Hãy tải lại trang và gửi lại.",
        "The form has expired or did not come from this site. Nothing was stored. "
        "Reload the page and send it again.",
    ),
    # -- errors --------------------------------------------------------------------------------
    "error.title": ("Không thực hiện được", "Could not be done"),
    "error.403": ("Không được phép", "Not allowed"),
    "error.404": ("Không tìm thấy", "Not found"),
    "error.422": ("Dữ liệu chưa hợp lệ", "The input was refused"),
    "error.409": ("Xung đột", "Conflict"),
    "error.back": ("Về trang tổng quan", "Back to the dashboard"),
    "error.nothing_stored": ("Không có gì được lưu.", "Nothing was stored."),
    # -- dashboard -----------------------------------------------------------------------------
    "dashboard.title": ("Tổng quan đơn vị của bạn", "Your units at a glance"),
    "dashboard.as_of": ("Số liệu ngày {day}", "Figures on {day}"),
    "dashboard.your_units": ("Đơn vị phụ trách", "Your units"),
    "dashboard.all_units": ("Toàn bộ địa bàn", "Every unit"),
    "dashboard.open_unit": ("Xem bảng theo dõi {name}", "Open the dashboard of {name}"),
    "dashboard.tasks": ("Việc thường làm", "Common tasks"),
    "dashboard.task.search": ("Tìm một hộ theo mã, tên chủ hộ hoặc thôn", "Find a household"),
    "dashboard.task.inspection": (
        "Danh sách bất thường và kế hoạch kiểm tra",
        "Anomalies and inspection plans",
    ),
    "dashboard.task.audit": (
        "Kiểm tra tính toàn vẹn và so sánh hai thời điểm",
        "Verify the store and compare two moments",
    ),
    "dashboard.freshness": (
        "Bảng số liệu đã cập nhật đến sự kiện {position} / {head}.",
        "Read models applied up to event {position} of {head}.",
    ),
    # -- figures -------------------------------------------------------------------------------
    "fig.unit": ("Đơn vị", "Unit"),
    "fig.households": ("Số hộ", "Households"),
    "fig.poor": ("Hộ nghèo", "Poor"),
    "fig.near_poor": ("Hộ cận nghèo", "Near-poor"),
    "fig.poor_rate": ("Tỷ lệ nghèo", "Poverty rate"),
    "fig.near_poor_rate": ("Tỷ lệ cận nghèo", "Near-poor rate"),
    "fig.year": ("Năm", "Year"),
    "fig.rate_start": ("Tỷ lệ đầu năm", "Rate at start"),
    "fig.rate_end": ("Tỷ lệ cuối năm", "Rate at end"),
    "fig.reduction": ("Giảm (điểm %)", "Reduction (points)"),
    "fig.target": ("Chỉ tiêu (điểm %)", "Target (points)"),
    "fig.met": ("Đạt?", "Met?"),
    "fig.yes": ("Đạt", "Met"),
    "fig.no": ("Chưa đạt", "Not met"),
    "fig.na": ("—", "—"),
    "fig.not_comparable": (
        "Đổi chuẩn nghèo trong năm: tỷ lệ không so sánh được.",
        "The standard changed within the year: rates are not comparable.",
    ),
    "fig.standard": ("Chuẩn nghèo", "Standard"),
    "fig.exited": ("Thoát nghèo", "Exited poverty"),
    "fig.newly_poor": ("Nghèo phát sinh", "Newly poor"),
    "fig.re_poor": ("Tái nghèo", "Re-poor"),
    "fig.sponsored": ("Hộ nghèo có người giúp đỡ", "Poor households with a sponsor"),
    "fig.exit_registrations": ("Đăng ký thoát nghèo", "Exit registrations"),
    "fig.registered": ("Đã đăng ký", "Registered"),
    "fig.registered_exited": ("Trong đó đã thoát", "Of which exited"),
    # -- unit dashboard ------------------------------------------------------------------------
    "unit.title": ("Bảng theo dõi {name}", "Dashboard of {name}"),
    "unit.year": ("Năm báo cáo", "Report year"),
    "unit.units": ("Đơn vị hành chính", "Administrative units"),
    "unit.units.historical": ("Như tại thời điểm số liệu", "As they were then"),
    "unit.units.current": ("Theo đơn vị hiện nay", "Today's units"),
    "unit.show": ("Xem", "Show"),
    "unit.rates": (
        "Tỷ lệ hộ nghèo theo năm so với chỉ tiêu",
        "Poverty rate per year against target",
    ),
    "unit.rates.caption": (
        "Chỉ tiêu giảm {target} điểm % mỗi năm.",
        "Target: {target} percentage points a year.",
    ),
    "unit.lists": ("Danh sách hiện nay ({day})", "Lists now ({day})"),
    "unit.by_unit": ("Theo đơn vị trực thuộc", "By child unit"),
    "unit.campaign": ("Tóm tắt chiến dịch {first}–{last}", "Campaign summary {first}–{last}"),
    "unit.campaign.baseline": ("Tỷ lệ đầu kỳ", "Baseline rate"),
    "unit.campaign.end": ("Tỷ lệ cuối kỳ", "Rate at the end"),
    "unit.campaign.average": ("Giảm bình quân/năm", "Average reduction a year"),
    "unit.campaign.income": (
        "Thu nhập hộ nghèo so với đầu kỳ",
        "Income of poor households against the baseline",
    ),
    "unit.downloads": ("Tải báo cáo năm {year}", "Download the {year} annual report"),
    "unit.download.xlsx": ("Biểu tổng hợp (XLSX)", "Summary form (XLSX)"),
    "unit.download.csv": ("Số liệu (CSV)", "Figures (CSV)"),
    "unit.annual": ("Rà soát năm {year}", "Annual review {year}"),
    "unit.list_link": ("Xem danh sách hộ", "See the households"),
    # -- household search ----------------------------------------------------------------------
    "search.title": ("Tìm hộ", "Find a household"),
    "search.q": ("Mã hộ, tên chủ hộ hoặc thôn", "Code, head's name or village"),
    "search.q.hint": (
        "Không cần gõ dấu: “Nong Van Tu” tìm được “Nông Văn Tư”.",
        "Accents are optional: “Nong Van Tu” finds “Nông Văn Tư”.",
    ),
    "search.unit": ("Đơn vị", "Unit"),
    "search.unit.any": ("Tất cả đơn vị của bạn", "All your units"),
    "search.status": ("Diện hộ", "Status"),
    "search.status.any": ("Tất cả", "Any"),
    "search.as_of": ("Vào ngày", "On"),
    "search.submit": ("Tìm", "Search"),
    "search.results": ("{total} hộ", "{total} households"),
    "search.none": ("Không có hộ nào phù hợp.", "No household matches."),
    "search.code": ("Mã hộ", "Code"),
    "search.head": ("Chủ hộ", "Head"),
    "search.village": ("Thôn", "Village"),
    "search.previous": ("Trang trước", "Previous page"),
    "search.next": ("Trang sau", "Next page"),
    "search.page": ("Trang {page}/{pages}", "Page {page} of {pages}"),
    # -- household -----------------------------------------------------------------------------
    "household.title": ("Hộ {code}", "Household {code}"),
    "household.answer": ("Tình trạng của hộ", "The household's status"),
    "household.question": (
        "Theo hồ sơ tại thời điểm {known_at}, ngày {as_of} hộ này là:",
        "As the record stood at {known_at}, on {as_of} this household was:",
    ),
    "household.as_of": ("Ngày hiệu lực (as_of)", "Valid-time date (as_of)"),
    "household.known_at": ("Theo hồ sơ tại (known_at)", "As known at (known_at)"),
    "household.known_at.now": ("Bây giờ", "Now"),
    "household.known_at.hint": (
        "Các thời điểm ghi nhận của chính hộ này: chọn một thời điểm để xem hồ sơ khi đó.",
        "This household's own recording moments: pick one to see the record as it stood then.",
    ),
    "household.known_at.auditor_only": (
        "Chỉ kiểm toán viên mới xem được hồ sơ tại một thời điểm trong quá khứ.",
        "Only auditors may see the record as it stood at a past moment.",
    ),
    "household.show": ("Xem", "Show"),
    "household.head": ("Chủ hộ", "Head"),
    "household.unit": ("Đơn vị", "Unit"),
    "household.village": ("Thôn", "Village"),
    "household.ethnic_minority": ("Dân tộc thiểu số", "Ethnic minority"),
    "household.registered_on": ("Đăng ký ngày", "Registered on"),
    "household.since": ("Từ ngày", "Since"),
    "household.decision": ("Quyết định", "Decision"),
    "household.decision.value": ("số {number}, ngày {day}", "no. {number} of {day}"),
    "household.classification": ("Kết quả rà soát", "Assessment"),
    "household.classification.value": (
        "thu nhập {income} đ/người/tháng, thiếu hụt {count} chỉ số ({route}), ngày {day}",
        "income {income} VND per person a month, {count} deprivations ({route}), on {day}",
    ),
    "household.not_recognised": (
        "Chưa có quyết định công nhận nào đến ngày này.",
        "No commune decision yet by this date.",
    ),
    "household.sponsor": ("Người giúp đỡ", "Sponsor"),
    "household.exit_registered": ("Đã đăng ký thoát nghèo", "Registered to exit poverty"),
    "household.closed": ("Hồ sơ đã đóng", "Record closed"),
    "household.version": ("Phiên bản", "Version"),
    "household.flag.contradicts": (
        "Quyết định khác với kết quả rà soát gần nhất.",
        "The decision differs from the latest assessment.",
    ),
    "household.timeline": ("Diễn biến theo thời gian hiệu lực", "Valid-time timeline"),
    "household.timeline.caption": (
        "Mỗi dải là một giai đoạn; đường đứt nét là ngày đổi chuẩn nghèo; "
        "đường đỏ là ngày đang xem.",
        "Each band is a period; a dashed line marks a change of standard; "
        "the red line is the date shown.",
    ),
    "household.timeline.row.status": ("Diện hộ", "Status"),
    "household.timeline.row.standard": ("Chuẩn", "Standard"),
    "household.timeline.row.transition": ("Biến động", "Transition"),
    "household.timeline.row.decision": ("Quyết định", "Decision"),
    "household.timeline.standard_change": ("Đổi chuẩn: {standard}", "New standard: {standard}"),
    "household.timeline.from": ("Từ", "From"),
    "household.timeline.to": ("Đến (không gồm)", "To (exclusive)"),
    "household.timeline.open": ("nay", "open"),
    "household.history": ("Lịch sử ghi nhận (theo thứ tự ghi)", "History in recording order"),
    "household.history.later": (
        "{count} sự kiện được ghi sau thời điểm đang xem và không hiện ở đây.",
        "{count} facts were recorded after this moment and are not shown.",
    ),
    "household.history.version": ("#", "#"),
    "household.history.type": ("Loại", "Kind"),
    "household.history.effective_on": ("Hiệu lực", "Effective"),
    "household.history.recorded_at": ("Ghi lúc", "Recorded at"),
    "household.history.recorded_by": ("Người ghi", "Recorded by"),
    "household.history.data": ("Nội dung", "Content"),
    "household.history.hash": ("Mã băm", "Hash"),
    "household.history.retracted_by": ("Bị hủy bởi #{version}", "Retracted by #{version}"),
    "household.history.retracts": ("Hủy #{version}", "Retracts #{version}"),
    "household.history.see_then": ("Xem hồ sơ lúc này", "See the record then"),
    "household.verify": ("Xác minh hộ này", "Verify this household"),
    "household.verify.explain": (
        "Tính lại chuỗi băm của hộ, kiểm tra từng sự kiện nằm trong nhật ký đã ký "
        "(cây Merkle, chữ ký Ed25519) và dựng lại tình trạng từ các sự kiện.",
        "Recomputes the household's hash chain, checks each event's inclusion in the signed "
        "log (Merkle tree, Ed25519 signature) and replays its status from the events.",
    ),
    "household.verify.ok": (
        "Đã xác minh: {events} sự kiện, nằm trong điểm kiểm tra số {checkpoint} đã ký "
        "(khóa {key_id}).",
        "Verified: {events} events, included in signed checkpoint {checkpoint} (key {key_id}).",
    ),
    "household.verify.failed": ("Xác minh KHÔNG đạt:", "Verification FAILED:"),
    "household.pack": ("Tải gói phát lại (JSON)", "Download the replay pack (JSON)"),
    "household.pack.explain": (
        "Gói tự chứa để kiểm tra trên máy khác, không cần cơ sở dữ liệu: chungtay verify-pack TỆP.",
        "A self-contained pack to verify elsewhere with no database: chungtay verify-pack FILE.",
    ),
    "household.auditor_only": (
        "Xác minh và gói phát lại dành cho kiểm toán viên.",
        "Verification and replay packs are for auditors.",
    ),
    "household.inspect_link": ("Ghi nhận kiểm tra hộ này", "Record an inspection of it"),
    # -- inspection ----------------------------------------------------------------------------
    "inspection.title": ("Kiểm tra, giám sát", "Inspection"),
    "inspection.anomalies": ("Bất thường", "Anomalies"),
    "inspection.filters": ("Lọc", "Filters"),
    "inspection.unit": ("Đơn vị", "Unit"),
    "inspection.unit.choose": ("Chọn đơn vị", "Choose a unit"),
    "inspection.as_of": ("Đến ngày", "Up to"),
    "inspection.kind": ("Loại bất thường", "Rule"),
    "inspection.kind.any": ("Tất cả", "All"),
    "inspection.open_only": ("Chỉ những bất thường còn mở", "Open anomalies only"),
    "inspection.apply": ("Lọc", "Apply"),
    "inspection.summary": (
        "{count} bất thường ({open} còn mở) ở {households} hộ, trên {examined} hộ đã xét.",
        "{count} anomalies ({open} open) in {households} households, of {examined} examined.",
    ),
    "inspection.shown": ("Hiện {shown} đầu tiên.", "Showing the first {shown}."),
    "inspection.none": ("Không có bất thường.", "No anomaly."),
    "inspection.household": ("Hộ", "Household"),
    "inspection.on": ("Ngày", "Date"),
    "inspection.severity": ("Mức độ", "Severity"),
    "inspection.why": ("Vì sao", "Why"),
    "inspection.facts": ("Sự kiện liên quan", "Facts behind it"),
    "inspection.corrected": ("Đã được sửa bởi #{versions}", "Corrected by #{versions}"),
    "inspection.plans": ("Kế hoạch kiểm tra và tiến độ", "Inspection plans and progress"),
    "inspection.plans.none": ("Chưa có kế hoạch kiểm tra.", "No inspection plan yet."),
    "inspection.plan.row": (
        "{unit} năm {year}: {visited}/{planned} hộ đã kiểm tra, {findings} có phát hiện, "
        "{followed} đã xử lý",
        "{unit} {year}: {visited}/{planned} visited, {findings} with findings, "
        "{followed} followed up",
    ),
    "inspection.record": ("Ghi nhận một cuộc kiểm tra", "Record an inspection"),
    "inspection.record.household": ("Mã hộ", "Household code"),
    "inspection.record.effective_on": ("Ngày kiểm tra", "Date of the inspection"),
    "inspection.record.team": ("Đoàn kiểm tra", "Team"),
    "inspection.record.outcome": ("Kết luận", "Outcome"),
    "inspection.record.finding": ("Phát hiện (không bắt buộc)", "Finding (optional)"),
    "inspection.record.finding_code": ("Mã phát hiện", "Finding code"),
    "inspection.record.finding_severity": ("Mức độ", "Severity"),
    "inspection.record.finding_note": ("Ghi chú", "Note"),
    "inspection.record.plan": ("Thuộc kế hoạch", "Plan"),
    "inspection.record.plan.none": ("Không thuộc kế hoạch nào", "No plan"),
    "inspection.record.submit": ("Ghi nhận", "Record"),
    "inspection.record.done": (
        "Đã ghi nhận kiểm tra hộ {code} (phiên bản {version}, lúc {at}).",
        "Inspection of {code} recorded (version {version}, at {at}).",
    ),
    "inspection.record.not_allowed": (
        "Vai trò của bạn không ghi nhận kiểm tra: chỉ thanh tra viên (và quản trị) ghi nhận.",
        "Your role does not record inspections: inspectors (and admins) do.",
    ),
    "inspection.separation": (
        "Tách bạch nhiệm vụ: người đã rà soát, công nhận hoặc đang giúp đỡ một hộ không được "
        "kiểm tra chính hộ đó.",
        "Separation of duties: whoever assessed, recognised or sponsors a household may not "
        "inspect it.",
    ),
    "inspection.at_risk": ("Nguy cơ tái nghèo", "Risk of falling back"),
    # -- audit ---------------------------------------------------------------------------------
    "audit.title": ("Kiểm toán", "Audit"),
    "audit.verify": ("Xác minh toàn bộ kho dữ liệu", "Verify the whole store"),
    "audit.verify.explain": (
        "Tính lại mọi chuỗi băm, thứ tự phiên bản, gốc Merkle và chữ ký của từng điểm kiểm tra "
        "đã ký.",
        "Recomputes every hash chain, version sequence, Merkle root and the signature of every "
        "signed checkpoint.",
    ),
    "audit.verify.submit": ("Xác minh", "Verify"),
    "audit.verify.ok": (
        "Toàn vẹn: {events} sự kiện của {households} hộ; {checkpoints} điểm kiểm tra đã ký "
        "đều hợp lệ (mới nhất số {latest}, {size} sự kiện). Mất {seconds} giây.",
        "Intact: {events} events of {households} households; {checkpoints} signed checkpoints "
        "verify (latest {latest}, {size} events). Took {seconds} s.",
    ),
    "audit.verify.no_checkpoint": (
        "Chưa có điểm kiểm tra nào được ký: chạy chungtay audit checkpoint.",
        "No signed checkpoint yet: run chungtay audit checkpoint.",
    ),
    "audit.verify.failed": ("KHÔNG toàn vẹn: {problem}", "NOT intact: {problem}"),
    "audit.diff": ("So sánh một đơn vị giữa hai thời điểm", "Compare a unit at two moments"),
    "audit.diff.explain": (
        "Những hộ có diện hộ vào một ngày khác nhau giữa hồ sơ tại hai thời điểm, "
        "kèm các sự kiện ghi trong khoảng đó.",
        "Households whose status on a date differs between the record at two moments, with "
        "the facts recorded in between.",
    ),
    "audit.diff.unit": ("Đơn vị", "Unit"),
    "audit.diff.as_of": ("Diện hộ vào ngày", "Status on"),
    "audit.diff.from": ("Hồ sơ tại (trước)", "Record at (earlier)"),
    "audit.diff.to": ("Hồ sơ tại (sau)", "Record at (later)"),
    "audit.diff.time_hint": (
        "Giờ địa phương, hoặc ISO 8601 có múi giờ.",
        "Local time, or ISO 8601 with an offset.",
    ),
    "audit.diff.submit": ("So sánh", "Compare"),
    "audit.diff.result": (
        "{changed} hộ thay đổi trên {examined} hộ đã xét.",
        "{changed} households changed, of {examined} examined.",
    ),
    "audit.diff.before": ("Trước", "Before"),
    "audit.diff.after": ("Sau", "After"),
    "audit.diff.cause": ("Do", "Caused by"),
    "audit.diff.unknown_then": ("chưa có trong hồ sơ", "not yet recorded"),
    "audit.access_log": ("Nhật ký truy cập", "Access log"),
    # -- vocabulary ----------------------------------------------------------------------------
    "status.poor": ("Hộ nghèo", "Poor"),
    "status.near_poor": ("Hộ cận nghèo", "Near-poor"),
    "status.not_poor": ("Không nghèo", "Not poor"),
    "transition.newly_poor": ("Nghèo phát sinh", "Newly poor"),
    "transition.re_poor": ("Tái nghèo", "Re-poor"),
    "transition.exited_poverty": ("Thoát nghèo", "Exited poverty"),
    "transition.newly_near_poor": ("Cận nghèo phát sinh", "Newly near-poor"),
    "transition.re_near_poor": ("Tái cận nghèo", "Re-near-poor"),
    "transition.exited_near_poverty": ("Thoát cận nghèo", "Exited near-poverty"),
    "transition.unchanged": ("Không đổi", "Unchanged"),
    "transition.baseline": ("Xác lập đầu kỳ (chuẩn mới)", "Baseline (new standard)"),
    "role.admin": ("quản trị", "admin"),
    "role.officer": ("cán bộ", "officer"),
    "role.inspector": ("thanh tra", "inspector"),
    "role.auditor": ("kiểm toán", "auditor"),
    "fact.registration": ("Đăng ký hộ", "Registration"),
    "fact.member_change": ("Biến động nhân khẩu", "Member change"),
    "fact.relocation": ("Chuyển nơi ở", "Relocation"),
    "fact.assessment": ("Rà soát", "Assessment"),
    "fact.recognition": ("Quyết định công nhận", "Recognition"),
    "fact.support": ("Hỗ trợ", "Support"),
    "fact.sponsorship_start": ("Phân công giúp đỡ", "Sponsorship"),
    "fact.sponsorship_end": ("Kết thúc giúp đỡ", "Sponsorship ended"),
    "fact.exit_registration": ("Đăng ký thoát nghèo", "Exit registration"),
    "fact.complaint": ("Khiếu nại", "Complaint"),
    "fact.complaint_resolution": ("Giải quyết khiếu nại", "Complaint resolved"),
    "fact.inspection": ("Kiểm tra", "Inspection"),
    "fact.retraction": ("Hủy bỏ", "Retraction"),
    "fact.closure": ("Đóng hồ sơ", "Closure"),
    "severity.info": ("thông tin", "info"),
    "severity.minor": ("nhẹ", "minor"),
    "severity.major": ("nặng", "major"),
    "severity.critical": ("nghiêm trọng", "critical"),
    "outcome.confirmed": ("Đúng thực tế", "Confirmed"),
    "outcome.discrepancy": ("Có sai lệch", "Discrepancy"),
    "outcome.misuse_suspected": ("Nghi sử dụng sai", "Misuse suspected"),
    "route.income": ("theo thu nhập", "by income"),
    "route.income_and_deprivation": ("thu nhập và thiếu hụt", "income and deprivation"),
    "route.near_poor_income": ("thu nhập cận nghèo", "near-poor income"),
    "route.above_lines": ("trên chuẩn", "above the lines"),
    "rule.reserved_programme_ineligible": (
        "Hỗ trợ dành riêng cho hộ nghèo/cận nghèo cấp cho hộ không thuộc diện",
        "Support from a reserved programme to an ineligible household",
    ),
    "rule.recognition_contradicts_assessment": (
        "Quyết định trái với kết quả rà soát",
        "Decision contradicts the assessment",
    ),
    "rule.re_poverty_within_24_months": (
        "Tái nghèo trong vòng 24 tháng sau khi thoát",
        "Re-poverty within 24 months of an exit",
    ),
    "rule.poor_without_sponsor": (
        "Hộ nghèo không có người giúp đỡ quá 90 ngày",
        "Poor household without a sponsor for more than 90 days",
    ),
    "rule.exit_registration_without_support": (
        "Đăng ký thoát nghèo nhưng 12 tháng không được hỗ trợ",
        "Registered to exit, no support within 12 months",
    ),
    "rule.double_funding": (
        "Cùng một khoản hỗ trợ từ hai nơi trong 30 ngày",
        "Same support from two providers within 30 days",
    ),
    "rule.late_entry": ("Ghi nhận trễ quá 90 ngày", "Recorded more than 90 days late"),
    "rule.self_retraction": (
        "Người ghi tự hủy sự kiện của mình",
        "Retraction by the user who recorded the fact",
    ),
    "rule.assessor_is_sponsor": (
        "Người rà soát là người giúp đỡ hộ",
        "Assessment by the household's sponsor",
    ),
    "yes": ("Có", "Yes"),
    "no": ("Không", "No"),
}


def normalise(lang: str | None) -> str:
    """A supported language code (the default for anything else)."""
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def translate(key: str, lang: str, **params: object) -> str:
    """The message ``key`` in ``lang``, with ``{name}`` placeholders filled from ``params``.

    An unknown key is shown as itself between brackets, so a missing translation is visible on
    the page (and a test fails) rather than blank.
    """
    pair = MESSAGES.get(key)
    if pair is None:
        return f"⟦{key}⟧"
    text = pair[LANGUAGES.index(normalise(lang))]
    return text.format(**params) if params else text


def word(kind: str, code: str | None, lang: str) -> str:
    """A vocabulary word (``status``, ``transition``, ``fact``, ...) or the code itself."""
    if code is None:
        return translate("fig.na", lang)
    pair = MESSAGES.get(f"{kind}.{code}")
    return pair[LANGUAGES.index(normalise(lang))] if pair else code
