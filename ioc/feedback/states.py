"""Report states and their grouping, with the Vietnamese names the screens use."""

from __future__ import annotations

from enum import StrEnum


class ReportStatus(StrEnum):
    PENDING_REVIEW = "pending_review"
    REJECTED = "rejected"
    DUPLICATE = "duplicate"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    RETURNED = "returned"
    RESOLVED = "resolved"
    CLOSED = "closed"

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

OPEN_STATES = frozenset(
    {
        ReportStatus.PENDING_REVIEW,
        ReportStatus.ASSIGNED,
        ReportStatus.IN_PROGRESS,
        ReportStatus.RETURNED,
    }
)


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
        return self in (Role.AGENCY_MANAGER, Role.AGENCY_OFFICER)
