"""Every mapped class, imported in one place so the metadata is complete (Alembic, tests)."""

from ioc.db import Base
from ioc.events.models import Event, EventAudience
from ioc.feedback.catalogue_stamp import CatalogueRevision
from ioc.feedback.citizen_models import Device, IdempotencyRecord, ReportFollower
from ioc.feedback.models import (
    Agency,
    Category,
    CategoryGroup,
    RoutingRule,
    StaffSession,
    User,
)
from ioc.feedback.reads.counter_rows import CounterChange
from ioc.feedback.reads.figure_rollups import (
    ReportFigure,
    ReportFigureMonth,
    ReportFigureMonthTotal,
    ReportFigureWeek,
    ReportHandlingBucket,
    ReportHandlingBucketMonth,
    ReportHandlingBucketMonthTotal,
    ReportHandlingBucketWeek,
    ReportReceiptBucket,
    ReportReceiptBucketMonth,
    ReportReceiptBucketMonthTotal,
    ReportReceiptBucketWeek,
)
from ioc.feedback.reads.hotspots import ReportCellWeek
from ioc.feedback.reads.rollups import ReportCellCount
from ioc.feedback.report_models import (
    Attachment,
    AuditEntry,
    ExtensionRequest,
    Report,
    ReportArea,
    ReportDraft,
    ReportHistory,
    ReportReturn,
    Surge,
)
from ioc.geo.models import Area, AreaRevision
from ioc.integrations.models import ApiClient, Delivery, WebhookSubscription
from ioc.integrations.zalo.models import ZaloContact, ZaloDraft, ZaloInbound

__all__ = [
    "Agency",
    "ApiClient",
    "Area",
    "AreaRevision",
    "Attachment",
    "AuditEntry",
    "Base",
    "CatalogueRevision",
    "Category",
    "CategoryGroup",
    "CounterChange",
    "Delivery",
    "Device",
    "Event",
    "EventAudience",
    "ExtensionRequest",
    "IdempotencyRecord",
    "Report",
    "ReportArea",
    "ReportCellCount",
    "ReportCellWeek",
    "ReportDraft",
    "ReportFigure",
    "ReportFigureMonth",
    "ReportFigureMonthTotal",
    "ReportFigureWeek",
    "ReportFollower",
    "ReportHandlingBucket",
    "ReportHandlingBucketMonth",
    "ReportHandlingBucketMonthTotal",
    "ReportHandlingBucketWeek",
    "ReportHistory",
    "ReportReceiptBucket",
    "ReportReceiptBucketMonth",
    "ReportReceiptBucketMonthTotal",
    "ReportReceiptBucketWeek",
    "ReportReturn",
    "RoutingRule",
    "StaffSession",
    "Surge",
    "User",
    "WebhookSubscription",
    "ZaloContact",
    "ZaloDraft",
    "ZaloInbound",
]
