"""The domain's vocabulary: report states and their named groups, tiers, channels, roles and
role sets. Each group is declared here once and imported everywhere; the web pages receive
them from the server (:func:`vocabulary`) rather than typing them again."""

from __future__ import annotations

from enum import StrEnum


class ReportStatus(StrEnum):
    """In the order screens list them: the life of a report, then the ways out of it."""

    PENDING_REVIEW = "pending_review"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    RETURNED = "returned"
    RESOLVED = "resolved"
    CLOSED = "closed"
    REJECTED = "rejected"
    DUPLICATE = "duplicate"

    @property
    def label_vi(self) -> str:
        return _LABELS_VI[self]

    @property
    def is_open(self) -> bool:
        """Open311 sees only open/closed; a resolved report is closed to the outside world."""
        return self in OPEN_STATES


_LABELS_VI = {
    ReportStatus.PENDING_REVIEW: "chờ tiếp nhận",
    ReportStatus.REJECTED: "đã từ chối",
    ReportStatus.DUPLICATE: "trùng lặp",
    ReportStatus.ASSIGNED: "chờ xử lý",
    ReportStatus.IN_PROGRESS: "đang xử lý",
    ReportStatus.RETURNED: "chuyển trả",
    ReportStatus.RESOLVED: "đã xử lý",
    ReportStatus.CLOSED: "đã đóng",
}

#: Waiting for the IOC: new, or sent back by an agency (the receipt clock runs).
TRIAGE_STATES = frozenset({ReportStatus.PENDING_REVIEW, ReportStatus.RETURNED})
#: With an agency (the resolution clock runs).
HANDLING_STATES = frozenset({ReportStatus.ASSIGNED, ReportStatus.IN_PROGRESS})
#: Still being worked on; Open311 calls these "open".
OPEN_STATES = TRIAGE_STATES | HANDLING_STATES
#: Results the public may read.
PUBLISHED_STATES = frozenset({ReportStatus.RESOLVED, ReportStatus.CLOSED, ReportStatus.REJECTED})
#: Finished without a result of their own (refused, or merged into another report).
DISMISSED_STATES = frozenset({ReportStatus.REJECTED, ReportStatus.DUPLICATE})


class SlaTier(StrEnum):
    URGENT = "urgent"  # khẩn
    NORMAL = "normal"  # bình thường
    COMPLEX = "complex"  # phức tạp


class Channel(StrEnum):
    MOBILE = "mobile"
    WEB = "web"
    PHONE = "phone"
    ZALO = "zalo"
    EMAIL = "email"
    OPEN311 = "open311"
    SIMULATOR = "simulator"


#: How screens and figures name the channels (Vietnamese first).
CHANNEL_NAMES: dict[str, str] = {
    Channel.MOBILE: "Ứng dụng di động",
    Channel.WEB: "Trang web",
    Channel.PHONE: "Đường dây nóng",
    Channel.ZALO: "Zalo",
    Channel.EMAIL: "Thư điện tử",
    Channel.OPEN311: "Hệ thống khác (Open311)",
    Channel.SIMULATOR: "Mô phỏng",
}


class AgencyKind(StrEnum):
    """What sort of body an agency is; the province pack's ``kind`` column."""

    IOC = "ioc"  # Trung tâm IOC: the operations centre itself
    DEPARTMENT = "department"  # sở, ban, ngành
    COMMUNE_COMMITTEE = "commune_committee"  # UBND xã, phường, đặc khu
    COMPANY = "company"  # công ty dịch vụ công ích: water, lighting, sanitation
    POLICE = "police"  # công an
    OTHER = "other"


class Role(StrEnum):
    CITIZEN = "citizen"
    ADMIN = "admin"
    IOC_SUPERVISOR = "ioc_supervisor"
    IOC_OPERATOR = "ioc_operator"
    AGENCY_MANAGER = "agency_manager"
    AGENCY_OFFICER = "agency_officer"
    VIEWER = "viewer"

    @property
    def needs_agency(self) -> bool:
        return self in AGENCY_STAFF


#: The operations centre's staff, who may act on any report.
IOC_STAFF = frozenset({Role.IOC_OPERATOR, Role.IOC_SUPERVISOR, Role.ADMIN})
#: IOC staff who may overrule (approve extensions by default, reopen, close).
IOC_SUPERVISORS = frozenset({Role.IOC_SUPERVISOR, Role.ADMIN})
#: Staff who may read the operations consoles (viewers read, never act).
OPS_READERS = IOC_STAFF | {Role.VIEWER}
#: An agency's staff, who see only their agency's reports.
AGENCY_STAFF = frozenset({Role.AGENCY_OFFICER, Role.AGENCY_MANAGER})
#: Who leads an agency's team: distributes its reports, unassigns them, signs off the
#: officers' answers, extension requests and returns, and answers for the agency's figures,
#: per officer included (trưởng phòng, lãnh đạo).
AGENCY_MANAGERS = frozenset({Role.AGENCY_MANAGER})
ADMINS = frozenset({Role.ADMIN})

_GROUPS = {
    "triage": TRIAGE_STATES,
    "handling": HANDLING_STATES,
    "open": OPEN_STATES,
    "published": PUBLISHED_STATES,
    "dismissed": DISMISSED_STATES,
}


def vocabulary() -> dict[str, object]:
    """The statuses in screen order with their Vietnamese names, and the named groups, for the
    web pages (served in each page's boot settings)."""
    return {
        "statuses": [{"code": s.value, "label_vi": s.label_vi} for s in ReportStatus],
        "groups": {name: sorted(s.value for s in group) for name, group in _GROUPS.items()},
        "tiers": [t.value for t in SlaTier],
        "roles": [r.value for r in Role if r is not Role.CITIZEN],
        "agency_kinds": [k.value for k in AgencyKind],
    }
