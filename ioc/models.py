"""Every mapped class, imported in one place so the metadata is complete (Alembic, tests)."""

from ioc.db import Base
from ioc.events import Event, EventAudience
from ioc.feedback.citizen_models import Device, IdempotencyRecord, ReportFollower
from ioc.feedback.models import (
    Agency,
    Category,
    CategoryGroup,
    RoutingRule,
    StaffSession,
    User,
)
from ioc.feedback.report_models import (
    Attachment,
    AuditEntry,
    ExtensionRequest,
    Report,
    ReportArea,
    ReportHistory,
)
from ioc.geo.models import Area, AreaRevision

__all__ = [
    "Agency",
    "Area",
    "AreaRevision",
    "Attachment",
    "AuditEntry",
    "Base",
    "Category",
    "CategoryGroup",
    "Device",
    "Event",
    "EventAudience",
    "ExtensionRequest",
    "IdempotencyRecord",
    "Report",
    "ReportArea",
    "ReportFollower",
    "ReportHistory",
    "RoutingRule",
    "StaffSession",
    "User",
]
